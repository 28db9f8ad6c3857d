"""Wall time of importing the published seed forms, on a throwaway database.

    .venv/bin/python -m benchmarks.imports [sqlite|postgres]

Each of the runs imports every seed file inside a transaction that is rolled
back, so all runs start from the same empty database.
"""

import statistics
import sys
import time

from benchmarks import throwaway

REPEATS = 5


class Rollback(Exception):
    pass


def time_import(paths):
    """Median, fastest and slowest wall time of importing every file of ``paths``."""
    from django.db import transaction

    from filings.importers.loader import import_file

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


def run():
    from django.core.management import call_command

    from filings import demo
    from filings.importers.loader import import_file
    from filings.models import Filing
    from indicators.models import Indicator

    call_command("migrate", verbosity=0)
    data = demo.read_demo()
    demo.load_organisations(data)
    paths = sorted(demo.PUBLISHED_DIR.glob("*.txt"))
    median, fastest, slowest = time_import(paths)
    for path in paths:
        import_file(path)
    line = (
        f"import of {len(paths)} seed files ({Filing.objects.count()} filings, "
        f"{Indicator.objects.count()} indicators): median {median * 1000:.0f} ms "
        f"(min {fastest * 1000:.0f}, max {slowest * 1000:.0f}, {REPEATS} runs)"
    )
    print(line)
    throwaway.append_results("imports", [line])


def main(argv):
    vendor = argv[0] if argv else "sqlite"
    databases = {"sqlite": throwaway.sqlite_database, "postgres": throwaway.postgres_database}
    if vendor not in databases:
        raise SystemExit("usage: python -m benchmarks.imports [sqlite|postgres]")
    with databases[vendor]() as url:
        throwaway.setup_django(url)
        run()


if __name__ == "__main__":
    main(sys.argv[1:])
