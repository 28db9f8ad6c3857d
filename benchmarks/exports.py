"""PDF export speed and memory, against LibreOffice printing our Excel export.

    .venv/bin/python -m benchmarks.exports

On a throwaway SQLite database holding the published seed forms:
- one project form (the first of seed 004) and the long 民生保障 form of seed
  000, rendered in this warm process (median of several runs);
- a bundle of 30 project forms of one organisation and year, measured as a
  user meets it, whole process: ``manage.py export_pdf --org --year`` (Django
  start-up, reading the filings, rendering on both cores, joining) against
  ``libreoffice --headless --convert-to pdf`` of the same 30 forms exported by
  ``manage.py export_excel`` (the way users print today), in the same run;
- the peak resident memory of the largest process of each, the size of each
  PDF and how many font programs the bundle embeds (one per face per chunk;
  the 目录 and its page numbers are written with the first process's chunk);
- in this process, joining the kept chunks and 目录 of the bundle (what a
  bundle costs whose forms were all printed in earlier bundles' chunks).
"Kept" is the same bundle printed a second time: it reads the bundle kept by
the first. ``--small`` runs each once (twice for one form). Figures are
appended to benchmarks/results/exports.txt.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import runner, throwaway

ROOT = throwaway.ROOT
BUNDLE_SIZE = 30
ORGANISATION = "上海市残疾人联合会"
YEAR = 2023
DATABASES = ("sqlite",)


def seed():
    """The demo organisations, the published seeds, and copies up to 30 forms of one org."""

    from accounts.models import Organisation
    from filings import demo
    from filings.models import Filing
    from filings.serialization import export_queryset, filing_to_dict, save_filing
    from importers.loader import import_file
    from review import workflow

    demo.load_organisations(demo.read_demo())
    for path in sorted(demo.PUBLISHED_DIR.glob("*.txt")):
        report = import_file(path)
        assert not report.error, report.error
    organisation = Organisation.objects.get(name=ORGANISATION)
    originals = list(
        export_queryset(Filing.objects.filter(organisation=organisation, year=YEAR)).order_by("pk")
    )
    copy = 1
    while Filing.objects.filter(organisation=organisation, year=YEAR).count() < BUNDLE_SIZE:
        for original in originals:
            if Filing.objects.filter(organisation=organisation, year=YEAR).count() >= BUNDLE_SIZE:
                break
            data = filing_to_dict(original)
            data["name"] = f"{data['name']}（{copy + 1}）"
            for row in data["indicators"] + data.get("tasks", []):
                row.pop("key", None)
            # Approved with an official version, as a published or approved form is.
            workflow.record_import(
                save_filing(data, organisation, status=Filing.Status.APPROVED),
                source="benchmark copy",
            )
        copy += 1
    return organisation


def time_single(filing, *, kept, runs):
    """Median and fastest wall time, and median CPU time, of one form, document to PDF
    bytes, warm process.

    ``kept=False`` renders every time (each run gets an empty EXPORT_ROOT);
    ``kept=True`` prints the version's PDF kept by an earlier render. The CPU
    seconds are what a machine shared with other work cannot stretch.
    """
    from django.conf import settings

    from exports.document import filing_document
    from exports.pdf import filing_pdf

    filing_pdf(filing_document(filing))  # warm: fonts and stylesheets loaded once per process
    times, cpu = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="perfgoals_bench_root_") as root:
            if not kept:
                settings.EXPORT_ROOT = Path(root)
            started, cpu_started = time.perf_counter(), time.process_time()
            pdf = filing_pdf(filing_document(filing))
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
    return statistics.median(times), min(times), statistics.median(cpu), _page_count(pdf)


def _page_count(pdf):
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _font_programs(pdf):
    """How many font programs (FontFile streams) the pages of ``pdf`` draw with."""
    import io

    from pypdf import PdfReader

    found, seen = set(), set()

    def visit(resources):
        resources = resources.get_object() if resources is not None else None
        if resources is None or id(resources) in seen:
            return
        seen.add(id(resources))
        for font in (resources.get("/Font") or {}).values():
            for descendant in font.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        found.add(descriptor.raw_get(key).idnum)
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        visit(page.get("/Resources"))
    return len(found)


def time_join(organisation, runs):
    """Median time to join the bundle's kept chunks and 目录, in this warm process."""
    from exports import bundle
    from exports.document import filing_document
    from filings.models import Filing

    filings = Filing.objects.filter(organisation=organisation, year=YEAR).order_by("pk")
    documents = [filing_document(f) for f in filings]
    title = bundle.bundle_title(organisation.name, YEAR, "project")
    half = len(documents) // 2  # two chunks, as two processes print them
    chunks = [bundle.chunk_pdf(documents[:half]), bundle.chunk_pdf(documents[half:])]
    bundle.assemble_bundle(chunks, documents, title)  # the 目录, kept
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        bundle.assemble_bundle(chunks, documents, title)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# Runs a command and writes the peak RSS (KiB) of its largest process, children included,
# and the CPU seconds (user and system) of all of them.
_MEASURE = (
    "import resource, subprocess, sys;"
    "code = subprocess.run(sys.argv[2:], capture_output=True).returncode;"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN);"
    "open(sys.argv[1], 'w').write(f'{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}');"
    "sys.exit(code)"
)


def whole_process(command, env=None):
    """Wall time, peak RSS (MiB, its largest process) and CPU seconds of one command.

    CPU seconds are what a busy machine cannot hide: on a machine shared with
    other work, wall times of a command on two processes and of a command on
    one compare less well than the CPU both spend.
    """
    with tempfile.NamedTemporaryFile("r") as measured:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", _MEASURE, measured.name, *command],
            check=True,
            env=env,
            cwd=ROOT,
        )
        elapsed = time.perf_counter() - started
        peak, cpu = measured.read().split()
        return elapsed, int(peak) / 1024, float(cpu)


def run(context):
    from django.conf import settings

    from filings.models import Filing

    organisation = seed()
    first_004 = Filing.objects.filter(source__startswith="004").order_by("pk").first()
    long_000 = Filing.objects.filter(source__startswith="000").order_by("pk").first()
    single_runs = context.setting("BENCH_SINGLE_RUNS", 10, small=2)
    # Seven of each, interleaved: on a shared machine one run in three or four may be a
    # fifth slower than the others, which three runs' median does not outvote.
    whole_runs = context.setting("BENCH_WHOLE_RUNS", 7, small=1)
    lines = []
    with tempfile.TemporaryDirectory(prefix="perfgoals_bench_exports_") as tmp:
        tmp = Path(tmp)
        settings.EXPORT_ROOT = tmp / "in-process"
        for label, filing in (("one form (first of seed 004)", first_004),
                              ("long form (民生保障, seed 000)", long_000)):  # fmt: skip
            count = filing.indicators.count()
            for kept in (False, True):
                median, fastest, cpu, pages = time_single(filing, kept=kept, runs=single_runs)
                how = "kept PDF of the version" if kept else "rendered"
                lines.append(
                    f"{label}, {how}: {count} indicators, {pages} pages: median "
                    f"{median * 1000:.1f} ms (min {fastest * 1000:.1f}, {single_runs} runs, "
                    f"warm process), CPU {cpu * 1000:.1f} ms"
                )
                print(lines[-1])
        settings.EXPORT_ROOT = tmp / "join"
        join = time_join(organisation, single_runs)
        lines.append(
            f"joining the kept chunks (2) and 目录 of the {BUNDLE_SIZE}-form bundle: median "
            f"{join * 1000:.0f} ms ({single_runs} runs, warm process)"
        )
        print(lines[-1])
        lines += compare_bundles(organisation, tmp, whole_runs)
    context.write("exports (PDF vs LibreOffice)", lines)


def compare_bundles(organisation, tmp, whole_runs):
    """The 30-form bundle, whole process, against LibreOffice printing our Excel export."""
    python = str(ROOT / ".venv" / "bin" / "python")
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    bundle = tmp / "bundle.pdf"
    workbook = tmp / "forms.xlsx"
    export_pdf = [python, "manage.py", "export_pdf", "--org", organisation.name,
                  "--year", str(YEAR), "-o", str(bundle)]  # fmt: skip
    export_xlsx = [python, "manage.py", "export_excel", "--org", organisation.name,
                   "--year", str(YEAR), "-o", str(workbook)]  # fmt: skip
    whole_process(export_xlsx, dict(os.environ, EXPORT_ROOT=str(tmp / "xlsx")))
    # Rendered: every run starts from an empty EXPORT_ROOT (the first export of the year's
    # approved forms). Kept: a second export of the same versions reads what the first kept.
    kept_env = dict(os.environ, EXPORT_ROOT=str(tmp / "kept"))
    whole_process(export_pdf, kept_env)
    convert = None
    if soffice is not None:
        profile = tmp / "lo-profile"
        convert = [
            soffice, f"-env:UserInstallation=file://{profile}", "--headless",
            "--convert-to", "pdf", "--outdir", str(tmp / "lo"), str(workbook),
        ]  # fmt: skip
        whole_process(convert)  # the first start creates the profile, as a user's exists
    # Interleaved, run by run: a machine whose load drifts treats the three alike.
    runs = {"rendered": [], "kept": [], "LibreOffice": []}
    for n in range(whole_runs):
        cold_env = dict(os.environ, EXPORT_ROOT=str(tmp / f"cold-{n}"))
        runs["rendered"].append(whole_process(export_pdf, cold_env))
        runs["kept"].append(whole_process(export_pdf, kept_env))
        if convert is not None:
            runs["LibreOffice"].append(whole_process(convert))
    lines = []
    pages = _page_count(bundle.read_bytes())
    for how in ("rendered", "kept"):
        lines.append(
            f"bundle of {BUNDLE_SIZE} project forms ({pages} pages), {how}, whole process "
            f"`manage.py export_pdf --org --year`: median {_median(runs[how])} s of "
            f"{whole_runs} (runs: {_seconds(runs[how])}), CPU {_cpu(runs[how])} s, peak RSS "
            f"{max(r[1] for r in runs[how]):.0f} MiB (largest process), {os.cpu_count()} CPUs"
        )
        print(lines[-1])
    ours = bundle.read_bytes()
    lines.append(
        f"bundle PDF: {len(ours) / 1e6:.2f} MB, {_font_programs(ours)} embedded font programs"
    )
    print(lines[-1])
    if convert is None:
        lines.append("LibreOffice: not installed (scripts/bench.sh exports installs it)")
        return lines
    theirs = runs["LibreOffice"]
    lo_pdf = tmp / "lo" / "forms.pdf"
    lines.append(
        f"LibreOffice {_libreoffice_version(soffice)} headless, the same {BUNDLE_SIZE} forms "
        f"from our Excel export ({_page_count(lo_pdf.read_bytes())} pages): median "
        f"{_median(theirs)} s of {whole_runs} (runs: {_seconds(theirs)}), CPU {_cpu(theirs)} s, "
        f"peak RSS {max(r[1] for r in theirs):.0f} MiB, {lo_pdf.stat().st_size / 1e6:.2f} MB"
    )
    print(lines[-1])
    for how in ("rendered", "kept"):
        wall = statistics.median(r[0] for r in theirs) / statistics.median(r[0] for r in runs[how])
        cpu = statistics.median(r[2] for r in theirs) / statistics.median(r[2] for r in runs[how])
        lines.append(f"{how}: LibreOffice takes {wall:.2f}x our time ({cpu:.2f}x our CPU)")
        print(lines[-1])
    return lines


def _median(runs):
    return f"{statistics.median(r[0] for r in runs):.2f}"


def _seconds(runs):
    return ", ".join(f"{r[0]:.2f}" for r in runs)


def _cpu(runs):
    """The median CPU seconds of ``runs``."""
    return f"{statistics.median(r[2] for r in runs):.2f}"


def _libreoffice_version(soffice):
    result = subprocess.run([soffice, "--version"], capture_output=True, text=True)
    return " ".join(result.stdout.split()[1:2]) or "?"


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
