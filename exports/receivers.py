"""What the exports do when the review path moves: kept light, as every process loads it.

Connected in ``ExportsConfig.ready``, so it is imported at the start of every
process (a page, a command, a worker): the sending itself (``dispatch``,
Celery and the job machinery with openpyxl, 0.13 s to load) is loaded by the
first approval that has workers to send to.
"""

from django.conf import settings

from review import signals


def keep_printed(sender, version_id, **kwargs):
    """A version became official: have a worker print it ahead (``dispatch.keep_printed``)."""
    if not settings.CELERY_BROKER_URL:
        return  # no workers (the demo): its first download prints it
    # Imported here, not at the top: see the module's docstring.
    from exports import dispatch

    dispatch.keep_printed(version_id)


def connect():
    """Listen to the review path (ExportsConfig.ready)."""
    signals.version_approved.connect(keep_printed, dispatch_uid="exports_keep_printed")
