#!/usr/bin/env bash
# Set up this checkout on a Debian 12 machine: the Debian packages the project
# needs, a virtual environment in .venv and the locked Python packages.
# Safe to run again: it installs only what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# WeasyPrint needs Pango and HarfBuzz; the forms need CJK fonts; tests turn
# PDFs into images with pdftoppm (poppler-utils). The browser tests drive
# Debian's Chromium through Playwright, because the machine cannot download
# Playwright's own browser; Playwright's driver (Node) ships inside its wheel.
DEBIAN_PACKAGES=(
  python3 python3-venv
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  fonts-noto-cjk fontconfig
  poppler-utils
  chromium
)

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

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== Creating the virtual environment in .venv"
  "$python" -m venv .venv
fi

# Reinstall only when the lock file changed since the last install.
stamp=.venv/.requirements.lock
if ! cmp -s requirements.lock "$stamp"; then
  echo "== Installing Python packages from requirements.lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
  cp requirements.lock "$stamp"
fi
