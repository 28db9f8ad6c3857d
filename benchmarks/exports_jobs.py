"""A 1,000-form PDF export job on Celery workers: one worker against two (issue 7, point 7).

    .venv/bin/python -m benchmarks.exports_jobs [--small]

In a throwaway PostgreSQL database (``benchmarks.throwaway``): load the demo,
seed ``BENCH_EXPORT_FILINGS`` (default 1000, 20 small) filings (``benchmarks.seed``: the
published forms cloned, 20 to 52 indicators each), then run the same job — a
zip of one PDF per filing (每份一个PDF的压缩包) of all of them — first on one
worker, then on two, each ``celery -A perfgoals worker --pool prefork -c 1``
(a worker per CPU, as on two machines sharing EXPORT_ROOT). The time is from
sending the chunks to the job marked done (the zip assembled), the workers
started and warmed up before (a small job each). Also measured: the peak
resident memory of any worker process. Target: two workers at least 1.8x
faster than one.

The broker is Redis at ``BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/0),
under a key prefix of this run only: no other worker takes these tasks.
Figures are appended to benchmarks/results/exports_jobs.txt.
"""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import runner, throwaway

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TARGET_SPEEDUP = 1.8
JOB_TIMEOUT = 3600


class Workers:
    """``count`` worker processes, each in a process group of its own (for memory and killing)."""

    def __init__(self, count, *, database_url, queue, export_root, log_folder):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "perfgoals.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_QUEUE": queue,
            "CELERY_KEY_PREFIX": f"{queue}:",
            "EXPORT_ROOT": str(export_root),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        self.processes = []
        for n in range(count):
            log = (log_folder / f"worker-{count}-{n}.log").open("wb")
            command = [
                sys.executable, "-m", "celery", "-A", "perfgoals", "worker",
                "--pool", "prefork", "--concurrency", "1", "--queues", queue,
                "--hostname", f"{queue}-{count}-{n}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel", "WARNING",
            ]  # fmt: skip
            process = subprocess.Popen(
                command,
                cwd=throwaway.ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.processes.append(process)
        self.peak_rss_kib = {}

    def sample_memory(self, phase):
        groups = {process.pid for process in self.processes}
        listed = subprocess.run(
            ["ps", "-eo", "pgid=,rss="], capture_output=True, text=True, check=False
        ).stdout
        for line in listed.splitlines():
            pgid, rss = line.split()
            if int(pgid) in groups:
                self.peak_rss_kib[phase] = max(self.peak_rss_kib.get(phase, 0), int(rss))

    def stop(self):
        import signal

        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def run_job(workers, user, organisation, ids):
    """Seconds from sending the chunks of a PDF zip job of ``ids`` to its file being ready."""
    from exports import dispatch, jobs
    from exports.models import ExportJob

    job = jobs.new_job(user, organisation, 2025, ExportJob.Kind.PDF_ZIP, ids)
    started = time.perf_counter()
    dispatch.start(job)
    deadline = started + JOB_TIMEOUT
    while time.perf_counter() < deadline:
        job.refresh_from_db()
        # Printing the chunks, then joining the parts (after the last chunk is counted).
        workers.sample_memory("render" if job.done < job.total else "assemble")
        if job.is_finished:
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    if job.status != ExportJob.Status.DONE:
        raise SystemExit(f"the job did not finish: {job.status} {job.error}")
    size = (Path(os.environ["EXPORT_ROOT"]) / job.output_path).stat().st_size
    return elapsed, size


def measure(count, *, database_url, queue, export_root, log_folder, user, organisation, ids):
    workers = Workers(
        count,
        database_url=database_url,
        queue=f"{queue}-{count}",
        export_root=export_root,
        log_folder=log_folder,
    )
    from django.conf import settings

    settings.CELERY_TASK_DEFAULT_QUEUE = f"{queue}-{count}"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{queue}-{count}:",
    }
    try:
        # Warm up: every worker has started, imported WeasyPrint and printed a form or two.
        chunk_size, settings.EXPORT_CHUNK_SIZE = settings.EXPORT_CHUNK_SIZE, 1
        run_job(workers, user, organisation, ids[: 4 * count])
        settings.EXPORT_CHUNK_SIZE = chunk_size
        workers.peak_rss_kib = {}
        # Printed versions are kept (pdf.py): make sure no form of this run comes from there.
        shutil.rmtree(export_root / "forms", ignore_errors=True)
        elapsed, size = run_job(workers, user, organisation, ids)
    finally:
        workers.stop()
        _delete_keys(f"{queue}-{count}:")
    print(f"  {count} worker(s): {elapsed:.1f} s, zip {size / 1024 / 1024:.1f} MiB")
    return elapsed, size, workers.peak_rss_kib


def _delete_keys(prefix):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def run(context):
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import Organisation, User
    from benchmarks import seed
    from filings.models import Filing
    from indicators.models import Indicator

    call_command("load_demo", stdout=io.StringIO())
    filings = context.setting("BENCH_EXPORT_FILINGS", 1000, small=20)
    _count, _indicators, seeding = seed.grow(filings + Filing.objects.count())
    print(f"== seeded in {seeding:.0f} s")
    # The newest filings first: the seeded ones, of every form, in a fixed order.
    ids = list(Filing.objects.order_by("-pk").values_list("pk", flat=True)[:filings])
    indicators = Indicator.objects.filter(filing_id__in=ids).count()
    admin = User.objects.get(username="admin")
    organisation = Organisation.objects.filter(parent=None).order_by("pk").first()

    export_root = Path(tempfile.mkdtemp(prefix="perfgoals_bench_exports_"))
    os.environ["EXPORT_ROOT"] = str(export_root)
    settings.EXPORT_ROOT = export_root
    settings.CELERY_BROKER_URL = REDIS_URL
    queue = f"perfgoals-bench-{os.getpid()}"
    try:
        figures = {
            count: measure(
                count,
                database_url=context.database.url,
                queue=queue,
                export_root=export_root,
                log_folder=export_root,
                user=admin,
                organisation=organisation,
                ids=ids,
            )
            for count in (1, 2)
        }
    finally:
        shutil.rmtree(export_root, ignore_errors=True)
    one, two = figures[1][0], figures[2][0]
    speedup = one / two
    peaks = {
        phase: max(figure[2].get(phase, 0) for figure in figures.values()) / 1024
        for phase in ("render", "assemble")
    }
    verdict = "meets" if speedup >= TARGET_SPEEDUP else "MISSES"
    lines = [
        f"export jobs benchmark: PDF zip (one PDF per filing) of {len(ids)} filings "
        f"({indicators} indicators), chunks of {settings.EXPORT_CHUNK_SIZE}, "
        "Celery workers --pool prefork -c 1, Redis broker, times from sending the chunks "
        "to the zip ready (workers warmed up first)",
        f"  1 worker : {one:7.1f} s  ({len(ids) / one:.1f} forms/s)",
        f"  2 workers: {two:7.1f} s  ({len(ids) / two:.1f} forms/s)",
        f"  speed-up : {speedup:.2f}x ({verdict} the {TARGET_SPEEDUP}x target)",
        f"  peak RSS of a worker process: {peaks['render']:.0f} MiB printing chunks, "
        f"{peaks['assemble']:.0f} MiB assembling the zip (target: under 300 MiB)",
        f"  zip size: {figures[2][1] / 1024 / 1024:.1f} MiB",
    ]
    context.write("exports_jobs", lines)


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
