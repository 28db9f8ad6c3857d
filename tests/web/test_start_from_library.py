"""新建申报 from the 项目库: the filer picks a project; name, code and money are not typed again."""

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from exports.excel_flat import flat_workbook
from filings.checks import run_checks
from filings.models import Filing, content_hash
from filings.serialization import filing_to_dict, save_filing
from indicators.models import Indicator, Level2
from tests.factories import make_filing
from tests.helpers.project_library import library_of

YEAR = 2027


@pytest.fixture
def projects(orgs):
    """The bureau's 项目库: two of the elderly centre's projects, one of its department's."""
    common = {"money_unit": "万元", "ex_ante_evaluation": "是", "ex_ante_conclusion": "部分通过"}
    return library_of(
        orgs.minhang_bureau,
        YEAR,
        {
            "code": "310112202700000000001",
            "name": "老年人助餐服务",
            "organisation": orgs.elderly_centre,
            "funds_total": Decimal("120.5"),
            "annual_total": Decimal("60.25"),
            "annual_appropriation": Decimal("60.25"),
            **common,
        },
        {
            "code": "310112202700000000002",
            "name": "适老化改造",
            "organisation": orgs.elderly_centre,
        },
        {
            "code": "310112202700000000003",
            "name": "民政局信息化",
            "organisation": orgs.civil_affairs,
        },
    )


def _start(client, project):
    return client.post(reverse("filings:create_from_library", args=[project.pk]))


def test_new_page_offers_the_filers_own_unfiled_projects(client, personas, projects):
    client.force_login(personas.filer)
    page = client.get(reverse("filings:new"))
    assert [p.code for p in page.context["library_projects"]] == [
        "310112202700000000001",
        "310112202700000000002",
    ]
    assert "民政局信息化" not in page.content.decode()
    found = client.get(reverse("filings:new") + "?q=适老")
    assert [p.name for p in found.context["library_projects"]] == ["适老化改造"]
    by_code = client.get(reverse("filings:new") + "?q=310112202700000000001")
    assert [p.name for p in by_code.context["library_projects"]] == ["老年人助餐服务"]


def test_new_page_prints_a_projects_money_as_the_forms_do(client, personas, orgs):
    library_of(
        orgs.minhang_bureau,
        YEAR,
        {
            "code": "310112202700000000009",
            "name": "长者食堂",
            "organisation": orgs.elderly_centre,
            "funds_total": Decimal("1200000"),
            "annual_total": Decimal("400000"),
        },
    )
    client.force_login(personas.filer)
    page = client.get(reverse("filings:new")).content.decode()
    assert "1,200,000.00 元" in page and "400,000.00 元" in page


def test_picking_a_project_creates_the_filing_filled_from_the_library(client, personas, projects):
    client.force_login(personas.filer)
    response = _start(client, projects[0])
    filing = Filing.objects.get(library_project=projects[0])
    assert response.status_code == 302
    assert response.url == reverse("filings:wizard", args=[filing.pk, "basic"])
    assert (filing.name, filing.project_code, filing.year, filing.organisation) == (
        "老年人助餐服务",
        "310112202700000000001",
        YEAR,
        projects[0].organisation,
    )
    assert (filing.money_unit, filing.funds_total, filing.annual_total) == (
        "万元",
        Decimal("120.5"),
        Decimal("60.25"),
    )
    assert (filing.ex_ante_evaluation, filing.ex_ante_conclusion) == ("是", "部分通过")
    # 120.5 万元 in all, 60.25 this year: several years, whose end the filer gives.
    assert (filing.goal_start_year, filing.goal_end_year) == (YEAR, None)
    found = [f.code for f in run_checks(filing)]
    assert not [code for code in found if code.startswith("LIBRARY_")]
    assert "FUNDS_ONE_YEAR_TOTAL" not in found
    # Filed: no longer offered, and not started twice.
    page = client.get(reverse("filings:new"))
    assert [p.name for p in page.context["library_projects"]] == ["适老化改造"]
    again = _start(client, projects[0])
    assert again.url == reverse("filings:detail", args=[filing.pk])
    assert Filing.objects.filter(library_project=projects[0]).count() == 1


def test_a_project_of_another_organisation_is_a_404(client, personas, projects):
    client.force_login(personas.filer)
    assert _start(client, projects[2]).status_code == 404
    client.force_login(personas.outsider)
    assert _start(client, projects[0]).status_code == 404
    assert not Filing.objects.exists()


def test_reviewers_get_403_and_get_is_405(client, personas, projects):
    client.force_login(personas.finance_reviewer)
    assert _start(client, projects[0]).status_code == 403
    client.force_login(personas.filer)
    url = reverse("filings:create_from_library", args=[projects[0].pk])
    assert client.get(url).status_code == 405


def test_a_name_already_filed_is_said_on_the_page(client, personas, orgs, projects):
    make_filing(orgs.elderly_centre, name="适老化改造", year=YEAR)
    client.force_login(personas.filer)
    response = _start(client, projects[1])
    assert response.status_code == 400
    assert "本单位2027年度已有同名项目" in response.context["library_error"]


def test_the_checker_compares_the_corrected_money_with_the_library(client, personas, projects):
    client.force_login(personas.filer)
    _start(client, projects[0])
    filing = Filing.objects.get(library_project=projects[0])
    filing.funds_total = Decimal("130")
    found = [f for f in run_checks(filing) if f.code == "LIBRARY_FUNDS_DIFFER"]
    assert [f.message for f in found] == [
        "「项目资金总额」130.00 万元 与项目库中项目 310112202700000000001 的「项目资金总额」"
        "120.50 万元 不一致。"
    ]
    filing.money_unit, filing.funds_total = "元", Decimal("1205000.00")
    filing.annual_total = filing.annual_appropriation = Decimal("602500")
    assert not [f for f in run_checks(filing) if f.code == "LIBRARY_FUNDS_DIFFER"]


def test_a_code_typed_by_hand_is_found_in_the_library_or_said_unknown(orgs, projects):
    filing = make_filing(orgs.elderly_centre, name="手工项目", year=YEAR)
    filing.project_code = "310112202700000000002"
    assert "LIBRARY_CODE_UNKNOWN" not in [f.code for f in run_checks(filing)]
    filing.project_code = "310112202700000000099"
    (found,) = [f for f in run_checks(filing) if f.code == "LIBRARY_CODE_UNKNOWN"]
    assert "310112202700000000099 不在 2027 年度的项目库中" in found.message
    filing.year = 2026  # the same code, another year's library
    filing.project_code = "310112202700000000002"
    assert "LIBRARY_CODE_UNKNOWN" in [f.code for f in run_checks(filing)]


def test_the_json_format_carries_the_library_fields_and_only_when_set(orgs, projects):
    plain = make_filing(orgs.elderly_centre, name="无编码项目", year=YEAR)
    assert "library" not in filing_to_dict(plain)
    filing = make_filing(
        orgs.elderly_centre,
        name="有编码项目",
        year=YEAR,
        project_code="310112202700000000002",
        ex_ante_evaluation="否",
        ex_ante_conclusion="",
    )
    data = json.loads(json.dumps(filing_to_dict(filing), ensure_ascii=False))
    assert data["library"] == {"code": "310112202700000000002", "ex_ante": "否"}
    Filing.objects.filter(pk=filing.pk).delete()
    restored = save_filing(data, orgs.elderly_centre)
    assert (restored.project_code, restored.ex_ante_evaluation) == ("310112202700000000002", "否")
    assert content_hash(filing_to_dict(restored)) == content_hash(data)


def test_a_filing_started_from_the_library_shows_its_code_on_its_page(client, personas, projects):
    client.force_login(personas.filer)
    _start(client, projects[0])
    filing = Filing.objects.get(library_project=projects[0])
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "310112202700000000001" in page and "部分通过" in page


def test_the_flat_workbook_lists_the_code_and_the_ex_ante_evaluation(orgs):
    make_filing(
        orgs.elderly_centre,
        name="有编码项目",
        year=YEAR,
        project_code="310112202700000000002",
        ex_ante_evaluation="是",
        ex_ante_conclusion="=部分通过",  # user text that looks like a formula stays text
    )
    summary = load_workbook(io.BytesIO(flat_workbook(Filing.objects.all())))["申报"]
    header = [cell.value for cell in summary[1]]
    row = list(summary[2])
    assert row[header.index("项目编码")].value == "310112202700000000002"
    assert row[header.index("是否开展事前绩效评估")].value == "是"
    conclusion = row[header.index("事前绩效评估结论")]
    assert (conclusion.value, conclusion.data_type) == ("=部分通过", "s")


def test_cost_targets_are_summed_under_either_edition_against_the_annual_funds(orgs, projects):
    filing = make_filing(orgs.elderly_centre, name="成本项目", year=YEAR, money_unit="万元")
    level2 = {(l2.level1.name, l2.name): l2 for l2 in Level2.objects.select_related("level1")}
    rows = [
        # 成本指标 as a 二级 of 产出 (the classic taxonomy) and as its own 一级 (财预〔2021〕101号).
        (("产出指标", "成本指标"), "人均成本", "≤400000(元)"),
        (("成本指标", "经济成本指标"), "设备购置成本", "≤30(万元)"),
        (("产出指标", "数量指标"), "服务人次", "≥3000(人次)"),
    ]
    for order, (key, name, value) in enumerate(rows, start=10):
        indicator = Indicator(filing=filing, level2=level2[key], order=order, name=name)
        indicator.set_value(value)
        indicator.save()
    # No annual funds on the filing: the library's 60.25 万元 of the project it names.
    filing.project_code = "310112202700000000001"
    (found,) = [f for f in run_checks(filing) if f.code == "LIBRARY_COST_ABOVE_ANNUAL"]
    assert "金额合计 700,000.00 元 超过项目库的「年度资金」60.25 万元" in found.message
    filing.annual_total = Decimal("70")  # 70 万元 = 700,000 元: not above
    assert "LIBRARY_COST_ABOVE_ANNUAL" not in [f.code for f in run_checks(filing)]
