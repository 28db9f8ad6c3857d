"""Do the list pages cost the same at 10,000 filings as at 15?

    .venv/bin/python -m benchmarks.lists [--small]

In a throwaway PostgreSQL database (``benchmarks.throwaway``): load the demo
(15 published filings), start gunicorn on it, log each persona in through the
login page and measure every scenario with locust (headless, 16 concurrent
clients without a pause, ``benchmarks/pages.py``); then seed the database up
to 10,000 filings (``benchmarks.seed``) and measure again. Records
requests/s, p50, p95 and errors per scenario, the SQL query count of each page
(django.test.Client inside this process) and the ratio of the throughputs, in
benchmarks/results/lists.txt.

Environment: ``BENCH_DATABASE_URL`` (the PostgreSQL server), ``BENCH_FILINGS``
(default 10000), ``BENCH_SECONDS`` per scenario (default 10), ``BENCH_CLIENTS``
(default 16), ``BENCH_WORKERS`` gunicorn workers (default 4); ``--small``
takes 1,500 filings and 2 s per scenario.

A scenario is a line of ``SCENARIOS``: its name, the persona who asks, and the
page's path.
"""

import csv
import io
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import runner, serving

PORTS = range(8110, 8120)
TARGET = 0.8  # at 10,000 filings, at least 80% of the 15-filing throughput
WARMUP = 1  # seconds of each scenario not counted: connecting, each worker's first pages

# (name, persona, path); {big_filing} is the pk of the published 民生保障 filing
# (62 indicators).
SCENARIOS = [
    ("list p1, admin", "admin", "/filings/"),
    ("list p1, finance reviewer", "finance_reviewer", "/filings/"),
    ("list p1, department reviewer", "dept_reviewer", "/filings/"),
    ("list p1, filer", "filer", "/filings/"),
    # 2023: the year of most published project forms, so the filter matches at 15 filings too.
    ("list year+form, admin", "admin", "/filings/?year=2023&form=project"),
    # With 15 filings there is one page: page 100 shows the last (the same) page.
    ("list page 100, admin", "admin", "/filings/?page=100"),
    # The demo filer with the most filings: about 10 at 15 filings, 33 at 10,000 (two pages).
    ("我的申报 p1, filer (残联)", "filer_cdpf", "/filings/mine/"),
    ("filing page, 62 indicators", "admin", "/filings/{big_filing}/"),
]


@dataclass
class Load:
    """How hard each scenario is pushed."""

    clients: int
    seconds: int
    workers: int


@dataclass
class Measure:
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    errors: int
    queries: int
    first_error: str = ""


@dataclass
class Round:
    filings: int
    indicators: int
    measures: dict = field(default_factory=dict)


def count_queries(persona, path):
    """SQL queries of one request, through django.test.Client in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=persona))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code >= 400:
        raise SystemExit(f"{path}: HTTP {response.status_code} in the query count")
    return len(queries)


def hammer(port, session, path, load):
    """``load.clients`` locust users asking for ``path`` for ``load.seconds``: a Measure."""
    request = {
        "method": "GET",
        "path": path,
        "body": None,
        "content_type": "",
        "cookie": session.cookie_header,
        "csrf": session.cookies.get("csrftoken", ""),
    }
    with tempfile.TemporaryDirectory(prefix="perfgoals_lists_") as work:
        prefix = Path(work) / "locust"
        process = serving.locust(
            "pages.py",
            port,
            users=load.clients,
            seconds=WARMUP + load.seconds,
            csv_prefix=prefix,
            env={"PAGES_REQUEST": json.dumps(request), "PAGES_WARMUP": str(WARMUP)},
        )
        output = process.communicate(timeout=load.seconds + 120)[0].decode(errors="replace")
        if process.returncode not in (0, 1):  # 1: locust saw failures
            raise SystemExit(f"locust failed:\n{output[-3000:]}")
        with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
            row = next(row for row in csv.DictReader(stats) if row["Name"] == "page")
        with open(f"{prefix}_failures.csv", encoding="utf-8") as failures:
            first_error = next((row["Error"] for row in csv.DictReader(failures)), "")
    errors = int(row["Failure Count"])
    answered = int(row["Request Count"]) - errors
    return Measure(
        answered / load.seconds,
        float(row["50%"]) if answered else float("nan"),
        float(row["95%"]) if answered else float("nan"),
        errors,
        0,
        first_error,
    )


def measure_round(port, password, filings, indicators, load):
    from filings.models import Filing

    big_filing = Filing.objects.get(name="民生保障").pk
    sessions = {}
    result = Round(filings, indicators)
    for name, persona, path in SCENARIOS:
        path = path.format(big_filing=big_filing)
        if persona not in sessions:
            sessions[persona] = serving.Session("127.0.0.1", port, persona, password)
        measure = hammer(port, sessions[persona], path, load)
        measure.queries = count_queries(persona, path)
        result.measures[name] = measure
        print(
            f"  {name:<32} {measure.requests_per_second:7.1f} req/s  p50 {measure.p50_ms:6.0f}"
            f" ms  p95 {measure.p95_ms:6.0f} ms  errors {measure.errors}"
            f"  queries {measure.queries}",
            flush=True,
        )
    return result


def table(small, big):
    """The comparison of two rounds, as lines of text."""
    lines = [
        f"{'scenario':<32} | {small.filings:>6} filings: req/s  p50  p95 err q"
        f" | {big.filings:>6} filings: req/s  p50  p95 err q | ratio",
    ]
    worst = None
    for name, before in small.measures.items():
        after = big.measures[name]
        ratio = after.requests_per_second / before.requests_per_second
        worst = ratio if worst is None else min(worst, ratio)
        lines.append(
            f"{name:<32} | {before.requests_per_second:19.1f} {before.p50_ms:4.0f}"
            f" {before.p95_ms:4.0f} {before.errors:3d} {before.queries:d}"
            f" | {after.requests_per_second:19.1f} {after.p50_ms:4.0f} {after.p95_ms:4.0f}"
            f" {after.errors:3d} {after.queries:d} | {ratio:5.0%}"
        )
        for measure in (before, after):
            if measure.first_error:
                lines.append(f"    first error: {measure.first_error}")
    verdict = "met" if worst is not None and worst >= TARGET else "NOT met"
    lines.append(
        f"lowest ratio {worst:.0%}; target ≥ {TARGET:.0%} of the small throughput: {verdict}"
    )
    return lines


def run(context):
    from django.core.management import call_command

    from benchmarks import seed
    from filings import demo
    from filings.models import Filing
    from indicators.models import Indicator

    load = Load(
        clients=context.setting("BENCH_CLIENTS", 16, small=16),
        seconds=context.setting("BENCH_SECONDS", 10, small=2),
        workers=context.setting("BENCH_WORKERS", 4, small=4),
    )
    call_command("load_demo", stdout=io.StringIO())
    seed.analyse()
    password = demo.read_demo()["password"]

    url = context.database.url
    with serving.gunicorn(url, workers=load.workers, ports=PORTS) as (port, _server):
        small_count = Filing.objects.count()
        print(f"== {small_count} filings, {load.clients} clients, {load.seconds} s per scenario")
        small = measure_round(port, password, small_count, Indicator.objects.count(), load)

        big_count, indicators, seeding = seed.grow(context.filings)
        print(f"== seeded {big_count} filings, {indicators} indicators in {seeding:.0f} s")
        big = measure_round(port, password, big_count, indicators, load)

    heading = (
        f"list benchmark: gunicorn -w {load.workers}, {load.clients} clients (locust), "
        f"{load.seconds} s per scenario; {small.filings} filings ({small.indicators} indicators)"
        f" vs {big.filings} filings ({big.indicators} indicators, seeded in {seeding:.0f} s)"
    )
    context.write("lists", [heading, *table(small, big)])


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
