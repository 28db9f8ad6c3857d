"""导入Excel under hostile workbooks: time and peak memory of the process that refuses them.

    .venv/bin/python -m benchmarks.uploads [--small]

Issue 19's targets: each hostile workbook refused in under 2 s, the refusing
process's peak resident memory under 150 MB above its resting size, and its memory
back where it was afterwards; a normal upload as fast as before (about 0.3 s).

On a throwaway SQLite database holding the demo: the published 民生保障 (62
indicators) as a draft of a filer, and a copy grown to MAX_INDICATORS rows with long
texts, the largest real upload. The workbooks are the export of each (the largest as
Excel saves it, with shared strings) and every hostile workbook of the tests
(``tests/helpers/hostile_xlsx.py``), made from the 62-indicator export. Each is posted
to the upload page by a fresh process, as a web worker runs the view
(``django.test.Client``): after a first GET and one normal upload (modules, templates
and allocator warm), its peak is reset (``/proc/self/clear_refs``); then the time of
the POST (wall and CPU), the answer, the resting, peak (VmHWM) and after resident
sizes. ``--small`` leaves out the largest grown filing. Figures go to
benchmarks/results/uploads.txt.
"""

import gc
import html
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import runner, throwaway

DATABASES = ("sqlite",)
REFUSAL_TARGET_S = 2.0
PEAK_TARGET_MB = 150
FILER = "bench_upload_filer"
# A refusal's first message on the upload page (the probe's client records no context).
PROBLEM = re.compile(r'data-testid="upload-problems".*?<li>(.*?)</li>', re.S)


def _status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} is not in /proc/self/status")


def probe():
    """In a fresh process: post one workbook to the upload page, print the figures (JSON)."""
    throwaway.setup_django(os.environ["BENCH_UPLOAD_DATABASE"])
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=FILER))
    url = os.environ["BENCH_UPLOAD_URL"]

    def post(to, path):
        upload = SimpleUploadedFile("申报.xlsx", Path(path).read_bytes())
        return client.post(to, {"file": upload})

    client.get(url)
    post(os.environ["BENCH_UPLOAD_WARM_URL"], os.environ["BENCH_UPLOAD_WARM"])
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here on
    rest = _status_kb("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    response = post(url, os.environ["BENCH_UPLOAD_FILE"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _status_kb("VmHWM")
    status, problems = response.status_code, PROBLEM.findall(response.content.decode())
    del response
    gc.collect()
    figures = {
        "status": status,
        "seconds": seconds,
        "cpu": cpu,
        "rest_kb": rest,
        "peak_kb": peak,
        "after_kb": _status_kb("VmRSS"),
        "message": html.unescape(problems[0] if problems else "")[:60],
    }
    print(json.dumps(figures, ensure_ascii=False))


def _workbooks(scene, small):
    """(name, bytes, expected status) of every workbook posted."""
    from tests.helpers import hostile_xlsx as hostile
    from tests.helpers.excel import with_shared_strings

    normal, url = scene["normal"], scene["url"]
    shared = with_shared_strings(normal)
    books = [
        ("normal export (62 indicators)", normal, 200, url),
        ("normal, saved by Excel (shared strings)", shared, 200, url),
    ]
    if not small:
        books.append(
            ("largest: 500 indicators, saved by Excel", scene["largest"], 200, scene["largest_url"])
        )
    hostile_books = [
        ("issue: wide sheet (400 x 6,000 cells)", hostile.wide_sheet(normal), 400),
        ("issue: 40 MB of shared strings", hostile.huge_shared_strings(shared), 400),
        ("issue: macro project as xl/macro1.bin", hostile.renamed_macro(normal), 400),
        ("wide rows on a hidden 2nd sheet (unread)", hostile.unread_sheet(shared), 200),
        ("ActiveX control", hostile.activex(normal), 400),
        ("external link", hostile.external_link(normal), 400),
        ("too many cells (200 x 256)", hostile.many_cells(normal), 400),
        ("a cell in column 300", hostile.far_column(normal), 400),
        ("60,000 shared strings", hostile.many_strings(shared), 400),
        ("6,000 cell styles", hostile.many_styles(normal), 400),
        ("merged ranges to row 1,048,576", hostile.merged_everywhere(normal), 400),
        ("250,000 XML elements", hostile.many_elements(normal), 400),
        ("nesting 10,000 deep", hostile.deep_nesting(normal), 400),
        ("entity bomb (DTD)", hostile.entity_bomb(normal), 400),
        ("a 100,000-character sheet name", hostile.long_title(normal), 400),
    ]
    return books + [(*book, url) for book in hostile_books]


def prepare():
    """The 62-indicator draft of a filer, and the largest real upload's workbook."""
    from django.core.management import call_command
    from django.urls import reverse

    from accounts.models import User
    from exports.document import filing_document
    from exports.excel import filing_workbook
    from filings.limits import MAX_INDICATORS
    from filings.models import Filing
    from filings.serialization import filing_to_dict, save_filing
    from indicators.models import Indicator
    from tests.helpers.excel import with_shared_strings

    call_command("load_demo", stdout=io.StringIO())
    filing = Filing.objects.get(name="民生保障")
    Filing.objects.filter(pk=filing.pk).update(status=Filing.Status.DRAFT)
    User.objects.create(username=FILER, role=User.Role.FILER, organisation=filing.organisation)
    data = filing_to_dict(filing)
    data.update(name="民生保障（最大）", status="draft")
    for row in data["indicators"]:
        row.pop("key", None)
    largest = save_filing(data, filing.organisation)
    rows = list(largest.indicators.all())
    Indicator.objects.bulk_create(
        Indicator(
            filing=largest,
            level2_id=rows[number % len(rows)].level2_id,
            order=number + 1,
            name=f"{rows[number % len(rows)].name}（第{number}项）"[:200],
            value=rows[number % len(rows)].value,
            explanation=f"第{number}项：" + "按照年度工作计划组织实施并跟踪考核，" * 12,
        )
        for number in range(len(rows), MAX_INDICATORS)
    )
    largest = Filing.objects.get(pk=largest.pk)
    return {
        "url": reverse("importers:upload_excel", args=[filing.pk]),
        "largest_url": reverse("importers:upload_excel", args=[largest.pk]),
        "normal": filing_workbook([filing_document(Filing.objects.get(pk=filing.pk))]),
        "largest": with_shared_strings(filing_workbook([filing_document(largest)])),
        "largest_rows": largest.indicators.count(),
    }


def _measure(context, scene, folder, name, data, url):
    path = folder / "upload.xlsx"
    path.write_bytes(data)
    environment = dict(
        os.environ,
        BENCH_UPLOAD_DATABASE=context.database.url,
        BENCH_UPLOAD_URL=url,
        BENCH_UPLOAD_WARM_URL=scene["url"],
        BENCH_UPLOAD_FILE=str(path),
        BENCH_UPLOAD_WARM=str(folder / "warm.xlsx"),
    )
    done = subprocess.run(
        [sys.executable, "-c", "from benchmarks.uploads import probe; probe()"],
        cwd=throwaway.ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{name}: the probe failed\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(name, data, expected, figures):
    """One workbook's figures, and whether they meet the targets."""
    above = (figures["peak_kb"] - figures["rest_kb"]) / 1024
    after = (figures["after_kb"] - figures["rest_kb"]) / 1024
    met = figures["status"] == expected and above < PEAK_TARGET_MB
    if expected == 400:
        met = met and figures["cpu"] < REFUSAL_TARGET_S
    line = (
        f"{name:<42} {len(data) / 1e6:5.2f}MB {figures['status']:>4} "
        f"{figures['seconds'] * 1000:6.0f}ms {figures['cpu'] * 1000:6.0f}ms "
        f"{figures['rest_kb'] / 1024:4.0f}MB {above:+6.1f}MB {after:+5.1f}MB "
        f"{'' if met else 'NOT MET '}{figures['message']}"
    )
    return line, met


def run(context):
    scene = prepare()
    lines = [
        "导入Excel, one fresh process per workbook (django.test.Client; warm: one GET and one "
        f"normal upload first). Targets: a refusal under {REFUSAL_TARGET_S:g} s (judged on the "
        "CPU time of the POST, which a loaded machine does not inflate; the wall time beside "
        f"it), peak RSS under {PEAK_TARGET_MB} MB above rest. The largest real filing: "
        f"{scene['largest_rows']} indicators.",
        f"{'workbook':<42} {'file':>7} {'HTTP':>4} {'wall':>8} {'cpu':>8} {'rest':>6} "
        f"{'peak':>8} {'after':>7} message",
    ]
    print("\n".join(lines), flush=True)
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "warm.xlsx").write_bytes(scene["normal"])
        for name, data, expected, url in _workbooks(scene, context.small):
            figures = _measure(context, scene, folder, name, data, url)
            line, met = _line(name, data, expected, figures)
            ok = ok and met
            print(line, flush=True)
            lines.append(line)
    context.write("uploads", lines)
    return ok


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
