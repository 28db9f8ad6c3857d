"""The pages users open often cost the same SQL queries however much data there is.

Each page is counted in a small world, then again after the world has grown:
many more filings (of other organisations and of the same one, some in review
with versions, transitions and notifications), many more indicators on the
filings shown, more library entries and audit events. The count must not move:
a page that reads a row per filing or per indicator (N+1) fails here. Fixed
counts per page are asserted elsewhere (grep ``django_assert_num_queries``);
this module is about growth only.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from indicators.models import Indicator, Level2, LibraryEntry
from tests.conftest import make_filing
from tests.factories import do, ready_filing

MORE_FILINGS = 12  # per organisation
MORE_INDICATORS = 40  # per filing shown


def _add_indicators(filing, count):
    level2 = Level2.objects.get(level1__name="产出指标", name="数量指标")
    start = filing.indicators.count()
    rows = []
    for number in range(count):
        row = Indicator(
            filing=filing, level2=level2, order=start + number + 1, name=f"指标{number}"
        )
        row.set_value(f"≥{number}(人)")
        rows.append(row)
    Indicator.objects.bulk_create(rows)


@pytest.fixture
def world(personas, orgs):
    """A draft being filled in and a filing in the department's review, returned once."""
    shown = ready_filing(orgs.elderly_centre, name="展示的草稿")
    reviewed = ready_filing(orgs.elderly_centre, name="审核中的项目")
    do("submit", reviewed, personas.filer)
    do("return", reviewed, personas.department_reviewer)
    do("submit", reviewed, personas.filer)  # two versions: a diff to show
    LibraryEntry.objects.create(level2=Level2.objects.first(), name="培训人数", scope="common")
    return shown, reviewed


def _grow(personas, orgs, shown, reviewed):
    for organisation in (orgs.elderly_centre, orgs.civil_affairs, orgs.disabled_federation):
        for number in range(MORE_FILINGS):
            make_filing(organisation, name=f"{organisation.pk}号单位项目{number}")
    # More of the same unit's filings in review: the queue, notifications and dashboard grow.
    for number in range(4):
        do("submit", ready_filing(orgs.elderly_centre, name=f"又一个项目{number}"), personas.filer)
    for filing in (shown, reviewed):
        _add_indicators(filing, MORE_INDICATORS)
    level2 = Level2.objects.first()
    LibraryEntry.objects.bulk_create(
        LibraryEntry(level2=level2, name=f"培训人数{number}", scope="common")
        for number in range(30)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(username="filer", action="download", description=f"下载{number}")
        for number in range(30)
    )


def _pages(personas, shown, reviewed):
    """(what, user, method, url, data, headers) of every page counted."""
    autosave = {"X-Autosave": "1"}
    pages = [
        (f"申报列表 as {persona}", getattr(personas, persona), "GET", reverse("filings:list"))
        for persona in ("filer", "department_reviewer", "finance_reviewer", "admin")
    ]
    pages += [
        ("我的申报", personas.filer, "GET", reverse("filings:mine")),
        ("filing detail", personas.filer, "GET", reverse("filings:detail", args=[shown.pk])),
        *(
            (
                f"wizard {step}",
                personas.filer,
                "GET",
                reverse("filings:wizard", args=[shown.pk, step]),
            )
            for step in ("basic", "funds", "goals", "indicators", "review")
        ),
        ("autosave", personas.filer, "POST", reverse("filings:wizard", args=[shown.pk, "goals"])),
        (
            "indicator editor",
            personas.filer,
            "GET",
            reverse("indicators:editor_page", args=[shown.pk]),
        ),
        ("待我审核", personas.department_reviewer, "GET", reverse("review:queue")),
        (
            "review",
            personas.department_reviewer,
            "GET",
            reverse("review:review", args=[reviewed.pk]),
        ),
        ("diff", personas.filer, "GET", reverse("review:diff", args=[reviewed.pk])),
        # The department reviewer is told of each submission: their list grows.
        ("notifications", personas.department_reviewer, "GET", reverse("review:notifications")),
        ("dashboard", personas.finance_reviewer, "GET", reverse("review:dashboard")),
        ("exports", personas.finance_reviewer, "GET", reverse("exports:exports")),
        ("audit log", personas.admin, "GET", reverse("audit:log")),
        (
            "library suggest",
            personas.filer,
            "GET",
            reverse("indicators:library_suggest") + "?q=培训",
        ),
        ("admin filings", personas.admin, "GET", reverse("admin:filings_filing_changelist")),
    ]
    return [
        (what, user, method, url, autosave if method == "POST" else {})
        for what, user, method, url in pages
    ]


def _count(client, shown, user, method, url, headers):
    client.force_login(user)
    if method == "POST":
        shown.refresh_from_db()
        data = {"lock_version": shown.lock_version, "nav": "autosave", "overall_goal": "边写边存"}
        request = lambda: client.post(url, data, headers=headers)  # noqa: E731
    else:
        request = lambda: client.get(url)  # noqa: E731
    request()  # warm: the session's first write, caches of content types
    if method == "POST":
        shown.refresh_from_db()
        data["lock_version"] = shown.lock_version
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def test_no_page_costs_more_queries_with_more_filings_and_indicators(client, personas, orgs, world):
    shown, reviewed = world
    pages = _pages(personas, shown, reviewed)
    before = {what: _count(client, shown, *rest) for what, *rest in pages}
    _grow(personas, orgs, shown, reviewed)
    after = {what: _count(client, shown, *rest) for what, *rest in pages}
    grew = {what: (before[what], after[what]) for what in before if after[what] != before[what]}
    assert not grew, f"queries (small world, grown world) of the pages that grew: {grew}"
