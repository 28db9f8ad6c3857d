"""审核规则 in a real browser: the bureau's finance reviewer makes 设定依据 an error, confirms
it in the one dialog, and the filer's next check of a draft says so, naming the profile.
"""

from playwright.sync_api import expect

from filings.models import CheckProfile
from tests.browser.conftest import PHONE, open_page
from tests.factories import ready_filing


def test_a_bureau_makes_a_warning_an_error_and_the_filer_sees_it(
    page, browser, base_url, login, shot, personas, orgs
):
    draft = ready_filing(orgs.elderly_centre, name="社区助餐项目")
    login(page, personas.finance_reviewer)
    page.goto("/filings/mine/")
    page.get_by_test_id("nav-check-profile").first.click()
    expect(page.get_by_role("heading", name="闵行区财政局 · 审核规则")).to_be_visible()
    row = page.locator("tr[data-code=VALUE_BASIS_MISSING]")
    expect(row).to_contain_text("财预〔2021〕101号")
    row.get_by_role("combobox").select_option(label="错误")
    shot(page, "finance-profile")

    page.get_by_test_id("profile-save").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("已提交的申报不重新判断")
    shot(page, "finance-profile-confirm")
    dialog.get_by_role("button", name="保存审核规则").click()
    expect(page.get_by_text("已保存审核规则")).to_be_visible()
    assert CheckProfile.objects.get(bureau=orgs.minhang_bureau).rules == {
        "VALUE_BASIS_MISSING": {"enabled": True, "severity": "error"}
    }

    phone, _problems = open_page(browser, base_url, PHONE)
    login(phone, personas.finance_reviewer)
    phone.goto(f"/filings/checks/{orgs.minhang_bureau.pk}/")
    shot(phone, "finance-profile-phone")
    phone.context.close()

    login(page, personas.filer)
    page.goto(f"/filings/{draft.pk}/edit/review/")
    finding = page.locator("[data-code=VALUE_BASIS_MISSING]").first
    expect(finding).to_contain_text("错误")
    expect(finding.get_by_test_id("finding-source")).to_contain_text("闵行区财政局审核规则")
    shot(page, "filer-finding-with-its-profile")
