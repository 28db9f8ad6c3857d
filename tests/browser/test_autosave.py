"""The wizard's autosave in a real browser: it saves, survives a new session, refuses a
stale page without losing its input, and keeps the input when the session is gone.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import make_filing


@pytest.fixture
def draft(orgs):
    # No dates: 基本信息 has errors, so 继续填写 leads there.
    return make_filing(orgs.elderly_centre, name="老龄中心项目", year=2025, variant="city")


def step_url(filing, slug="basic"):
    return f"/filings/{filing.pk}/edit/{slug}/"


def autosaved(page):
    expect(page.locator("[data-wizard=status]")).to_contain_text("已自动保存", timeout=10_000)


def new_page(browser, base_url):
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1366, "height": 768},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def test_typed_text_is_saved_and_found_again_in_a_new_session(
    page, browser, base_url, login, shot, personas, draft
):
    login(page, personas.filer)
    page.goto(step_url(draft))
    category = page.get_by_label("项目类别", exact=True)
    category.fill("特定目标类（自动保存）")
    expect(page.locator("[data-wizard=status]")).to_have_text("有未保存的修改")
    autosaved(page)
    shot(page, "autosaved")
    draft.refresh_from_db()
    assert draft.category == "特定目标类（自动保存）"

    page.reload()
    expect(page.get_by_label("项目类别", exact=True)).to_have_value("特定目标类（自动保存）")
    # Nothing unsaved is left in the browser: no offer to restore anything.
    expect(page.locator("[data-wizard=restore]")).to_be_hidden()
    page.context.close()

    # Another day, another session: 我的申报 → 继续填写 lands on the step that needs work.
    other = new_page(browser, base_url)
    try:
        login(other, personas.filer)
        expect(other.get_by_role("heading", name="我的申报")).to_be_visible()
        other.get_by_test_id("mine").locator("tr", has_text="老龄中心项目").get_by_role(
            "link", name="继续填写"
        ).click()
        expect(other.locator(".wizard-step.current")).to_contain_text("基本信息")
        expect(other.get_by_label("项目类别", exact=True)).to_have_value("特定目标类（自动保存）")
        shot(other, "resumed")
    finally:
        other.context.close()


def test_a_stale_page_keeps_its_input_and_says_so(page, login, shot, personas, draft):
    login(page, personas.filer)
    page.goto(step_url(draft))
    second = page.context.new_page()
    second.goto(step_url(draft))

    page.get_by_label("项目性质", exact=True).fill("经常性专项业务费")
    autosaved(page)
    # The second page still shows the version before that save.
    second.get_by_label("项目类别", exact=True).fill("其他运转类")
    banner = second.locator("[data-wizard=banner]")
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner).to_contain_text("已被修改")
    expect(banner).to_contain_text("您的输入仍在页面上")
    expect(second.get_by_label("项目类别", exact=True)).to_have_value("其他运转类")
    expect(second.locator("[data-wizard=status]")).to_have_text("未保存")
    shot(second, "stale")
    draft.refresh_from_db()
    assert (draft.nature, draft.category) == ("经常性专项业务费", "")

    # Reloaded, the page shows the newer version and offers back what was typed here.
    second.reload()
    expect(second.get_by_label("项目性质", exact=True)).to_have_value("经常性专项业务费")
    expect(second.locator("[data-wizard=restore]")).to_be_visible()
    second.get_by_role("button", name="恢复这些输入").click()
    expect(second.get_by_label("项目类别", exact=True)).to_have_value("其他运转类")
    autosaved(second)
    draft.refresh_from_db()
    assert (draft.nature, draft.category) == ("经常性专项业务费", "其他运转类")
    second.close()


def test_an_expired_session_keeps_the_input(browser, base_url, login, shot, personas, draft):
    # Not the `page` fixture: the refused saves (401, 403) are what this test is about.
    page = new_page(browser, base_url)
    login(page, personas.filer)
    page.goto(step_url(draft))
    # The session ends (its cookie expires) while the page stays open.
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("项目类别", exact=True).fill("在登录过期后输入")
    banner = page.locator("[data-wizard=banner]")
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner).to_contain_text("登录已过期")
    expect(page.get_by_label("项目类别", exact=True)).to_have_value("在登录过期后输入")
    shot(page, "expired")
    draft.refresh_from_db()
    assert draft.category == ""

    # Every cookie gone (the browser was cleared): still the same banner, still the text.
    other = page.context.new_page()
    other.goto(step_url(draft))  # the login page
    page.context.clear_cookies()
    page.get_by_label("项目性质", exact=True).fill("也在过期后输入")
    expect(banner).to_contain_text("登录已过期")
    expect(page.get_by_label("项目性质", exact=True)).to_have_value("也在过期后输入")
    other.close()

    # Signing in again and coming back offers the input kept in the browser.
    login(page, personas.filer)
    page.goto(step_url(draft))
    expect(page.locator("[data-wizard=restore]")).to_be_visible()
    shot(page, "restore-offer")
    page.get_by_role("button", name="恢复这些输入").click()
    autosaved(page)
    draft.refresh_from_db()
    assert (draft.category, draft.nature) == ("在登录过期后输入", "也在过期后输入")
    page.context.close()


def test_next_waits_for_an_autosave_on_its_way(page, login, shot, personas, draft):
    """下一步 pressed while an autosave is answered late must not be refused as stale."""
    login(page, personas.filer)
    page.goto(step_url(draft))
    # Answers reach the page 2 s late: the server has saved, the page does not know yet.
    page.evaluate(
        """() => {
            const original = window.fetch;
            window.fetch = (...args) => original(...args).then(
                (response) => new Promise((resolve) => setTimeout(() => resolve(response), 2000))
            );
        }"""
    )
    page.get_by_label("项目类别", exact=True).fill("特定目标类")
    expect(page.locator("[data-wizard=status]")).to_have_text("正在保存…", timeout=5_000)
    next_button = page.get_by_role("button", name="下一步：项目资金")
    next_button.click()
    # While it waits for that save, 下一步 shows it is busy: no second click, no doubt.
    busy = page.locator("button[name=nav][value=next]")
    expect(busy).to_be_disabled(timeout=1_000)
    expect(busy).to_have_attribute("aria-busy", "true")
    expect(busy).to_contain_text("正在保存…")
    expect(page.locator(".wizard-step.current")).to_contain_text("项目资金")
    expect(page.get_by_test_id("banner")).to_have_count(0)
    draft.refresh_from_db()
    assert draft.category == "特定目标类"


def test_a_saved_amount_leaves_no_false_offer_to_restore(page, login, shot, personas, draft):
    """Defect 9: the server keeps 5 as 5.00; a save that changed nothing is a save all the same."""
    login(page, personas.filer)
    page.goto(step_url(draft, "funds"))
    amount = page.locator("input[name=funds_total]")
    amount.fill("5")
    autosaved(page)
    page.get_by_role("button", name="暂存").click()
    expect(page.get_by_text("已暂存。")).to_be_visible()
    expect(amount).to_have_value("5.00")
    expect(page.locator("[data-wizard=restore]")).to_be_hidden()

    # Coming back later: still nothing to restore.
    page.goto(step_url(draft))
    page.goto(step_url(draft, "funds"))
    expect(amount).to_have_value("5.00")
    expect(page.locator("[data-wizard=restore]")).to_be_hidden()
    draft.refresh_from_db()
    assert draft.funds_total == Decimal("5")

    # Input the server has not got yet is still offered back after a reload.
    page.evaluate("() => { window.fetch = () => Promise.reject(new TypeError('offline')); }")
    amount.fill("7")
    expect(page.locator("[data-wizard=status]")).to_contain_text("网络中断", timeout=10_000)
    page.reload()
    expect(amount).to_have_value("5.00")
    restore = page.locator("[data-wizard=restore]")
    expect(restore).to_be_visible()
    expect(restore).to_contain_text("尚未保存到服务器")
    shot(page, "restore-offer")
    page.get_by_role("button", name="恢复这些输入").click()
    expect(amount).to_have_value("7")
    autosaved(page)
    draft.refresh_from_db()
    assert draft.funds_total == Decimal("7")


def test_the_editor_keeps_rows_typed_offline_and_nothing_else(page, login, shot, personas, draft):
    """The indicator editor shares the wizard's autosave and local copy (issue 22)."""
    login(page, personas.filer)
    page.goto(step_url(draft, "indicators"))
    status = page.locator("[data-ie=status]")
    name = page.locator("tr.ie-row [data-field=name]").first
    name.fill(" 培训人次 ")
    expect(status).to_contain_text("已自动保存", timeout=10_000)
    page.reload()
    expect(name).to_have_value("培训人次")
    expect(page.locator("[data-ie=restore]")).to_be_hidden()

    page.evaluate("() => { window.fetch = () => Promise.reject(new TypeError('offline')); }")
    name.fill("培训人次（离线）")
    expect(page.locator("[data-ie=banner]")).to_contain_text("网络连接中断", timeout=10_000)
    page.reload()
    expect(name).to_have_value("培训人次")
    restore = page.locator("[data-ie=restore]")
    expect(restore).to_contain_text("的指标修改尚未保存到服务器")
    shot(page, "editor-restore-offer")
    page.get_by_role("button", name="恢复未保存的修改").click()
    expect(name).to_have_value("培训人次（离线）")
    expect(status).to_contain_text("已自动保存", timeout=10_000)
    assert draft.indicators.filter(name="培训人次（离线）").exists()
    page.reload()
    expect(page.locator("[data-ie=restore]")).to_be_hidden()


def test_save_now_with_nothing_to_save_says_so(page, login, personas, draft):
    # 立即保存 on an editor with no change left the status at 已加载: the click did nothing.
    login(page, personas.filer)
    page.goto(step_url(draft, "indicators"))
    status = page.locator("[data-ie=status]")
    expect(status).to_have_text("已加载")
    page.get_by_role("button", name="立即保存").click()
    expect(status).to_have_text("已自动保存，没有未保存的修改")
