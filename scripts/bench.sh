#!/usr/bin/env bash
# Benchmarks (not tests): import time of the seeds, queries per page.
# Figures are appended to benchmarks/results.txt. DATABASE_URL picks the database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python benchmarks/run.py
