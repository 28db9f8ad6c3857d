#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database the app uses.
#
#   scripts/restore.sh FILE [--force]          (FORCE=1 is the same as --force)
#
# The target is DATABASE_URL, read by perfgoals/settings.py as the app reads it (SQLite
# db.sqlite3 in the project folder when unset). Stop the web servers and the export
# workers first. In order:
#   1. FILE must match FILE.sha256 (written by backup.sh): a damaged or incomplete backup
#      is refused before anything is touched; so must the attachments archive beside it
#      (FILE without its extension, .attachments.tar) when there is one, and it is refused
#      too when one of its members is not a plain file inside PRIVATE_MEDIA_ROOT (an
#      absolute name, a '..', a link: attachments/archive.py);
#   2. a database that already holds tables is refused unless --force: a restore replaces
#      what is there. The clean way is an empty database (PostgreSQL: createdb);
#   3. PostgreSQL: pg_restore --clean --if-exists --no-owner --single-transaction (all or
#      nothing); SQLite: sqlite3's backup API copies the file's pages into the target;
#   4. the archive's files are written into PRIVATE_MEDIA_ROOT (read by perfgoals/settings.py),
#      replacing files of the same name; a backup made before backups held attachments has
#      no archive, and the folder is left as it is;
#   5. the schema must match this code's migrations (none missing, none unknown);
#   6. the row count of every table is printed.
# What a backup holds and what it does not (EXPORT_ROOT, secrets): see scripts/backup.sh.
set -euo pipefail

usage="usage: scripts/restore.sh FILE [--force]   (FORCE=1 is the same as --force)"
case "${FORCE:-0}" in
  1 | true | yes) force=1 ;;
  0 | false | no | "") force=0 ;;
  *) echo "FORCE must be 1 or 0, got '$FORCE'" >&2; exit 2 ;;
esac
file=""
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h | --help) echo "$usage"; exit 0 ;;
    -*) echo "unknown option $arg; $usage" >&2; exit 2 ;;
    *)
      if [ -n "$file" ]; then echo "one backup file at a time; $usage" >&2; exit 2; fi
      file="$arg"
      ;;
  esac
done
if [ -z "$file" ]; then echo "$usage" >&2; exit 2; fi
file="$(realpath -m -- "$file")"
cd "$(dirname "$0")/.."

if [ ! -f "$file" ]; then
  echo "No backup file at $file." >&2
  exit 1
fi
verify() {
  if [ ! -f "$1.sha256" ]; then
    echo "No checksum file $1.sha256 beside the backup: it cannot be verified, nothing was restored." >&2
    exit 1
  fi
  expected="$(cut -d ' ' -f 1 <"$1.sha256")"
  actual="$(sha256sum -- "$1" | cut -d ' ' -f 1)"
  if [ "$expected" != "$actual" ]; then
    echo "Checksum mismatch: $1 is damaged or incomplete (its .sha256 says $expected," >&2
    echo "the file is $actual). Nothing was restored." >&2
    exit 1
  fi
}
verify "$file"
echo "== Checksum verified: $(basename -- "$file")"
name="$(basename -- "$file")"
archive="$(dirname -- "$file")/${name%.*}.attachments.tar"
if [ -f "$archive" ]; then
  verify "$archive"
  if ! held="$(.venv/bin/python -m attachments.archive check "$archive")"; then
    echo "Nothing was restored." >&2
    exit 1
  fi
  echo "== Checksum verified: $(basename -- "$archive") ($held)"
else
  missing_archive="$archive"
  archive=""
fi

# The database settings exactly as the app reads them (perfgoals/settings.py).
# A separate assignment, so that `set -e` stops here when the settings are refused.
database="$(.venv/bin/python - <<'PY'
import os, shlex
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
from django.conf import settings
db = settings.DATABASES["default"]
values = {
    "engine": db["ENGINE"].rsplit(".", 1)[-1],
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

magic="$(head -c 15 -- "$file" | tr -d '\0')"
started=$EPOCHREALTIME
case "$engine" in
  postgresql)
    if [ "${magic:0:5}" != "PGDMP" ]; then
      echo "$file is not a pg_dump archive, and DATABASE_URL names a PostgreSQL database." >&2
      exit 1
    fi
    export PGHOST="$db_host" PGPORT="$db_port" PGUSER="$db_user" PGDATABASE="$db_name"
    if [ -n "$db_password" ]; then export PGPASSWORD="$db_password"; fi
    if ! tables="$(psql -X -At -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM pg_catalog.pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema')" 2>&1)"; then
      echo "Cannot open the database $db_name on ${db_host:-the local socket}: $tables" >&2
      echo "Create it empty first, e.g.: createdb --owner=$db_user $db_name" >&2
      exit 1
    fi
    if [ "$tables" -gt 0 ] && [ "$force" != 1 ]; then
      filings="$(psql -X -At -c "SELECT CASE WHEN to_regclass('filings_filing') IS NULL THEN 'no'
          ELSE (SELECT count(*)::text FROM filings_filing) END")"
      echo "Refusing to restore: the database $db_name is not empty ($tables tables, $filings filings)." >&2
      echo "A restore replaces its content. Restore into an empty database, or pass --force (FORCE=1)." >&2
      exit 1
    fi
    echo "== Restoring $(basename -- "$file") into PostgreSQL database $db_name on ${db_host:-the local socket}"
    # One transaction: on any error nothing of the restore stays.
    pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
      --dbname="$db_name" -- "$file"
    ;;
  sqlite3)
    if [ "$magic" != "SQLite format 3" ]; then
      echo "$file is not an SQLite database, and DATABASE_URL names an SQLite database." >&2
      exit 1
    fi
    echo "== Restoring $(basename -- "$file") into SQLite database $db_name"
    .venv/bin/python - "$file" "$db_name" "$force" <<'PY'
import sqlite3, sys
from pathlib import Path

backup_path, target_path, force = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
if target_path.exists():
    with sqlite3.connect(target_path.resolve().as_uri() + "?mode=ro", uri=True) as existing:
        tables = existing.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
    if tables and not force:
        sys.exit(
            f"Refusing to restore: the database {target_path} is not empty ({tables} tables).\n"
            "A restore replaces its content. Restore into a new file, or pass --force (FORCE=1)."
        )
target_path.parent.mkdir(parents=True, exist_ok=True)
backup = sqlite3.connect(backup_path.as_uri() + "?mode=ro", uri=True)
target = sqlite3.connect(target_path)
# The backup API replaces every page of the target in one go, under its lock: readers
# see the old database or the restored one, never a mix.
backup.backup(target)
backup.close()
result = target.execute("PRAGMA integrity_check").fetchone()[0]
target.close()
if result != "ok":
    sys.exit(f"The restored database fails SQLite's integrity check: {result}")
PY
    ;;
  *)
    echo "Restores are made for PostgreSQL and SQLite; DATABASE_URL names a $engine database." >&2
    exit 2
    ;;
esac
echo "== Restored in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $started }") s"

if [ -n "$archive" ]; then
  restored="$(.venv/bin/python -m attachments.archive extract "$archive" "$media_root")"
  echo "== Restored the attachments of $(basename -- "$archive"): $restored into $media_root"
else
  echo "== No attachments in this backup (no $(basename -- "$missing_archive") beside it:"
  echo "   made before backups held them); $media_root left as it is. Copy in the folder kept"
  echo "   with that backup, or check_integrity lists the files its versions miss."
fi

# The schema must be the one this code expects (what `manage.py migrate --check` asks, both
# ways), then what came back, table by table.
.venv/bin/python - <<'PY'
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

executor = MigrationExecutor(connection)
loader = executor.loader
missing = executor.migration_plan(loader.graph.leaf_nodes())
unknown = sorted(set(loader.applied_migrations) - set(loader.disk_migrations))
with connection.cursor() as cursor:
    rows = {}
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        rows[table] = cursor.fetchone()[0]
print("== Rows per table")
for table, count in rows.items():
    print(f"  {table:40} {count:>9}")
summary = {
    "filings": "filings_filing",
    "versions": "filings_filingversion",
    "reviews": "filings_review",
    "comments": "filings_comment",
    "transitions": "filings_transition",
    "audit events": "audit_auditevent",
    "users": "filings_user",
    "sessions": "django_session",
}
print("== " + ", ".join(f"{name} {rows.get(table, 0)}" for name, table in summary.items()))
if unknown:
    names = ", ".join(f"{app}.{name}" for app, name in unknown)
    sys.exit(
        f"Schema mismatch: the backup has migrations this code does not know ({names}).\n"
        "It was made by a newer version of perfgoals: deploy that version before starting the app."
    )
if missing:
    names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in missing)
    sys.exit(
        f"Schema behind the code: {len(missing)} migrations not applied ({names}).\n"
        "The data is restored; run `manage.py migrate` before starting the app."
    )
print("== Schema matches the code's migrations.")
print("Next: `manage.py check_integrity`, and compare `manage.py export_json -o -` with the")
print("export taken when the backup was made (README, \"备份与恢复 / Backup and restore\").")
PY
