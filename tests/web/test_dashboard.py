"""The dashboard (统计) and the rounds (申报批次) of a finance bureau."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from filings.models import Filing, FilingVersion, VersionFinding
from review import charts
from review.dashboard import round_figures, step_times
from review.models import Review, Round, Transition
from tests.conftest import make_filing
from tests.factories import filing_in

DAY = datetime.timedelta(days=1)
START = timezone.make_aware(datetime.datetime(2024, 2, 1, 9, 0))


def _round(bureau, year=2024):
    return Round.objects.create(
        bureau=bureau,
        year=year,
        opens_on=datetime.date(year, 1, 1),
        deadline=datetime.date(year, 3, 31),
    )


def _path(filing, *steps):
    """Transitions of ``filing``: (action, from, to, days after START)."""
    Filing.objects.filter(pk=filing.pk).update(created_at=START)
    for action, from_status, to_status, days in steps:
        Transition.objects.create(
            filing=filing,
            action=action,
            from_status=from_status,
            to_status=to_status,
            at=START + days * DAY,
        )
    Filing.objects.filter(pk=filing.pk).update(status=steps[-1][2])


def _version(filing, number, findings=(), reason="submitted"):
    version = FilingVersion.objects.create(
        filing=filing, number=number, reason=reason, snapshot={}, content_hash=str(number)
    )
    for code, severity, count in findings:
        VersionFinding.objects.create(version=version, code=code, severity=severity, count=count)
    return version


def _review(version, stage, decision, grade=""):
    return Review.objects.create(
        filing=version.filing,
        version=version,
        stage=stage,
        decision=decision,
        grade=grade,
        decided_at=timezone.now(),
    )


@pytest.fixture
def season(orgs, personas):
    """闵行区's 2024 round with filings along the path, and a filing of another bureau."""
    round_ = _round(orgs.minhang_bureau)
    approved = make_filing(orgs.elderly_centre, name="已批复项目")
    # 2 days in draft, 4 with the department, 6 with the bureau.
    _path(
        approved,
        ("submit", "draft", "department_review", 2),
        ("department_approve", "department_review", "finance_review", 6),
        ("finance_approve", "finance_review", "approved", 12),
    )
    first = _version(approved, 1, [("VALUE_VAGUE", "warning", 3)])
    _review(first, "department", "approve", "良")
    _review(first, "finance", "approve", "优")
    returned = make_filing(orgs.elderly_centre, name="退回项目")
    # 1 day in draft, 2 with the department, then returned.
    _path(
        returned,
        ("submit", "draft", "department_review", 1),
        ("department_return", "department_review", "returned", 3),
    )
    old = _version(returned, 1, [("FUNDS_PROJECT_TOTAL", "error", 1)])
    _review(old, "department", "return")
    _version(returned, 2, [("VALUE_VAGUE", "warning", 1)])
    make_filing(orgs.elderly_centre, name="草稿项目")
    own = make_filing(orgs.civil_affairs, name="民政局项目", status="finance_review")
    make_filing(orgs.elderly_centre, name="去年的项目", year=2023)
    make_filing(orgs.disabled_federation, name="残联项目")
    return {"round": round_, "approved": approved, "returned": returned, "own": own}


# --- the figures ---


def test_counts_by_state_per_department(season, orgs):
    figures = round_figures(season["round"], today=datetime.date(2024, 3, 1))

    [civil] = figures.departments  # 残联 is another bureau's, 2023 another round's
    assert civil.organisation == orgs.civil_affairs  # the unit's filings count under it
    assert civil.counts == {"approved": 1, "returned": 1, "draft": 1, "finance_review": 1}
    assert figures.total == 4
    assert not figures.past_deadline and figures.overdue_count == 0


def test_overdue_after_the_deadline_are_those_not_yet_with_the_bureau(season):
    figures = round_figures(season["round"], today=datetime.date(2024, 4, 1))

    assert figures.past_deadline
    assert figures.overdue_count == 2
    assert {filing.name for filing in figures.overdue} == {"退回项目", "草稿项目"}
    assert figures.departments[0].overdue == 2


def test_time_in_each_step_average_and_p90(season):
    steps = {step.status: step for step in step_times(Filing.objects.filter(year=2024))}

    assert steps["draft"].count == 2
    assert steps["draft"].average == 1.5 * DAY
    assert steps["draft"].p90 == 2 * DAY
    assert steps["department_review"].average == 3 * DAY  # 4 days and 2 days
    assert steps["department_review"].p90 == 4 * DAY
    assert steps["finance_review"].average == 6 * DAY
    assert steps["returned"].count == 0 and steps["returned"].average_text == "—"
    assert steps["department_review"].average_text == "3.0 天"


def test_findings_by_code_on_each_filings_latest_version(season):
    figures = round_figures(season["round"])

    found = {(row.code, row.filings, row.total) for row in figures.findings}
    # The returned filing's first version had a funds error: its latest has not.
    assert found == {("VALUE_VAGUE", 2, 4)}
    assert figures.findings[0].severity_label == "提示"


def test_grades_and_returns_by_stage(season):
    figures = round_figures(season["round"])

    assert figures.grades["department"]["良"] == 1
    assert figures.grades["department"]["return"] == 1
    assert figures.grades["finance"]["优"] == 1
    assert figures.grades["finance"]["return"] == 0


# --- the charts ---


def test_charts_are_svg_with_escaped_labels():
    svg = charts.stacked_bars(
        "状态", [("<script>部门", {"draft": 2, "approved": 1})], [("draft", "草稿", "#aaa")]
    )
    assert svg.startswith("<svg") and "<title>状态</title>" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    bars = charts.bars("用时", [("草稿", 2.0, "2 天"), ("待财政审核", 4.0, "4 天")])
    # The longest bar fills the bar area; the other is half as long.
    assert f'width="{charts.BAR_AREA:.1f}"' in bars
    assert f'width="{charts.BAR_AREA / 2:.1f}"' in bars


def test_charts_of_nothing_do_not_divide_by_zero():
    assert "<svg" in charts.bars("空", [])
    assert "<svg" in charts.stacked_bars("空", [], [])


# --- the page ---


def test_finance_reviewer_sees_their_bureaus_round_with_charts(client, personas, season):
    client.force_login(personas.finance_reviewer)

    response = client.get(reverse("review:dashboard"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "上海市闵行区民政局" in page
    assert page.count("<svg") == 4  # states, steps, grades, findings
    # Rules by their Chinese names; the code stays out of what a person reads.
    assert "提高、提升、良好、有效等笼统的定性值须有指标解释" in page
    assert 'data-code="VALUE_VAGUE"' in page
    assert ">VALUE_VAGUE<" not in page and "VALUE_VAGUE</" not in page
    assert "残联" not in page
    assert "cdn" not in page.lower()


def test_admin_may_pick_any_bureaus_round(client, personas, season, orgs):
    city = _round(orgs.city_bureau)
    client.force_login(personas.admin)

    page = client.get(reverse("review:dashboard") + f"?round={city.pk}").content.decode()

    assert "上海市残疾人联合会" in page
    assert "上海市闵行区民政局</td>" not in page


def test_another_bureaus_round_is_a_404(client, personas, orgs):
    city = _round(orgs.city_bureau)
    client.force_login(personas.finance_reviewer)

    assert client.get(reverse("review:dashboard") + f"?round={city.pk}").status_code == 404


@pytest.mark.parametrize("persona", ["filer", "department_reviewer", "outsider"])
def test_filers_and_department_reviewers_get_403(client, personas, persona):
    client.force_login(getattr(personas, persona))

    response = client.get(reverse("review:dashboard"))

    assert response.status_code == 403
    assert "统计页面只对财政局审核人和管理员开放" in response.content.decode()


def test_without_a_round_the_page_says_how_to_open_one(client, personas):
    client.force_login(personas.finance_reviewer)

    page = client.get(reverse("review:dashboard")).content.decode()

    assert "还没有申报批次" in page and reverse("review:rounds") in page


def _more_of_everything(orgs, number):
    filing = make_filing(orgs.elderly_centre, name=f"更多项目{number}")
    _path(
        filing,
        ("submit", "draft", "department_review", 1),
        ("department_approve", "department_review", "finance_review", 2 + number),
    )
    version = _version(filing, 1, [("VALUE_DIRECTION", "warning", 1)])
    _review(version, "department", "approve", "中")


def test_figures_cost_the_same_queries_for_3_filings_as_for_15(
    season, orgs, django_assert_num_queries
):
    round_ = season["round"]
    today = datetime.date(2024, 4, 1)  # past the deadline: the overdue list is read too
    # subtree ids, states by organisation, organisations, the first overdue filings, step
    # times (one query), findings, grades
    with django_assert_num_queries(7):
        round_figures(round_, today=today)
    for number in range(12):
        _more_of_everything(orgs, number)
    with django_assert_num_queries(7):
        figures = round_figures(round_, today=today)
    assert figures.total == 16


def test_the_page_costs_the_same_queries_for_3_filings_as_for_15(
    client, personas, season, orgs, django_assert_max_num_queries
):
    client.force_login(personas.finance_reviewer)
    url = reverse("review:dashboard") + f"?round={season['round'].pk}"
    # The figures above, plus session, user, rounds and the navigation bar's counts.
    with django_assert_max_num_queries(17) as few:
        client.get(url)
    for number in range(12):
        _more_of_everything(orgs, number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "VALUE_DIRECTION" in page  # the new filings' findings are counted


# --- rounds ---


def test_finance_reviewer_opens_the_years_round(client, personas, orgs):
    client.force_login(personas.finance_reviewer)

    response = client.post(
        reverse("review:rounds"),
        {
            "year": "2025",
            "title": "年度绩效目标申报",
            "opens_on": "2025-01-02",
            "deadline": "2025-03-31",
        },
        follow=True,
    )

    round_ = Round.objects.get()
    assert (round_.bureau, round_.year, round_.deadline) == (
        orgs.minhang_bureau,
        2025,
        datetime.date(2025, 3, 31),
    )
    assert "已开启 2025 年度申报批次" in response.content.decode()


def test_a_second_round_for_the_same_year_is_refused_naming_the_field(client, personas, orgs):
    _round(orgs.minhang_bureau, year=2025)
    client.force_login(personas.finance_reviewer)

    response = client.post(
        reverse("review:rounds"),
        {"year": "2025", "title": "再来一次", "opens_on": "2025-01-02", "deadline": "2025-03-31"},
    )

    assert response.status_code == 200
    assert "年度：2025 年度已有申报批次" in response.content.decode()
    assert Round.objects.count() == 1


def test_another_bureau_may_open_the_same_year(client, personas, orgs):
    _round(orgs.city_bureau, year=2025)
    client.force_login(personas.finance_reviewer)

    client.post(
        reverse("review:rounds"),
        {
            "year": "2025",
            "title": "年度绩效目标申报",
            "opens_on": "2025-01-02",
            "deadline": "2025-03-31",
        },
    )

    assert Round.objects.filter(year=2025).count() == 2


def test_a_deadline_before_the_opening_is_refused_naming_the_field(client, personas):
    client.force_login(personas.finance_reviewer)

    response = client.post(
        reverse("review:rounds"),
        {
            "year": "2025",
            "title": "年度绩效目标申报",
            "opens_on": "2025-04-01",
            "deadline": "2025-03-31",
        },
    )

    assert "截止日期：截止日期不能早于开始日期" in response.content.decode()
    assert not Round.objects.exists()


def test_the_deadline_may_be_moved_but_not_the_year(client, personas, orgs):
    round_ = _round(orgs.minhang_bureau, year=2025)
    client.force_login(personas.finance_reviewer)

    client.post(
        reverse("review:round_edit", args=[round_.pk]),
        {
            "year": "2031",
            "title": "年度绩效目标申报",
            "opens_on": "2025-01-01",
            "deadline": "2025-04-15",
        },
    )

    round_.refresh_from_db()
    assert (round_.year, round_.deadline) == (2025, datetime.date(2025, 4, 15))


def test_the_rounds_page_lists_rounds_with_what_is_still_with_filers(client, personas, orgs):
    _round(orgs.minhang_bureau, year=2024)
    make_filing(orgs.elderly_centre, name="草稿一")
    filing_in("finance_review", orgs.civil_affairs, personas, name="已提交")
    client.force_login(personas.finance_reviewer)

    page = client.get(reverse("review:rounds")).content.decode()

    assert "2024-03-31" in page
    assert '<td class="text-end">1</td>' in page  # one draft still with its filer


def test_another_bureaus_round_cannot_be_edited(client, personas, orgs):
    round_ = _round(orgs.city_bureau, year=2025)
    client.force_login(personas.finance_reviewer)

    response = client.post(
        reverse("review:round_edit", args=[round_.pk]),
        {"year": "2025", "title": "x", "opens_on": "2025-01-01", "deadline": "2025-12-31"},
    )

    assert response.status_code == 404
    round_.refresh_from_db()
    assert round_.deadline == datetime.date(2025, 3, 31)


@pytest.mark.parametrize("persona", ["filer", "department_reviewer"])
def test_only_finance_reviewers_and_admins_manage_rounds(client, personas, persona):
    client.force_login(getattr(personas, persona))

    response = client.post(
        reverse("review:rounds"),
        {"year": "2025", "title": "x", "opens_on": "2025-01-01", "deadline": "2025-03-31"},
    )

    assert response.status_code == 403
    assert "只有财政局的审核人和管理员可以管理申报批次" in response.content.decode()
    assert not Round.objects.exists()


def test_an_admin_opens_a_round_for_the_bureau_they_pick(client, personas, orgs):
    client.force_login(personas.admin)
    bureau = orgs.city_bureau

    page = client.get(reverse("review:rounds"), {"bureau": bureau.pk})
    response = client.post(
        reverse("review:rounds"),
        {
            "bureau": bureau.pk,
            "year": "2030",
            "title": "2030年度绩效目标申报",
            "opens_on": "2030-01-01",
            "deadline": "2030-03-31",
        },
    )

    assert page.status_code == 200
    assert "申报批次" in page.content.decode()
    assert response.status_code == 302
    assert Round.objects.get(year=2030).bureau == bureau
