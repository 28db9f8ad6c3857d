# Load the Celery application with Django, so that tasks sent from the web use its settings.
from perfgoals.celery import app as celery_app

__all__ = ("celery_app",)
