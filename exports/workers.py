"""The export workers as the other processes see them: whether they run, the broker, sending.

Tasks are sent by name: the task code (``exports.tasks``) is the workers' own,
loaded by them alone, and Celery itself at the first send
(``perfgoals.celery.get_app``). Django's start imports this module (the
receiver of approved versions, ``ExportsConfig.ready``): it loads neither
Celery nor the job code, a tenth of a second of every start, a command printing
a PDF as well as a web process.
"""

import logging

from django.conf import settings

from perfgoals.celery import get_app
from review import signals

logger = logging.getLogger(__name__)

# The names the workers know the tasks by (exports/tasks.py registers them so).
EXPORT_CHUNK = "filings.export_chunk"
ASSEMBLE_EXPORT = "filings.assemble_export"
KEEP_VERSION_PDF = "filings.keep_version_pdf"


def uses_celery():
    """Whether workers run (a broker is set); without them a job runs in a thread here."""
    return bool(settings.CELERY_BROKER_URL)


def broker():
    """A connection to the broker (a context manager)."""
    # Django's settings, read at each send (not the Celery app's copy, made once).
    return get_app().connection_for_write(
        settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
    )


def send(connection, name, *args):
    """Queue the task ``name`` with ``args`` on ``connection``, for the workers to run."""
    get_app().send_task(name, args, connection=connection, queue=settings.CELERY_TASK_DEFAULT_QUEUE)


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
        with broker() as connection:
            send(connection, KEEP_VERSION_PDF, version_id)
    except Exception:  # printing ahead saves time later; the approval stands without it
        logger.warning("could not send version %s to be printed", version_id, exc_info=True)


def connect():
    """Listen to the review path (ExportsConfig.ready)."""
    signals.version_approved.connect(keep_printed, dispatch_uid="exports_keep_printed")
