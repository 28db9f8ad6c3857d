"""Steps the browser tests of review share: who is signed in, the queue, the 审核表, and
what a page is checked for (axe-core, sideways scroll on a phone).

Each step waits for what the page shows next (a dialog, a message), never for time.
"""

from playwright.sync_api import expect


def sign_in_as(page, login, user):
    """Sign out whoever was signed in, then sign ``user`` in through the login form."""
    page.context.clear_cookies()
    login(page, user)


def open_review(page, filing, name):
    """待我审核 in the menu, then the filing's row in the queue: its review page."""
    page.goto("/")
    page.get_by_role("link", name="待我审核").first.click()
    row = page.get_by_test_id("queue").locator(f"tr[data-filing='{filing.pk}']")
    expect(row).to_contain_text(name)
    row.get_by_role("link", name=name).click()
    expect(page.get_by_test_id("sheet")).to_be_visible()


def fill_sheet(page, grade, criteria=None, to_improve=None):
    """Grade the 审核表 and, where given, the four criteria and 需补充完善事项."""
    sheet = page.get_by_test_id("sheet")
    sheet.get_by_label("审核等级").select_option(label=grade)
    for label, value in (criteria or {}).items():
        sheet.get_by_label(label, exact=True).select_option(label=value)
    if to_improve is not None:
        sheet.get_by_label("需补充完善事项").fill(to_improve)
    return sheet


def press_and_wait_for_dialog(page, button):
    """Press a 审核表 button; confirm.js asks first. The dialog, not yet answered."""
    page.get_by_test_id("sheet").get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def agree(page):
    """Confirm in the dialog confirm.js opens: its button other than 取消."""
    page.get_by_role("dialog").get_by_role("button").filter(has_not_text="取消").click()


def serious_violations(axe_violations, page):
    """axe-core's serious and critical findings on the page as it is now: (rule, help, where)."""
    return [
        (v["id"], v["help"], [node["target"] for node in v["nodes"]][:3])
        for v in axe_violations(page)
        if v["impact"] in ("serious", "critical")
    ]


# How far the page reaches to the right, and the elements that reach that far.
OVERFLOW = """() => {
  const scroll = document.documentElement.scrollWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right + window.scrollX >= scroll - 1)
    .slice(-3)
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll, width: window.innerWidth, wide};
}"""


def too_wide(page):
    """None when the page fits its window; else how far it reaches, and what reaches."""
    size = page.evaluate(OVERFLOW)
    return size if size["scroll"] > size["width"] else None
