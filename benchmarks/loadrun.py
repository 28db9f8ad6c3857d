"""Mixed traffic for a minute under gunicorn, and a database outage in the middle of it.

    .venv/bin/python -m benchmarks.loadrun load     # 60 s of traffic, figures per page
    .venv/bin/python -m benchmarks.loadrun faults   # the same, PostgreSQL down for 15 s
    (either with --small: 1,500 filings, 10 users, 20 s, PostgreSQL down 5 s from 5 s)

Both build the same world: a throwaway database (``benchmarks.throwaway``),
the demo, 10,000 filings cloned from the seeds (``benchmarks.seed``), a
version for each seeded filing past the draft (what its submission would have
taken), and accounts across the seeded organisations: filers with drafts to
edit, department and finance reviewers with filings waiting. gunicorn serves
it; locust (headless, on loopback, ``benchmarks/traffic.py``) plays the users.

``load`` runs on the PostgreSQL server of ``BENCH_DATABASE_URL`` (the shared
one by default, which it never stops). ``faults`` runs on a private cluster
(``benchmarks.cluster``, port 55433), stops it (``pg_ctl stop -m fast``) for
``LOAD_OUTAGE_SECONDS`` and starts it again, probing a page twice a second
meanwhile; then runs ``manage.py check_integrity`` and checks that every
edited filing holds whole saves (the markers of ``benchmarks.traffic``).

Figures are appended to benchmarks/results/load.txt: machine and load average,
revision, database size, users, requests/s, p50/p95/max, count and errors per
page, SQL queries per page, CPU of gunicorn, PostgreSQL and locust, memory
per worker, connections, the cost of a PDF; for ``faults`` what users got while
the database was down and how long recovery took.

Environment: ``LOAD_USERS`` (default 30), ``LOAD_SECONDS`` (60), ``LOAD_WORKERS``
gunicorn workers (4), ``BENCH_FILINGS`` (10000), ``LOAD_OUTAGE_AT`` (20) and
``LOAD_OUTAGE_SECONDS`` (15).
"""

import contextlib
import csv
import http.client
import io
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from benchmarks import cluster, runner, serving
from benchmarks.world import count_queries, database_size, make_plan, take_versions

PORTS = range(8650, 8660)
RESULTS_NAME = "load"  # both modes write benchmarks/results/load.txt
MARKER = re.compile(r"〔负载标记 (\S+?)-(\d+)〕")


# --- Processes: gunicorn, locust, and what they cost -----------------------------------


def _children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _cpu_seconds(pid):
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _rss_mib(pid):
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _postgres_backends(dbname):
    """pids of the server processes serving ``dbname`` (their title names the database)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                title = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
                if title.startswith("postgres: ") and f" {dbname} " in title:
                    pids.append(int(entry.name))
    return pids


def _busy_cpu_seconds():
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Meter:
    """CPU of gunicorn and of the database's backends; connections; worker memory."""

    def __init__(self, server, dbname):
        self.server, self.dbname = server, dbname
        self.connections = []
        self.stop = threading.Event()

    def groups(self):
        workers = _children(self.server.pid)
        return {
            "gunicorn": [self.server.pid, *workers],
            "postgres": _postgres_backends(self.dbname),
        }

    def snapshot(self):
        return {
            name: {pid: _cpu_seconds(pid) for pid in pids} for name, pids in self.groups().items()
        }

    def start(self):
        self.before = self.snapshot()
        self.busy_before = _busy_cpu_seconds()
        self.began = time.monotonic()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        import psycopg2
        from django.conf import settings

        db = settings.DATABASES["default"]
        while not self.stop.wait(1.0):
            try:
                connection = psycopg2.connect(
                    host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"],
                    connect_timeout=2,
                )  # fmt: skip
                with connection, connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                        "pg_backend_pid()",
                        [self.dbname],
                    )
                    self.connections.append(cursor.fetchone()[0])
                connection.close()
            except psycopg2.Error:
                pass  # the database is down (the fault run): nothing to count
            self.rss = [_rss_mib(pid) for pid in _children(self.server.pid)]

    def finish(self):
        after = self.snapshot()
        elapsed = time.monotonic() - self.began
        self.stop.set()
        self.thread.join()
        used = {}
        for name, pids in after.items():
            used[name] = sum(
                seconds - self.before.get(name, {}).get(pid, 0.0) for pid, seconds in pids.items()
            )
        used["whole machine"] = _busy_cpu_seconds() - self.busy_before
        return elapsed, used


@dataclass
class Load:
    users: int
    seconds: int
    workers: int
    outage_at: float
    outage_seconds: float

    @classmethod
    def of(cls, context):
        return cls(
            users=context.setting("LOAD_USERS", 30, small=10),
            seconds=context.setting("LOAD_SECONDS", 60, small=20),
            # Two per core: a sync worker waits for PostgreSQL (on the same two cores) and
            # for WeasyPrint; a second worker per core keeps the core busy meanwhile. More
            # workers only add memory and connections once both cores are busy (see the CPU
            # split in the results).
            workers=context.setting("LOAD_WORKERS", 4, small=4),
            outage_at=context.setting("LOAD_OUTAGE_AT", 20.0, small=5.0),
            outage_seconds=context.setting("LOAD_OUTAGE_SECONDS", 15.0, small=5.0),
        )


@contextlib.contextmanager
def private_cluster():
    """The faults run's database: on a private cluster (port 55433) that it may stop."""
    reason = cluster.available()
    if reason:
        raise SystemExit(f"no private PostgreSQL cluster: {reason}")
    with cluster.Cluster() as pg:
        # Not throwaway.postgres_database(): its maintenance connection would not survive
        # the outage to drop the database. The whole cluster goes at the end.
        yield runner.Database(pg.create_database("perfgoals_load"), cluster=pg)


DATABASES = {"load": runner.postgres, "faults": private_cluster}


def run_locust(port, plan_file, events_file, csv_prefix, meter, load):
    env = {"LOAD_PLAN": str(plan_file), "LOAD_EVENTS": str(events_file)}
    process = serving.locust(
        "traffic.py",
        port,
        users=load.users,
        spawn_rate=max(1, load.users // 5),
        seconds=load.seconds,
        csv_prefix=csv_prefix,
        env=env,
    )
    meter.start()
    return process


def read_stats(csv_prefix):
    with open(f"{csv_prefix}_stats.csv", encoding="utf-8") as stats:
        return list(csv.DictReader(stats))


def read_events(events_file):
    if not events_file.exists():
        return []
    return [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines()]


# --- Phases -----------------------------------------------------------------------------


def login_session(port, username, password):
    return serving.Session("127.0.0.1", port, username, password)


def probe(port, session, path="/filings/"):
    """(status, Retry-After, the page's words) of one GET as ``session``."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers={"Cookie": session.cookie_header})
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        connection.close()
    except (OSError, http.client.HTTPException) as exc:
        return 0, "", f"{type(exc).__name__}: {exc}"
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    paragraph = re.search(r"<p>(.*?)</p>", body, re.S)
    words = " ".join(
        re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()
        for match in (heading, paragraph)
        if match
    )
    return response.status, response.headers.get("Retry-After", ""), words


def outage(pg, port, session, began, load):
    """Stop the cluster ``outage_at`` s into the run for ``outage_seconds``; what users saw."""
    time.sleep(max(0.0, began + load.outage_at - time.monotonic()))
    record = {"probes": [], "stopped_at": time.time()}
    pg.stop()
    until = time.monotonic() + load.outage_seconds
    while time.monotonic() < until:
        record["probes"].append(probe(port, session))
        time.sleep(0.5)
    record["restarted_at"] = time.time()
    pg.start()
    started = time.monotonic()
    while True:
        status, _retry, _words = probe(port, session)
        if status == 200 or time.monotonic() - started > 60:
            break
        time.sleep(0.1)
    record["recovered_after"] = time.monotonic() - started
    record["recovered_status"] = status
    record["recovered_at"] = time.time()
    return record


def marker_problems(plan, events):
    """Edited drafts whose fields or rows are not one whole save, or lost an acknowledged one."""
    from filings.models import Filing

    acked = defaultdict(int)
    for event in events:
        if event["kind"] == "ack":
            key = (event["filing"], event["part"])
            acked[key] = max(acked[key], event["n"])
    problems, checked, saved = [], 0, 0
    for account in plan["filers"]:
        for draft in account["drafts"]:
            filing = Filing.objects.prefetch_related("indicators").get(pk=draft["pk"])
            checked += 1
            fields = [MARKER.findall(getattr(filing, name)) for name in draft["marked"]]
            numbers = {int(found[-1][1]) if found else 0 for found in fields}
            if any(len(found) > 1 for found in fields) or len(numbers) > 1:
                problems.append(f"{filing.pk}: 步骤栏目的标记不一致 {fields}")
            rows = [MARKER.findall(indicator.explanation) for indicator in filing.indicators.all()]
            row_numbers = {int(found[-1][1]) if found else 0 for found in rows}
            if len(rows) != len(draft["rows"]):
                problems.append(
                    f"{filing.pk}: {len(rows)} 行指标，保存时为 {len(draft['rows'])} 行"
                )
            if any(len(found) > 1 for found in rows) or len(row_numbers) > 1:
                problems.append(f"{filing.pk}: 指标行的标记不一致 {sorted(row_numbers)}")
            for part, held in (("fields", max(numbers)), ("rows", max(row_numbers))):
                if held < acked[(filing.pk, part)]:
                    problems.append(
                        f"{filing.pk}: 已确认保存的第 {acked[(filing.pk, part)]} 次（{part}）"
                        f"丢失，数据库中为第 {held} 次"
                    )
                saved += held > 0
    return checked, saved, problems


def integrity():
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_integrity", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    lines = (out.getvalue() + err.getvalue()).strip().splitlines()
    return code, lines


def build_world(context):
    """The demo, the seeded filings with their versions, the plan: (plan, password)."""
    from django.core.management import call_command

    from benchmarks import seed
    from filings import demo

    started = time.perf_counter()
    call_command("load_demo", stdout=io.StringIO())
    seed.seed(context.filings)
    versions = take_versions()
    password = demo.read_demo()["password"]
    plan = make_plan(password)
    seed.analyse()
    print(f"== world built in {time.perf_counter() - started:.0f} s ({versions} versions taken)")
    return plan, password


@dataclass
class Played:
    """What the traffic left: locust's figures, the events, the costs, the outage."""

    stats: list
    exceptions: list
    events: list
    elapsed: float
    cpu: dict
    meter: object
    pdf_cost: dict
    fault: dict | None


def play(context, load, plan, password):
    """gunicorn on the world, locust's users for ``load.seconds`` (and the outage)."""
    dbname, pg = context.database.name, context.database.cluster
    with tempfile.TemporaryDirectory(prefix="perfgoals_load_") as work:
        work = Path(work)
        plan_file, events_file = work / "plan.json", work / "events.jsonl"
        plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        # Export jobs run inline, in the web process, as in the demo.
        no_workers = {"EXPORT_ROOT": str(work / "exports"), "CELERY_BROKER_URL": ""}
        url = context.database.url
        with serving.gunicorn(url, workers=load.workers, ports=PORTS, env=no_workers) as (
            port,
            server,
        ):
            admin = login_session(port, "admin", password)
            assert probe(port, admin)[0] == 200
            meter = Meter(server, dbname)
            locust = run_locust(port, plan_file, events_file, work / "locust", meter, load)
            began = time.monotonic()
            fault = outage(pg, port, admin, began, load) if context.choice == "faults" else None
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            output = locust.communicate(timeout=load.seconds + 120)[0].decode(errors="replace")
            reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
            elapsed, cpu = meter.finish()
            cpu["locust"] = (reaped.ru_utime + reaped.ru_stime) - (
                children.ru_utime + children.ru_stime
            )
            pdf_cost = measure_pdf(port, password, plan, server)
        if locust.returncode not in (0, 1):  # 1: locust saw failures
            raise SystemExit(f"locust failed:\n{output[-3000:]}")
        # Exceptions inside a task (a bug of traffic.py) are not requests: list them too.
        with open(f"{work / 'locust'}_exceptions.csv", encoding="utf-8") as raised:
            exceptions = [
                f"    exception in traffic.py × {row['Count']}: {row['Message'][:150]}"
                for row in csv.DictReader(raised)
            ]
        return Played(
            read_stats(work / "locust"),
            exceptions,
            read_events(events_file),
            elapsed,
            cpu,
            meter,
            pdf_cost,
            fault,
        )


def run(context):
    load = Load.of(context)
    plan, password = build_world(context)
    queries = count_queries(plan)
    size = database_size(context.database.name)
    played = play(context, load, plan, password)
    lines = [
        f"database: {size}",
        f"gunicorn: -w {load.workers} sync workers; locust: {load.users} users (filers 3 : "
        "department reviewers 1 : finance reviewers 1, 0.5-2 s between tasks), spawned at "
        f"{max(1, load.users // 5)}/s, {load.seconds} s, headless on loopback; accounts: "
        f"{len(plan['filers'])} filers, {len(plan['department'])} department reviewers, "
        f"{len(plan['finance'])} finance reviewers",
    ]
    lines += table(played.stats, played.events, queries, played.exceptions)
    lines += costs(played.elapsed, played.cpu, played.meter, played.pdf_cost)
    if played.fault is not None:
        lines += fault_lines(played.fault, played.events, load)
    code, report = integrity()
    lines.append(f"check_integrity (exit code {code}): " + " / ".join(report[-6:]))
    checked, saved, problems = marker_problems(plan, played.events)
    lines.append(
        f"whole saves: {checked} edited drafts checked, {saved} parts carrying a save marker; "
        + ("every one whole, none older than its last acknowledged save" if not problems else
           f"{len(problems)} problems: " + "; ".join(problems[:10]))
    )  # fmt: skip
    context.write(f"load run ({context.choice})", lines)
    return code == 0 and not problems


def table(stats, events, queries, exceptions=()):
    conflicts = Counter(event["page"] for event in events if event["kind"] == "conflict")
    lines = [
        f"{'page':<16}{'count':>7}{'errors':>7}{'conflicts':>10}{'req/s':>7}{'p50 ms':>8}"
        f"{'p95 ms':>8}{'max ms':>8}{'queries':>8}"
    ]
    aggregated = None
    for row in stats:
        if row["Name"] == "Aggregated":
            aggregated = row
            continue
        lines.append(_row(row, conflicts.get(row["Name"], 0), queries.get(row["Name"], "")))
    if aggregated:
        lines.append(_row(aggregated, sum(conflicts.values()), ""))
    lines += exceptions
    failures = Counter(
        (event["page"], event["status"], event["error"])
        for event in events
        if event["kind"] == "failure"
    )
    for (page, status, error), count in failures.most_common(8):
        lines.append(f"    failure: {page} HTTP {status} × {count}: {error}")
    return lines


def _row(row, conflicts, queries):
    def number(key):
        return float(row[key] or 0)

    # CJK characters are two columns wide: pad the name by its width, not its length.
    name = row["Name"]
    width = sum(2 if ord(char) > 0x2E80 else 1 for char in name)
    return (
        f"{name}{' ' * max(1, 24 - width)}{int(number('Request Count')):>7}"
        f"{int(number('Failure Count')):>7}{conflicts:>10}{number('Requests/s'):>7.1f}"
        f"{number('50%'):>8.0f}{number('95%'):>8.0f}{number('Max Response Time'):>8.0f}{queries:>8}"
    )


def measure_pdf(port, password, plan, server):
    """What one PDF costs a worker: wall time and gunicorn CPU of sequential downloads, alone."""
    account = plan["filers"][0]
    session = login_session(port, account["username"], password)
    results = {}
    for label, pks in (
        ("PDF of a draft (laid out each time)", [draft["pk"] for draft in account["drafts"]]),
        ("PDF of an approved version (kept once printed)", account["approved"][:1] * 4),
    ):
        if not pks:
            continue
        pids = [server.pid, *_children(server.pid)]
        cpu_before = sum(_cpu_seconds(pid) for pid in pids)
        times = []
        for pk in pks:
            began = time.perf_counter()
            status, _retry, _words = probe(port, session, f"/filings/{pk}/pdf/")
            times.append(time.perf_counter() - began)
            if status != 200:
                raise SystemExit(f"PDF of {pk}: HTTP {status}")
        cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu_before
        results[label] = (statistics.median(times), max(times), cpu / len(pks), len(pks))
    # A login hashes the password (PBKDF2, slow on purpose): what it costs a worker.
    pids = [server.pid, *_children(server.pid)]
    cpu_before, times = sum(_cpu_seconds(pid) for pid in pids), []
    for _ in range(3):
        began = time.perf_counter()
        login_session(port, account["username"], password)
        times.append(time.perf_counter() - began)
    cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu_before
    results["login (login page + POST)"] = (statistics.median(times), max(times), cpu / 3, 3)
    return results


def costs(elapsed, cpu, meter, pdf_cost):
    cores = os.cpu_count()
    capacity = elapsed * cores
    rss = getattr(meter, "rss", [])
    connections = meter.connections or [0]
    lines = [
        f"CPU over {elapsed:.0f} s × {cores} cores = {capacity:.0f} core-s: "
        + ", ".join(
            f"{name} {seconds:.0f} s ({seconds / capacity:.0%})" for name, seconds in cpu.items()
        ),
        f"gunicorn worker memory (RSS at the end): {', '.join(f'{value:.0f}' for value in rss)} MiB"
        + (f" (mean {statistics.mean(rss):.0f} MiB)" if rss else ""),
        f"PostgreSQL connections of the app (sampled each second): max {max(connections)}, "
        f"median {statistics.median(connections):.0f} (sync workers × 1 thread, kept 60 s)",
    ]
    for label, (median, worst, cpu_each, count) in pdf_cost.items():
        lines.append(
            f"{label}: {count} sequential requests, no other traffic: median "
            f"{median * 1000:.0f} ms, max {worst * 1000:.0f} ms, gunicorn CPU {cpu_each:.2f} s each"
        )
    return lines


def fault_lines(fault, events, load):
    statuses = Counter(status for status, _retry, _words in fault["probes"])
    words = Counter(words for _status, _retry, words in fault["probes"])
    retry = {retry for _status, retry, _words in fault["probes"]}
    during = [
        event
        for event in events
        if event["kind"] == "failure" and fault["stopped_at"] <= event["t"] <= fault["recovered_at"]
    ]
    before = [e for e in events if e["kind"] == "failure" and e["t"] < fault["stopped_at"]]
    after = [e for e in events if e["kind"] == "failure" and e["t"] > fault["recovered_at"]]
    by_status = Counter(event["status"] for event in during)
    texts = Counter(event.get("text", "") for event in during if event.get("text"))
    lines = [
        f"fault: PostgreSQL stopped (pg_ctl stop -m fast) {load.outage_at:.0f} s into the run "
        f"for {load.outage_seconds:.0f} s, then started",
        "  probe GET /filings/ every 0.5 s while down: "
        + ", ".join(f"HTTP {status} × {count}" for status, count in statuses.items())
        + f"; Retry-After {', '.join(sorted(retry)) or '-'}; page: "
        + " | ".join(f"{text} (×{count})" for text, count in words.most_common(2)),
        f"  users' requests that failed while down: {len(during)} ("
        + ", ".join(f"HTTP {status} × {count}" for status, count in by_status.most_common())
        + ")"
        + (f"; 5xx page text: {texts.most_common(1)[0][0]}" if texts else ""),
        f"  first 200 after the restart: {fault['recovered_after']:.1f} s "
        f"(HTTP {fault['recovered_status']}); errors before the stop: {len(before)}, "
        f"after recovery: {len(after)}"
        + (
            f" — {Counter((e['page'], e['status']) for e in after).most_common(5)}" if after else ""
        ),
    ]
    return lines


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
