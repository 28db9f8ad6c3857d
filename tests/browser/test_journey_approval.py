"""Issue 15 item 3 in a real browser: a department reviewer issues the 批复 of a unit after
approving its 单位整体 filing finally (谁批复预算，谁批复目标); the filer is told and downloads it.
"""

import pytest
from playwright.sync_api import expect

from filings.models import Filing
from review.models import ApprovalNotice
from tests.browser.conftest import PHONE, open_page
from tests.factories import bring_to, fresh, overall_filing
from tests.helpers.pdf import norm, page_texts, printed_cells

NAME = "上海市闵行区老龄事业发展中心整体支出"
NUMBER = "上海市闵行区民政局绩批〔2025〕1号"


@pytest.fixture
def approved_unit(orgs, personas):
    """The unit's 单位整体 filing, submitted and approved finally by its department (优)."""
    filing = overall_filing(orgs.elderly_centre, Filing.Form.UNIT, name=NAME, year=2025)
    bring_to("approved", filing, personas.filer, personas)
    return fresh(filing)


def test_department_issues_the_units_approval_and_the_filer_downloads_it(
    page, login, shot, browser, base_url, personas, orgs, approved_unit, tmp_path
):
    filing = approved_unit
    assert filing.status == Filing.Status.APPROVED

    # --- the department reviewer finds what awaits a 批复 ----------------------------------
    login(page, personas.department_reviewer)
    page.goto("/")
    page.get_by_test_id("nav-approvals").click()
    groups = page.get_by_test_id("approval-groups")
    row = groups.locator(f"tr[data-organisation='{orgs.elderly_centre.pk}']")
    expect(row).to_contain_text("2025")
    shot(page, "approvals-index")
    row.get_by_role("link", name="核对并签发").click()
    awaiting = page.get_by_test_id("awaiting")
    listed = awaiting.locator(f"tr[data-filing='{filing.pk}']")
    expect(listed).to_contain_text(NAME)
    expect(listed.get_by_test_id("grade")).to_have_text("优")
    expect(listed).to_contain_text("第 1 版")
    expect(listed).to_contain_text(filing.approved_version.short_hash)
    shot(page, "approval-page")

    # --- issued after the confirmation dialog ------------------------------------------------
    page.get_by_test_id("issue-approval").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("上海市闵行区老龄事业发展中心")
    expect(dialog).to_contain_text("不能更改")
    shot(page, "approval-confirm")
    dialog.get_by_role("button", name="签发批复").click()
    expect(page.get_by_text(f"已签发批复 {NUMBER}")).to_be_visible()
    expect(page.get_by_test_id("nothing-awaiting")).to_be_visible()
    expect(page.get_by_test_id("issued")).to_contain_text(NUMBER)
    shot(page, "approval-issued")
    assert ApprovalNotice.objects.get().number == NUMBER

    # The page on a phone.
    phone, problems = open_page(browser, base_url, PHONE)
    login(phone, personas.department_reviewer)
    phone.goto(f"/filings/approvals/{orgs.elderly_centre.pk}/2025/")
    expect(phone.get_by_test_id("issued")).to_contain_text(NUMBER)
    shot(phone, "approval-page-phone")
    assert problems == []
    phone.context.close()

    # --- the filer is told, and downloads the PDF from the filing page -----------------------
    page.context.clear_cookies()
    login(page, personas.filer)
    page.goto("/filings/notifications/")
    expect(page.locator("main")).to_contain_text(NUMBER)
    shot(page, "filer-notified")
    page.goto(f"/filings/{filing.pk}/")
    panel = page.get_by_test_id("approval-notices")
    expect(panel).to_contain_text(NUMBER)
    shot(page, "filer-filing-page")
    with page.expect_download() as info:
        panel.get_by_test_id("notice-pdf").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    texts = page_texts(path.read_bytes())
    cover = norm(texts[0])
    assert norm(NUMBER) in cover and "第1版" in cover
    assert NAME in printed_cells(path.read_bytes())  # the cover's table, cell by cell
    assert "单位整体支出绩效目标申报表" in norm("".join(texts[1:]))
