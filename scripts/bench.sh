#!/usr/bin/env bash
# Benchmarks (not tests): import time of the seeds; the list, 我的申报 and filing pages
# under gunicorn with 16 clients at 15 and at 10,000 filings; step and indicator-table
# autosaves and library suggestions (10,000 entries) in-process on SQLite and on
# PostgreSQL (10,000 filings); the review queue, dashboard and diff pages in-process at
# 20 and at 10,000 filings (benchmarks/review.py); PDF exports against LibreOffice
# printing our Excel export (benchmarks/exports.py; installs LibreOffice); 导入Excel uploads,
# hostile and real (benchmarks/uploads.py); a 项目库 of 5,000 projects loaded
# (benchmarks/library.py). Figures are appended to benchmarks/results/<job>.txt.
# Every run creates its own throwaway database and drops it afterwards; DATABASE_URL
# is never used. BENCH_DATABASE_URL names the PostgreSQL server (default
# postgres://postgres@127.0.0.1:5432); benchmarks/lists.py and benchmarks/editing.py
# list the other settings. Arguments pick the jobs (default: all of them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=("$@")
if [ ${#jobs[@]} -eq 0 ]; then jobs=(imports lists editing review); fi
for job in "${jobs[@]}"; do
  case "$job" in
    imports)
      .venv/bin/python -m benchmarks.imports sqlite
      .venv/bin/python -m benchmarks.imports postgres
      ;;
    lists) .venv/bin/python -m benchmarks.lists ;;
    editing)
      .venv/bin/python -m benchmarks.editing sqlite
      .venv/bin/python -m benchmarks.editing postgres
      ;;
    review) .venv/bin/python -m benchmarks.review ;;
    # 导入Excel: every hostile workbook of issue 19, the normal export and the largest real
    # form, each posted from a fresh process: CPU, wall time and resident memory.
    uploads) .venv/bin/python -m benchmarks.uploads ;;
    # A 项目库 of 5,000 projects loaded from .xlsx and CSV, then its re-export (issue 16: <10 s).
    library) .venv/bin/python -m benchmarks.library both ;;
    backup) .venv/bin/python -m benchmarks.backup sqlite && .venv/bin/python -m benchmarks.backup postgres ;;
    exports)
      # LibreOffice is what users print with today: the benchmark measures it, the app never
      # uses it, so only this job installs it.
      if ! command -v libreoffice >/dev/null; then
        sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
          libreoffice-calc-nogui >/dev/null
      fi
      .venv/bin/python -m benchmarks.exports
      ;;
    # A minute of locust traffic under gunicorn on 10,000 filings (benchmarks/loadrun.py);
    # faults: the same on a private PostgreSQL cluster stopped for 15 s mid-run, then
    # check_integrity. Figures in benchmarks/results/load.txt.
    load) .venv/bin/python -m benchmarks.loadrun load ;;
    faults) .venv/bin/python -m benchmarks.loadrun faults ;;
    *) echo "unknown benchmark: $job (imports, lists, editing, review, uploads, library, exports, backup, load, faults)" >&2; exit 2 ;;
  esac
done
