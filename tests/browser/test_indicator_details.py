"""A row's details in the indicator editor: the fields of the 2021 rules, typed and saved."""

from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import open_page
from tests.conftest import make_filing


def test_a_row_gets_its_basis_weight_and_core_flag_and_the_sum_follows(
    page, login, shot, axe_violations, personas, orgs
):
    filing = make_filing(orgs.elderly_centre, name="详情项目")
    first = filing.indicators.order_by("order").first()
    login(page, personas.filer)
    page.goto(f"/indicators/filing/{filing.pk}/editor/")
    weights = page.locator("[data-ie=weights]")
    # Three rows, one per 一级: 产出 50, 效益 30, 满意度 10 and 预算执行率 10.
    expect(weights).to_contain_text("分值合计 100.00 分")
    page.get_by_role("button", name="详情第 1 行 指标解释、设定依据、分值等").click()
    weight = page.locator(f"#ie-weight-{page.locator('tr.ie-row').first.get_attribute('data-uid')}")
    expect(weight).to_have_attribute("placeholder", "50.00")
    page.get_by_label("设定依据", exact=True).select_option("计划标准")
    page.get_by_label("设定依据说明（文件、标准或数据）").fill("《2026年培训计划》")
    page.get_by_label("指标方向").select_option("positive")
    page.get_by_label("核心指标").check()
    weight.fill("40")
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)
    expect(weights).to_contain_text("分值合计 90.00 分")
    expect(weights).to_have_class("small mb-2 text-danger")
    shot(page, "details")
    assert axe_violations(page) == []
    first.refresh_from_db()
    assert (first.basis, first.basis_text, first.direction) == (
        "计划标准",
        "《2026年培训计划》",
        "positive",
    )
    assert (first.core, first.weight) == (True, Decimal("40.00"))
    page.reload()
    # The row's details open by themselves: they hold something.
    expect(page.get_by_label("设定依据说明（文件、标准或数据）")).to_have_value(
        "《2026年培训计划》"
    )


def test_the_filer_sets_the_execution_weight_and_the_sum_follows(
    browser, base_url, login, shot, axe_violations, personas, orgs
):
    filing = make_filing(orgs.elderly_centre, name="执行率项目")
    # A page of its own: the refused save's 400 is expected here, every other problem is not.
    page, problems = open_page(browser, base_url)
    login(page, personas.filer)
    page.goto(f"/indicators/filing/{filing.pk}/editor/")
    weights = page.locator("[data-ie=weights]")
    expect(weights).to_contain_text("分值合计 100.00 分")
    execution = page.get_by_label("预算执行率分值")
    # Blank stands for the edition's share (财预〔2020〕10号: 10).
    expect(execution).to_have_attribute("placeholder", "10.00")
    execution.fill("abc")
    expect(page.locator("#ie-execution-error")).to_contain_text("「预算执行率分值」")
    expect(page.locator("[data-ie=banner]")).to_contain_text("预算执行率分值")
    expect(execution).to_have_value("abc")  # what was typed stays on screen
    shot(page, "execution-refused")
    execution.fill("20")
    expect(weights).to_contain_text("分值合计 110.00 分", timeout=10_000)
    expect(weights).to_contain_text("含预算执行率 20.00 分")
    expect(page.locator("#ie-execution-error")).to_be_empty()
    assert axe_violations(page) == []
    filing.refresh_from_db()
    assert filing.execution_weight == Decimal("20.00")
    page.reload()
    expect(page.get_by_label("预算执行率分值")).to_have_value("20.00")
    expect(weights).to_contain_text("分值合计 110.00 分")
    page.wait_for_load_state("networkidle")
    page.context.close()
    assert [problem.split(" for ")[0] for problem in problems] == ["400"]
