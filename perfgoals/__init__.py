# Not imported here, as Celery's Django guide has it: its app costs every process's
# start-up 70 ms (each command, each print). Whatever sends a task imports
# ``perfgoals.celery`` first (exports/dispatch.py); ``celery -A perfgoals`` finds it.
