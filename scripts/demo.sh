#!/usr/bin/env bash
# The first command of the README: set up, load the demo data into SQLite and
# start the app at http://127.0.0.1:8000 (HOST and PORT change that).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# DEBUG stays off in the demo too; plain HTTP on localhost needs cookies without
# the Secure flag, and WhiteNoise serves the collected static files.
export SECURE_COOKIES=0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
echo "== perfgoals is starting at http://${HOST:-127.0.0.1}:${PORT:-8000}/ (Ctrl-C stops it)"
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
