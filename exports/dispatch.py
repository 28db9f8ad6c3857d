"""Where export work is sent: to the Celery workers, or to a thread when there is no broker.

The one module that sends tasks (``exports.tasks``): the chunks of a
job (``start``), and a version that just became official, to be printed ahead
(``keep_printed``, a receiver of ``review.signals.version_approved``). The
work itself is ``exports.jobs``'s, which sends nothing.
"""

import logging
import threading

from django.conf import settings
from django.db import connections, transaction
from django.utils.translation import gettext as _
from kombu import pidbox

from exports import jobs, tasks
from perfgoals.celery import app
from review import signals

logger = logging.getLogger(__name__)


def uses_celery():
    """Whether workers run (a broker is set); without them a job runs in a thread here."""
    return bool(settings.CELERY_BROKER_URL)


def start(job):
    """Send the job's chunks to the workers, or run them in a thread (no broker: the demo).

    Returns the thread when it runs inline (tests join it), else None.
    """
    if uses_celery():
        indexes = list(job.chunks.values_list("index", flat=True))
        transaction.on_commit(lambda: _send_chunks(job.pk, indexes))
        return None
    thread = threading.Thread(
        target=_run_in_thread, args=(job.pk,), name=f"export-job-{job.pk}", daemon=True
    )
    transaction.on_commit(thread.start)
    return thread


def _send_chunks(job_id, indexes):
    try:
        with _broker() as connection:
            for index in indexes:
                tasks.export_chunk.apply_async(
                    (str(job_id), index),
                    connection=connection,
                    queue=settings.CELERY_TASK_DEFAULT_QUEUE,
                )
    except Exception:  # the broker is down: say so now rather than after the stall time
        logger.exception("export job %s: could not send its chunks", job_id)
        jobs.fail(
            job_id,
            _("无法把导出任务交给后台导出服务（消息队列无法连接），请稍后重试或联系管理员。"),
        )


def keep_printed(sender, version_id, **kwargs):
    """A version became official (after the commit): have a worker print it and keep the PDF.

    Its first download, and every bundle it is in, then reads a kept PDF
    (exports/pdf.py) instead of laying the form out while the user
    waits. Only where workers run (CELERY_BROKER_URL): without them, the first
    download prints it.
    """
    if not uses_celery():
        return
    try:
        with _broker() as connection:
            tasks.keep_version_pdf.apply_async(
                (version_id,), connection=connection, queue=settings.CELERY_TASK_DEFAULT_QUEUE
            )
    except Exception:  # printing ahead saves time later; the approval stands without it
        logger.warning("could not send version %s to be printed", version_id, exc_info=True)


def connect():
    """Listen to the review path (FilingsConfig.ready)."""
    signals.version_approved.connect(keep_printed, dispatch_uid="exports_keep_printed")


def broker_answers():
    """Connect to the broker once, without retrying; raise the connection's error if it fails."""
    with _broker() as connection:
        connection.ensure_connection(max_retries=1, timeout=5)


def workers_seeing(name, timeout=3.0):
    """{worker: {"sees": bool, "queues": [...]}} of the workers that answer within ``timeout``.

    Asked over the broker (a control broadcast, no task): each worker says whether it sees
    the file ``name`` in its EXPORT_ROOT (``tasks.perfgoals_export_root``).
    """
    # A mailbox of our own on our connection: app.control would publish through the Celery
    # app's producer pool, made from the settings of the process's start.
    mailbox = pidbox.Mailbox(
        app.conf.control_exchange, type="fanout", accept=["json"], serializer="json"
    )
    with _broker() as connection:
        replies = mailbox(connection)._broadcast(
            "perfgoals_export_root", {"name": name}, reply=True, timeout=timeout
        )
    return {worker: answer for reply in replies or [] for worker, answer in reply.items()}


def _broker():
    # Django's settings, read at each send (not the Celery app's copy, made once).
    return app.connection_for_write(
        settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
    )


# Inline jobs run one at a time: a web process is no print server, and a second job
# waits, 排队中, as it would for a busy worker.
_INLINE = threading.Lock()


def _run_in_thread(job_id):
    try:
        with _INLINE:
            jobs.run_inline(job_id)
    except Exception:  # the thread's last word: never leave the job running
        logger.exception("export job %s failed", job_id)
        jobs.fail(job_id, _("导出时发生内部错误，请稍后重试。"))
    finally:
        # A thread's connection is its own: close it, or it stays open until the server stops.
        connections.close_all()
