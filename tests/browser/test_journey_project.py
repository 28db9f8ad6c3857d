"""A unit's filer files a 财政项目支出绩效目标申报表 from scratch in a real browser.

Every step is typed as a person would (keyboard into the fields, the editor's own buttons,
the paste dialog, Alt+↑), and the journey ends by comparing the database and the official
form preview with what was typed. Screenshots of each step are kept as test artifacts.
"""

import datetime
import re
from decimal import Decimal

from playwright.sync_api import expect

from filings.checks import run_checks
from filings.models import Filing

PASTED = "\n".join(
    [
        "产出指标\t质量指标\t服务覆盖率\t≥95%",
        "产出指标\t时效指标\t资金拨付及时率\t=100%",
        "效益指标\t社会效益指标\t回访记录完整\t完整",
    ]
)


def editor_saved(page):
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)


def expect_names(page, names):
    """The 三级指标 names in the editor, top to bottom."""
    inputs = page.locator("tr.ie-row [data-field=name]")
    expect(inputs).to_have_count(len(names))
    for number, name in enumerate(names):
        expect(inputs.nth(number)).to_have_value(name)


def row(page, number):
    return page.locator("tr.ie-row").nth(number - 1)


def test_filer_creates_a_project_filing_from_scratch(
    page, login, shot, axe_violations, personas, orgs
):
    serious = {}

    def check_axe(name):
        bad = [v for v in axe_violations(page) if v["impact"] in ("critical", "serious")]
        serious[name] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in bad]

    login(page, personas.filer)
    # A filer lands on 我的申报, empty for a unit that has never filed.
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()
    expect(page.get_by_test_id("empty")).to_contain_text("本单位还没有申报")
    shot(page, "mine-empty")

    page.get_by_test_id("empty").get_by_role("link", name="新建申报").click()
    expect(page.get_by_role("heading", name="新建申报", exact=True)).to_be_visible()
    card = page.locator("form.card").filter(has_text="财政项目支出绩效目标申报表")
    card.get_by_label("年度").fill("2025")
    card.get_by_label("项目名称").fill("老年综合津贴")
    shot(page, "new")
    card.get_by_role("button", name="新建并开始填写").click()

    # 1 基本信息: the district layout (闵行区) is preselected, 主管部门 and 实施单位 filled in.
    expect(page.get_by_role("heading", name="老年综合津贴")).to_be_visible()
    expect(page.locator(".wizard-step.current")).to_contain_text("基本信息")
    expect(page.get_by_label("区级版式（项目类别勾选）")).to_be_checked()
    expect(page.get_by_label("主管部门", exact=True)).to_have_value("上海市闵行区民政局")
    expect(page.get_by_label("实施单位", exact=True)).to_have_value("上海市闵行区老龄事业发展中心")
    # 项目性质 belongs to the city layout only.
    expect(page.get_by_label("项目性质", exact=True)).to_be_hidden()
    page.get_by_label("市级版式（项目性质＋项目类别）").check()
    expect(page.get_by_label("项目性质", exact=True)).to_be_visible()
    page.get_by_label("项目性质", exact=True).fill("经常性专项业务费")
    page.get_by_label("项目类别", exact=True).fill("特定目标类")
    page.get_by_label("计划开始日期").fill("2025-01-01")
    page.get_by_label("计划完成日期").fill("2025-12-31")
    # Once saved, the step's 「计划开始日期」未填写 errors go, from the list and the step bar.
    expect(page.locator("[data-wizard=status]")).to_contain_text("已自动保存")
    expect(page.locator("[data-wizard=findings]")).to_be_hidden()
    expect(page.locator(".wizard-step.current .badge")).to_have_count(0)
    check_axe("basic")
    shot(page, "basic")
    page.get_by_role("button", name="下一步：项目资金").click()

    # 2 项目资金: the unit follows the radio; amounts get separators while typing.
    expect(page.locator(".wizard-step.current")).to_contain_text("项目资金")
    page.get_by_label("万元", exact=True).check()
    expect(page.locator("[data-money-unit-label]").first).to_have_text("万元")
    page.get_by_label("元", exact=True).check()
    expect(page.locator("[data-money-unit-label]").first).to_have_text("元")
    # Both blocks have a 「其他资金」 row: each block is a group named by its legend.
    whole = page.get_by_role("group", name="项目资金")
    annual = page.get_by_role("group", name="年度资金申请")
    total = whole.get_by_label("项目资金总额")
    total.press_sequentially("6039600")
    expect(total).to_have_value("6,039,600")
    whole.get_by_label("其中：财政资金").press_sequentially("5839600")
    whole.get_by_label("其他资金").press_sequentially("200000")
    annual.get_by_label("年度资金申请总额").press_sequentially("2013200.50")
    expect(annual.get_by_label("年度资金申请总额")).to_have_value("2,013,200.50")
    annual.get_by_label("其中：当年财政拨款").press_sequentially("1813200.50")
    annual.get_by_label("其他资金").press_sequentially("200000")
    check_axe("funds")
    shot(page, "funds")
    page.get_by_role("button", name="下一步：绩效目标").click()

    # 3 绩效目标
    expect(page.locator(".wizard-step.current")).to_contain_text("绩效目标")
    expect(page.get_by_label("项目总目标起始年")).to_have_value("2025")
    page.get_by_label("项目总目标终止年").fill("2027")
    page.get_by_label("项目总目标", exact=True).fill("三年内为辖区高龄老人发放综合津贴。")
    page.get_by_label("年度总体目标").fill("2025年按月足额发放津贴，惠及30户以上。")
    check_axe("goals")
    shot(page, "goals")
    page.get_by_role("button", name="下一步：绩效指标").click()

    # 4 绩效指标: rows through the editor's own controls.
    expect(page.locator(".wizard-step.current")).to_contain_text("绩效指标")
    editor = page.locator("#indicator-editor")
    expect(editor).to_contain_text("还没有指标")
    shot(page, "indicators-empty")

    editor.get_by_role("button", name="＋ 添加指标", exact=True).click()
    expect(page.get_by_label("第 1 行 一级指标")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("第 1 行 一级指标").locator("option:checked")).to_have_text("产出指标")
    expect(page.get_by_label("第 1 行 二级指标").locator("option:checked")).to_have_text("数量指标")
    expect(page.get_by_label("第 1 行 三级指标")).to_be_focused()
    page.keyboard.type("资助老年人户数")
    page.get_by_label("第 1 行 指标值").fill("≥30户")
    expect(row(page, 1).locator(".ie-preview")).to_have_text("定量 ≥ 30 户")

    editor.get_by_role("button", name="＋ 添加指标", exact=True).click()
    page.get_by_label("第 2 行 一级指标").select_option(label="效益指标")
    page.get_by_label("第 2 行 二级指标").select_option(label="社会效益指标")
    page.get_by_label("第 2 行 三级指标").fill("老年人生活质量")
    page.get_by_label("第 2 行 指标值").fill("有效提升")
    expect(row(page, 2).locator(".ie-preview")).to_have_text("定性")

    editor.get_by_role("button", name="＋ 添加指标", exact=True).click()
    page.get_by_label("第 3 行 一级指标").select_option(label="满意度指标")
    expect(page.get_by_label("第 3 行 二级指标").locator("option:checked")).to_have_text(
        "服务对象满意度指标"
    )
    page.get_by_label("第 3 行 三级指标").fill("服务对象满意度")
    page.get_by_label("第 3 行 指标值").fill("≥90%")
    expect(row(page, 3).locator(".ie-preview")).to_have_text("定量 ≥ 90 %")
    editor_saved(page)
    # Each 一级 has a row now: two warnings are left above, the vague 「有效提升」 and that no
    # row says what its value rests on (设定依据, 财预〔2021〕101号).
    step_findings = page.locator("[data-wizard=findings] .finding")
    expect(step_findings).to_have_count(2)
    expect(step_findings.filter(has_text="有效提升")).to_have_count(1)
    expect(step_findings.filter(has_text="设定依据")).to_have_count(1)
    shot(page, "indicators-typed")

    # Paste three rows "from Excel" (four tab-separated columns) through the dialog.
    editor.get_by_role("button", name="从 Excel 粘贴").click()
    dialog = page.locator("dialog[data-ie=paste-dialog]")
    expect(dialog).to_be_visible()
    dialog.get_by_label("粘贴内容").fill(PASTED)
    expect(dialog.locator("caption")).to_have_text("将添加 3 条指标")
    shot(page, "paste-dialog")
    dialog.get_by_role("button", name="添加这 3 条指标").click()
    expect(dialog).to_be_hidden()
    # Each pasted row joins the rows of its own 二级, as the official form groups them.
    expect_names(
        page,
        [
            "资助老年人户数",
            "服务覆盖率",
            "资金拨付及时率",
            "老年人生活质量",
            "回访记录完整",
            "服务对象满意度",
        ],
    )
    editor_saved(page)
    filing = Filing.objects.get(name="老年综合津贴")
    keys_before = dict(filing.indicators.values_list("name", "key"))
    assert len(keys_before) == 6

    # Alt+↑ moves the focused row up within the table, focus staying on it.
    page.get_by_label("第 5 行 三级指标").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect_names(
        page,
        [
            "资助老年人户数",
            "服务覆盖率",
            "资金拨付及时率",
            "回访记录完整",
            "老年人生活质量",
            "服务对象满意度",
        ],
    )
    expect(page.get_by_label("第 4 行 三级指标")).to_be_focused()
    # Delete a row with its own button.
    page.get_by_role("button", name="删除第 3 行").click()
    expect_names(
        page, ["资助老年人户数", "服务覆盖率", "回访记录完整", "老年人生活质量", "服务对象满意度"]
    )
    editor_saved(page)
    check_axe("indicators")
    shot(page, "indicators-done")
    page.get_by_role("button", name="下一步：检查与提交").click()

    # 5 检查与提交: the checker's findings, then the official form as it will print.
    expect(page.locator(".wizard-step.current")).to_contain_text("检查与提交")
    expect(page.get_by_role("heading", name="检查结果")).to_be_visible()
    filing.refresh_from_db()
    findings = run_checks(filing)
    listed = page.locator("#review-title ~ ul .finding")
    expect(listed).to_have_count(len(findings))
    for finding in findings:
        expect(page.locator(".finding", has_text=finding.message).first).to_be_visible()
    # What is left are warnings (「有效提升」 is vague; no row has its 设定依据…): they do not
    # stop the submission.
    assert {f.severity for f in findings} == {"warning"}, [f.code for f in findings]
    assert {"VALUE_VAGUE", "VALUE_BASIS_MISSING"} <= {f.code for f in findings}
    expect(page.get_by_test_id("submit-button")).to_be_enabled()
    preview = page.get_by_test_id("preview")
    for printed in (
        "老年综合津贴",
        "经常性专项业务费",
        "特定目标类",
        "6,039,600.00",
        "2,013,200.50",
        "1,813,200.50",
        "三年内为辖区高龄老人发放综合津贴。",
        "资助老年人户数",
        "≥30户",
        "回访记录完整",
        "≥90%",
    ):
        expect(preview).to_contain_text(printed)
    expect(preview).not_to_contain_text("资金拨付及时率")
    check_axe("review")
    shot(page, "review")

    # The database holds exactly what was typed: Decimal money, rows in order, stable keys.
    filing.refresh_from_db()
    assert filing.form == Filing.Form.PROJECT and filing.year == 2025
    assert filing.status == Filing.Status.DRAFT
    assert filing.organisation == orgs.elderly_centre
    assert (filing.variant, filing.nature, filing.category) == (
        "city",
        "经常性专项业务费",
        "特定目标类",
    )
    assert (filing.start_date, filing.end_date) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    assert filing.money_unit == "元"
    assert filing.funds_total == Decimal("6039600")
    assert filing.funds_fiscal == Decimal("5839600")
    assert filing.funds_other == Decimal("200000")
    assert filing.annual_total == Decimal("2013200.50")
    assert filing.annual_appropriation == Decimal("1813200.50")
    assert filing.annual_carryover is None  # left blank, not 0
    assert filing.annual_other == Decimal("200000")
    assert (filing.goal_start_year, filing.goal_end_year) == (2025, 2027)
    assert filing.overall_goal == "三年内为辖区高龄老人发放综合津贴。"
    assert filing.annual_goal == "2025年按月足额发放津贴，惠及30户以上。"
    rows = list(
        filing.indicators.order_by("order").values_list(
            "level2__level1__name", "level2__name", "name", "value", "key"
        )
    )
    assert [r[:4] for r in rows] == [
        ("产出指标", "数量指标", "资助老年人户数", "≥30户"),
        ("产出指标", "质量指标", "服务覆盖率", "≥95%"),
        ("效益指标", "社会效益指标", "回访记录完整", "完整"),
        ("效益指标", "社会效益指标", "老年人生活质量", "有效提升"),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"),
    ]
    # A moved row is the same row: its key survived the reorder.
    assert {name: key for *_, name, _value, key in rows} == {
        name: key for name, key in keys_before.items() if name != "资金拨付及时率"
    }
    first = filing.indicators.get(name="资助老年人户数")
    assert (first.value_type, first.operator, first.number, first.unit) == (
        "quantitative",
        "≥",
        Decimal("30"),
        "户",
    )
    assert not any(serious.values()), f"serious accessibility violations: {serious}"
