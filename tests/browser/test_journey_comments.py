"""Review beside the form (issue 18 item 2, issue 15 item 7) in a real browser.

A reviewer comments by clicking an indicator row of the official form, and returns the
filing; the filer sees the open comment counted on the step bar and badged on its row in
the indicator editor, replies there and marks it 已处理, and resubmits; in the next round
the reviewer reads the reply beside the row, on the review page and beside the diff.
"""

import re

from playwright.sync_api import expect

from filings.models import Filing
from review.models import Comment, Reply
from tests.browser.conftest import open_page
from tests.factories import complete_filing, submitted

REMARK = "培训人数偏低，请按年度计划调整为不少于50人。"
ANSWER = "已按年度计划调整为不少于50人，见指标值。"
PHONE = {"width": 390, "height": 844}


def _top(locator):
    return locator.evaluate("(el) => el.getBoundingClientRect().top + window.scrollY")


def _review_page(page, filing):
    page.goto(f"/filings/{filing.pk}/review/")
    expect(page.get_by_test_id("sheet")).to_be_visible()


def _serious(violations):
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_comment_by_clicking_a_row_reply_and_see_it_in_the_next_round(
    page, browser, base_url, login, shot, axe_violations, personas, orgs
):
    filing = submitted(complete_filing(orgs.elderly_centre, name="助餐服务项目"), personas.filer)
    indicator = filing.indicators.order_by("order").first()
    key = str(indicator.key)
    anchor = f"row:{key}"

    # --- the reviewer clicks the row of the form: the box opens there, the row chosen ------
    login(page, personas.department_reviewer)
    _review_page(page, filing)
    row = page.locator(f".official-form tr[data-anchor='{anchor}']")
    row.click()
    box = page.locator("#comment-form")
    expect(box.get_by_label("针对")).to_have_value(anchor)
    expect(box.get_by_label("意见", exact=True)).to_be_focused()
    # Level with its row, in the column beside the form.
    assert abs(_top(box) - _top(row)) < 30
    box.get_by_label("意见", exact=True).fill(REMARK)
    shot(page, "reviewer-box-at-the-row")
    box.get_by_role("button", name="添加意见").click()
    expect(page.get_by_text("意见已保存，填报单位可以看到。")).to_be_visible()
    comment = Comment.objects.get(filing=filing)
    assert (str(comment.row_key), comment.internal) == (key, False)

    # The comment stands level with its row; hovering it lights the row up.
    thread = page.locator(f"#comment-{comment.pk}")
    expect(thread).to_contain_text(REMARK)
    assert abs(_top(thread) - _top(row)) < 30
    thread.hover()
    expect(row).to_have_class(re.compile(r"\banchor-lit\b"))
    shot(page, "reviewer-comment-beside-its-row")
    assert _serious(axe_violations(page)) == []

    # Without a mouse: Tab onto a part of the form (a money row), Enter opens the box there.
    money = page.locator(".official-form tr[data-anchor='part:funds']").first
    money.focus()
    page.keyboard.press("Enter")
    expect(box.get_by_label("针对")).to_have_value("part:funds")
    expect(box.get_by_label("意见", exact=True)).to_be_focused()

    # On a phone the comment stands under its row.
    phone, problems = open_page(browser, base_url, PHONE)
    login(phone, personas.department_reviewer)
    _review_page(phone, filing)
    under = phone.locator(f"tr.comment-under[data-for='{anchor}']")
    expect(under).to_contain_text(REMARK)
    assert phone.evaluate(
        "(key) => document.querySelector(`tr[data-anchor='${key}']`).nextElementSibling"
        ".matches('tr.comment-under')",
        anchor,
    )
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "reviewer-comment-under-its-row-phone")
    phone.context.close()
    assert not problems

    # --- and returns the filing ---------------------------------------------------------
    sheet = page.get_by_test_id("sheet")
    sheet.get_by_label("需补充完善事项").fill("请按意见修改产出指标后重新提交。")
    sheet.get_by_label("审核等级").select_option(label="中")
    sheet.get_by_role("button", name="退回修改").click()
    page.get_by_role("dialog").get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("已退回填报单位修改（中）")).to_be_visible()
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.RETURNED

    # --- the filer: the count on the step bar, the badge on the row -----------------------
    page.context.clear_cookies()
    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/edit/basic/")
    step = page.locator(".wizard-step[data-step='indicators']")
    expect(step.get_by_test_id("step-open-comments")).to_have_text("1 条意见未处理")
    expect(page.get_by_test_id("step-open-comments")).to_have_count(1)
    shot(page, "filer-step-bar-count")
    step.get_by_role("link").click()
    editor_row = page.locator(f"tr.ie-row[data-key='{key}']")
    badge = editor_row.locator(".row-comment-badge")
    expect(badge).to_contain_text("意见1")
    under_row = page.locator(f"tr.row-comment-row[data-for='{key}']")
    expect(under_row).to_be_visible()
    expect(under_row).to_contain_text(REMARK)
    badge.click()  # folds the comment away, and back
    expect(under_row).to_be_hidden()
    badge.click()
    expect(under_row).to_be_visible()
    shot(page, "filer-editor-row-badge")
    editor_phone, phone_problems = open_page(browser, base_url, PHONE)
    login(editor_phone, personas.filer)
    editor_phone.goto(f"/filings/{filing.pk}/edit/indicators/")
    expect(editor_phone.locator(f"tr.ie-row[data-key='{key}'] .row-comment-badge")).to_be_visible()
    shot(editor_phone, "filer-editor-row-badge-phone")
    editor_phone.context.close()
    assert not phone_problems

    # --- amends the row, replies from under it at once and marks it 已处理 -------------------
    # (the amendment is saved before the reply leaves the page)
    page.get_by_label("第 1 行 指标值").fill("≥50(人)")
    under_row.get_by_label("回复（说明如何处理）").fill(ANSWER)
    under_row.get_by_label("同时标为已处理").check()
    under_row.get_by_role("button", name="回复").click()
    expect(page.get_by_text("已回复，并将这条审核意见标为已处理。")).to_be_visible()
    expect(page.locator(f"tr.ie-row[data-key='{key}'] .row-comment-badge")).to_have_count(0)
    expect(page.get_by_test_id("step-open-comments")).to_have_count(0)
    assert filing.indicators.get(key=key).value == "≥50(人)"
    reply = Reply.objects.get(comment=comment)
    assert (reply.body, reply.author, reply.resolves) == (ANSWER, personas.filer, True)
    shot(page, "filer-replied")
    # The filing page's timeline shows the comment with its reply.
    page.goto(f"/filings/{filing.pk}/")
    expect(page.get_by_test_id("timeline")).to_contain_text(ANSWER)
    shot(page, "filer-timeline-with-reply")

    page.goto(f"/filings/{filing.pk}/edit/review/")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("待主管部门审核")

    # --- next round: the reviewer reads the reply beside the row, and beside the diff -------
    page.context.clear_cookies()
    login(page, personas.department_reviewer)
    _review_page(page, filing)
    thread = page.locator(f"#comment-{comment.pk}")
    expect(thread).to_contain_text(ANSWER)
    expect(thread.get_by_test_id("resolved")).to_have_text("已处理")
    assert abs(_top(thread) - _top(row)) < 30
    shot(page, "reviewer-next-round")
    assert _serious(axe_violations(page)) == []
    page.get_by_test_id("diff-link").first.click()
    beside = page.get_by_test_id("indicators-diff").locator(f"tr.diff-row[data-key='{key}']")
    expect(beside).to_be_visible()
    expect(beside.get_by_test_id("earlier-comment")).to_contain_text(REMARK)
    expect(beside.get_by_test_id("earlier-comment")).to_contain_text(ANSWER)
    expect(beside.get_by_test_id("earlier-comment")).to_contain_text("已处理")
    shot(page, "reviewer-diff-with-reply")


def test_on_a_phone_the_box_opened_at_a_row_has_the_cursor(page, login, shot, personas, orgs):
    # The box moved under its row grows the form, which places the comments again; moving
    # the box a second time took the focus out of it, so typing went nowhere (and a
    # keyboard user's Enter on a row left them on the page's body).
    filing = submitted(complete_filing(orgs.elderly_centre, name="助餐服务项目"), personas.filer)
    anchor = f"row:{filing.indicators.order_by('order').first().key}"
    page.set_viewport_size(PHONE)
    login(page, personas.department_reviewer)
    _review_page(page, filing)
    box = page.locator("#comment-form")
    page.locator(f".official-form tr[data-anchor='{anchor}']").click()
    expect(box.get_by_label("针对")).to_have_value(anchor)
    expect(page.locator(f"tr.comment-under[data-for='{anchor}'] #comment-form")).to_be_visible()
    expect(box.get_by_label("意见", exact=True)).to_be_focused()
    page.keyboard.type(REMARK)
    expect(box.get_by_label("意见", exact=True)).to_have_value(REMARK)
    shot(page, "phone-box-at-the-row-typed")

    money = page.locator(".official-form tr[data-anchor='part:funds']").first
    money.focus()
    page.keyboard.press("Enter")
    expect(box.get_by_label("针对")).to_have_value("part:funds")
    expect(box.get_by_label("意见", exact=True)).to_be_focused()
