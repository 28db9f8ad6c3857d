"""Benchmarks: import time of the published seeds and SQL queries per page.

Run with ``scripts/bench.sh`` (or ``.venv/bin/python benchmarks/run.py``).
Uses a throwaway SQLite file unless DATABASE_URL is set, and writes its
figures to benchmarks/results.txt. Timings are figures to watch, not
pass/fail thresholds.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from filings import demo  # noqa: E402
from filings.importers.loader import import_file  # noqa: E402
from filings.models import Filing, User  # noqa: E402

REPEATS = 5


class Rollback(Exception):
    pass


def time_import(paths):
    """Median wall time of importing every seed file, each run rolled back."""
    times = []
    for _ in range(REPEATS):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                for path in paths:
                    report = import_file(path)
                    assert not report.error, report.error
                times.append(time.perf_counter() - started)
                raise Rollback
        except Rollback:
            pass
    return statistics.median(times), min(times), max(times)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def main():
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    data = demo.read_demo()
    demo.load_organisations(data)
    demo.load_users(data)
    paths = sorted(demo.PUBLISHED_DIR.glob("*.txt"))
    median, fastest, slowest = time_import(paths)

    for path in paths:
        import_file(path)
    filings = Filing.objects.count()
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    biggest = max(Filing.objects.all(), key=lambda f: f.indicators.count())
    lines = [
        f"database: {connection.vendor}",
        f"import of {len(paths)} seed files ({filings} filings, "
        f"{sum(f.indicators.count() for f in Filing.objects.all())} indicators): "
        f"median {median * 1000:.0f} ms (min {fastest * 1000:.0f}, max {slowest * 1000:.0f}, "
        f"{REPEATS} runs)",
        f"queries, filing list page (admin, {filings} filings): "
        f"{count_queries(client, reverse('filings:list'))}",
        f"queries, filing page ({biggest.name}, {biggest.indicators.count()} indicators): "
        f"{count_queries(client, reverse('filings:detail', args=[biggest.pk]))}",
    ]
    out = ROOT / "benchmarks" / "results.txt"
    with out.open("a", encoding="utf-8") as results:
        results.write(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}\n" + "\n".join(lines) + "\n\n")
    print("\n".join(lines))
    print(f"(appended to {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
