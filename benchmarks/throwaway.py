"""A database that exists only for one benchmark run, and the run's bookkeeping.

A benchmark migrates, seeds thousands of filings and resets the demo
accounts' passwords: run against a real database it would damage it. So it
never reads ``DATABASE_URL``; it creates ``perfgoals_bench_<pid>`` on the
PostgreSQL server of ``BENCH_DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432) and drops it at the end, on failure too.
"""

import contextlib
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
PREFIX = "perfgoals_bench_"


def _server_url():
    parts = urlsplit(os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER))
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("BENCH_DATABASE_URL must be a postgres:// server address.")
    return parts


def _connect_maintenance(parts):
    import psycopg2

    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    # CREATE/DROP DATABASE cannot run inside a transaction.
    connection.autocommit = True
    return connection


@contextlib.contextmanager
def postgres_database():
    """Yield the URL of a new, empty PostgreSQL database; drop it afterwards."""
    parts = _server_url()
    name = f"{PREFIX}{os.getpid()}"
    maintenance = _connect_maintenance(parts)
    try:
        with maintenance.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
        finally:
            _close_django_connections()
            assert name.startswith(PREFIX)  # never drop anything but our own
            with maintenance.cursor() as cursor:
                # FORCE ends the gunicorn workers' connections if any is left behind.
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        maintenance.close()


@contextlib.contextmanager
def sqlite_database():
    """Yield the URL of a new SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix=PREFIX) as directory:
        yield f"sqlite:///{directory}/bench.sqlite3"
        _close_django_connections()


def _close_django_connections():
    try:
        from django.db import connections
    except ImportError:
        return
    with contextlib.suppress(Exception):
        connections.close_all()


def setup_django(database_url):
    """Point Django at ``database_url`` (and nothing else) and set it up."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "perfgoals.settings"
    os.environ["DEBUG"] = "0"
    # The demo's workflow notifies reviewers: a benchmark never sends (or prints) mail,
    # nor do the gunicorn workers, which inherit this environment.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.conf import settings

    # django.test.Client's host, for the query counts taken inside the process.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def machine():
    """nproc, memory and load of this machine, for the results file."""
    memory = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB memory"
    # Other work on the machine skews every figure: say how busy it was.
    load = ", load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs{memory}{load}, "
        f"Python {platform.python_version()}"
    )


def database_version():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("select sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def git_revision():
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    revision = result.stdout.strip() or "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{revision}{' (with uncommitted changes)' if dirty else ''}"


def append_results(title, lines, results_file):
    """Append a dated block to ``results_file`` (the runner names a job's file)."""
    header = [
        f"# {time.strftime('%Y-%m-%d %H:%M:%S')} {title}",
        f"machine: {machine()}",
        f"database: {database_version()} (throwaway)",
        f"revision: {git_revision()}",
    ]
    with results_file.open("a", encoding="utf-8") as results:
        results.write("\n".join(header + lines) + "\n\n")
    shown = results_file.relative_to(ROOT) if results_file.is_relative_to(ROOT) else results_file
    print(f"(appended to {shown})")
