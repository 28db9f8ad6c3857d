"""A real Celery worker on the machine's Redis runs export jobs; killed, another finishes them.

The worker is ``celery -A perfgoals worker``, started here as a process of its
own with the settings a deployment gives it (environment variables). It
reaches the test's data:

- on PostgreSQL it connects to the test database by name;
- on SQLite the test database lives in memory, out of another process's
  reach: the committed test data is copied into a file (SQLite's backup API)
  that the worker opens, and the job's state is read back from that file.

Each run has its own queue and its own Redis key prefix (queues and the hash of
unacknowledged tasks): nobody else's worker takes these tasks, and this
worker's short visibility timeout restores nobody else's. ``TEST_REDIS_URL``
names the Redis database (default: 127.0.0.1:6379/7).
"""

import ast
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import pdfplumber
import pytest
import redis
from django.db import connection

from exports import dispatch, jobs, pdf
from exports.document import filing_document
from exports.models import ExportJob
from review import workflow
from tests.conftest import ROOT, make_filing
from tests.factories import at_finance, complete_filing, full_sheet, imported_filing

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
# Long enough for a worker to start (Django, then WeasyPrint at its first task) and print.
TIMEOUT = 40


@pytest.fixture
def broker(settings, tmp_path):
    """This run's queue and key prefix on Redis; the keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(
            f"Redis is not running at {REDIS_URL}: start it (apt-get install redis-server) or "
            "set TEST_REDIS_URL; the export jobs need a real broker to be tested.",
            pytrace=False,
        )
    name = f"perfgoals-test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{name}:",
    }
    settings.EXPORT_ROOT = tmp_path / "exports"
    yield name
    for key in client.scan_iter(match=f"{name}:*"):
        client.delete(key)
    client.close()


class Worker:
    """``celery -A perfgoals worker`` in its own process group, killed at the end."""

    def __init__(self, broker, tmp_path, database_url, *, concurrency, visibility_timeout=3600):
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "perfgoals.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_QUEUE": broker,
            "CELERY_KEY_PREFIX": f"{broker}:",
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "EXPORT_ROOT": str(tmp_path / "exports"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        command = [
            sys.executable, "-m", "celery", "-A", "perfgoals", "worker",
            "--pool", "prefork", "--concurrency", str(concurrency),
            "--queues", broker, "--hostname", f"{broker}-{time.monotonic_ns()}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "INFO",
        ]  # fmt: skip
        self.env = env
        with self.log.open("wb") as log:
            # A session of its own: the worker and its pool children are one process group.
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def setting(self, name):
        """One of Django's settings as this worker's environment makes it."""
        code = f"import perfgoals.settings as s; print(repr(s.{name}))"
        output = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=self.env, capture_output=True, check=True
        )
        return ast.literal_eval(output.stdout.decode())

    def tail(self):
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture
def start_worker(broker, tmp_path):
    workers = []
    database_url, read_job = _worker_database(tmp_path)

    def start(**options):
        worker = Worker(broker, tmp_path, database_url, **options)
        workers.append(worker)
        return worker

    start.read_job = read_job
    start.copy_database = database_url is not None and database_url.startswith("sqlite")
    yield start
    for worker in workers:
        worker.kill()


def _worker_database(tmp_path):
    """The database URL the worker opens, and how to read a job's state back."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (
            f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@"
            f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        )

        def read_job(job_id):
            job = ExportJob.objects.get(pk=job_id)
            chunks = list(job.chunks.values_list("attempts", "done_at"))
            return job.status, job.done, job.total, job.error, chunks

        return url, read_job
    path = tmp_path / "worker.sqlite3"

    def read_sqlite(job_id):
        with sqlite3.connect(path) as db:
            status, done, total, error = db.execute(
                "SELECT status, done, total, error FROM exports_exportjob WHERE id = ?",
                (job_id.hex,),
            ).fetchone()
            chunks = db.execute(
                "SELECT attempts, done_at FROM exports_exportchunk c JOIN exports_exportjob j "
                'ON c.job_id = j.id WHERE j.id = ? ORDER BY c."index"',
                (job_id.hex,),
            ).fetchall()
        return status, done, total, error, chunks

    return f"sqlite:///{path}", read_sqlite


def _copy_sqlite_database(tmp_path):
    """The test's committed data, copied to the file the worker opens (SQLite only)."""
    connection.ensure_connection()
    target = sqlite3.connect(tmp_path / "worker.sqlite3")
    with target:
        connection.connection.backup(target)
    target.close()


def _wait(start_worker, job_id, until, workers, what):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        state = start_worker.read_job(job_id)
        if until(state):
            return state
        if state[0] == ExportJob.Status.FAILED:
            break
        time.sleep(0.1)
    logs = "\n".join(worker.tail() for worker in workers)
    pytest.fail(f"{what}: the job is {state}\n--- worker log ---\n{logs}")


def _job(personas, orgs, settings, count, chunk_size):
    settings.EXPORT_CHUNK_SIZE = chunk_size
    for n in range(1, count + 1):
        make_filing(orgs.elderly_centre, name=f"第{n:02d}号项目")
    return jobs.create_job(personas.filer, orgs.elderly_centre, 2024, "project_bundle")


def _bundle_names(tmp_path, job_id, count):
    path = tmp_path / "exports" / "jobs" / str(job_id) / "output.pdf"
    with pdfplumber.open(path) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    positions = [text.rindex(f"第{n:02d}号项目") for n in range(1, count + 1)]
    assert positions == sorted(positions), "the forms are in print order"
    return text


def _mid_chunk(state):
    _status, done, _total, _error, chunks = state
    return done >= 4 and (1, None) in chunks


def test_a_worker_completes_a_batch_job(personas, orgs, settings, start_worker, tmp_path):
    job = _job(personas, orgs, settings, count=6, chunk_size=2)
    if start_worker.copy_database:
        _copy_sqlite_database(tmp_path)
    worker = start_worker(concurrency=2)
    dispatch.start(job)

    _status, done, total, error, chunks = _wait(
        start_worker, job.pk, lambda s: s[0] == "done", [worker], "the worker did not finish"
    )
    assert (done, total, error) == (6, 6, "")
    assert [attempts for attempts, _done_at in chunks] == [1, 1, 1]
    text = _bundle_names(tmp_path, job.pk, 6)
    assert "上海市闵行区老龄事业发展中心2024年度项目绩效目标汇总表" in text


def test_a_killed_worker_does_not_lose_the_job(personas, orgs, settings, start_worker, tmp_path):
    job = _job(personas, orgs, settings, count=10, chunk_size=2)
    if start_worker.copy_database:
        _copy_sqlite_database(tmp_path)
    # A short visibility timeout: the killed worker's task is given back within seconds.
    first = start_worker(concurrency=1, visibility_timeout=3)
    dispatch.start(job)
    # Kill it in the middle of a chunk: one that has started (attempts counted) but is not done,
    # after some progress.
    _wait(start_worker, job.pk, _mid_chunk, [first], "no chunk in progress to kill")
    first.kill()
    status, done, _total, _error, chunks = start_worker.read_job(job.pk)
    assert status == "running" and done < 10, "killed too late: the job was done already"
    assert (1, None) in chunks, "killed between chunks"
    # The task the worker held is still unacknowledged in Redis: nothing is lost.
    held = redis.Redis.from_url(REDIS_URL).hlen(f"{settings.CELERY_TASK_DEFAULT_QUEUE}:unacked")
    assert held == 1
    # The worst moment to die: holding the lock under which workers give such tasks back (a
    # worker takes it every second here). It lives as long as the dead worker's settings say.
    options = first.setting("CELERY_BROKER_TRANSPORT_OPTIONS")
    redis.Redis.from_url(REDIS_URL).set(
        f"{settings.CELERY_TASK_DEFAULT_QUEUE}:unacked_mutex",
        "the killed worker's token",
        ex=options.get("unacked_mutex_expire", 300),  # kombu's default when unset
    )

    second = start_worker(concurrency=1, visibility_timeout=3)
    status, done, total, error, chunks = _wait(
        start_worker,
        job.pk,
        lambda s: s[0] == "done",
        [first, second],
        "not finished after restart",
    )
    # Every filing counted once, although a chunk ran twice.
    assert (done, total, error) == (10, 10, "")
    attempts = sorted(attempts for attempts, _done_at in chunks)
    assert attempts == [1, 1, 1, 1, 2]
    _bundle_names(tmp_path, job.pk, 10)


def test_the_other_running_worker_finishes_a_killed_workers_job(
    personas, orgs, settings, start_worker, tmp_path
):
    job = _job(personas, orgs, settings, count=10, chunk_size=2)
    if start_worker.copy_database:
        _copy_sqlite_database(tmp_path)
    # Two workers share the job from the start, as in a deployment; one dies mid-batch.
    first = start_worker(concurrency=1, visibility_timeout=3)
    other = start_worker(concurrency=1, visibility_timeout=3)
    dispatch.start(job)
    _wait(start_worker, job.pk, _mid_chunk, [first, other], "no chunk in progress to kill")
    first.kill()
    status, done, _total, _error, _chunks = start_worker.read_job(job.pk)
    assert status == "running" and done < 10, "killed too late: the job was done already"

    status, done, total, error, chunks = _wait(
        start_worker,
        job.pk,
        lambda s: s[0] == "done",
        [first, other],
        "the other worker did not finish the job",
    )
    assert other.process.poll() is None, "the survivor is still running"
    assert (done, total, error) == (10, 10, "")
    assert all(done_at is not None for _attempts, done_at in chunks)
    _bundle_names(tmp_path, job.pk, 10)


def test_a_version_made_official_is_printed_ahead_by_a_worker(
    orgs, settings, start_worker, tmp_path
):
    # Made official (as an import of a published form does): sent to a worker on commit.
    filing = imported_filing(orgs.elderly_centre, name="预先打印的项目")
    assert redis.Redis.from_url(REDIS_URL).llen(_queue_key(settings)) == 1
    if start_worker.copy_database:
        _copy_sqlite_database(tmp_path)
    worker = start_worker(concurrency=1)

    kept_folder = tmp_path / "exports" / "forms"
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and not list(kept_folder.rglob("*.pdf")):
        time.sleep(0.1)
    kept = list(kept_folder.rglob("*.pdf"))
    assert kept, f"the worker printed nothing:\n{worker.tail()}"
    # The filing's download is that very file: nobody waits for the layout.
    filing.refresh_from_db()
    assert pdf.filing_pdf(filing_document(filing)) == kept[0].read_bytes()


def test_the_bureaus_approval_sends_the_version_to_be_printed(personas, settings, broker):
    filing = at_finance(complete_filing(personas.filer.organisation), personas)
    queued = redis.Redis.from_url(REDIS_URL)
    before = queued.llen(_queue_key(settings))
    workflow.decide(
        filing,
        personas.finance_reviewer,
        seen_version=filing.lock_version,
        decision="approve",
        sheet=full_sheet(),
    )
    assert queued.llen(_queue_key(settings)) == before + 1


def _queue_key(settings):
    # kombu's Redis transport keeps a queue in a list named after it, behind the key prefix.
    name = settings.CELERY_TASK_DEFAULT_QUEUE
    return f"{name}:{name}"
