#!/usr/bin/env bash
# Back up perfgoals' database into a timestamped file, with a checksum file beside it.
#
#   scripts/backup.sh DIR          (or BACKUP_DIR=DIR scripts/backup.sh)
#
# The database is the one the app uses: DATABASE_URL, read by perfgoals/settings.py
# (SQLite db.sqlite3 in the project folder when unset).
#   PostgreSQL: pg_dump --format=custom --no-owner  -> DIR/perfgoals-<db>-<UTC time>.dump
#   SQLite:     sqlite3's online backup API          -> DIR/perfgoals-<db>-<UTC time>.sqlite3
#               (a consistent copy while the app runs, never `cp` of a live file)
# then the attachments' files, PRIVATE_MEDIA_ROOT (read by perfgoals/settings.py too):
#               a tar of its files                 -> DIR/perfgoals-<db>-<UTC time>.attachments.tar
# and DIR/<file>.sha256 of each, which scripts/restore.sh checks before restoring.
#
# In the backup: everything in the database — organisations, users (password hashes),
# filings, their versions, indicators, tasks, reviews, comments, transitions,
# notifications, rounds, the indicator library, the audit log, export jobs (their rows),
# sessions — and the files of the attachments.
# Not in it: EXPORT_ROOT (var/exports): the kept PDFs of versions are a cache printed
# again on demand, export job files are transient (deleted after EXPORT_KEEP_HOURS);
# secrets and settings (SECRET_KEY or .secret_key, DATABASE_URL, the environment): keep
# those apart from the backups. Backups hold password hashes and sessions: the files are
# written readable by their owner only.
set -euo pipefail

dir="${1:-${BACKUP_DIR:-}}"
if [ -z "$dir" ]; then
  echo "usage: scripts/backup.sh DIR (or set BACKUP_DIR): the folder to write the backup to" >&2
  exit 2
fi
dir="$(realpath -m -- "$dir")"
cd "$(dirname "$0")/.."
umask 077
mkdir -p -- "$dir"

# The database settings exactly as the app reads them (perfgoals/settings.py).
# A separate assignment, so that `set -e` stops here when the settings are refused.
database="$(.venv/bin/python - <<'PY'
import os, shlex
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
from django.conf import settings
db = settings.DATABASES["default"]
engine = db["ENGINE"].rsplit(".", 1)[-1]
values = {
    "engine": engine,
    "db_name": str(db["NAME"]),
    "db_host": db.get("HOST") or "",
    "db_port": str(db.get("PORT") or ""),
    "db_user": db.get("USER") or "",
    "db_password": db.get("PASSWORD") or "",
    "media_root": str(settings.PRIVATE_MEDIA_ROOT),
}
for name, value in values.items():
    print(f"{name}={shlex.quote(value)}")
PY
)"
eval "$database"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
file=""
archive=""
trap 'rm -f -- "${file:-/nonexistent}.partial" "${archive:-/nonexistent}.partial"' EXIT
base="perfgoals-$(basename -- "$db_name" .sqlite3)-$stamp"
started=$EPOCHREALTIME

case "$engine" in
  postgresql)
    file="$dir/$base.dump"
    # Through libpq's environment, so that the password never shows in `ps`.
    export PGHOST="$db_host" PGPORT="$db_port" PGUSER="$db_user" PGDATABASE="$db_name"
    if [ -n "$db_password" ]; then export PGPASSWORD="$db_password"; fi
    echo "== Backing up PostgreSQL database $db_name on ${db_host:-local socket} to $file"
    # Into a .partial file first: an interrupted dump never looks like a backup.
    pg_dump --format=custom --no-owner --file="$file.partial"
    ;;
  sqlite3)
    file="$dir/$base.sqlite3"
    echo "== Backing up SQLite database $db_name to $file"
    .venv/bin/python - "$db_name" "$file.partial" <<'PY'
import sqlite3, sys
from pathlib import Path

source_path, target_path = Path(sys.argv[1]), sys.argv[2]
if not source_path.is_file():
    sys.exit(f"No SQLite database at {source_path}: nothing to back up.")
# Read-only: never create or change the live database. The backup API copies a
# consistent state page by page while the app goes on writing.
source = sqlite3.connect(source_path.resolve().as_uri() + "?mode=ro", uri=True)
target = sqlite3.connect(target_path)
with target:
    source.backup(target)
result = target.execute("PRAGMA integrity_check").fetchone()[0]
source.close()
target.close()
if result != "ok":
    sys.exit(f"The copy fails SQLite's integrity check: {result}")
PY
    ;;
  *)
    echo "Backups are made for PostgreSQL and SQLite; DATABASE_URL names a $engine database." >&2
    exit 2
    ;;
esac

mv -- "$file.partial" "$file"

# The attachments, after the dump: a stored file is never changed, and never deleted
# while a version lists it, so every file the dump lists is still there now and goes
# into the tar. (Files added since the dump come along unlisted, harmless.)
archive="$dir/$base.attachments.tar"
echo "== Backing up the attachments in $media_root to $archive"
attachments="$(.venv/bin/python -m attachments.archive write "$media_root" "$archive.partial")"
mv -- "$archive.partial" "$archive"

# sha256sum's own format, with the bare file name: `sha256sum -c` works in DIR.
for written in "$file" "$archive"; do
  (cd -- "$dir" && sha256sum -- "$(basename -- "$written")" >"$(basename -- "$written").sha256")
done
size=$(du -h -- "$file" | cut -f1)
echo "== Done in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $started }") s: $file ($size),"
echo "   $(basename -- "$archive") ($attachments) and a .sha256 beside each"
