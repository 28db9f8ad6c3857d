"""The filing list pages first and annotates only the rows it shows (filings.listing)."""

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation
from filings.forms import organisations_visible_to
from filings.listing import paginate
from filings.models import Filing
from indicators.models import Indicator, Level2
from tests.conftest import make_filing
from tests.factories import filing_in, take_version

PERSONAS = ["filer", "department_reviewer", "finance_reviewer", "admin"]


def _list(client, user, query=None):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("filings:list"), query or {})
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _rows(html):
    """(name, indicator count) of each row of the list, in order."""
    return re.findall(
        r'<td><a href="/filings/\d+/">([^<]*)</a></td>.*?<td class="text-end">(\d+)</td>',
        html,
        re.S,
    )


def _spread_filings(orgs, count):
    """``count`` filings over the unit, the department and another bureau's department."""
    owners = [orgs.elderly_centre, orgs.civil_affairs, orgs.disabled_federation]
    for number in range(count):
        make_filing(owners[number % 3], name=f"项目{number:02d}", year=2022 + number % 3)


@pytest.mark.parametrize("persona", PERSONAS)
def test_query_count_is_the_same_for_3_and_40_filings(client, personas, orgs, persona):
    user = getattr(personas, persona)
    _spread_filings(orgs, 3)
    _, few = _list(client, user)
    for number in range(37):
        # Submitted once: the department sees a unit's filing from its first version on.
        take_version(make_filing(orgs.elderly_centre, name=f"更多{number}"))
    html, many = _list(client, user)
    assert "更多36" in html  # the new filings are really on the page
    assert len(few) == len(many)
    # A filtered page costs the same as an unfiltered one.
    _, filtered = _list(client, user, {"year": "2024", "form": "project"})
    assert len(filtered) == len(many)


def test_only_the_page_query_reads_indicators_and_the_count_joins_nothing(client, personas, orgs):
    _spread_filings(orgs, 30)
    html, queries = _list(client, personas.finance_reviewer)
    touching = [sql for sql in queries if "indicators_indicator" in sql]
    assert len(touching) == 1
    (grouped,) = touching
    assert "GROUP BY" in grouped
    # The page's 20 rows by primary key, not a join to the filings.
    assert "filings_filing" not in grouped
    page_pks = re.findall(r'<a href="/filings/(\d+)/">', html)
    assert len(page_pks) == 20
    in_list = re.search(r"IN \(([^)]*)\)", grouped).group(1)
    assert sorted(in_list.replace(" ", "").split(",")) == sorted(page_pks)
    # The list's own count (the navigation's badges count notifications and the queue).
    (count,) = [
        sql
        for sql in queries
        if "COUNT(*)" in sql and 'FROM "filings_filing"' in sql and "status" not in sql
    ]
    assert "JOIN" not in count.split("WHERE")[0]


def test_indicator_counts_shown_are_right_on_every_page(client, personas, orgs):
    level2 = Level2.objects.get(level1__name="产出指标", name="数量指标")
    for number in range(22):
        filing = make_filing(orgs.elderly_centre, name=f"项目{number:02d}")
        for order in range(number % 4):
            Indicator.objects.create(filing=filing, level2=level2, order=10 + order, name="加")
    empty = Filing.objects.create(
        organisation=orgs.elderly_centre, form="project", year=2024, name="空白项目"
    )
    # A placeholder row (no name) keeps a 二级 row printed but is no 三级指标.
    Indicator.objects.create(filing=empty, level2=level2, order=1, name="")
    client.force_login(personas.filer)
    shown = {}
    for page in ("1", "2"):
        html = client.get(reverse("filings:list"), {"page": page}).content.decode()
        shown.update(dict(_rows(html)))
    expected = {f"项目{n:02d}": str(3 + n % 4) for n in range(22)}
    expected["空白项目"] = "0"
    assert shown == expected


@pytest.mark.parametrize(
    ("persona", "query", "expected"),
    [
        ("admin", {"year": "2023", "form": "unit"}, {"老龄中心2023整体"}),
        ("admin", {"status": "finance_review"}, {"残联2024项目"}),
        ("finance_reviewer", {"year": "2024"}, {"老龄中心2024项目", "民政局2024项目"}),
        ("finance_reviewer", {"organisation": "civil"}, {"民政局2024项目"}),
        ("department_reviewer", {"q": "老龄中心"}, {"老龄中心2024项目", "老龄中心2023整体"}),
        ("filer", {"form": "project"}, {"老龄中心2024项目"}),
        ("outsider", {}, {"残联2024项目"}),
    ],
)
def test_filters_on_top_of_what_the_user_may_see(client, personas, orgs, persona, query, expected):
    # Submitted once each: the department sees them (a unit's mere draft it would not).
    take_version(make_filing(orgs.elderly_centre, name="老龄中心2024项目"))
    take_version(make_filing(orgs.elderly_centre, name="老龄中心2023整体", year=2023, form="unit"))
    make_filing(orgs.civil_affairs, name="民政局2024项目")
    filing_in("finance_review", orgs.disabled_federation, personas, name="残联2024项目")
    if "organisation" in query:
        query = {"organisation": orgs.civil_affairs.pk}
    html, _ = _list(client, getattr(personas, persona), query)
    assert {name for name, _ in _rows(html)} == expected


def test_deep_and_bad_page_numbers(client, personas, orgs):
    for number in range(45):
        make_filing(orgs.elderly_centre, name=f"项目{number:02d}")
    client.force_login(personas.filer)
    url = reverse("filings:list")
    last = client.get(url, {"page": "100"}).content.decode()
    assert "第 3 / 3 页" in last
    assert len(_rows(last)) == 5
    first = client.get(url, {"page": "abc"}).content.decode()
    assert "第 1 / 3 页" in first


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("filer", {"上海市闵行区老龄事业发展中心"}),
        ("department_reviewer", {"上海市闵行区民政局", "上海市闵行区老龄事业发展中心"}),
        ("finance_reviewer", {"上海市闵行区民政局", "上海市闵行区老龄事业发展中心"}),
        (
            "admin",
            {"上海市闵行区民政局", "上海市闵行区老龄事业发展中心", "上海市残疾人联合会"},
        ),
    ],
)
def test_organisations_offered_come_from_the_tree(personas, orgs, persona, expected):
    # No filing at all: the choices do not depend on the filings, only on the tree.
    assert not Filing.objects.exists()
    offered = organisations_visible_to(getattr(personas, persona))
    assert {org.name for org in offered} == expected


def test_organisation_filter_offers_a_unit_without_filings(client, personas, orgs):
    new_unit = Organisation.objects.create(
        name="上海市闵行区新建单位", level="unit", parent=orgs.civil_affairs
    )
    html, _ = _list(client, personas.department_reviewer)
    assert f'<option value="{new_unit.pk}">上海市闵行区新建单位</option>' in html


def test_paginate_annotates_the_page_in_one_query_and_skips_an_empty_page(
    orgs, django_assert_num_queries
):
    for number in range(3):
        make_filing(orgs.elderly_centre, name=f"项目{number}")
    request = RequestFactory().get("/", {"page": "1"})
    # count, page, the page's indicator counts
    with django_assert_num_queries(3):
        page = paginate(request, Filing.objects.all(), per_page=2)
    assert isinstance(page.object_list, list)
    assert [filing.indicator_count for filing in page] == [3, 3]
    with django_assert_num_queries(1):  # the count only
        page = paginate(request, Filing.objects.filter(year=1900))
    assert list(page) == []


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("filings:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_years_offered_run_from_the_first_to_the_last_visible_year(client, personas, orgs):
    make_filing(orgs.elderly_centre, name="老龄中心2021", year=2021)
    make_filing(orgs.elderly_centre, name="老龄中心2023", year=2023)
    make_filing(orgs.disabled_federation, name="残联2026", year=2026)  # not the filer's
    html, _ = _list(client, personas.filer)
    # Only the year select: organisation ids can have four digits too (PostgreSQL's
    # sequences are not reset between tests).
    year_select = re.search(r'<select name="year".*?</select>', html, re.S).group(0)
    offered = re.findall(r'<option value="(\d{4})"', year_select)
    assert offered == ["2023", "2022", "2021"]


def test_chosen_organisation_stays_selected(client, personas, orgs, filings):
    html, _ = _list(client, personas.finance_reviewer, {"organisation": orgs.civil_affairs.pk})
    assert f'<option value="{orgs.civil_affairs.pk}" selected>上海市闵行区民政局</option>' in html
    assert f'<option value="{orgs.elderly_centre.pk}">' in html
