"""Celery tasks of export jobs: thin wrappers around exports/jobs.py.

Sent by name (``exports.workers``): no module imports this one; the workers
load it (``perfgoals.celery``'s autodiscovery). jobs.py does the work.

The tasks are idempotent (see jobs.py), acknowledged late and given back to
the queue when their worker dies (settings: ``CELERY_TASK_ACKS_LATE``,
``CELERY_TASK_REJECT_ON_WORKER_LOST``): a job survives a worker restart. They
carry ids only; the filings and the files are in the database and EXPORT_ROOT.
"""

from pathlib import Path

from celery import shared_task
from celery.worker.control import inspect_command
from django.conf import settings
from django.db import close_old_connections

from exports import jobs, workers


@shared_task(name=workers.EXPORT_CHUNK)
def export_chunk(job_id, index):
    """Print one chunk of a job; the last chunk done assembles the job's file."""
    # A long-lived worker: drop connections that broke or passed CONN_MAX_AGE, as requests do.
    close_old_connections()
    try:
        jobs.run_chunk(job_id, index)
    finally:
        close_old_connections()


@shared_task(name=workers.ASSEMBLE_EXPORT)
def assemble_export(job_id):
    """Join a job's parts into the file the user downloads.

    Chunks now assemble their job themselves; this task stays registered for the
    messages an earlier release queued, so that a job in flight during an upgrade
    is finished rather than left to stall.
    """
    close_old_connections()
    try:
        jobs.assemble(job_id)
    finally:
        close_old_connections()


@shared_task(name=workers.KEEP_VERSION_PDF)
def keep_version_pdf(version_id):
    """Print a version that just became official, so that its PDF is kept ready."""
    close_old_connections()
    try:
        jobs.print_version(version_id)
    finally:
        close_old_connections()


@inspect_command(args=[("name", str)], signature="<name>")
def perfgoals_export_root(state, name):
    """A worker's answer to ``check_deployment``: does it see the file ``name`` in EXPORT_ROOT?

    The command writes the file just before it asks; a worker on another machine that
    does not see it writes job files where the web servers never read them (EXPORT_ROOT
    is not shared). The queues say whether it reads the queue the web servers send to.
    """
    queues = sorted(queue.name for queue in state.consumer.task_consumer.queues)
    return {"sees": (Path(settings.EXPORT_ROOT) / name).is_file(), "queues": queues}
