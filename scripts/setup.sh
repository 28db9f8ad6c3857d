#!/usr/bin/env bash
# Set up this checkout on a Debian 12 machine: the Debian packages the project
# needs, a virtual environment in .venv and the locked Python packages.
# Safe to run again: it installs only what is missing or changed.
#
#   scripts/setup.sh               everything: the app, its tests and benchmarks
#                                  (requirements/dev.lock); what the README's commands run
#   scripts/setup.sh --production  what a server needs and nothing else
#                                  (requirements/base.lock; no browser, no test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

lock=requirements/dev.lock
production=0
if [ "${1:-}" = "--production" ]; then
  lock=requirements/base.lock
  production=1
fi

# WeasyPrint needs Pango and HarfBuzz; the forms need CJK fonts. Tests turn PDFs into
# images with pdftoppm (poppler-utils) and drive Debian's Chromium through Playwright,
# because the machine cannot download Playwright's own browser (Playwright's driver
# ships inside its wheel). The deployment tests check deploy/nginx with Debian's nginx
# (nginx -t) and run it in front of two app servers (tests/ops/test_two_app_servers.py),
# with a self-signed certificate made by openssl; logrotate checks the shipped rotation.
DEBIAN_PACKAGES=(
  python3 python3-venv
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  fonts-noto-cjk fontconfig
)
if [ "$production" = 0 ]; then
  DEBIAN_PACKAGES+=(poppler-utils chromium nginx openssl logrotate)
fi

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== Installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The virtual environment holds exactly what the lock files name. When they change it is
# made anew rather than patched, so that nothing an older lock installed stays behind.
stamp=.venv/.locks
wanted=$(cat requirements/pip.lock "$lock")

# The project's own modules compiled once, here: a process that may not write beside them (a
# service user, PYTHONDONTWRITEBYTECODE=1) would otherwise compile about a hundred of them
# at every start — 0.17 s of a management command's 0.8 s. pip compiled the packages.
# Up-to-date files are skipped; Python still checks each file's date when it imports it.
compile_project() {
  .venv/bin/python -m compileall -q -x '(^|/)(\.venv|node_modules|var|\.git)(/|$)' . >/dev/null
}

if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  compile_project
  exit 0
fi
if [ -e .venv ]; then
  echo "== The lock files changed: making .venv anew"
  rm -rf .venv
fi
echo "== Creating the virtual environment in .venv"
"${PYTHON:-python3}" -m venv .venv
# A machine's own pip settings (a mirror of the index, say) are kept: every file is checked
# against the lock's hashes, whichever index served it.
pip=(.venv/bin/python -m pip --quiet --disable-pip-version-check)
# First the installer: the pip a machine's Python ships differs from machine to machine
# (23.2 here, 23.0 on Debian's own Python) and so does how it reads a lock.
"${pip[@]}" install --require-hashes --only-binary :all: -r requirements/pip.lock
echo "== Installing Python packages from $lock"
# Wheels only: building a source package would fetch build tools the lock does not name.
"${pip[@]}" install --require-hashes --only-binary :all: -r "$lock"
"${pip[@]}" check
printf '%s' "$wanted" > "$stamp"
compile_project
