"""Issue 15 in a real browser: a unit's project graded 差 by its department ends as 不予通过.
The filer sees that it is final — nothing to submit, no 申请调整, the reason given — until the
bureau reopens it with a reason: 已退回, and once resubmitted a full review from the department.
"""

import pytest
from playwright.sync_api import expect

from filings.models import Filing
from review.models import Transition
from tests.factories import do, ready_filing
from tests.helpers.journeys import (
    agree,
    fill_sheet,
    open_review,
    press_and_wait_for_dialog,
    serious_violations,
    sign_in_as,
)

NAME = "老年大学扩建前期研究"
CENTRE = "上海市闵行区老龄事业发展中心"
REASON = "绩效目标与本单位职责无关，资金测算缺乏依据。"
REOPENED = "单位已补充职责依据（闵民〔2024〕8号），同意重新申报。"


@pytest.fixture
def submitted_project(orgs, personas):
    """The unit's project, submitted by its filer: the step itself is not this journey's."""
    filing = ready_filing(orgs.elderly_centre, name=NAME)
    do("submit", filing, personas.filer)
    return filing


def test_a_project_graded_cha_ends_not_approved_until_the_bureau_reopens_it(
    page, login, shot, axe_violations, personas, submitted_project
):
    filing = submitted_project
    problems = {}

    # --- the department grades it 差: 不予通过, after saying what that means ------------------
    sign_in_as(page, login, personas.department_reviewer)
    open_review(page, filing, NAME)
    fill_sheet(page, "差", to_improve=REASON)
    shot(page, "department-grades-cha")
    dialog = press_and_wait_for_dialog(page, "不予通过")
    expect(dialog).to_contain_text(f"《{NAME}》不得进入下一步预算安排，{CENTRE} 不能再提交")
    expect(dialog).to_contain_text("只有财政局可以说明理由后重新开放")
    shot(page, "department-asked-before-rejecting")
    agree(page)
    expect(page.get_by_text("已审核为「不予通过」：申报不能再提交")).to_be_visible()
    assert page.url.endswith("/filings/queue/")
    expect(page.get_by_test_id("queue").locator(f"tr[data-filing='{filing.pk}']")).to_have_count(0)
    shot(page, "department-back-on-the-queue")
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.NOT_APPROVED

    # --- the filer sees it is final, and why -----------------------------------------------
    sign_in_as(page, login, personas.filer)
    page.get_by_role("link", name="我的申报").first.click()
    mine = page.get_by_test_id("mine").locator("tr", has_text=NAME)
    expect(mine).to_contain_text("不予通过")
    expect(mine.get_by_role("link", name="继续填写")).to_have_count(0)
    shot(page, "filer-mine-not-approved")
    mine.get_by_role("link", name="查看").click()
    expect(page.get_by_test_id("status")).to_have_text("不予通过")
    final = page.get_by_test_id("not-approved")
    expect(final).to_contain_text("不能再提交")
    expect(final).to_contain_text(REASON)
    expect(page.get_by_role("link", name="检查并提交审核")).to_have_count(0)
    expect(page.get_by_role("link", name="编辑", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="申请调整")).to_have_count(0)
    expect(page.get_by_test_id("timeline")).to_contain_text("审核等级：差")
    shot(page, "filer-sees-it-is-final")
    problems["not-approved filing page"] = serious_violations(axe_violations, page)

    # --- the bureau finds it in its list and reopens it with a reason ------------------------
    sign_in_as(page, login, personas.finance_reviewer)
    page.get_by_role("link", name="申报列表").first.click()
    page.get_by_role("link", name=NAME).click()
    expect(page.get_by_test_id("status")).to_have_text("不予通过")
    reopen = page.get_by_test_id("reopen")
    reopen.get_by_role("button", name="重新开放").click()
    # Without a reason the browser keeps the form (required), and nothing happens.
    expect(page.get_by_role("dialog")).to_have_count(0)
    reopen.get_by_label("如需重新开放，请写明理由").fill(REOPENED)
    shot(page, "bureau-reopens")
    problems["bureau's filing page"] = serious_violations(axe_violations, page)
    reopen.get_by_role("button", name="重新开放").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("申报将退回填报单位修改，重新提交后重新审核")
    agree(page)
    expect(page.get_by_text("已重新开放：申报退回填报单位修改")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("已退回")
    shot(page, "bureau-reopened")

    # --- the filer reads why, resubmits; the department reviews it in full ------------------
    sign_in_as(page, login, personas.filer)
    page.goto(f"/filings/{filing.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("已退回")
    expect(page.get_by_test_id("returned")).to_contain_text(f"理由：{REOPENED}")
    expect(page.get_by_test_id("timeline")).to_contain_text(REOPENED)
    page.get_by_role("link", name="检查并提交审核").click()
    expect(page.get_by_test_id("submit-button")).to_have_text("重新提交审核")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("待主管部门审核")
    shot(page, "filer-resubmitted")

    sign_in_as(page, login, personas.department_reviewer)
    open_review(page, filing, NAME)
    expect(page.get_by_test_id("confirming")).to_have_count(0)
    expect(page.get_by_test_id("sheet").get_by_label("审核等级")).to_have_value("")
    shot(page, "department-reviews-again")
    problems["review page"] = serious_violations(axe_violations, page)

    assert list(Filing.objects.get(pk=filing.pk).transitions.values_list("action", flat=True)) == [
        Transition.Action.SUBMIT,
        Transition.Action.DEPARTMENT_REJECT,
        Transition.Action.REOPEN,
        Transition.Action.SUBMIT,
    ]
    assert not any(problems.values()), f"accessibility violations: {problems}"
