"""The project: settings, URLs, the Celery application and what every app shares.

Celery is not loaded with Django (the usual ``from .celery import app`` here): the
application is made at the first task sent (``perfgoals.celery.get_app``), and
``celery -A perfgoals`` finds it in perfgoals/celery.py.
"""
