"""Issue 6's journey in a real browser: return with a row comment, fix, resubmit, diff,
approve with grades at both stages, frozen once approved, and an adjustment that goes round
again while the approved version stays official.
"""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from filings.models import Filing, FilingVersion
from review.models import AdjustmentRequest, Comment, Review, Transition
from tests.conftest import make_filing
from tests.helpers.journeys import agree, fill_sheet, open_review, press_and_wait_for_dialog

NAME = "老年人助餐服务"


@pytest.fixture
def sound_filing(orgs):
    """A project of 上海市闵行区老龄事业发展中心 the checker finds nothing in (not even a warning:
    each row says what its value rests on, 设定依据, as 财预〔2021〕101号 asks)."""
    filing = make_filing(
        orgs.elderly_centre,
        name=NAME,
        year=2025,
        department="上海市闵行区民政局",
        implementing_unit=orgs.elderly_centre.name,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
        annual_total=Decimal("2013200.00"),
        annual_appropriation=Decimal("2013200.00"),
        annual_goal="为辖区高龄老人提供助餐服务。",
    )
    filing.indicators.update(basis="计划标准")
    return filing


def _fresh(filing):
    return Filing.objects.get(pk=filing.pk)


def _approve(page, grade, criteria):
    fill_sheet(page, grade, criteria)
    press_and_wait_for_dialog(page, "审核通过")
    agree(page)


def test_return_fix_resubmit_approve_and_adjust(
    page, browser, base_url, login, shot, personas, sound_filing
):
    filing = sound_filing
    row_key = str(filing.indicators.get(name="培训人数").key)

    # --- the filer submits from the wizard's last step -------------------------------------
    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/edit/review/")
    expect(page.get_by_test_id("no-findings")).to_be_visible()
    expect(page.get_by_test_id("submit-button")).to_have_text("提交审核")
    page.get_by_label("提交说明（可不填）").fill("请审核")
    shot(page, "filer-submit-step")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("待主管部门审核")
    expect(page.get_by_text("已提交第 1 版")).to_be_visible()
    shot(page, "filer-submitted")
    assert _fresh(filing).status == Filing.Status.DEPARTMENT_REVIEW
    assert filing.versions.count() == 1

    # --- the department reviewer returns it with a comment on one row ------------------------
    page.context.clear_cookies()
    login(page, personas.department_reviewer)
    open_review(page, filing, NAME)
    shot(page, "reviewer-queue-opened")
    comment_form = page.locator("#comment-form")
    comment_form.get_by_label("针对").select_option(value=f"row:{row_key}")
    comment_form.get_by_label("意见", exact=True).fill(
        "培训人数偏低，请按年度计划调整为不少于50人。"
    )
    comment_form.get_by_role("button", name="添加意见").click()
    expect(page.get_by_text("意见已保存，填报单位可以看到。")).to_be_visible()
    expect(page.get_by_test_id("comments")).to_contain_text("培训人数偏低")
    expect(page.get_by_test_id("comments")).to_contain_text("第 1 条三级指标「培训人数」")
    sheet = page.get_by_test_id("sheet")
    sheet.get_by_label("需补充完善事项").fill("请按意见修改产出指标后重新提交。")
    sheet.get_by_label("审核等级").select_option(label="中")  # 中: a full new review
    shot(page, "reviewer-before-return")
    sheet.get_by_role("button", name="退回修改").click()
    page.get_by_role("dialog").get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("已退回填报单位修改（中）")).to_be_visible()
    shot(page, "reviewer-returned")
    filing.refresh_from_db()
    assert filing.status == Filing.Status.RETURNED
    comment = Comment.objects.get(filing=filing)
    assert (str(comment.row_key), comment.internal) == (row_key, False)
    returned = Review.objects.get(filing=filing, stage=Review.Stage.DEPARTMENT)
    assert (returned.decision, returned.to_improve) == (
        Review.Decision.RETURN,
        "请按意见修改产出指标后重新提交。",
    )

    # --- the filer sees it returned, the comment by the row, fixes and resubmits --------------
    page.context.clear_cookies()
    login(page, personas.filer)
    page.get_by_role("link", name="我的申报").first.click()
    mine = page.get_by_test_id("mine").locator("tr", has_text=NAME)
    expect(mine).to_contain_text("已退回")
    shot(page, "filer-mine-returned")
    mine.get_by_role("link", name="继续填写").click()
    page.get_by_role("link", name="绩效指标").first.click()
    expect(page.locator(f"tr.ie-row[data-key='{row_key}']")).to_have_class(
        re.compile("has-comment")
    )
    note = page.locator(f"tr.row-comment-row[data-for='{row_key}']")
    expect(note).to_contain_text("培训人数偏低")
    # The note sits right under its row (no other indicator row between them).
    assert page.evaluate(
        """(key) => {
            let tr = document.querySelector(`tr.ie-row[data-key="${key}"]`).nextElementSibling;
            while (tr && !tr.matches('tr.ie-row, tr.row-comment-row')) tr = tr.nextElementSibling;
            return tr && tr.matches(`tr.row-comment-row[data-for="${key}"]`);
        }""",
        row_key,
    )
    value = page.get_by_label("第 1 行 指标值")
    expect(value).to_have_value("≥30(人)")
    shot(page, "filer-comment-by-row")
    value.fill("≥50(人)")
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)
    page.goto(f"/filings/{filing.pk}/edit/review/")
    expect(page.get_by_test_id("submit-button")).to_have_text("重新提交审核")
    shot(page, "filer-resubmit-step")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("待主管部门审核")
    assert list(filing.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert filing.indicators.get(key=row_key).value == "≥50(人)"

    # --- the reviewer sees what changed ----------------------------------------------------
    page.context.clear_cookies()
    login(page, personas.department_reviewer)
    open_review(page, filing, NAME)
    page.get_by_test_id("diff-link").first.click()
    changed = page.get_by_test_id("indicators-diff").locator(f"tr.diff-row[data-key='{row_key}']")
    expect(changed).to_have_attribute("data-status", "changed")
    expect(changed).to_contain_text("≥30(人)")
    expect(changed).to_contain_text("≥50(人)")
    # Highlighted: the changed value is red on the old side and green on the new side.
    old_hit, new_hit = (
        changed.locator("td.diff-old.diff-hit"),
        changed.locator("td.diff-new.diff-hit"),
    )
    expect(old_hit).to_contain_text("≥30(人)")
    expect(new_hit).to_contain_text("≥50(人)")
    expect(old_hit).to_have_css("background-color", "rgb(248, 211, 215)")
    expect(new_hit).to_have_css("background-color", "rgb(209, 242, 217)")
    expect(page.get_by_test_id("indicators-diff").locator("tr.diff-row:visible")).to_have_count(1)
    shot(page, "reviewer-diff")

    # --- department approves with a grade and the four criteria, then finance -----------------
    open_review(page, filing, NAME)
    _approve(page, "优", {"完整性": "优", "相关性": "良", "适当性": "良", "可行性": "中"})
    expect(page.get_by_text("已审核通过，申报已转财政局审核。")).to_be_visible()
    shot(page, "department-approved")
    assert _fresh(filing).status == Filing.Status.FINANCE_REVIEW

    page.context.clear_cookies()
    login(page, personas.finance_reviewer)
    open_review(page, filing, NAME)
    shot(page, "finance-review")
    _approve(page, "优", {"完整性": "优", "相关性": "优", "适当性": "良", "可行性": "良"})
    expect(page.get_by_text("已审核通过，申报已由 闵行区财政局 批复")).to_be_visible()
    filing.refresh_from_db()
    assert filing.status == Filing.Status.APPROVED
    second = FilingVersion.objects.get(filing=filing, number=2)
    assert filing.approved_version == second
    decided = {
        r.stage: r
        for r in Review.objects.filter(filing=filing, version=second, decided_at__isnull=False)
    }
    dept, fin = decided[Review.Stage.DEPARTMENT], decided[Review.Stage.FINANCE]
    assert (dept.decision, dept.grade, dept.completeness, dept.relevance) == (
        Review.Decision.APPROVE,
        "优",
        "优",
        "良",
    )
    assert (dept.appropriateness, dept.feasibility) == ("良", "中")
    assert (fin.decision, fin.grade) == (Review.Decision.APPROVE, "优")

    # --- approved means frozen for the filer -------------------------------------------------
    page.context.clear_cookies()
    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("已批复")
    expect(page.get_by_role("link", name="编辑", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("approved-version")).to_have_count(1)
    expect(page.get_by_test_id("timeline")).to_contain_text("审核等级")
    # What to fix is on the timeline once, under its label (not repeated as the plain comment).
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_text("请按意见修改产出指标后重新提交。")).to_have_count(1)
    expect(timeline).to_contain_text("需补充完善事项：请按意见修改产出指标后重新提交。")
    shot(page, "filer-approved")
    response = page.goto(f"/filings/{filing.pk}/edit/indicators/")
    assert response.status == 403
    expect(page.locator("body")).to_contain_text("已批复")
    shot(page, "filer-wizard-403")

    # --- an adjustment is applied for, granted, goes round again; version 2 stays official ---
    # Each adjustment step asks for confirmation (static/js/confirm.js); the user agrees.
    page.goto(f"/filings/{filing.pk}/")
    expect(page.get_by_test_id("adjust-button")).to_have_count(0)
    page.get_by_label("调整理由").fill("年中预算调整，项目资金调减，满意度目标相应调整。")
    page.get_by_label("依据的预算调整（文号或名称，如有）").fill("闵财预〔2025〕15号")
    shot(page, "filer-adjustment-application")
    page.get_by_test_id("adjustment-apply").click()
    agree(page)
    expect(page.get_by_test_id("adjustment-status")).to_have_text("待审批")
    shot(page, "filer-adjustment-pending")

    page.context.clear_cookies()
    login(page, personas.finance_reviewer)
    page.goto(f"/filings/{filing.pk}/")
    expect(page.get_by_test_id("adjustment-request")).to_contain_text("闵财预〔2025〕15号")
    page.get_by_label("审批意见").fill("同意随预算调整修改绩效目标，调整后重新审核。")
    shot(page, "approver-adjustment-application")
    page.get_by_test_id("adjustment-grant").click()
    agree(page)
    expect(page.get_by_test_id("adjustment-status")).to_have_text("已同意")
    shot(page, "approver-adjustment-granted")

    page.context.clear_cookies()
    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/")
    page.get_by_test_id("adjust-button").click()
    page.get_by_role("dialog").get_by_role("button", name="发起调整").click()
    expect(page.get_by_text("原批复版本仍然有效")).to_be_visible()
    page.get_by_role("link", name="绩效指标").first.click()
    page.get_by_label("第 2 行 指标值").fill("≥95(%)")
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)
    page.goto(f"/filings/{filing.pk}/edit/review/")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("待主管部门审核")
    official = page.get_by_test_id("official-version")
    expect(official).to_contain_text("第 2 版")
    expect(official).to_contain_text("仍为正式批复版本")
    shot(page, "filer-adjustment-submitted")

    filing.refresh_from_db()
    assert filing.status == Filing.Status.DEPARTMENT_REVIEW
    assert filing.approved_version == second
    assert filing.versions.count() == 3
    assert list(Transition.objects.filter(filing=filing).values_list("action", flat=True)) == [
        "submit",
        "department_return",
        "submit",
        "department_approve",
        "finance_approve",
        "adjust",
        "submit",
    ]
    assert AdjustmentRequest.objects.get(filing=filing).status == "opened"

    page.context.clear_cookies()
    login(page, personas.department_reviewer)
    open_review(page, filing, NAME)
    expect(page.get_by_test_id("version")).to_contain_text("第 3 版")
    expect(page.get_by_test_id("adjustment-label").first).to_be_visible()
    shot(page, "reviewer-adjustment-in-queue")
    _approve(page, "优", {"完整性": "优", "相关性": "优", "适当性": "良", "可行性": "优"})
    expect(page.get_by_text("已审核通过，申报已转财政局审核。")).to_be_visible()

    page.context.clear_cookies()
    login(page, personas.finance_reviewer)
    open_review(page, filing, NAME)
    _approve(page, "优", {"完整性": "优", "相关性": "优", "适当性": "良", "可行性": "优"})
    expect(
        page.get_by_text("已审核通过，申报已由 闵行区财政局 批复，第 3 版为正式版本")
    ).to_be_visible()
    filing.refresh_from_db()
    assert filing.status == Filing.Status.APPROVED
    assert filing.approved_version.number == 3
    page.goto(f"/filings/{filing.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("已批复")
    expect(page.get_by_test_id("adjustment-label")).to_have_count(0)
    shot(page, "adjustment-approved")
