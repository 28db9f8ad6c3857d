#!/usr/bin/env bash
# The second command of the README: set up and run the whole test suite.
# SQLite by default; set DATABASE_URL=postgres://… to run it on PostgreSQL.
# Arguments go to pytest (e.g. scripts/test.sh -k importer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/pytest "$@"
