"""Loading a bureau's 项目库 of 5,000 projects (issue 16: under 10 s), from .xlsx and CSV.

    .venv/bin/python -m benchmarks.library [sqlite|postgres|both] [--small]

On a throwaway database holding one bureau of 20 departments with 10 units each: the
year's 项目库 as a budget system exports it (a title row, the header, one line per
project: code, name, unit, department, three amounts in 万元, 事前绩效评估 and its
conclusion), as an .xlsx (numbers stored as numbers, texts as shared strings) and as a
GB18030 CSV. Each is loaded through ``projects.loading.load``, as the 项目库 page loads
an upload: first into an empty year (every project created), then the year's re-export
with every project's 项目资金总额 changed (every project found by its code and written).
Wall and CPU time of each (the CPU time is the same on a busy machine), median of the
runs (3, 1 in small mode), with 5,000 projects (1,000 in small mode). Figures go to
benchmarks/results/library.txt.
"""

import io
import statistics
import sys
import time

from benchmarks import runner

DATABASES = ("sqlite", "postgres")
TARGET_S = 10.0
PROJECTS = 5_000
YEAR = 2027
HEADER = ["项目编码", "项目名称", "预算单位", "主管部门", "项目资金总额（万元）"]
HEADER += ["年度预算（万元）", "当年财政拨款（万元）", "是否开展事前绩效评估", "事前绩效评估结论"]


def build_bureau(departments=20, units=10):
    """A bureau with its departments and units; returns (bureau, [(unit name, department name)])."""
    from accounts.models import Organisation

    bureau = Organisation.objects.create(name="基准区财政局", level="bureau")
    found = []
    for d in range(1, departments + 1):
        department = Organisation.objects.create(
            name=f"基准区第{d}局", level="department", parent=bureau
        )
        for u in range(1, units + 1):
            unit = f"基准区第{d}局第{u}中心"
            Organisation.objects.create(name=unit, level="unit", parent=department)
            found.append((unit, department.name))
    return bureau, found


def lines(units, count, shift=0):
    """``count`` project lines spread over ``units``; amounts vary (by ``shift`` 万元 too)."""
    for n in range(1, count + 1):
        unit, department = units[n % len(units)]
        total = f"{100 + shift + n % 900}.{n % 100:02d}"
        annual = f"{50 + n % 400}.25"
        evaluated = "否" if n % 7 == 0 else "是"
        yield [
            f"3101122027{n:011d}",
            f"基准项目第{n}号（{unit}）",
            unit,
            department,
            total,
            annual,
            annual,
            evaluated,
            "" if evaluated == "否" else "通过",
        ]


def xlsx_file(rows):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("项目库")
    sheet.append([f"{YEAR}年度项目库"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append([*row[:4], float(row[4]), float(row[5]), float(row[6]), *row[7:]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(rows):
    import csv

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("gb18030")


def time_load(bureau, name, content):
    """(wall seconds, CPU seconds of this process) to load ``content`` as the year's 项目库.

    The CPU time is what the load costs whatever else the machine runs; the database
    server's own work is in the wall time only (PostgreSQL runs apart).
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.loading import load

    started, cpu = time.perf_counter(), time.process_time()
    loaded = load(bureau, YEAR, SimpleUploadedFile(name, content))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert loaded.unmatched == 0, loaded.unmatched
    return (seconds, cpu), loaded


def measure(bureau, units, count, repeats):
    """The figures: (format, pass) → median seconds, for ``count`` projects."""
    from projects.models import LibraryLoad, Project

    rows, changed = list(lines(units, count)), list(lines(units, count, shift=1))
    files = {
        "xlsx": ("项目库.xlsx", xlsx_file(rows), xlsx_file(changed)),
        "csv": ("项目库.csv", csv_file(rows), csv_file(changed)),
    }
    figures = {}
    for kind, (name, content, again_content) in files.items():
        first, again = [], []
        for _ in range(repeats):
            Project.objects.filter(bureau=bureau).delete()
            LibraryLoad.objects.filter(bureau=bureau).delete()
            seconds, loaded = time_load(bureau, name, content)
            assert loaded.created == count, loaded.created
            first.append(seconds)
            seconds, loaded = time_load(bureau, name, again_content)
            assert loaded.updated == count, loaded.updated
            again.append(seconds)
        for key, runs in (("first", first), ("again", again)):
            figures[kind, key] = statistics.median(wall for wall, _cpu in runs)
            figures[kind, key, "cpu"] = statistics.median(cpu for _wall, cpu in runs)
        figures[kind, "bytes"] = len(content)
    return figures


def report(figures, count, repeats):
    result = []
    for kind in ("xlsx", "csv"):
        worst = max(figures[kind, "first"], figures[kind, "again"])
        verdict = "under" if worst < TARGET_S else "OVER"
        result.append(
            f"{kind} of {count} projects ({figures[kind, 'bytes'] / 1024:.0f} KB): first load "
            f"{figures[kind, 'first']:.2f} s (CPU {figures[kind, 'first', 'cpu']:.2f} s), "
            f"the re-export with every amount changed {figures[kind, 'again']:.2f} s "
            f"(CPU {figures[kind, 'again', 'cpu']:.2f} s), median of {repeats} "
            f"({verdict} the {TARGET_S:g} s target)"
        )
    return result


def run(context):
    count = context.setting("BENCH_PROJECTS", PROJECTS, small=1_000)
    repeats = context.setting("BENCH_REPEATS", 3, small=1)
    bureau, units = build_bureau()
    figures = measure(bureau, units, count, repeats)
    context.write("library", report(figures, count, repeats))


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
