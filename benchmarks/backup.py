"""How long do scripts/backup.sh and scripts/restore.sh take, and how big is a backup?

    .venv/bin/python -m benchmarks.backup [sqlite|postgres|both] [--small]

In throwaway databases only (``benchmarks.throwaway``; DATABASE_URL is never read):

- PostgreSQL: load the demo, back it up and restore it into a second, empty throwaway
  database; then seed up to ``BENCH_FILINGS`` (default 10000) filings
  (``benchmarks.seed``) with the review log the workflow would have written
  (``benchmarks.review.review_log``), every version holding the snapshot of a real
  36-indicator filing (the seed leaves them empty, which would make the dump too
  small), and again;
- SQLite: the demo (the seed is PostgreSQL SQL).

Each script is timed whole, as an operator runs it: Python's start-up, the checksum,
the schema check and the counts included. ``BENCH_RUNS`` (default 3, 1 small) runs
each; the median is kept. Figures are appended to benchmarks/results/backup.txt.
"""

import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import runner, throwaway

DATABASES = ("sqlite", "postgres")


@contextlib.contextmanager
def postgres_target():
    """A second empty throwaway database on the same server, to restore into."""
    parts = throwaway._server_url()
    name = f"{throwaway.PREFIX}{os.getpid()}_restore"
    maintenance = throwaway._connect_maintenance(parts)
    try:
        with maintenance.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{parts.scheme}://{parts.netloc}/{name}"
        finally:
            assert name.startswith(throwaway.PREFIX)  # never drop anything but our own
            with maintenance.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        maintenance.close()


def _script(database_url, *args, **extra_env):
    """Run scripts/<args> against ``database_url``; its wall time in seconds and output."""
    env = {**os.environ, "DATABASE_URL": database_url, **extra_env}
    started = time.perf_counter()
    done = subprocess.run(
        ["scripts/" + args[0], *args[1:]],
        cwd=throwaway.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def _summary(stdout):
    """restore.sh's line of counts ("filings 20, versions 21, …")."""
    lines = [line for line in stdout.splitlines() if line.startswith("== filings ")]
    return lines[-1].removeprefix("== ") if lines else "?"


def database_size():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    return Path(connection.settings_dict["NAME"]).stat().st_size


def measure(label, source_url, target, runs):
    """Back up ``source_url`` and restore it ``runs`` times; one line of figures.

    ``target`` is a context manager yielding the URL of an empty database to
    restore into (a new one for each run).
    """
    size = database_size()
    backups, restores, dump_size, counts = [], [], 0, ""
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="perfgoals_backup_") as folder:
            elapsed, _out = _script(source_url, "backup.sh", folder)
            backups.append(elapsed)
            (dump,) = [
                path for path in Path(folder).iterdir() if path.suffix not in (".sha256", ".tar")
            ]
            dump_size = dump.stat().st_size
            with target() as target_url:
                # The attachments' archive into a folder of its own, never the site's.
                restored = str(Path(folder) / "attachments")
                elapsed, out = _script(
                    target_url, "restore.sh", str(dump), PRIVATE_MEDIA_ROOT=restored
                )
                restores.append(elapsed)
                counts = _summary(out)
    line = (
        f"{label}: database {size / 2**20:.1f} MiB; backup {statistics.median(backups):.1f} s "
        f"(min {min(backups):.1f}), file {dump_size / 2**20:.1f} MiB; restore into an empty "
        f"database {statistics.median(restores):.1f} s (min {min(restores):.1f}); "
        f"restored {counts}"
    )
    print(line)
    return line


def realistic_versions():
    """Give the seeded versions the snapshot of a real filing of about 36 indicators."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE filings_filingversion SET snapshot = (
                SELECT snapshot FROM filings_filingversion
                WHERE snapshot ? 'indicators'
                ORDER BY abs(jsonb_array_length(snapshot -> 'indicators') - 36), id LIMIT 1)
            WHERE snapshot = '{}'::jsonb
            """
        )


def load_demo():
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


def postgres(context, runs):
    from benchmarks import review, seed
    from filings.models import Filing

    url = context.database.url
    load_demo()
    seed.analyse()
    demo = Filing.objects.count()
    lines = [measure(f"PostgreSQL, the demo ({demo} filings)", url, postgres_target, runs)]

    started = time.perf_counter()
    indicators = seed.seed(context.filings)
    review.review_log()
    realistic_versions()
    seed.analyse()
    seeding = time.perf_counter() - started
    big = Filing.objects.count()
    print(f"== seeded {big} filings in {seeding:.0f} s")
    label = f"PostgreSQL, {big} filings ({indicators} indicators)"
    lines.append(measure(label, url, postgres_target, runs))
    return "backup (PostgreSQL)", lines


def sqlite(context, runs):
    from filings.models import Filing

    url = context.database.url
    load_demo()
    demo = Filing.objects.count()
    folder = Path(url.removeprefix("sqlite:///")).parent
    numbers = iter(range(runs))

    @contextlib.contextmanager
    def target():
        path = folder / f"restored-{next(numbers)}.sqlite3"
        yield f"sqlite:///{path}"
        path.unlink()

    return "backup (SQLite)", [measure(f"SQLite, the demo ({demo} filings)", url, target, runs)]


def run(context):
    runs = context.setting("BENCH_RUNS", 3, small=1)
    measured = postgres if context.database.vendor == "postgres" else sqlite
    title, lines = measured(context, runs)
    how = f"scripts/backup.sh and scripts/restore.sh timed whole, median of {runs} runs"
    context.write(title, [how, *lines])


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
