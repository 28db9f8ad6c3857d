"""The 项目库 page: who may see and load a bureau's library, good files in, bad files out."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Project
from tests.helpers.project_library import csv_bytes, line, sample_lines, xlsx_bytes

YEAR = 2027


def _load(client, bureau, data, name="项目库.xlsx", year=YEAR):
    url = reverse("projects:load", args=[bureau.pk])
    return client.post(url, {"year": year, "file": SimpleUploadedFile(name, data)})


def _problems(response):
    return response.context["problems"]


def test_finance_reviewer_loads_an_xlsx_export(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    response = _load(client, orgs.minhang_bureau, xlsx_bytes(sample_lines(3)))
    assert response.status_code == 302
    projects = list(Project.objects.filter(bureau=orgs.minhang_bureau, year=YEAR))
    assert [p.code for p in projects] == [f"310112202700000{n:06d}" for n in (1, 2, 3)]
    first = projects[0]
    assert first.organisation == orgs.elderly_centre
    assert (first.funds_total, first.annual_total, first.money_unit) == (
        Decimal("120.5"),
        Decimal("60.25"),
        "万元",
    )
    assert (first.ex_ante_evaluation, first.ex_ante_conclusion) == ("是", "通过")
    page = client.get(response.url)
    assert "老年人助餐服务项目2" in page.content.decode()
    assert page.context["page"].paginator.count == 3


def test_the_list_shows_amounts_as_the_forms_print_them(client, personas, orgs):
    # The list printed 1234567.00 (zh_Hans has no thousands separator) and rounded 万元 to
    # two places; the filing's own pages print 1,234,567.00 and keep 0.1234 万元 whole.
    client.force_login(personas.finance_reviewer)
    lines = [line(1, "310112202700000000001", "养老服务", total="1234567", annual="0.1234")]
    response = _load(client, orgs.minhang_bureau, xlsx_bytes(lines))
    page = client.get(response.url).content.decode()
    assert "1,234,567.00 万元" in page
    assert "0.1234 万元" in page


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_exports_load_in_each_encoding(client, personas, orgs, encoding):
    client.force_login(personas.finance_reviewer)
    data = csv_bytes(sample_lines(2), encoding=encoding, title="2027年度项目库（单位：万元）")
    response = _load(client, orgs.minhang_bureau, data, name="项目库.csv")
    assert response.status_code == 302, response.context and _problems(response)
    names = set(Project.objects.values_list("name", flat=True))
    assert names == {"老年人助餐服务项目1", "老年人助餐服务项目2"}


def test_header_variants_and_a_unit_note_above_the_header(client, personas, orgs):
    header = ["项目代码", "项目名称", "单位名称", "项目总金额", "当年预算"]
    data = csv_bytes(
        [["A001", "养老服务补贴", "上海市闵行区老龄事业发展中心", "1,200,000.00", "600000"]],
        header=header,
        title="金额单位：元",
    )
    client.force_login(personas.finance_reviewer)
    assert _load(client, orgs.minhang_bureau, data, name="x.csv").status_code == 302
    project = Project.objects.get()
    assert (project.funds_total, project.annual_total, project.money_unit) == (
        Decimal("1200000.00"),
        Decimal("600000"),
        "元",
    )


def test_a_malformed_amount_refuses_the_whole_file_naming_line_and_column(client, personas, orgs):
    lines = sample_lines(40)
    lines[35][4] = "12,3a"  # line 37 of the file: the header is line 1
    client.force_login(personas.finance_reviewer)
    response = _load(client, orgs.minhang_bureau, csv_bytes(lines), name="项目库.csv")
    assert response.status_code == 400
    assert _problems(response) == ["第 37 行「项目资金总额（万元）」列：“12,3a” 不是金额"]
    assert "第 37 行「项目资金总额（万元）」列" in response.content.decode()
    assert not Project.objects.exists()


def test_every_bad_line_is_named_and_nothing_is_loaded(client, personas, orgs):
    lines = sample_lines(4)
    lines[0][1] = ""  # no code
    lines[1][1] = lines[2][1]  # a code twice
    lines[3][1] = "3" * 22  # too long
    client.force_login(personas.finance_reviewer)
    response = _load(client, orgs.minhang_bureau, xlsx_bytes(lines))
    problems = _problems(response)
    assert response.status_code == 400
    # The workbook has a title row: its header is row 2, its lines rows 3–6.
    assert problems[0] == "第 3 行「项目编码」列：为空，每个项目都应有项目编码"
    assert "第 5 行「项目编码」列：“310112202700000000003” 与第 4 行重复" in problems
    assert any(p.startswith("第 6 行「项目编码」列：") and "21" in p for p in problems)
    assert not Project.objects.exists()


def test_a_code_excel_stored_as_a_number_is_refused_with_the_reason(client, personas, orgs):
    lines = sample_lines(1)
    lines[0][1] = 310112202700000000001  # a 21-digit number: Excel keeps 15 digits of it
    data = xlsx_bytes(lines)
    client.force_login(personas.finance_reviewer)
    response = _load(client, orgs.minhang_bureau, data)
    (problem,) = _problems(response)
    assert problem.startswith("第 3 行「项目编码」列：")
    assert "被 Excel 存成了数字" in problem
    assert not Project.objects.exists()


def test_a_file_without_the_needed_columns_is_refused(client, personas, orgs):
    data = csv_bytes([["A1", "某项目"]], header=["项目编码", "项目名称"])
    client.force_login(personas.finance_reviewer)
    response = _load(client, orgs.minhang_bureau, data, name="x.csv")
    assert response.status_code == 400
    assert "缺少这些列：单位名称、项目资金总额或年度预算" in _problems(response)[0]


def test_loading_again_updates_by_code_and_drops_what_the_export_dropped(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    _load(client, orgs.minhang_bureau, xlsx_bytes(sample_lines(3)))
    first_ids = dict(Project.objects.values_list("code", "pk"))
    again = sample_lines(2)
    again[0][4] = "150"
    response = _load(client, orgs.minhang_bureau, xlsx_bytes(again))
    assert response.status_code == 302
    projects = {p.code: p for p in Project.objects.all()}
    assert len(projects) == 2
    code = f"310112202700000{1:06d}"
    assert projects[code].pk == first_ids[code]
    assert projects[code].funds_total == Decimal("150")
    page = client.get(response.url)
    assert "新增 0 个、更新 2 个、移除 1 个项目" in page.content.decode()


def test_a_line_of_an_unknown_organisation_is_kept_unmatched(client, personas, orgs):
    lines = [*sample_lines(1), line(2, "B002", "外单位项目", unit="不存在的单位")]
    client.force_login(personas.finance_reviewer)
    response = _load(client, orgs.minhang_bureau, xlsx_bytes(lines))
    unknown = Project.objects.get(code="B002")
    assert unknown.organisation is None and unknown.organisation_name == "不存在的单位"
    page = client.get(response.url)
    assert "1 个项目的单位在本系统中找不到" in page.content.decode()
    unmatched = client.get(response.url + "&state=unmatched")
    assert [p.code for p in unmatched.context["page"]] == ["B002"]


def test_a_unit_of_another_bureau_is_not_matched(client, personas, orgs):
    lines = [line(1, "C001", "残联项目", unit=orgs.disabled_federation.name)]
    client.force_login(personas.finance_reviewer)
    _load(client, orgs.minhang_bureau, xlsx_bytes(lines))
    assert Project.objects.get().organisation is None


def test_finance_reviewer_of_another_bureau_gets_404(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    _load(client, orgs.minhang_bureau, xlsx_bytes(sample_lines(1)))
    client.force_login(personas.outside_finance_reviewer)
    assert client.get(reverse("projects:library", args=[orgs.minhang_bureau.pk])).status_code == 404
    response = _load(client, orgs.minhang_bureau, xlsx_bytes(sample_lines(5)))
    assert response.status_code == 404
    assert Project.objects.count() == 1


def test_filer_gets_403(client, personas, orgs):
    client.force_login(personas.filer)
    assert client.get(reverse("projects:library", args=[orgs.minhang_bureau.pk])).status_code == 403
    assert _load(client, orgs.minhang_bureau, xlsx_bytes(sample_lines(1))).status_code == 403
    assert not Project.objects.exists()


def test_get_on_the_load_action_is_405(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    assert client.get(reverse("projects:load", args=[orgs.minhang_bureau.pk])).status_code == 405


def test_admin_loads_any_bureaus_library(client, personas, orgs):
    client.force_login(personas.admin)
    assert client.get(reverse("projects:index")).status_code == 200
    assert _load(client, orgs.city_bureau, xlsx_bytes(sample_lines(1))).status_code == 302
    assert Project.objects.get().bureau == orgs.city_bureau


def test_the_menu_shows_the_library_to_finance_reviewers_only(client, personas):
    client.force_login(personas.finance_reviewer)
    assert 'data-testid="nav-projects"' in client.get(reverse("filings:list")).content.decode()
    client.force_login(personas.filer)
    assert 'data-testid="nav-projects"' not in client.get(reverse("filings:list")).content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_with_3_and_120_projects(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    url = reverse("projects:library", args=[orgs.minhang_bureau.pk]) + f"?year={YEAR}"
    _load(client, orgs.minhang_bureau, xlsx_bytes(sample_lines(3)))
    few = _queries(client, url)
    _load(client, orgs.minhang_bureau, xlsx_bytes(sample_lines(120)))
    many = _queries(client, url)
    assert few == many
    assert _queries(client, url + "&state=unfiled&q=3101") == many
