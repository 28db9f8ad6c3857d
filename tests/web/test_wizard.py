"""The filing wizard: every step of the three forms through the test client."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from filings import fields as form_fields
from filings.models import Filing, Task
from filings.wizard import steps
from indicators.models import Indicator
from tests.conftest import make_filing
from tests.factories import filing_in, take_version

FUNDS = {
    "money_unit": "元",
    "funds_total": "2,013,200.00",
    "funds_fiscal": "２,０13,200.00",  # full-width digits, as pasted from some documents
    "funds_other": "",
    "annual_total": "2013200",
    "annual_appropriation": "1,500,000.50",
    "annual_carryover": "513,199.50",
    "annual_other": "",
}


def _url(filing, slug):
    return reverse("filings:wizard", args=[filing.pk, slug])


def _post(client, filing, slug, data, nav="next", **headers):
    filing.refresh_from_db()
    payload = {"lock_version": filing.lock_version, "nav": nav, **data}
    return client.post(_url(filing, slug), payload, **headers)


def _create(client, form, **data):
    response = client.post(reverse("filings:create", args=[form]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    filing = Filing.objects.latest("pk")
    assert response["Location"] == _url(filing, "basic")
    return filing


def test_every_field_of_each_form_is_on_exactly_one_step():
    editable = {"variant"}  # printed layout choice, on the first step with the name
    for form in form_fields.FORMS:
        on_steps = [name for step in steps.steps_for(form) for name in step.fields]
        assert len(on_steps) == len(set(on_steps)), form
        expected = set(form_fields.fields_of(form)) | {"name", "annual_goal"} | editable
        expected |= set(form_fields.DISCLOSURE_FIELDS)  # 是否公开, on 基本信息
        if form != form_fields.PROJECT:
            expected -= editable
        else:
            expected |= {"money_unit"}
        assert set(on_steps) == expected, form


def test_filer_creates_a_project_and_the_saved_filing_equals_what_was_typed(client, personas):
    client.force_login(personas.filer)
    filing = _create(client, "project", year=2025, name="民生保障")
    assert filing.status == Filing.Status.DRAFT
    assert filing.department == "上海市闵行区民政局"
    assert filing.implementing_unit == "上海市闵行区老龄事业发展中心"
    assert filing.variant == Filing.Variant.DISTRICT  # a district bureau

    basic = {
        "name": "民生保障",
        "variant": "city",
        "nature": "经常性专项业务费",
        "category": "特定目标类",
        "department": "上海市闵行区民政局",
        "implementing_unit": "上海市闵行区老龄事业发展中心",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
    }
    response = _post(client, filing, "basic", basic)
    assert response["Location"] == _url(filing, "funds")
    response = _post(client, filing, "funds", FUNDS)
    assert response["Location"] == _url(filing, "goals")
    goals = {
        "goal_start_year": "2025",
        "goal_end_year": "2025",
        "overall_goal": "保障老年人基本生活",
        "annual_goal": "全年服务老年人 3000 人次",
    }
    response = _post(client, filing, "goals", goals)
    assert response["Location"] == _url(filing, "indicators")
    response = _post(client, filing, "indicators", {})
    assert response["Location"] == _url(filing, "review")

    filing.refresh_from_db()
    assert filing.nature == "经常性专项业务费" and filing.category == "特定目标类"
    assert str(filing.start_date) == "2025-01-01" and str(filing.end_date) == "2025-12-31"
    assert filing.funds_total == Decimal("2013200.00")
    assert filing.funds_fiscal == Decimal("2013200.00")
    assert filing.funds_other is None  # blank stays blank, not 0
    assert filing.annual_appropriation == Decimal("1500000.50")
    assert filing.annual_carryover == Decimal("513199.50")
    assert (filing.goal_start_year, filing.goal_end_year) == (2025, 2025)
    assert filing.annual_goal == "全年服务老年人 3000 人次"

    page = client.get(_url(filing, "funds")).content.decode()
    assert 'value="2,013,200.00"' in page  # shown back with separators

    review = client.get(_url(filing, "review")).content.decode()
    assert 'data-testid="preview"' in review
    assert "财政项目支出绩效目标申报表" in review and "(2025年度)" in review
    assert "2,013,200.00" in review
    # No indicators yet: the checker says so on the last step, under 绩效指标.
    assert "产出指标" in review and "finding-error" in review


def test_filer_creates_a_unit_overall_filing_with_tasks(client, personas):
    client.force_login(personas.filer)
    filing = _create(client, "unit", year=2025, name="")
    assert filing.name == "上海市闵行区老龄事业发展中心"
    assert filing.input_note == "根据沪财绩【2022】13号文的规定要求设置三级指标和指标值"
    placeholders = list(filing.indicators.select_related("level2__level1"))
    assert [i.level2.name for i in placeholders] == [
        "预算编审管理", "预算执行管理", "预算绩效管理", "资产管理",
        "预算透明度", "内部控制管理", "预算信息化",
    ]  # fmt: skip
    assert all(i.name == "" and i.value == "" for i in placeholders)

    _post(client, filing, "basic", {"name": filing.name, "funding_mode": "全额"})
    _post(client, filing, "duties", {"duties": "（一）为老服务", "annual_goal": "提升服务"})
    tasks = {
        "task-key": ["", ""],
        "task-name": ["养老服务", "助餐"],
        "task-content": ["扩容", "新增 5 家"],
    }
    response = _post(client, filing, "tasks", tasks)
    assert response["Location"] == _url(filing, "budget")
    budget = {
        "budget_total": "476,373,173.65",
        "budget_fiscal": "476,373,173.65",
        "budget_other": "0.00",
        "budget_basic": "52,920,036.15",
        "budget_project": "423,453,137.50",
        "staff_count": "24",
        "internal_bodies": "8",
        "input_note": filing.input_note,
    }
    response = _post(client, filing, "budget", budget)
    assert response["Location"] == _url(filing, "indicators")

    filing.refresh_from_db()
    assert filing.funding_mode == "全额" and filing.duties == "（一）为老服务"
    assert filing.budget_total == Decimal("476373173.65")
    assert filing.budget_other == Decimal("0")  # 0 typed stays 0
    assert (filing.staff_count, filing.internal_bodies) == (24, 8)
    saved = list(filing.tasks.values_list("order", "name", "content"))
    assert saved == [(1, "养老服务", "扩容"), (2, "助餐", "新增 5 家")]

    # Remove the first task, edit the second: its key stays, the removed row is gone.
    second = filing.tasks.get(name="助餐")
    tasks = {
        "task-key": [str(second.key)],
        "task-name": ["助餐服务"],
        "task-content": ["新增 6 家"],
    }
    _post(client, filing, "tasks", tasks, nav="save")
    assert list(filing.tasks.values_list("key", "name")) == [(second.key, "助餐服务")]

    review = client.get(_url(filing, "review")).content.decode()
    assert "单位整体支出绩效目标申报表" in review and "476,373,173.65" in review
    assert "助餐服务" in review


def test_department_filer_creates_a_department_filing(client, personas):
    client.force_login(personas.department_filer)
    filing = _create(client, "department", year=2025)
    assert filing.name == "上海市闵行区民政局(汇总)"
    basic = {"name": filing.name, "funding_mode": "", "subordinate_units": "10"}
    assert _post(client, filing, "basic", basic).status_code == 302
    budget = {"budget_total": "100.00", "assets_total": "117,172,292.09", "staff_count": "24"}
    assert _post(client, filing, "budget", budget).status_code == 302
    filing.refresh_from_db()
    assert filing.subordinate_units == 10
    assert filing.assets_total == Decimal("117172292.09")
    review = client.get(_url(filing, "review")).content.decode()
    assert "（2025年度）" in review and "分解目标" in review


def test_unit_filer_may_not_create_a_department_filing(client, personas):
    client.force_login(personas.filer)
    response = client.post(reverse("filings:create", args=["department"]), {"year": 2025})
    assert response.status_code == 403


def test_creating_a_duplicate_is_refused_naming_the_field(client, personas, orgs):
    make_filing(orgs.elderly_centre, name="民生保障", year=2025)
    make_filing(orgs.elderly_centre, name="老龄中心", form="unit", year=2025)
    client.force_login(personas.filer)
    before = Filing.objects.count()
    response = client.post(
        reverse("filings:create", args=["project"]), {"year": 2025, "name": "民生保障"}
    )
    assert response.status_code == 200
    assert "「项目名称」本单位2025年度已有同名项目" in response.content.decode()
    response = client.post(reverse("filings:create", args=["unit"]), {"year": 2025})
    assert (
        "「年度」本单位2025年度已有一份《单位整体支出绩效目标申报表》" in response.content.decode()
    )
    assert Filing.objects.count() == before


def test_invalid_money_keeps_the_input_and_saves_the_valid_fields(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    client.force_login(personas.filer)
    data = {**FUNDS, "funds_total": "两百万", "annual_total": "12,5x0"}
    response = _post(client, filing, "funds", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="两百万"' in page and 'value="12,5x0"' in page
    assert "「项目资金总额」请输入金额" in page
    assert "「年度资金申请总额」请输入金额" in page
    assert 'aria-describedby="error_funds_total"' in page and 'aria-invalid="true"' in page
    filing.refresh_from_db()
    assert filing.funds_total is None and filing.annual_total is None
    assert filing.annual_appropriation == Decimal("1500000.50")  # the valid fields are saved


@pytest.mark.parametrize(
    ("unit", "typed", "message"),
    [
        ("元", "-5,000.00", "为负数，金额不能为负"),
        ("元", "12.345", "的小数超过 2 位"),
        ("万元", "12.3456789", "的小数超过 6 位"),
        ("元", "99,999,999,999,999.99", "超出上限"),
    ],
)
def test_amounts_outside_the_bound_are_refused_with_the_reason(
    client, personas, orgs, unit, typed, message
):
    filing = make_filing(orgs.elderly_centre)
    client.force_login(personas.filer)
    response = _post(client, filing, "funds", {**FUNDS, "money_unit": unit, "funds_total": typed})
    page = response.content.decode()
    assert f'value="{typed}"' in page
    assert message in page
    filing.refresh_from_db()
    assert filing.funds_total is None


def test_duplicate_project_name_in_the_wizard_is_refused(client, personas, orgs):
    make_filing(orgs.elderly_centre, name="甲项目", year=2024)
    filing = make_filing(orgs.elderly_centre, name="乙项目", year=2024)
    client.force_login(personas.filer)
    response = _post(client, filing, "basic", {"name": "甲项目", "department": "民政局"})
    assert response.status_code == 200
    assert "「项目名称」本单位2024年度已有同名项目" in response.content.decode()
    filing.refresh_from_db()
    assert filing.name == "乙项目" and filing.department == "民政局"


def test_resuming_a_draft_in_a_new_session_shows_the_saved_values(personas, orgs):
    first = Client()
    first.force_login(personas.filer)
    filing = _create(first, "project", year=2025, name="民生保障")
    _post(first, filing, "funds", FUNDS, nav="save")
    first.logout()

    second = Client()
    second.force_login(personas.filer)  # a session of its own
    mine = second.get(reverse("filings:mine")).content.decode()
    # 继续填写 goes to the first step with an error: the basic step lacks its dates.
    assert _url(filing, "basic") in mine and "继续填写" in mine
    page = second.get(_url(filing, "funds")).content.decode()
    assert 'value="2,013,200.00"' in page and 'value="1,500,000.50"' in page


def test_a_stale_save_is_refused_with_the_input_kept(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, overall_goal="旧目标")
    client.force_login(personas.filer)
    seen = filing.lock_version
    Filing.objects.filter(pk=filing.pk).update(lock_version=seen + 1)  # someone else saved
    data = {"lock_version": seen, "nav": "next", "overall_goal": "我刚输入的新目标"}
    response = client.post(_url(filing, "goals"), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "我刚输入的新目标" in page and "已被修改" in page
    filing.refresh_from_db()
    assert filing.overall_goal == "旧目标"
    # The navigation-only steps refuse a stale page too.
    data = {"lock_version": seen, "nav": "next"}
    assert client.post(_url(filing, "indicators"), data).status_code == 409


def test_stale_task_rows_are_not_saved(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, form="unit", name="老龄中心")
    client.force_login(personas.filer)
    Filing.objects.filter(pk=filing.pk).update(lock_version=5)
    data = {"lock_version": 0, "task-key": [""], "task-name": ["新任务"], "task-content": [""]}
    response = client.post(_url(filing, "tasks"), data)
    assert response.status_code == 409 and "新任务" in response.content.decode()
    assert not Task.objects.filter(filing=filing).exists()


def test_autosave_answers_json_and_saves(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    client.force_login(personas.filer)
    response = _post(
        client, filing, "goals", {"overall_goal": "边打字边保存"}, nav="autosave",
        headers={"X-Autosave": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is True and answer["errors"] == {}
    filing.refresh_from_db()
    assert answer["lock_version"] == filing.lock_version
    assert filing.overall_goal == "边打字边保存"

    response = _post(
        client, filing, "goals", {"goal_start_year": "二〇二五"}, nav="autosave",
        headers={"X-Autosave": "1"},
    )  # fmt: skip
    answer = response.json()
    assert answer["ok"] is False
    assert answer["errors"]["goal_start_year"][0].startswith("「项目总目标起始年」")

    stale = {"lock_version": 0, "overall_goal": "x"}
    response = client.post(_url(filing, "goals"), stale, headers={"X-Autosave": "1"})
    assert response.status_code == 409 and "已被修改" in response.json()["error"]


def test_autosave_from_an_expired_session_gets_401_json(client, filings):
    filing = filings["centre"]
    response = client.post(_url(filing, "goals"), {"lock_version": 0}, headers={"X-Autosave": "1"})
    assert response.status_code == 401
    assert "登录已过期" in response.json()["error"]
    # A page request still goes to the login page.
    assert client.get(_url(filing, "goals")).status_code == 302


def test_step_shows_its_findings_and_the_step_bar(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, funds_total=Decimal("100"), funds_fiscal=Decimal("1"))
    client.force_login(personas.filer)
    page = client.get(_url(filing, "funds")).content.decode()
    assert 'aria-current="step"' in page
    assert "本步骤的检查结果" in page and "项目资金总额" in page
    basic = client.get(_url(filing, "basic")).content.decode()
    assert "FUNDS_PROJECT_TOTAL" not in basic


def test_copied_filing_shows_where_it_came_from(client, personas, orgs):
    source = make_filing(orgs.elderly_centre, name="民生保障", year=2024)
    client.force_login(personas.filer)
    response = client.post(reverse("filings:copy", args=[source.pk]), {"year": 2025})
    copy = Filing.objects.get(year=2025)
    assert response["Location"] == _url(copy, "basic")
    page = client.get(response["Location"]).content.decode()
    assert "复制自 2024年度《民生保障》" in page


def test_indicator_step_includes_the_editor(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    client.force_login(personas.filer)
    page = client.get(_url(filing, "indicators")).content.decode()
    assert 'id="wizard-form"' in page
    # The editor (its data is JSON with escaped characters) or, without it, a plain table.
    assert 'id="indicator-editor"' in page or "培训人数" in page


@pytest.mark.parametrize("slug", ["basic", "funds", "goals", "indicators", "review"])
def test_outsider_gets_404(client, personas, filings, slug):
    client.force_login(personas.outsider)
    assert client.get(_url(filings["centre"], slug)).status_code == 404


@pytest.mark.parametrize("persona", ["department_reviewer", "finance_reviewer", "admin"])
def test_reviewers_get_403_on_the_wizard(client, personas, filings, persona):
    client.force_login(getattr(personas, persona))
    filing = filings["centre"]
    take_version(filing)  # submitted once: the department sees a unit's filing from then on
    assert client.get(_url(filing, "basic")).status_code == 403
    assert client.post(_url(filing, "basic"), {"lock_version": 0}).status_code == 403
    create = reverse("filings:create", args=["project"])
    assert client.post(create, {"year": 2025, "name": "x"}).status_code == 403


@pytest.mark.parametrize("status", ["department_review", "finance_review", "approved"])
def test_submitted_or_approved_filing_cannot_be_edited(client, personas, orgs, status):
    filing = make_filing(orgs.elderly_centre, status=status)
    client.force_login(personas.filer)
    response = client.get(_url(filing, "basic"))
    assert response.status_code == 403
    assert "不能修改" in response.content.decode()


def test_returned_filing_uses_the_same_steps(client, personas, orgs):
    filing = filing_in("returned", orgs.elderly_centre, personas)
    client.force_login(personas.filer)
    response = _post(client, filing, "goals", {"overall_goal": "按意见修改"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.overall_goal == "按意见修改"


def test_unknown_step_is_404(client, personas, filings):
    client.force_login(personas.filer)
    assert client.get(_url(filings["centre"], "tasks")).status_code == 404  # project: no tasks


@pytest.mark.parametrize("name", ["create", "copy", "delete"])
def test_get_on_post_actions_is_405(client, personas, filings, name):
    client.force_login(personas.filer)
    args = ["project"] if name == "create" else [filings["centre"].pk]
    assert client.get(reverse(f"filings:{name}", args=args)).status_code == 405


def test_filer_deletes_a_draft_but_not_a_submitted_filing(client, personas, orgs):
    draft = make_filing(orgs.elderly_centre, name="草稿")
    submitted = filing_in("department_review", orgs.elderly_centre, personas, name="已提交")
    client.force_login(personas.filer)
    response = client.post(reverse("filings:delete", args=[draft.pk]))
    assert response["Location"] == reverse("filings:mine")
    assert not Filing.objects.filter(pk=draft.pk).exists()
    assert client.post(reverse("filings:delete", args=[submitted.pk])).status_code == 403
    assert not Indicator.objects.filter(filing_id=draft.pk).exists()


def test_outsider_and_reviewer_cannot_delete(client, personas, filings):
    filing = filings["centre"]
    client.force_login(personas.outsider)
    assert client.post(reverse("filings:delete", args=[filing.pk])).status_code == 404
    take_version(filing)  # submitted once: the department sees it (and it is kept)
    client.force_login(personas.department_reviewer)
    assert client.post(reverse("filings:delete", args=[filing.pk])).status_code == 403
    assert Filing.objects.filter(pk=filing.pk).exists()


def test_detail_page_offers_edit_and_copy_to_the_filer_only(client, personas, filings):
    filing = filings["centre"]
    client.force_login(personas.filer)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert _url(filing, "basic") in page and reverse("filings:copy", args=[filing.pk]) in page
    client.force_login(personas.department_reviewer)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert _url(filing, "basic") not in page
