"""Issue 15 in a real browser: a unit's 单位整体 filing graded 良 by its department, amended
once, the amendment confirmed from the diff, and approved finally by the department
(谁批复预算，谁批复目标): no stop at the bureau.
"""

import pytest
from playwright.sync_api import expect

from filings.models import Filing
from review.models import Review, Transition
from tests.factories import overall_filing
from tests.helpers.journeys import open_review

NAME = "上海市闵行区老龄事业发展中心整体支出"
CRITERIA = {"完整性": "优", "相关性": "良", "适当性": "良", "可行性": "良"}


@pytest.fixture
def unit_filing(orgs):
    return overall_filing(orgs.elderly_centre, Filing.Form.UNIT, name=NAME, year=2025)


def test_a_units_overall_filing_approved_by_its_department_with_liang_after_one_amendment(
    page, login, shot, personas, unit_filing
):
    filing = unit_filing

    # --- the filer submits; the filing says who approves it ------------------------------
    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/edit/review/")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("待主管部门审核")
    expect(page.get_by_text("已提交第 1 版")).to_be_visible()
    expect(page.get_by_test_id("approver")).to_have_text("由 上海市闵行区民政局 批复")
    shot(page, "filer-submitted")

    # --- the department grades it 良: back to the filer with the items to amend ------------
    page.context.clear_cookies()
    login(page, personas.department_reviewer)
    open_review(page, filing, NAME)
    sheet = page.get_by_test_id("sheet")
    sheet.get_by_label("审核等级").select_option(label="良")
    for label, value in CRITERIA.items():
        sheet.get_by_label(label, exact=True).select_option(label=value)
    sheet.get_by_label("需补充完善事项").fill("服务覆盖率请写明目标值的测算依据，调整为≥98%。")
    shot(page, "department-grades-liang")
    sheet.get_by_role("button", name="退回修改").click()
    # confirm.js asks first: what will happen, and to whom.
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("审核等级：良")
    expect(dialog).to_contain_text("将退回 上海市闵行区老龄事业发展中心 的填报人修改")
    shot(page, "department-asked-before-returning")
    dialog.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("已退回填报单位修改（良）")).to_be_visible()
    assert page.url.endswith("/filings/queue/")  # the reviewer lands on 待我审核
    shot(page, "department-back-on-the-queue")
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.RETURNED

    # --- the filer amends one value and resubmits ------------------------------------------
    page.context.clear_cookies()
    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/edit/indicators/")
    page.get_by_label("第 2 行 指标值").fill("≥98(%)")
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)
    page.goto(f"/filings/{filing.pk}/edit/review/")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("待主管部门审核")
    expect(page.get_by_text("已提交第 2 版")).to_be_visible()
    shot(page, "filer-resubmitted")

    # --- the department confirms the amendment from the diff: approved, finally ------------
    page.context.clear_cookies()
    login(page, personas.department_reviewer)
    open_review(page, filing, NAME)
    confirming = page.get_by_test_id("confirming")
    expect(confirming).to_contain_text("确认修改")
    expect(confirming).to_contain_text("调整为≥98%")
    expect(page.get_by_test_id("approver")).to_have_text("由 上海市闵行区民政局 批复")
    shot(page, "department-confirms")
    page.get_by_test_id("sheet").get_by_role("button", name="确认修改，审核通过").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("将由 上海市闵行区民政局 批复")
    shot(page, "department-asked-before-approving")
    dialog.get_by_role("button", name="确认修改，审核通过").click()
    expect(
        page.get_by_text("已审核通过，申报已由 上海市闵行区民政局 批复，第 2 版为正式版本。")
    ).to_be_visible()
    shot(page, "department-approved-finally")

    filing = Filing.objects.get(pk=filing.pk)
    assert filing.status == Filing.Status.APPROVED
    assert filing.approved_version.number == 2
    assert list(filing.transitions.values_list("action", flat=True)) == [
        Transition.Action.SUBMIT,
        Transition.Action.DEPARTMENT_RETURN,
        Transition.Action.SUBMIT,
        Transition.Action.DEPARTMENT_FINAL_APPROVE,
    ]
    confirmation = Review.objects.get(version=filing.approved_version)
    assert (confirmation.decision, confirmation.grade) == (Review.Decision.CONFIRM, "良")
    assert not Review.objects.filter(filing=filing, stage=Review.Stage.FINANCE).exists()

    # --- the filer sees it approved by the department ---------------------------------------
    page.context.clear_cookies()
    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("已批复")
    shot(page, "filer-approved")
