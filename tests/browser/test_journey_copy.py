"""Start 2025 from last year's approved filing, in a real browser."""

import datetime
from decimal import Decimal

from playwright.sync_api import expect

from filings.models import Filing
from tests.factories import imported_filing


def test_filer_starts_next_year_from_last_years_filing(page, login, shot, personas, orgs):
    last_year = imported_filing(
        orgs.elderly_centre,
        name="民生保障",
        year=2024,
        variant="city",
        nature="经常性专项业务费",
        money_unit="万元",
        funds_total=Decimal("1759.45"),
        funds_fiscal=Decimal("1759.45"),
        annual_total=Decimal("1759.45"),
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        goal_start_year=2024,
        goal_end_year=2024,
        overall_goal="保障困难老人基本生活。",
    )
    old_keys = set(last_year.indicators.values_list("key", flat=True))

    login(page, personas.filer)
    # The approved filing is listed on 我的申报, but only drafts can be continued.
    row = page.get_by_test_id("mine").locator("tr", has_text="民生保障")
    expect(row).to_contain_text("已批复")
    expect(row.get_by_role("link", name="继续填写")).to_have_count(0)
    page.get_by_role("link", name="+ 新建申报").click()

    copy_row = page.locator("section[aria-labelledby=copy-title] tr", has_text="民生保障")
    expect(copy_row).to_contain_text("2024")
    copy_row.get_by_label("新年度").fill("2025")
    shot(page, "new-copy")
    copy_row.get_by_role("button", name="复制").click()

    # The copy opens on 基本信息 and says where it came from, and that money is cleared.
    expect(page.locator(".wizard-step.current")).to_contain_text("基本信息")
    expect(page.get_by_text("已复制为新草稿")).to_be_visible()
    expect(page.get_by_test_id("copied-from")).to_contain_text("复制自 2024年度《民生保障》")
    expect(page.get_by_test_id("copied-from")).to_contain_text("金额已清空")
    expect(page.get_by_label("计划开始日期")).to_have_value("2025-01-01")
    shot(page, "basic")
    page.get_by_role("link", name="项目资金").click()
    expect(page.get_by_label("万元", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name="项目资金").get_by_label("项目资金总额")).to_have_value(
        ""
    )
    shot(page, "funds-cleared")

    # Indicators are kept; change one value in the editor.
    page.get_by_role("link", name="绩效指标").click()
    names = page.locator("tr.ie-row [data-field=name]")
    expect(names).to_have_count(3)
    expect(names.nth(0)).to_have_value("培训人数")
    value = page.get_by_label("第 1 行 指标值")
    expect(value).to_have_value("≥30(人)")
    value.fill("≥40(人)")
    expect(page.locator("tr.ie-row").first.locator(".ie-preview")).to_have_text("定量 ≥ 40 人")
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)
    shot(page, "indicators")

    copy = Filing.objects.get(organisation=orgs.elderly_centre, year=2025, name="民生保障")
    assert copy.status == Filing.Status.DRAFT and copy.copied_from == last_year
    assert copy.funds_total is None and copy.annual_total is None
    assert copy.money_unit == "万元" and copy.nature == "经常性专项业务费"
    assert (copy.start_date, copy.goal_end_year) == (datetime.date(2025, 1, 1), 2025)
    assert list(copy.indicators.order_by("order").values_list("name", "value")) == [
        ("培训人数", "≥40(人)"),
        ("服务覆盖率", "=100(%)"),
        ("服务对象满意度", "≥90%"),
    ]
    assert not old_keys & set(copy.indicators.values_list("key", flat=True))
    # Last year's approved filing is untouched.
    assert last_year.indicators.get(name="培训人数").value == "≥30(人)"
    last_year.refresh_from_db()
    assert last_year.funds_total == Decimal("1759.45")
