"""Do the list pages cost the same at 10,000 filings as at 15?

    .venv/bin/python -m benchmarks.lists

In a throwaway PostgreSQL database (``benchmarks.throwaway``): load the demo
(15 published filings), start gunicorn on it, log each persona in through the
login page and measure every scenario with 16 concurrent clients; then seed
the database up to 10,000 filings (``benchmarks.seed``) and measure again.
Records requests/s, p50, p95 and errors per scenario, the SQL query count of
each page (django.test.Client inside this process) and the ratio of the
throughputs, in benchmarks/results.txt.

Environment: ``BENCH_DATABASE_URL`` (the PostgreSQL server), ``BENCH_FILINGS``
(default 10000), ``BENCH_SECONDS`` per scenario (default 10), ``BENCH_CLIENTS``
(default 16), ``BENCH_WORKERS`` gunicorn workers (default 4).

A scenario is one function below, registered with ``@scenario``: it gets the
run's ``Context`` and returns the ``Request`` to send.
"""

import functools
import io
import os
import time
from dataclasses import dataclass, field

from benchmarks import serving, throwaway
from benchmarks.load import Request, Session, hammer

FILINGS = int(os.environ.get("BENCH_FILINGS", "10000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
PORTS = range(8110, 8120)
TARGET = 0.8  # at 10,000 filings, at least 80% of the 15-filing throughput


@dataclass
class Context:
    """What scenarios need to know about the data, looked up once per size."""

    big_filing: int = 0  # pk of the published 民生保障 filing (62 indicators)


@dataclass
class Scenario:
    name: str
    persona: str
    build: object  # Context -> Request


SCENARIOS = []


def scenario(name, persona):
    def register(function):
        SCENARIOS.append(Scenario(name, persona, function))
        return function

    return register


@scenario("list p1, admin", "admin")
def list_admin(context):
    return Request("GET", "/filings/")


@scenario("list p1, finance reviewer", "finance_reviewer")
def list_finance_reviewer(context):
    return Request("GET", "/filings/")


@scenario("list p1, department reviewer", "dept_reviewer")
def list_department_reviewer(context):
    return Request("GET", "/filings/")


@scenario("list p1, filer", "filer")
def list_filer(context):
    return Request("GET", "/filings/")


@scenario("list year+form, admin", "admin")
def list_filtered(context):
    # 2023: the year of most published project forms, so the filter matches at 15 filings too.
    return Request("GET", "/filings/?year=2023&form=project")


@scenario("list page 100, admin", "admin")
def list_deep_page(context):
    # With 15 filings there is one page: page 100 shows the last (the same) page.
    return Request("GET", "/filings/?page=100")


@scenario("我的申报 p1, filer (残联)", "filer_cdpf")
def mine_filer(context):
    # The demo filer with the most filings: about 10 at 15 filings, 33 at 10,000 (two pages).
    return Request("GET", "/filings/mine/")


@scenario("filing page, 62 indicators", "admin")
def filing_page(context):
    return Request("GET", f"/filings/{context.big_filing}/")


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


def count_queries(persona, request):
    """SQL queries of one request, through django.test.Client in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from filings.models import User

    client = Client()
    client.force_login(User.objects.get(username=persona))
    with CaptureQueriesContext(connection) as queries:
        response = client.generic(
            request.method,
            request.path,
            request.body or b"",
            request.content_type or "application/octet-stream",
        )
    if response.status_code >= 400:
        raise SystemExit(f"{request.path}: HTTP {response.status_code} in the query count")
    return len(queries)


def measure_round(port, password, filings, indicators):
    from filings.models import Filing

    context = Context(big_filing=Filing.objects.get(name="民生保障").pk)
    sessions = {}
    result = Round(filings, indicators)
    for item in SCENARIOS:
        if item.persona not in sessions:
            sessions[item.persona] = Session("127.0.0.1", port, item.persona, password)
        request = item.build(context)
        queries = count_queries(item.persona, request)
        run = hammer(
            sessions[item.persona],
            functools.partial(item.build, context),
            clients=CLIENTS,
            seconds=SECONDS,
        )
        result.measures[item.name] = Measure(
            run.per_second,
            run.percentile(0.50) * 1000,
            run.percentile(0.95) * 1000,
            run.errors,
            queries,
            run.first_error,
        )
        print(
            f"  {item.name:<32} {run.per_second:7.1f} req/s  p50 {run.percentile(0.5) * 1000:6.0f}"
            f" ms  p95 {run.percentile(0.95) * 1000:6.0f} ms  errors {run.errors}"
            f"  queries {queries}",
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


def run(database_url):
    from django.core.management import call_command

    from benchmarks import seed
    from filings import demo
    from filings.models import Filing
    from indicators.models import Indicator

    call_command("migrate", verbosity=0)
    # DEBUG is off: templates need the manifest of the collected static files.
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    seed.analyse()
    password = demo.read_demo()["password"]

    with serving.gunicorn(database_url, workers=WORKERS, ports=PORTS) as (port, _server):
        small_count = Filing.objects.count()
        print(f"== {small_count} filings, {CLIENTS} clients, {SECONDS:.0f} s per scenario")
        small = measure_round(port, password, small_count, Indicator.objects.count())

        started = time.perf_counter()
        indicators = seed.seed(FILINGS)
        seed.analyse()
        seeding = time.perf_counter() - started
        big_count = Filing.objects.count()
        print(f"== seeded {big_count} filings, {indicators} indicators in {seeding:.0f} s")
        big = measure_round(port, password, big_count, indicators)

    lines = [
        f"list benchmark: gunicorn -w {WORKERS}, {CLIENTS} clients, {SECONDS:.0f} s per "
        f"scenario; {small.filings} filings ({small.indicators} indicators) vs "
        f"{big.filings} filings ({big.indicators} indicators, seeded in {seeding:.0f} s)",
        *table(small, big),
    ]
    print("\n".join(lines))
    throwaway.append_results("lists", lines)


def main():
    with throwaway.postgres_database() as url:
        throwaway.setup_django(url)
        run(url)


if __name__ == "__main__":
    main()
