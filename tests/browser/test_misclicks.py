"""No misclicks that cannot be taken back (issue 18): 撤销 in the indicator editor, the one
confirmation dialog before each decision, suggestions above the table, the warning before
the wrong password that locks the account, and the busy state of slow buttons.
"""

import pytest
from playwright.sync_api import expect

from filings.models import Filing
from indicators.models import Level2, LibraryEntry
from review import adjustments
from tests.conftest import PASSWORD, make_filing
from tests.factories import filing_in, fresh


@pytest.fixture
def draft(orgs):
    return make_filing(orgs.elderly_centre, name="老龄中心项目", year=2025)


def _editor(page, filing):
    page.goto(f"/filings/{filing.pk}/edit/indicators/")
    expect(page.locator("tr.ie-row")).to_have_count(filing.indicators.count())


def _autosaved(page):
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)


def _names(filing):
    return list(fresh(filing).indicators.order_by("order").values_list("name", flat=True))


def test_a_deleted_row_comes_back_with_undo_and_is_saved_again(page, login, shot, personas, draft):
    login(page, personas.filer)
    _editor(page, draft)
    before = _names(draft)
    page.get_by_role("button", name="删除第 2 行").click()
    expect(page.locator("tr.ie-row")).to_have_count(2)
    bar = page.get_by_test_id("undo-bar")
    expect(bar).to_contain_text("已删除第 2 行「服务覆盖率」")
    _autosaved(page)
    assert _names(draft) == ["培训人数", "服务对象满意度"]
    shot(page, "deleted")

    # Keyboard: Tab reaches 撤销 like any button; Enter takes the deletion back.
    bar.get_by_role("button", name="撤销").focus()
    page.keyboard.press("Enter")
    expect(page.locator("tr.ie-row")).to_have_count(3)
    expect(page.get_by_label("第 2 行 三级指标")).to_have_value("服务覆盖率")
    expect(page.get_by_label("第 2 行 三级指标")).to_be_focused()
    expect(bar).to_contain_text("已撤销删除第 2 行「服务覆盖率」")
    _autosaved(page)
    assert _names(draft) == before
    shot(page, "undone")


def test_a_move_and_a_paste_are_undone_last_first(page, login, personas, draft):
    login(page, personas.filer)
    _editor(page, draft)
    page.get_by_label("第 1 行 三级指标").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.get_by_label("第 2 行 三级指标")).to_have_value("培训人数")
    page.get_by_role("button", name="从 Excel 粘贴").click()
    page.get_by_label("粘贴内容").fill("产出指标\t数量指标\t培训场次\t≥4(场)")
    page.get_by_role("button", name="添加这 1 条指标").click()
    expect(page.locator("tr.ie-row")).to_have_count(4)
    bar = page.get_by_test_id("undo-bar")
    expect(bar).to_contain_text("已粘贴 1 条指标")

    bar.get_by_role("button", name="撤销").click()
    expect(page.locator("tr.ie-row")).to_have_count(3)
    expect(bar).to_contain_text("已将第 1 行「培训人数」移到第 2 行")
    bar.get_by_role("button", name="撤销").click()
    expect(page.get_by_label("第 1 行 三级指标")).to_have_value("培训人数")
    _autosaved(page)
    assert _names(draft) == ["培训人数", "服务覆盖率", "服务对象满意度"]


def _dialog(page):
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_each_decision_asks_first_and_says_what_happens_to_whom(
    page, login, shot, axe_violations, personas, orgs
):
    filing = filing_in("department_review", orgs.elderly_centre, personas, name="助餐服务")
    login(page, personas.department_reviewer)
    page.goto(f"/filings/{filing.pk}/review/")
    sheet = page.get_by_test_id("sheet")
    sheet.get_by_label("审核等级").select_option(label="优")
    shot(page, "review-page")

    # 审核通过: Esc cancels, nothing is sent, the focus is back on the button.
    sheet.get_by_role("button", name="审核通过").click()
    dialog = _dialog(page)
    expect(dialog).to_contain_text("审核通过（审核等级：优）：《助餐服务》将转财政局审核")
    expect(dialog).to_contain_text("上海市闵行区老龄事业发展中心 的填报人会收到通知")
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="审核通过")).to_be_focused()
    page.keyboard.press("Tab")  # the focus stays in the dialog
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    shot(page, "confirm-approve")
    serious = [v["id"] for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(sheet.get_by_role("button", name="审核通过")).to_be_focused()
    assert fresh(filing).status == Filing.Status.DEPARTMENT_REVIEW

    # 退回修改 (the grade decides: 中 for a full new review): says to whom it goes back;
    # 确定 sends the same decision.
    sheet.get_by_label("审核等级").select_option(label="中")
    sheet.get_by_label("需补充完善事项").fill("请补充产出指标。")
    sheet.get_by_role("button", name="退回修改").click()
    dialog = _dialog(page)
    expect(dialog).to_contain_text("将退回 上海市闵行区老龄事业发展中心 的填报人修改")
    dialog.get_by_role("button", name="取消").click()
    assert fresh(filing).status == Filing.Status.DEPARTMENT_REVIEW
    sheet.get_by_role("button", name="退回修改").click()
    _dialog(page).get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("已退回填报单位修改（中）")).to_be_visible()
    assert fresh(filing).status == Filing.Status.RETURNED


def test_approval_at_the_bureau_and_the_adjustment_ask_first(page, login, shot, personas, orgs):
    filing = filing_in("finance_review", orgs.elderly_centre, personas, name="助餐服务")
    login(page, personas.finance_reviewer)
    page.goto(f"/filings/{filing.pk}/review/")
    sheet = page.get_by_test_id("sheet")
    sheet.get_by_label("审核等级").select_option(label="优")  # the grade decides: 优 approves
    for label in ("完整性", "相关性", "适当性", "可行性"):
        sheet.get_by_label(label, exact=True).select_option(label="良")
    sheet.get_by_role("button", name="审核通过").click()
    dialog = _dialog(page)
    expect(dialog).to_contain_text("审核等级：优")
    expect(dialog).to_contain_text("将由 闵行区财政局 批复，提交的版本成为正式版本并冻结")
    dialog.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("已审核通过，申报已由 闵行区财政局 批复")).to_be_visible()

    # An adjustment starts only from a granted application (issue 15): applied and granted.
    adjustments.apply(fresh(filing), personas.filer, reason="随预算调整修改绩效目标")
    adjustments.decide(fresh(filing), personas.finance_reviewer, grant=True, answer="同意调整")
    page.context.clear_cookies()
    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/")
    page.get_by_test_id("adjust-button").click()
    dialog = _dialog(page)
    expect(dialog).to_contain_text("对已批复的《助餐服务》")
    expect(dialog).to_contain_text("批复的第 1 版在调整稿审核通过前仍然有效")
    shot(page, "confirm-adjust")
    page.keyboard.press("Escape")
    assert fresh(filing).status == Filing.Status.APPROVED
    page.get_by_test_id("adjust-button").click()
    _dialog(page).get_by_role("button", name="发起调整").click()
    expect(page.get_by_text("原批复版本仍然有效")).to_be_visible()
    assert fresh(filing).status == Filing.Status.DRAFT


def test_deleting_a_draft_asks_first(page, login, personas, draft):
    login(page, personas.filer)
    page.goto("/filings/mine/")
    row = page.get_by_test_id("mine").locator("tr", has_text="老龄中心项目")
    row.get_by_role("button", name="删除").click()
    dialog = _dialog(page)
    expect(dialog).to_contain_text("删除 2025 年度的草稿《老龄中心项目》")
    expect(dialog).to_contain_text("任何人都不能恢复")
    dialog.get_by_role("button", name="取消").click()
    assert Filing.objects.filter(pk=draft.pk).exists()
    row.get_by_role("button", name="删除").click()
    _dialog(page).get_by_role("button", name="删除草稿").click()
    expect(page.get_by_role("button", name="删除")).to_have_count(0)
    assert not Filing.objects.filter(pk=draft.pk).exists()


def test_suggestions_float_whole_above_a_table_of_two_rows(page, login, shot, personas, draft):
    draft.indicators.filter(name="服务覆盖率").delete()
    level2 = Level2.objects.get(name="服务对象满意度指标")
    for number in range(1, 9):
        LibraryEntry.objects.create(
            level2=level2,
            name=f"服务对象满意度（第{number}类）",
            unit="%",
            uses=number,
            scope=LibraryEntry.Scope.COMMON,
        )
    login(page, personas.filer)
    _editor(page, draft)
    name = page.get_by_label("第 2 行 三级指标")
    name.fill("")
    name.press_sequentially("服务对象")
    listbox = page.get_by_role("listbox", name="指标库建议")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(8)
    expect(options.first).to_contain_text("二级：服务对象满意度指标")
    expect(options.first).to_contain_text("单位：%")
    expect(options.first).to_contain_text("使用 8 次")
    shot(page, "suggestions")
    # The list is whole on screen and is what the pointer reaches there, top to bottom: not
    # clipped by the table's scroll box (which showed one and a half suggestions) nor under
    # anything. Nothing was scrolled to get there.
    hit = "([x, y]) => document.elementFromPoint(x, y)?.closest('[role=listbox]')?.id || ''"
    box = listbox.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    list_id = listbox.get_attribute("id")
    for y in (box["y"] + 4, box["y"] + box["height"] / 2, box["y"] + box["height"] - 4):
        assert page.evaluate(hit, [box["x"] + box["width"] / 2, y]) == list_id, y
    shown = [options.nth(i).bounding_box() for i in range(8)]
    whole = [b for b in shown if b["y"] + b["height"] <= box["y"] + box["height"] + 1]
    assert len(whole) >= 5, shown
    assert page.evaluate("() => document.querySelector('.table-responsive').scrollTop") == 0

    # The keyboard picks one.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(name).to_have_value("服务对象满意度（第8类）")
    expect(listbox).to_be_hidden()


def test_the_wrong_password_before_the_last_warns(page, shot, personas, settings):
    page.goto("/accounts/login/")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        page.get_by_label("用户名").fill(personas.filer.username)
        page.get_by_label("密码").fill("wrong-password")
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("再输错一次密码，这个账号将被锁定 15 分钟")
    shot(page, "login-last-try")


def _held(page, pattern):
    """Hold the requests to ``pattern`` until released: the page stays in its busy state."""
    held = []
    page.route(pattern, lambda route: held.append(route))
    return held


# While a form's navigation is on its way Playwright cannot read the page, so the page writes
# down what its button showed into sessionStorage, which the next page of the tab still has.
RECORD_BUSY = """(selector) => {
  const button = document.querySelector(selector);
  new MutationObserver(() => {
    if (!button.disabled) return;
    sessionStorage.setItem("busy", JSON.stringify([
      button.textContent.trim(), !!button.querySelector(".spinner-border"),
      button.getAttribute("aria-busy")]));
  }).observe(button, {attributes: true, childList: true, subtree: true});
}"""


def test_slow_buttons_say_what_they_are_doing(page, shot, personas, draft):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(personas.filer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.evaluate(RECORD_BUSY, "form button[type=submit]")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/accounts/login/" not in page.url
    assert page.evaluate("() => JSON.parse(sessionStorage.getItem('busy'))") == [
        "正在登录…",
        True,
        "true",
    ]

    # A download: the link is busy until the file has come.
    page.goto(f"/filings/{draft.pk}/")
    held = _held(page, "**/pdf/**")
    link = page.get_by_test_id("download-pdf")
    link.click()
    expect(link).to_have_text("正在生成PDF…")
    expect(link).to_have_attribute("aria-disabled", "true")
    shot(page, "download-busy")
    assert len(held) == 1
    with page.expect_download() as download:
        held[0].continue_()
    assert download.value.suggested_filename.endswith(".pdf")
    expect(link).to_have_text("下载PDF")
    expect(link).not_to_have_attribute("aria-disabled", "true")
