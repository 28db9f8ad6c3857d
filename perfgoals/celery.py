"""The Celery application of export jobs: ``celery -A perfgoals worker``.

Configured from Django's settings (the ``CELERY_*`` names, read from the
environment in perfgoals/settings.py). Tasks are in exports/tasks.py.

The application is made at its first use (``get_app``), not when Django
starts: a process that sends no task (a command printing a PDF, a web process
without workers) never loads Celery, a tenth of its start-up. The worker's
``-A perfgoals`` finds ``perfgoals.celery.app``, which makes it then.
"""

import functools
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")


@functools.cache
def get_app():
    """The application, made once per process."""
    # Imported here: loading Celery and kombu is what a start without it saves.
    from celery import Celery

    app = Celery("perfgoals")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks(["exports"])
    return app


def __getattr__(name):
    # ``celery -A perfgoals`` reads the module's ``app`` (a module attribute made when
    # asked for, PEP 562).
    if name == "app":
        return get_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
