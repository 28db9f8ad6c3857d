"""What changed between two versions: review.diff, and the side-by-side page review:diff."""

import copy
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.models import Filing
from indicators.models import Indicator, Level2
from review.diff import ADDED, CHANGED, MOVED, REMOVED, UNCHANGED, diff_versions
from tests.conftest import make_filing
from tests.factories import returned, take_version


def _row(name, value="≥1(个)", level1="产出指标", level2="数量指标", key=None):
    return {
        "key": key or str(uuid.uuid4()),
        "level1": level1,
        "level2": level2,
        "name": name,
        "value": value,
        "explanation": "",
        "basis": "",
    }


def _snapshot(**extra):
    data = {
        "form": "project",
        "year": 2024,
        "status": "department_review",
        "name": "养老服务项目",
        "money_unit": "元",
        "annual_goal": "完成年度服务",
        "implementing_unit": "老龄中心",
        "overall_goal": "提升养老服务",
        "funds": {"total": "1200.00", "fiscal": "1200.00", "other": None},
        "indicators": [_row("培训人数"), _row("服务次数"), _row("覆盖率", "=100(%)")],
        "value_heading": "",
    }
    data.update(extra)
    return data


def _statuses(rows):
    return [(row.row["name"], row.status) for row in rows]


# --- review.diff, pure ------------------------------------------------------------


def test_identical_snapshots_have_no_changes():
    old = _snapshot()
    new = copy.deepcopy(old)
    new["status"] = "finance_review"  # the state is not content
    diff = diff_versions(old, new)
    assert not diff.has_changes
    assert {row.status for row in diff.indicators} == {UNCHANGED}


def test_header_goal_and_money_changes_are_sorted_into_their_sections():
    old = _snapshot()
    new = _snapshot(implementing_unit="老龄事业发展中心", overall_goal="全面提升养老服务")
    new["funds"] = {"total": "1500", "fiscal": "1200.0", "other": "300.00"}
    new["indicators"] = old["indicators"]
    diff = diff_versions(old, new)

    assert [(c.label, c.old, c.new) for c in diff.header] == [
        ("实施单位", "老龄中心", "老龄事业发展中心")
    ]
    assert [(c.name, c.new) for c in diff.goals] == [("overall_goal", "全面提升养老服务")]
    # 1200.00 and 1200.0 are the same amount; a blank becoming 300 is a change.
    money = {c.name: c for c in diff.money}
    assert set(money) == {"funds_total", "funds_other"}
    assert money["funds_total"].delta == Decimal("300")
    assert money["funds_other"].old is None and money["funds_other"].new == Decimal("300.00")


def test_rows_added_removed_and_changed_are_matched_by_key():
    old = _snapshot()
    new = copy.deepcopy(old)
    first, second, _third = new["indicators"]
    second["value"] = "≥20(次)"
    added = _row("新增指标")
    new["indicators"] = [first, second, added]  # third removed

    diff = diff_versions(old, new)
    assert _statuses(diff.indicators) == [
        ("培训人数", UNCHANGED),
        ("服务次数", CHANGED),
        # Where a row was replaced, the removed one comes first, as in any diff.
        ("覆盖率", REMOVED),
        ("新增指标", ADDED),
    ]
    changed = diff.indicators[1]
    assert changed.changed_fields == ("value",)
    assert changed.old["value"] == "≥1(个)" and changed.new["value"] == "≥20(次)"
    assert diff.indicator_counts == {ADDED: 1, REMOVED: 1, CHANGED: 1, MOVED: 0}


def test_a_row_inserted_above_does_not_move_the_rows_below():
    old = _snapshot()
    new = copy.deepcopy(old)
    new["indicators"].insert(0, _row("最上面的新指标"))
    diff = diff_versions(old, new)
    assert [row.status for row in diff.indicators] == [ADDED, UNCHANGED, UNCHANGED, UNCHANGED]


def test_a_reordered_row_is_moved_and_only_that_one():
    old = _snapshot()
    new = copy.deepcopy(old)
    first, second, third = new["indicators"]
    new["indicators"] = [first, third, second]
    diff = diff_versions(old, new)
    moved = [row for row in diff.indicators if row.status == MOVED]
    assert len(moved) == 1
    assert moved[0].old_position != moved[0].new_position


def test_a_reversed_table_moves_all_rows_but_one():
    old = _snapshot()
    old["indicators"] += [_row(f"指标{n}") for n in range(7)]
    new = copy.deepcopy(old)
    new["indicators"].reverse()
    diff = diff_versions(old, new)
    assert diff.indicator_counts == {ADDED: 0, REMOVED: 0, CHANGED: 0, MOVED: 9}


def test_a_row_put_under_another_level2_is_moved_and_changed():
    old = _snapshot()
    new = copy.deepcopy(old)
    new["indicators"][2]["level2"] = "质量指标"
    diff = diff_versions(old, new)
    row = diff.indicators[2]
    assert row.status == CHANGED and row.moved
    assert row.changed_fields == ("level2",)
    assert diff.indicator_counts[MOVED] == 1


def test_removed_rows_stay_where_they_stood():
    old = _snapshot()
    old["indicators"].append(_row("第四个"))
    new = copy.deepcopy(old)
    del new["indicators"][0]
    del new["indicators"][1]  # 覆盖率, the old third
    diff = diff_versions(old, new)
    assert _statuses(diff.indicators) == [
        ("培训人数", REMOVED),
        ("服务次数", UNCHANGED),
        ("覆盖率", REMOVED),
        ("第四个", UNCHANGED),
    ]


def test_tasks_of_an_overall_filing_are_compared_too():
    task = {"key": str(uuid.uuid4()), "name": "重点任务一", "content": "内容"}
    old = _snapshot(form="unit", tasks=[task])
    new = copy.deepcopy(old)
    new["tasks"][0]["content"] = "新的内容"
    new["tasks"].append({"key": str(uuid.uuid4()), "name": "重点任务二", "content": ""})
    diff = diff_versions(old, new)
    assert [(row.row["name"], row.status) for row in diff.tasks] == [
        ("重点任务一", CHANGED),
        ("重点任务二", ADDED),
    ]


def test_rows_without_keys_are_matched_by_their_content():
    old = _snapshot()
    for row in old["indicators"]:
        row["key"] = ""
    new = copy.deepcopy(old)
    diff = diff_versions(old, new)
    assert not diff.has_changes


# --- the page ----------------------------------------------------------------------


NEW_FIELDS = {
    "basis_text": "依据2025年决算",
    "direction": "negative",
    "period_value": "≥3000(人次)",
    "weight": "12.50",
    "core": True,
}


@pytest.mark.parametrize("field", NEW_FIELDS)
def test_a_change_of_a_2021_field_changes_its_row(field):
    old = _snapshot()
    new = copy.deepcopy(old)
    new["indicators"][1][field] = NEW_FIELDS[field]
    rows = diff_versions(old, new).indicators
    assert _statuses(rows)[1] == ("服务次数", CHANGED)
    assert rows[1].changed_fields == (field,)


def test_a_snapshot_made_before_the_2021_fields_equals_a_row_with_them_blank():
    old = _snapshot()
    new = copy.deepcopy(old)
    for row in new["indicators"]:
        row.update(basis_text="", direction="", period_value="", weight=None, core=False)
    assert not diff_versions(old, new).has_changes
    # The same weight written with its places (as snapshots store it) or without.
    new["indicators"][0]["weight"] = "10"
    newer = copy.deepcopy(new)
    newer["indicators"][0]["weight"] = "10.00"
    assert not diff_versions(new, newer).has_changes


def _url(filing, query=""):
    return reverse("review:diff", args=[filing.pk]) + query


@pytest.fixture
def history(personas, orgs):
    """Three versions: v1, v2 returned by the department, v3 the resubmission."""
    filing = make_filing(orgs.elderly_centre, name="养老服务项目")
    take_version(filing, personas.filer)
    filing.implementing_unit = "老龄中心"
    filing.save()
    v2 = take_version(filing, personas.filer)
    returned(filing, v2, personas.department_reviewer)
    row = filing.indicators.get(name="培训人数")
    row.name = "培训人次"
    row.set_value("≥50(人次)")
    row.save()
    filing.indicators.filter(name="服务覆盖率").delete()
    filing.implementing_unit = "老龄事业发展中心"
    filing.save()
    take_version(filing, personas.filer)
    filing.status = Filing.Status.DEPARTMENT_REVIEW
    filing.save()
    return filing


def test_default_compares_the_returned_version_with_the_latest(client, personas, history):
    client.force_login(personas.department_reviewer)
    response = client.get(_url(history))
    assert response.status_code == 200
    assert (response.context["old_number"], response.context["new_number"]) == (2, 3)
    text = response.content.decode()
    assert "左侧为退回修改的版本" in text
    assert "老龄中心" in text and "老龄事业发展中心" in text
    # The edited row is one changed row, the deleted one a removed row.
    statuses = {row.row["name"]: row.status for row in response.context["diff"].indicators}
    assert statuses == {"培训人次": CHANGED, "服务覆盖率": REMOVED, "服务对象满意度": UNCHANGED}
    assert 'data-status="changed"' in text and 'data-status="removed"' in text


def test_without_a_return_the_two_latest_versions_are_compared(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    for _ in range(3):
        take_version(filing)
    client.force_login(personas.filer)
    response = client.get(_url(filing))
    assert (response.context["old_number"], response.context["new_number"]) == (2, 3)


def test_an_adjustment_is_compared_with_the_approved_version(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    take_version(filing)
    approved = take_version(filing)
    Filing.objects.filter(pk=filing.pk).update(approved_version=approved)
    take_version(filing)
    take_version(filing)  # the adjustment, resubmitted after a withdrawal
    client.force_login(personas.filer)
    response = client.get(_url(filing))
    assert (response.context["old_number"], response.context["new_number"]) == (2, 4)
    assert "左侧为批复版本" in response.content.decode()
    # A return after the approval is the newer baseline.
    returned(filing, filing.versions.get(number=3), personas.department_reviewer)
    response = client.get(_url(filing))
    assert (response.context["old_number"], response.context["new_number"]) == (3, 4)


def test_chosen_versions_are_compared(client, personas, history):
    client.force_login(personas.filer)
    response = client.get(_url(history, "?from=1&to=3"))
    assert (response.context["old_number"], response.context["new_number"]) == (1, 3)
    assert not response.context["problem"]


@pytest.mark.parametrize("query", ["?from=1&to=9", "?from=x&to=2", "?from=2&to=2"])
def test_unknown_or_equal_versions_explain_and_fall_back(client, personas, history, query):
    client.force_login(personas.filer)
    response = client.get(_url(history, query))
    assert response.status_code == 200
    assert response.context["problem"]
    assert (response.context["old_number"], response.context["new_number"]) == (2, 3)


def test_a_single_version_has_nothing_to_compare(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    client.force_login(personas.filer)
    assert "还没有提交过" in client.get(_url(filing)).content.decode()
    take_version(filing)
    response = client.get(_url(filing))
    assert response.status_code == 200
    assert "只有一个版本" in response.content.decode()


def test_money_changes_show_the_difference(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, funds_total=Decimal("1000.00"))
    take_version(filing)
    filing.funds_total = Decimal("2013200.00")
    filing.save()
    take_version(filing)
    client.force_login(personas.filer)
    text = client.get(_url(filing)).content.decode()
    assert "1,000.00" in text and "2,013,200.00" in text and "+2,012,200.00" in text


def test_the_page_shows_a_changed_weight_and_direction_with_their_labels(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    take_version(filing)
    filing.indicators.filter(name="培训人数").update(
        weight=Decimal("12.5"), direction=Indicator.Direction.NEGATIVE, core=True
    )
    take_version(filing)
    client.force_login(personas.filer)
    text = client.get(_url(filing)).content.decode()
    assert "分值：12.50" in text and "指标方向：反向" in text and "核心指标：是" in text
    assert "分值：—" in text  # the old side: no weight then


def test_row_text_is_escaped(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    take_version(filing)
    filing.indicators.filter(name="培训人数").update(name="<script>alert(1)</script>")
    take_version(filing)
    client.force_login(personas.filer)
    text = client.get(_url(filing)).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_outsider_gets_404(client, personas, history):
    client.force_login(personas.outsider)
    assert client.get(_url(history)).status_code == 404
    client.force_login(personas.outside_finance_reviewer)
    assert client.get(_url(history)).status_code == 404


@pytest.mark.parametrize("who", ["filer", "department_reviewer", "finance_reviewer", "admin"])
def test_everyone_who_sees_the_filing_sees_the_diff(client, personas, history, who):
    client.force_login(getattr(personas, who))
    assert client.get(_url(history)).status_code == 200


def test_post_is_405(client, personas, history):
    client.force_login(personas.filer)
    assert client.post(_url(history)).status_code == 405


def _grow(filing, count):
    level2 = Level2.objects.get(level1__name="产出指标", name="数量指标")
    Indicator.objects.bulk_create(
        Indicator(filing=filing, level2=level2, order=10 + n, name=f"指标{n}", value="≥1(个)")
        for n in range(count)
    )


def test_queries_do_not_grow_with_rows_or_versions(client, personas, orgs):
    small = make_filing(orgs.elderly_centre, name="小")
    take_version(small)
    take_version(small)
    big = make_filing(orgs.elderly_centre, name="大")
    take_version(big)
    _grow(big, 60)
    for _ in range(5):
        take_version(big)
    returned(big, big.versions.get(number=1), personas.department_reviewer)
    client.force_login(personas.department_reviewer)
    client.get(_url(small))  # warm up the session and the taxonomy caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url(big))
    assert response.context["diff"].indicator_counts[ADDED] == 60
    # Session, user, visibility, the filing, the version numbers, the last return, the two
    # snapshots, and the navigation's badges: the same for 3 rows and 2 versions as for 63 and 6.
    assert len(many) == len(few) <= 12
