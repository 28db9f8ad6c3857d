"""The list and filing pages as a user sees them."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from filings.models import Filing, Task
from indicators.models import Indicator, Level2
from tests.conftest import make_filing
from tests.factories import imported_filing, printed_project, take_version


class Cells(HTMLParser):
    """The td/th cells of a page: (tag, attrs, text), in document order."""

    def __init__(self, html):
        super().__init__()
        self.cells = []
        self._open = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "br" and self._open is not None:
            self._open[2] += " "
        if tag in ("td", "th"):
            self._open = [tag, dict(attrs), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._open is not None:
            self._open[2] = " ".join(self._open[2].split())
            self.cells.append(tuple(self._open))
            self._open = None

    def find(self, text):
        return [cell for cell in self.cells if cell[2] == text]

    def after(self, label):
        """The text of the cell right after the first cell reading ``label``."""
        texts = [cell[2] for cell in self.cells]
        return texts[texts.index(label) + 1]


def _page(client, user, filing):
    client.force_login(user)
    response = client.get(reverse("filings:detail", args=[filing.pk]))
    assert response.status_code == 200
    return Cells(response.content.decode())


def test_project_form_prints_header_money_and_goals(client, personas, orgs):
    filing = printed_project(orgs.elderly_centre)
    cells = _page(client, personas.filer, filing)
    assert cells.after("项目名称") == "残疾人权益保障经费"
    assert cells.after("项目性质") == "经常性专项业务费"
    assert cells.after("项目类别") == "特定目标类"
    assert cells.after("年度资金申请总额") == "2,013,200.00"
    assert cells.after("上年结转资金") == "0.00"  # zero is printed
    assert cells.after("项目资金总额") == ""  # blank stays blank, not 0
    assert cells.find("项目总目标 (2024年-2026年)")
    assert cells.find("总目标第一段 总目标第二段")


def test_district_layout_prints_category_as_tick_boxes(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, variant="district", category="经常性项目")
    cells = _page(client, personas.filer, filing)
    assert cells.after("项目类别") == "专项资金□ 经常性项目√ 一次性项目□"
    assert not cells.find("项目性质")
    assert cells.find("年度指标值")


def test_indicator_levels_are_merged_over_their_rows(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    level2 = Level2.objects.get(level1__name="产出指标", name="质量指标")
    extra = Indicator(filing=filing, level2=level2, order=2, name="验收合格率")
    extra.set_value("=100%")
    extra.save()
    # Put the new row between the two 产出 rows' neighbours: orders 1, 2, then 3, 4.
    filing.indicators.exclude(pk=extra.pk).filter(order__gte=2).update(order=10)
    cells = _page(client, personas.filer, filing)
    (output,) = cells.find("产出指标")
    assert output[1]["rowspan"] == "2"
    assert cells.find("数量指标")[0][1].get("rowspan", "1") == "1"
    assert cells.find("质量指标")[0][1].get("rowspan", "1") == "1"
    assert cells.after("验收合格率") == "=100%"


def test_overall_form_prints_tasks_budget_staff_and_input_note(client, personas, orgs):
    filing = Filing.objects.create(
        organisation=orgs.civil_affairs,
        form=Filing.Form.DEPARTMENT,
        year=2024,
        name="上海市闵行区民政局(汇总)",
        subordinate_units=10,
        budget_total=Decimal("476373173.65"),
        budget_fiscal=Decimal("476373173.65"),
        budget_other=Decimal("0"),
        assets_total=Decimal("117172292.09"),
        staff_count=24,
        internal_bodies=8,
        input_note="根据沪财绩【2022】13号文的规定要求设置三级指标和指标值",
    )
    Task.objects.create(filing=filing, order=1, name="大力推动民政数字化转型", content="内容")
    for order, level2 in enumerate(Level2.objects.filter(level1__name="投入管理指标"), 1):
        Indicator.objects.create(filing=filing, level2=level2, order=order)
    cells = _page(client, personas.department_filer, filing)
    assert cells.after("部门名称") == "上海市闵行区民政局(汇总)"
    assert cells.after("下属预算单位个数") == "10"
    assert cells.after("部门整体预算总额(元)") == "476,373,173.65"
    assert cells.after("(2)其他资金") == "0.00"
    assert cells.after("(2)项目支出") == ""
    assert cells.find("大力推动民政数字化转型")
    assert cells.find("分解目标")
    (note,) = cells.find("根据沪财绩【2022】13号文的规定要求设置三级指标和指标值")
    assert note[1]["rowspan"] == "7"
    assert cells.find("投入管理指标")[0][1]["rowspan"] == "7"
    assert [c[2] for c in cells.cells if c[2] in ("117,172,292.09", "24", "8")] == [
        "117,172,292.09",
        "24",
        "8",
    ]


def test_import_warnings_are_shown_with_their_line(client, personas, orgs):
    filing = make_filing(
        orgs.elderly_centre,
        import_warnings=[{"line": 92, "code": "level1_noise", "message": "「双星指标」按效益指标"}],
    )
    client.force_login(personas.filer)
    html = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "第 92 行" in html
    assert "「双星指标」按效益指标" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": "2023"}, {"二〇二三项目"}),
        ({"form": "unit"}, {"老龄中心整体"}),
        ({"status": "approved"}, {"老龄中心整体"}),
        ({"q": "二〇二三"}, {"二〇二三项目"}),
        ({}, {"二〇二三项目", "老龄中心整体", "二〇二四项目"}),
    ],
)
def test_list_filters(client, personas, orgs, query, expected):
    make_filing(orgs.elderly_centre, name="二〇二三项目", year=2023)
    make_filing(orgs.elderly_centre, name="二〇二四项目", year=2024)
    imported_filing(orgs.elderly_centre, name="老龄中心整体", form="unit")
    client.force_login(personas.filer)
    html = client.get(reverse("filings:list"), query).content.decode()
    shown = {name for name in ("二〇二三项目", "二〇二四项目", "老龄中心整体") if name in html}
    assert shown == expected


def test_list_filter_by_organisation_offers_only_visible_ones(client, personas, filings, orgs):
    # Submitted once: the department sees a unit's filing from then on.
    take_version(Filing.objects.get(name="老龄中心项目"))
    client.force_login(personas.department_reviewer)
    response = client.get(reverse("filings:list"), {"organisation": orgs.elderly_centre.pk})
    html = response.content.decode()
    assert "老龄中心项目" in html
    assert "民政局项目" not in html
    # 残联 is outside the reviewer's tree: not offered, and refused when forced.
    assert "上海市残疾人联合会" not in html
    response = client.get(reverse("filings:list"), {"organisation": orgs.disabled_federation.pk})
    assert "残联项目" not in response.content.decode()
    assert "填报单位：" in response.content.decode()  # the error names the field


def test_bad_filter_value_names_the_field(client, personas, filings):
    client.force_login(personas.filer)
    html = client.get(reverse("filings:list"), {"year": "abc"}).content.decode()
    assert "年度：" in html
    assert "老龄中心项目" not in html  # no list that looks filtered but is not


def test_list_is_paginated_and_keeps_filters(client, personas, orgs):
    for number in range(25):
        make_filing(orgs.elderly_centre, name=f"项目{number:02d}", year=2024)
    client.force_login(personas.filer)
    first = client.get(reverse("filings:list"), {"year": "2024"}).content.decode()
    assert "第 1 / 2 页" in first
    assert "year=2024&amp;page=2" in first
    second = client.get(reverse("filings:list"), {"year": "2024", "page": "2"}).content.decode()
    shown_first = {n for n in range(25) if f"项目{n:02d}" in first}
    shown_second = {n for n in range(25) if f"项目{n:02d}" in second}
    assert len(shown_first) == 20
    assert shown_first | shown_second == set(range(25))
    assert not shown_first & shown_second


def test_list_page_query_count_does_not_grow_with_filings(
    client, personas, orgs, django_assert_num_queries
):
    for number in range(3):
        make_filing(orgs.elderly_centre, name=f"项目{number}")
    client.force_login(personas.finance_reviewer)
    url = reverse("filings:list")
    # session, user, the reviewer's subtree ids, years, organisations, count, page, the
    # page's indicator counts (the page is taken first, then its rows annotated; the
    # subtree's ids are read first so that PostgreSQL plans the page on the sort index),
    # and the navigation's two badges (待我审核, unread notifications)
    with django_assert_num_queries(10):
        client.get(url)
    for number in range(10):
        make_filing(orgs.civil_affairs, name=f"部门项目{number}")
    with django_assert_num_queries(10):
        client.get(url)


def test_filing_page_query_count_does_not_grow_with_indicators(
    client, personas, orgs, django_assert_num_queries
):
    filing = make_filing(orgs.elderly_centre)
    client.force_login(personas.filer)
    url = reverse("filings:detail", args=[filing.pk])
    # session, user, filing with organisation, indicators with levels, the round (who
    # approves), the open adjustment application, the unread notifications badge, and
    # the history: versions, comments, transitions; the attachments
    with django_assert_num_queries(11):
        client.get(url)
    level2 = Level2.objects.get(level1__name="产出指标", name="数量指标")
    for order in range(20):
        Indicator.objects.create(
            filing=filing, level2=level2, order=100 + order, name=f"指标{order}"
        )
    with django_assert_num_queries(11):
        client.get(url)


@pytest.mark.parametrize(
    ("form", "title", "subtitle"),
    [
        ("project", "财政项目支出绩效目标申报表", "(2024年度)"),
        ("unit", "单位整体支出绩效目标申报表", "(2024年度)"),
        ("department", "部门（单位）整体支出绩效目标申报表", "（2024年度）"),
    ],
)
def test_each_form_prints_its_official_title(client, personas, orgs, form, title, subtitle):
    filing = make_filing(orgs.civil_affairs, form=form)
    client.force_login(personas.department_filer)
    html = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert f'<h1 class="form-title">{title}</h1>' in html
    assert f'<p class="form-subtitle">{subtitle}</p>' in html
