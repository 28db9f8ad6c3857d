"""The Celery application of export jobs: ``celery -A perfgoals worker``.

Configured from Django's settings (the ``CELERY_*`` names, read from the
environment in perfgoals/settings.py). Tasks are in exports/tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")

app = Celery("perfgoals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["exports"])
