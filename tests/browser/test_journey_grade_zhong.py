"""Issue 15 in a real browser: a unit's project graded 中 by its department, returned, amended
and resubmitted, reviewed again in full from the department stage, approved there (not final for
a 一级 project) and approved by the bureau with 优: 已批复, its version official and printed so.
"""

import pytest
from playwright.sync_api import expect

from filings.models import Filing
from review.models import Review, Transition
from tests.factories import do, ready_filing
from tests.helpers.journeys import (
    agree,
    fill_sheet,
    open_review,
    press_and_wait_for_dialog,
    serious_violations,
    sign_in_as,
)
from tests.helpers.pdf import norm, page_texts

NAME = "社区老年人助餐服务"
CENTRE = "上海市闵行区老龄事业发展中心"
CRITERIA = {"完整性": "优", "相关性": "优", "适当性": "良", "可行性": "良"}
TO_IMPROVE = "培训人数偏低，请按年度计划调整为不少于50人，并写明测算依据。"


@pytest.fixture
def submitted_project(orgs, personas):
    """The unit's 一级 project, submitted by its filer: the step itself is not this journey's."""
    filing = ready_filing(orgs.elderly_centre, name=NAME)
    do("submit", filing, personas.filer)
    return filing


def test_a_project_graded_zhong_reviewed_again_and_approved_by_the_bureau(
    page, login, shot, axe_violations, personas, submitted_project, tmp_path
):
    filing = submitted_project
    problems = {}

    # --- the department grades it 中 and returns it; the dialog says what will happen -------
    sign_in_as(page, login, personas.department_reviewer)
    open_review(page, filing, NAME)
    expect(page.get_by_test_id("approver")).to_have_text("由 闵行区财政局 批复")
    sheet = fill_sheet(page, "中", to_improve=TO_IMPROVE)
    # The grade decides: with 中 the page offers 退回修改 only, not an approval it would refuse.
    expect(sheet.get_by_role("button", name="审核通过")).to_be_disabled()
    expect(sheet.get_by_role("button", name="不予通过")).to_be_disabled()
    expect(sheet.get_by_role("button", name="退回修改")).to_be_enabled()
    sheet.get_by_label("产出指标", exact=True).fill("培训人数目标偏低。")
    shot(page, "department-grades-zhong")
    problems["review page"] = serious_violations(axe_violations, page)
    dialog = press_and_wait_for_dialog(page, "退回修改")
    expect(dialog).to_contain_text("退回修改（审核等级：中）")
    expect(dialog).to_contain_text(f"《{NAME}》将退回 {CENTRE} 的填报人修改")
    expect(dialog).to_contain_text("等级为中时，重新提交后重新审核")
    shot(page, "department-asked-before-returning")
    agree(page)
    expect(page.get_by_text("已退回填报单位修改（中）：重新提交后将重新审核。")).to_be_visible()
    assert page.url.endswith("/filings/queue/")
    shot(page, "department-back-on-the-queue")
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.RETURNED

    # --- the filer sees the opinions, amends one row and resubmits ---------------------------
    sign_in_as(page, login, personas.filer)
    page.get_by_role("link", name="我的申报").first.click()
    mine = page.get_by_test_id("mine").locator("tr", has_text=NAME)
    expect(mine).to_contain_text("已退回")
    mine.get_by_role("link", name="查看").click()
    expect(page.get_by_test_id("status")).to_have_text("已退回")
    # At the top of the page, not only on the timeline below the form: why, and what follows.
    returned = page.get_by_test_id("returned")
    expect(returned).to_contain_text("已退回修改（审核等级：中）")
    expect(returned).to_contain_text("重新提交后将重新审核")
    expect(returned).to_contain_text(TO_IMPROVE)
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("审核等级：中")
    expect(timeline).to_contain_text(f"需补充完善事项：{TO_IMPROVE}")
    shot(page, "filer-sees-the-opinions")
    problems["returned filing page"] = serious_violations(axe_violations, page)
    page.goto(f"/filings/{filing.pk}/edit/indicators/")
    page.get_by_label("第 1 行 指标值").fill("≥50(人)")
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存")
    page.goto(f"/filings/{filing.pk}/edit/review/")
    expect(page.get_by_test_id("submit-button")).to_have_text("重新提交审核")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("待主管部门审核")
    expect(page.get_by_text("已提交第 2 版")).to_be_visible()
    assert f"/filings/{filing.pk}/" in page.url
    shot(page, "filer-resubmitted")

    # --- a full new review from the department stage: no 确认修改 shortcut ------------------
    sign_in_as(page, login, personas.department_reviewer)
    open_review(page, filing, NAME)
    expect(page.get_by_test_id("version")).to_contain_text("第 2 版")
    expect(page.get_by_test_id("confirming")).to_have_count(0)
    sheet = page.get_by_test_id("sheet")
    # The second review starts from the first one's opinions, not from what it asked to amend.
    expect(sheet.get_by_label("产出指标", exact=True)).to_have_value("培训人数目标偏低。")
    expect(sheet.get_by_label("需补充完善事项")).to_have_value("")
    expect(sheet.get_by_label("审核等级")).to_have_value("")
    sheet.get_by_label("产出指标", exact=True).fill("已按意见调整为不少于50人。")
    fill_sheet(page, "优", CRITERIA)
    shot(page, "department-reviews-again")
    dialog = press_and_wait_for_dialog(page, "审核通过")
    expect(dialog).to_contain_text(f"《{NAME}》将转财政局审核，由财政局批复")
    shot(page, "department-asked-before-approving")
    agree(page)
    expect(page.get_by_text("已审核通过，申报已转财政局审核。")).to_be_visible()
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.FINANCE_REVIEW

    # --- the bureau approves with 优: 已批复, version 2 official -----------------------------
    sign_in_as(page, login, personas.finance_reviewer)
    open_review(page, filing, NAME)
    fill_sheet(page, "优", CRITERIA)
    dialog = press_and_wait_for_dialog(page, "审核通过")
    expect(dialog).to_contain_text(f"《{NAME}》将由 闵行区财政局 批复")
    shot(page, "bureau-asked-before-approving")
    agree(page)
    expect(
        page.get_by_text("已审核通过，申报已由 闵行区财政局 批复，第 2 版为正式版本。")
    ).to_be_visible()
    shot(page, "bureau-approved")

    filing = Filing.objects.get(pk=filing.pk)
    assert filing.status == Filing.Status.APPROVED
    assert filing.approved_version.number == 2
    assert list(filing.transitions.values_list("action", flat=True)) == [
        Transition.Action.SUBMIT,
        Transition.Action.DEPARTMENT_RETURN,
        Transition.Action.SUBMIT,
        Transition.Action.DEPARTMENT_APPROVE,
        Transition.Action.FINANCE_APPROVE,
    ]
    decided = Review.objects.filter(filing=filing).order_by("decided_at")
    assert [(r.stage, r.version.number, r.decision, r.grade) for r in decided] == [
        ("department", 1, Review.Decision.RETURN, "中"),
        ("department", 2, Review.Decision.APPROVE, "优"),
        ("finance", 2, Review.Decision.APPROVE, "优"),
    ]

    # --- the filer sees it approved; its PDF prints the approved version ---------------------
    sign_in_as(page, login, personas.filer)
    page.goto(f"/filings/{filing.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("已批复")
    expect(page.locator("tr[data-version='2']").get_by_test_id("approved-version")).to_be_visible()
    shot(page, "filer-approved")
    problems["approved filing page"] = serious_violations(axe_violations, page)
    with page.expect_download() as info:
        page.get_by_test_id("download-pdf").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert info.value.suggested_filename == f"2024年度_{NAME}_绩效目标申报表.pdf"
    text = norm("".join(page_texts(path.read_bytes())))
    assert norm(f"已批复 第2版 内容摘要 {filing.approved_version.short_hash}") in text
    assert "≥50" in text

    assert not any(problems.values()), f"accessibility violations: {problems}"
