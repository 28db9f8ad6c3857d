"""Wall time of importing the published seed forms, on a throwaway database.

Also the same forms as people hold them: three seed forms laid out by LibreOffice
as a PDF (9 pages) and as the workbook it was printed from
(tests/fixtures/published_files/), read through pdfplumber and openpyxl.

    .venv/bin/python -m benchmarks.imports [sqlite|postgres|both] [--small]

Each of the runs (5, 2 in small mode) imports every seed file inside a transaction that is rolled
back, so all runs start from the same empty database.
"""

import statistics
import sys
import time
from pathlib import Path

from benchmarks import runner

DATABASES = ("sqlite", "postgres")
FILES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "published_files"


class Rollback(Exception):
    pass


def time_import(paths, repeats):
    """Median, fastest and slowest wall time of importing every file of ``paths``."""
    from django.db import transaction

    from importers.loader import import_file

    times = []
    for _ in range(repeats):
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


def run(context):

    from filings import demo
    from filings.models import Filing
    from importers.loader import import_file
    from indicators.models import Indicator

    data = demo.read_demo()
    demo.load_organisations(data)
    paths = sorted(demo.PUBLISHED_DIR.glob("*.txt"))
    repeats = context.setting("BENCH_REPEATS", 5, small=2)
    median, fastest, slowest = time_import(paths, repeats)
    files = []
    for name in ("libreoffice.pdf", "libreoffice.xlsx"):
        found = time_import([FILES / name], repeats)
        files.append(
            f"import of {name} (3 forms): median {found[0] * 1000:.0f} ms "
            f"(min {found[1] * 1000:.0f}, max {found[2] * 1000:.0f}, {repeats} runs)"
        )
    for path in paths:
        import_file(path)
    line = (
        f"import of {len(paths)} seed files ({Filing.objects.count()} filings, "
        f"{Indicator.objects.count()} indicators): median {median * 1000:.0f} ms "
        f"(min {fastest * 1000:.0f}, max {slowest * 1000:.0f}, {repeats} runs)"
    )
    context.write("imports", [line, *files])


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
