"""单位整体 and 部门（单位）整体 filings created from scratch in a real browser.

The unit's filer adds and removes 年度重点任务 rows, types the budget, and finds the seven
投入管理指标 rows already in the indicator editor; the department's filer files the
department form. Both end with the database compared to what was typed.
"""

from decimal import Decimal

from playwright.sync_api import expect

from filings.models import Filing

INPUT_BLOCK = [
    "预算编审管理",
    "预算执行管理",
    "预算绩效管理",
    "资产管理",
    "预算透明度",
    "内部控制管理",
    "预算信息化",
]


def current_step(page, title):
    expect(page.locator(".wizard-step.current")).to_contain_text(title)


def start(page, form_label, year):
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="新建申报").click()
    card = page.locator("form.card").filter(has_text=form_label)
    card.get_by_label("年度").fill(str(year))
    card.get_by_role("button", name="新建并开始填写").click()
    current_step(page, "基本信息")


def add_output_row(page, name, value):
    """A row under 产出指标 › 数量指标 typed into the editor after the 投入管理指标 block."""
    editor = page.locator("#indicator-editor")
    editor.get_by_role("button", name="＋ 添加指标", exact=True).click()
    row = page.locator("tr.ie-row").last
    expect(row.locator("[data-field=level1] option:checked")).to_have_text("产出指标")
    row.locator("[data-field=name]").fill(name)
    row.locator("[data-field=value]").fill(value)
    expect(row.locator(".ie-preview")).not_to_be_empty()
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)


def test_unit_filer_creates_a_unit_filing(page, login, shot, axe_violations, personas, orgs):
    serious = {}

    def check_axe(name):
        bad = [v for v in axe_violations(page) if v["impact"] in ("critical", "serious")]
        serious[name] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in bad]

    login(page, personas.filer)
    start(page, "单位整体支出绩效目标申报表", 2025)
    expect(page.get_by_label("单位名称")).to_have_value("上海市闵行区老龄事业发展中心")
    page.get_by_label("差额").check()
    check_axe("basic")
    shot(page, "basic")
    page.get_by_role("button", name="下一步：职责与目标").click()

    current_step(page, "职责与目标")
    page.get_by_label("单位职责").fill("负责全区老龄事业的统筹协调。")
    page.get_by_label("年度履职目标").fill("完成年度养老服务各项任务。")
    check_axe("duties")
    shot(page, "duties")
    page.get_by_role("button", name="下一步：年度重点任务").click()

    # 年度重点任务: three rows typed, the middle one removed again.
    current_step(page, "年度重点任务")
    tasks = page.locator("[data-task-row]")
    expect(tasks).to_have_count(1)
    tasks.nth(0).get_by_label("任务名称").fill("居家养老服务")
    tasks.nth(0).get_by_label("主要内容（重点工作计划）").fill("为独居老人提供上门服务。")
    page.get_by_role("button", name="+ 添加任务").click()
    expect(tasks).to_have_count(2)
    expect(tasks.nth(1).get_by_label("任务名称")).to_be_focused()
    page.keyboard.type("临时任务")
    page.get_by_role("button", name="+ 添加任务").click()
    tasks.nth(2).get_by_label("任务名称").fill("老年助餐")
    tasks.nth(2).get_by_label("主要内容（重点工作计划）").fill("新增助餐点 5 个。")
    tasks.nth(1).get_by_role("button", name="删除").click()
    expect(tasks).to_have_count(2)
    expect(tasks.nth(1).get_by_label("任务名称")).to_have_value("老年助餐")
    check_axe("tasks")
    shot(page, "tasks")
    page.get_by_role("button", name="下一步：预算情况").click()

    current_step(page, "预算情况")
    page.get_by_label("部门整体预算总额").press_sequentially("12500000")
    expect(page.get_by_label("部门整体预算总额")).to_have_value("12,500,000")
    page.get_by_label("资金来源：财政拨款").press_sequentially("12000000")
    page.get_by_label("资金来源：其他资金").press_sequentially("500000")
    page.get_by_label("资金结构：基本支出").press_sequentially("8000000")
    page.get_by_label("资金结构：项目支出").press_sequentially("4500000")
    page.get_by_label("年末在职人数").fill("42")
    page.get_by_label("内设机构数").fill("5")
    check_axe("budget")
    shot(page, "budget")
    page.get_by_role("button", name="下一步：绩效指标").click()

    # The official overall forms open with the seven 投入管理指标 rows and their note.
    current_step(page, "绩效指标")
    placeholders = page.locator("tr.ie-placeholder")
    expect(placeholders).to_have_count(7)
    for number, name in enumerate(INPUT_BLOCK):
        expect(placeholders.nth(number)).to_contain_text(name)
    expect(page.locator("td.ie-note")).to_contain_text("根据沪财绩【2022】13号文")
    add_output_row(page, "养老服务对象人数", "≥1200人")
    check_axe("indicators")
    shot(page, "indicators")
    page.get_by_role("button", name="下一步：检查").click()

    current_step(page, "检查")
    preview = page.get_by_test_id("preview")
    for printed in (
        "单位整体支出绩效目标申报表",
        "12,500,000.00",
        "居家养老服务",
        "老年助餐",
        "预算编审管理",
        "养老服务对象人数",
        "≥1200人",
    ):
        expect(preview).to_contain_text(printed)
    expect(preview).not_to_contain_text("临时任务")
    shot(page, "review")

    filing = Filing.objects.get(organisation=orgs.elderly_centre, form="unit", year=2025)
    assert filing.name == "上海市闵行区老龄事业发展中心"
    assert filing.funding_mode == "差额"
    assert filing.duties == "负责全区老龄事业的统筹协调。"
    assert filing.annual_goal == "完成年度养老服务各项任务。"
    assert list(filing.tasks.order_by("order").values_list("name", "content")) == [
        ("居家养老服务", "为独居老人提供上门服务。"),
        ("老年助餐", "新增助餐点 5 个。"),
    ]
    assert (filing.budget_total, filing.budget_fiscal, filing.budget_other) == (
        Decimal("12500000"),
        Decimal("12000000"),
        Decimal("500000"),
    )
    assert (filing.budget_basic, filing.budget_project) == (Decimal("8000000"), Decimal("4500000"))
    assert (filing.staff_count, filing.internal_bodies) == (42, 5)
    rows = list(filing.indicators.order_by("order").values_list("level2__name", "name", "value"))
    assert [r[0] for r in rows[:7]] == INPUT_BLOCK
    assert rows[7:] == [("数量指标", "养老服务对象人数", "≥1200人")]
    assert not any(serious.values()), f"serious accessibility violations: {serious}"


def test_department_filer_creates_a_department_filing(page, login, shot, personas, orgs):
    login(page, personas.department_filer)
    start(page, "部门（单位）整体支出绩效目标申报表", 2025)
    expect(page.get_by_label("部门名称")).to_have_value("上海市闵行区民政局(汇总)")
    page.get_by_label("全额").check()
    page.get_by_label("下属预算单位个数").fill("3")
    shot(page, "basic")
    page.get_by_role("button", name="下一步：职责与目标").click()

    current_step(page, "职责与目标")
    page.get_by_label("部门职责").fill("贯彻执行民政工作的方针政策。")
    page.get_by_label("年度履职目标").fill("保障困难群众基本生活。")
    page.get_by_role("button", name="下一步：年度重点任务").click()

    current_step(page, "年度重点任务")
    page.locator("[data-task-row]").first.get_by_label("任务名称").fill("社会救助")
    page.get_by_role("button", name="下一步：预算情况").click()

    current_step(page, "预算情况")
    page.get_by_label("部门整体预算总额").press_sequentially("98000000")
    page.get_by_label("年末资产总额").press_sequentially("35600000.25")
    expect(page.get_by_label("年末资产总额")).to_have_value("35,600,000.25")
    shot(page, "budget")
    page.get_by_role("button", name="下一步：绩效指标").click()

    current_step(page, "绩效指标")
    expect(page.locator("tr.ie-placeholder")).to_have_count(7)
    add_output_row(page, "救助对象人数", "≥5000人")
    shot(page, "indicators")
    page.get_by_role("button", name="下一步：检查").click()
    current_step(page, "检查")
    expect(page.get_by_test_id("preview")).to_contain_text("部门（单位）整体支出绩效目标申报表")
    expect(page.get_by_test_id("preview")).to_contain_text("35,600,000.25")
    shot(page, "review")

    filing = Filing.objects.get(organisation=orgs.civil_affairs, form="department", year=2025)
    assert filing.name == "上海市闵行区民政局(汇总)"
    assert (filing.funding_mode, filing.subordinate_units) == ("全额", 3)
    assert filing.duties == "贯彻执行民政工作的方针政策。"
    assert list(filing.tasks.values_list("name", "content")) == [("社会救助", "")]
    assert filing.budget_total == Decimal("98000000")
    assert filing.assets_total == Decimal("35600000.25")
    assert filing.budget_fiscal is None
    assert filing.indicators.filter(name="救助对象人数", value="≥5000人").exists()
