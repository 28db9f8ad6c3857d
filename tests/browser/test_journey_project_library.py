"""The 项目库 journey: a finance reviewer loads the year's library, a filer starts from it.

Name, code and money come from the library and are never typed; each step is screenshot,
on a phone's screen too.
"""

from decimal import Decimal

from playwright.sync_api import expect

from filings.models import Filing
from projects.models import Project
from tests.browser.conftest import PHONE, open_page
from tests.helpers.project_library import sample_lines, xlsx_bytes


def test_reviewer_loads_the_library_and_a_filer_starts_a_project_from_it(
    page, login, shot, personas, browser, base_url, tmp_path
):
    export = tmp_path / "2027年度项目库.xlsx"
    export.write_bytes(xlsx_bytes(sample_lines(3)))

    # --- the finance reviewer loads the bureau's 2027 项目库 ---------------------------
    login(page, personas.finance_reviewer)
    page.get_by_test_id("nav-projects").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("闵行区财政局")
    load = page.get_by_test_id("load-library")
    load.get_by_label("年度").fill("2027")
    load.get_by_label("项目库文件（.xlsx 或 .csv）").set_input_files(str(export))
    shot(page, "reviewer-chooses-the-file")
    load.get_by_role("button", name="导入").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("按项目编码更新")
    shot(page, "reviewer-asked-before-loading")
    dialog.get_by_role("button", name="导入").click()
    expect(page.get_by_text("已导入 2027 年度项目库：新增 3 个")).to_be_visible()
    table = page.get_by_test_id("projects")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("310112202700000000001")
    expect(table).to_contain_text("未申报")
    shot(page, "reviewer-sees-the-library")
    assert Project.objects.filter(year=2027).count() == 3

    # --- the filer starts a project filing from it: nothing typed ---------------------
    filer, problems = open_page(browser, base_url)
    login(filer, personas.filer)
    filer.goto("/filings/new/")
    offered = filer.get_by_test_id("library-projects")
    expect(offered.locator("tbody tr")).to_have_count(3)
    filer.get_by_label("项目编码或名称").fill("助餐服务项目2")
    filer.get_by_role("button", name="查找").click()
    expect(offered.locator("tbody tr")).to_have_count(1)
    shot(filer, "filer-finds-the-project")
    offered.get_by_role("button", name="新建申报").click()

    expect(filer.get_by_text("已从项目库新建草稿《老年人助餐服务项目2》")).to_be_visible()
    expect(filer.get_by_label("项目名称")).to_have_value("老年人助餐服务项目2")
    expect(filer.get_by_label("项目编码")).to_have_value("310112202700000000002")
    expect(filer.get_by_label("是否开展事前绩效评估")).to_have_value("是")
    expect(filer.get_by_label("事前绩效评估结论")).to_have_value("通过")
    shot(filer, "filer-basic-step-filled")
    filer.get_by_role("link", name="项目资金").click()
    expect(filer.get_by_label("万元", exact=True)).to_be_checked()
    funds = filer.get_by_role("group", name="项目资金")
    expect(funds.get_by_label("项目资金总额")).to_have_value("120.50")
    expect(
        filer.get_by_role("group", name="年度资金申请").get_by_label("年度资金申请总额")
    ).to_have_value("60.25")
    shot(filer, "filer-funds-step-filled")
    filing = Filing.objects.get(project_code="310112202700000000002")
    assert (filing.funds_total, filing.library_project.name) == (
        Decimal("120.5"),
        "老年人助餐服务项目2",
    )

    # The reviewer's list now says the project is filed.
    page.reload()
    row = page.get_by_test_id("projects").locator("tr", has_text="310112202700000000002")
    expect(row).to_contain_text("已申报")
    shot(page, "reviewer-sees-it-filed")

    # --- the same pages on a phone ------------------------------------------------------
    phone, phone_problems = open_page(browser, base_url, PHONE)
    login(phone, personas.finance_reviewer)
    phone.goto(page.url)
    expect(phone.get_by_test_id("projects")).to_be_visible()
    shot(phone, "phone-library")
    phone_filer, filer_problems = open_page(browser, base_url, PHONE)
    login(phone_filer, personas.filer)
    phone_filer.goto("/filings/new/")
    expect(phone_filer.get_by_test_id("from-library")).to_be_visible()
    shot(phone_filer, "phone-new-from-library")
    for opened in (filer, phone, phone_filer):
        opened.wait_for_load_state("networkidle")
        opened.context.close()
    assert not problems + phone_problems + filer_problems, "The browser met errors"
