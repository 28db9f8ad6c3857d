"""Do the review pages (queue, dashboard, diff) cost the same at 10,000 filings as at 20?

    .venv/bin/python -m benchmarks.review [--small]

In a throwaway PostgreSQL database (``benchmarks.throwaway``): load the demo,
give the biggest published filing (62 indicators) two submitted versions that
differ, and measure in this process with django.test.Client, ``BENCH_REQUESTS``
(default 100, 10 small) requests per scenario: p50, p95 and the SQL query
count. Then seed up to ``BENCH_FILINGS`` (default 10000, 1500 small) filings
(``benchmarks.seed``), give every filing that has left draft the log the workflow would have written
(versions with findings, transitions with their stays, decided reviews),
bulk-created as the workflow's per-filing path would take hours, and measure
again. Figures are appended to benchmarks/results/review.txt.
"""

import io
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta

from benchmarks import runner

TARGET_MS = 150  # issue 6: p95 under 150 ms at 10,000 filings
BATCH = 2000


@dataclass
class Figure:
    name: str
    p50: float
    p95: float
    queries: int


def scenarios(diff_pk):
    from django.urls import reverse

    dashboard = reverse("review:dashboard")
    return [
        ("queue, department reviewer", "dept_reviewer", reverse("review:queue")),
        ("queue, finance reviewer", "finance_reviewer", reverse("review:queue")),
        ("dashboard, finance reviewer", "finance_reviewer", dashboard),
        ("dashboard, admin", "admin", dashboard),
        ("diff, 62 indicators, 2 versions", "admin", reverse("review:diff", args=[diff_pk])),
    ]


def measure(diff_pk, requests):
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    figures = []
    for name, persona, path in scenarios(diff_pk):
        client = Client()
        client.force_login(User.objects.get(username=persona))
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        # A wrapper rather than CaptureQueriesContext: it sees every query of the request.
        with connection.execute_wrapper(count):
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code}")
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        figure = Figure(name, statistics.median(times), p95, len(queries))
        print(f"  {name:34} p50 {figure.p50:7.1f} ms  p95 {figure.p95:7.1f} ms  {figure.queries} q")
        figures.append(figure)
    return figures


def rounds():
    """A round for every bureau and year, so that each dashboard has figures to show."""
    from accounts.models import Organisation
    from filings.models import Filing
    from review.models import Round

    years = set(Filing.objects.values_list("year", flat=True).distinct())
    for bureau in Organisation.objects.filter(level=Organisation.Level.BUREAU):
        for year in years:
            Round.objects.get_or_create(
                bureau=bureau,
                year=year,
                defaults={"opens_on": date(year, 1, 1), "deadline": date(year, 3, 31)},
            )


def diff_filing():
    """The biggest filing, submitted twice with a changed indicator in between."""
    from django.db import transaction
    from django.db.models import Count

    from filings.models import Filing, FilingVersion
    from review import workflow

    filing = Filing.objects.annotate(rows=Count("indicators")).order_by("-rows", "pk").first()
    with transaction.atomic():
        workflow._take_version(filing.pk, FilingVersion.Reason.SUBMITTED, None, filing.status)
        indicator = filing.indicators.order_by("order").first()
        indicator.name = f"{indicator.name}（调整）"
        indicator.save(update_fields=["name"])
        workflow._take_version(filing.pk, FilingVersion.Reason.SUBMITTED, None, filing.status)
    return filing.pk, filing.indicators.count()


def _path_to(status):
    """The transitions (action, from, to, days spent) and decisions that lead to ``status``."""
    from filings.models import Filing

    Status = Filing.Status
    decisions = []
    path = [("submit", Status.DRAFT, Status.DEPARTMENT_REVIEW, 2)]
    if status in (Status.FINANCE_REVIEW, Status.APPROVED):
        path.append(("department_approve", Status.DEPARTMENT_REVIEW, Status.FINANCE_REVIEW, 3))
        decisions.append(("department", "approve", "良"))
    if status == Status.APPROVED:
        path.append(("finance_approve", Status.FINANCE_REVIEW, Status.APPROVED, 5))
        decisions.append(("finance", "approve", "优"))
    if status == Status.RETURNED:
        path.append(("department_return", Status.DEPARTMENT_REVIEW, Status.RETURNED, 1))
        decisions.append(("department", "return", ""))
    return path, decisions


def _history(version, status, created):
    """The transitions and decided reviews of the filing of ``version``, now at ``status``."""
    from review.models import Review, Transition

    path, decisions = _path_to(status)
    day, at, transitions = timedelta(days=1), created, []
    for action, from_status, to_status, days in path:
        at += days * day
        transitions.append(
            Transition(
                filing_id=version.filing_id,
                action=action,
                from_status=from_status,
                to_status=to_status,
                at=at,
                spent=days * day,
                version=version,
            )
        )
    reviews = [
        Review(
            filing_id=version.filing_id,
            version=version,
            stage=stage,
            decision=decision,
            grade=grade,
            decided_at=at,
        )
        for stage, decision, grade in decisions
    ]
    return transitions, reviews


def review_log():
    """What the workflow would have written for every seeded filing that left draft."""
    from django.db import transaction
    from django.db.models import OuterRef, Subquery

    from filings.models import Filing, FilingVersion, VersionFinding
    from review.models import Review, Transition

    Status = Filing.Status
    moved = list(
        Filing.objects.filter(source="benchmark")
        .exclude(status=Status.DRAFT)
        .values_list("pk", "status", "created_at")
    )
    day = timedelta(days=1)
    with transaction.atomic():
        versions = [
            FilingVersion(
                filing_id=pk,
                number=1,
                reason=FilingVersion.Reason.SUBMITTED,
                snapshot={},
                content_hash=str(pk),
                warning_count=pk % 3,
                created_at=created + 2 * day,
            )
            for pk, _status, created in moved
        ]
        FilingVersion.objects.bulk_create(versions, batch_size=BATCH)
        findings, transitions, reviews = [], [], []
        codes = ["VALUE_VAGUE", "VALUE_DIRECTION", "SATISFACTION_MISSING"]
        for version, (pk, status, created) in zip(versions, moved, strict=True):
            for code in codes[: pk % 3 + 1]:
                findings.append(
                    VersionFinding(version=version, code=code, severity="warning", count=1)
                )
            moves, decisions = _history(version, status, created)
            transitions += moves
            reviews += decisions
        VersionFinding.objects.bulk_create(findings, batch_size=BATCH)
        Transition.objects.bulk_create(transitions, batch_size=BATCH)
        Review.objects.bulk_create(reviews, batch_size=BATCH)
        # The official version of an approved filing, as finance approval sets it.
        Filing.objects.filter(source="benchmark", status=Status.APPROVED).update(
            approved_version=Subquery(
                FilingVersion.objects.filter(filing_id=OuterRef("pk")).values("pk")[:1]
            )
        )
    return len(moved)


def table(small, big):
    lines = [f"{'scenario':34} {'p50':>16} {'p95':>16} {'queries':>9}"]
    for a, b in zip(small, big, strict=True):
        flag = "" if b.p95 < TARGET_MS and a.queries == b.queries else "  <-- target missed"
        lines.append(
            f"{a.name:34} {a.p50:6.1f} → {b.p50:6.1f} ms {a.p95:6.1f} → {b.p95:6.1f} ms "
            f"{a.queries:>3} → {b.queries:<3}{flag}"
        )
    return lines


def run(context):
    from django.core.management import call_command

    from benchmarks import seed
    from filings.models import Filing

    call_command("load_demo", stdout=io.StringIO())
    diff_pk, rows = diff_filing()
    rounds()
    seed.analyse()
    small_count = Filing.objects.count()
    requests = context.setting("BENCH_REQUESTS", 100, small=10)
    print(f"== {small_count} filings, {requests} requests per scenario")
    small = measure(diff_pk, requests)

    big_count, _indicators, seeding = seed.grow(context.filings, review_log, rounds)
    moved = Filing.objects.filter(source="benchmark").exclude(status=Filing.Status.DRAFT).count()
    print(f"== {big_count} filings ({moved} with a review log), seeded in {seeding:.0f} s")
    big = measure(diff_pk, requests)

    heading = (
        f"review benchmark: in-process django.test.Client, {requests} requests per scenario; "
        f"{small_count} filings vs {big_count} ({moved} with versions, transitions and "
        f"reviews; seeded in {seeding:.0f} s); diff of a {rows}-indicator filing"
    )
    context.write("review", [heading, *table(small, big)])


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
