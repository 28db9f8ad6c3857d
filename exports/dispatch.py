"""Where export jobs are sent: to the Celery workers, or to a thread when there is no broker.

The chunks of a job (``start``) go to the workers by name (``exports.workers``,
which also sends an approved version to be printed ahead); the work itself is
``exports.jobs``'s, which sends nothing. ``check_deployment`` asks the workers
through here whether they answer and see EXPORT_ROOT.
"""

import logging
import threading

from django.db import connections, transaction
from django.utils.translation import gettext as _
from kombu import pidbox

from exports import jobs, workers
from perfgoals.celery import get_app

logger = logging.getLogger(__name__)


def start(job):
    """Send the job's chunks to the workers, or run them in a thread (no broker: the demo).

    Returns the thread when it runs inline (tests join it), else None.
    """
    if workers.uses_celery():
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
        with workers.broker() as connection:
            for index in indexes:
                workers.send(connection, workers.EXPORT_CHUNK, str(job_id), index)
    except Exception:  # the broker is down: say so now rather than after the stall time
        logger.exception("export job %s: could not send its chunks", job_id)
        jobs.fail(
            job_id,
            _("无法把导出任务交给后台导出服务（消息队列无法连接），请稍后重试或联系管理员。"),
        )


def broker_answers():
    """Connect to the broker once, without retrying; raise the connection's error if it fails."""
    with workers.broker() as connection:
        connection.ensure_connection(max_retries=1, timeout=5)


def workers_seeing(name, timeout=3.0):
    """{worker: {"sees": bool, "queues": [...]}} of the workers that answer within ``timeout``.

    Asked over the broker (a control broadcast, no task): each worker says whether it sees
    the file ``name`` in its EXPORT_ROOT (``tasks.perfgoals_export_root``).
    """
    # A mailbox of our own on our connection: app.control would publish through the Celery
    # app's producer pool, made from the settings of the process's start.
    mailbox = pidbox.Mailbox(
        get_app().conf.control_exchange, type="fanout", accept=["json"], serializer="json"
    )
    with workers.broker() as connection:
        replies = mailbox(connection)._broadcast(
            "perfgoals_export_root", {"name": name}, reply=True, timeout=timeout
        )
    return {worker: answer for reply in replies or [] for worker, answer in reply.items()}


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
