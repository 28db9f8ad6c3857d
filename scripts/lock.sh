#!/usr/bin/env bash
# Write the lock files from pyproject.toml (and requirements/pip.in), with hashes:
#   requirements/pip.lock   pip and setuptools, installed first (scripts/setup.sh)
#   requirements/base.lock  what a server installs: [project] dependencies
#   requirements/dev.lock   base plus the "dev" extra: tests, benchmarks, linters
# Versions already locked stay as they are unless a pin in pyproject.toml moved or
# you ask for newer ones:  scripts/lock.sh --upgrade  |  scripts/lock.sh --upgrade-package NAME
# Every extra a package asks for (weasyprint wants fonttools[woff]) is kept as a line
# of its own (--no-strip-extras): pip's hash-checking mode needs it pinned as asked.
# tests/ops/test_lock.py checks the result against the installed packages' metadata.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
uv=.venv/bin/uv
common=(--quiet --generate-hashes --no-strip-extras --universal --python-version 3.11
  --custom-compile-command "scripts/lock.sh" "$@")
"$uv" pip compile "${common[@]}" requirements/pip.in -o requirements/pip.lock
"$uv" pip compile "${common[@]}" --extra dev pyproject.toml -o requirements/dev.lock
# base.lock starts from dev.lock's versions, so that a server runs what the tests ran.
cp requirements/dev.lock requirements/base.lock
"$uv" pip compile "${common[@]}" pyproject.toml -o requirements/base.lock
echo "Wrote requirements/pip.lock, base.lock and dev.lock; run scripts/test.sh before committing."
