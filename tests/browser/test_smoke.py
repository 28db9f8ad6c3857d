"""First journey in a real browser: sign in, list, open a filing, sign out, a missing page.

Plus an accessibility smoke check with axe-core on the pages every filer meets.
"""

import json
import re

from playwright.sync_api import expect

from attachments.models import Attachment
from tests.conftest import ROOT
from tests.factories import complete_filing, submitted
from tests.helpers.project_library import library_of


def test_filer_signs_in_opens_a_filing_and_signs_out(page, login, shot, personas, filings):
    # Anyone arriving at the site without a session lands on the Chinese login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    shot(page, "login")

    login(page, personas.filer)
    expect(page.get_by_test_id("current-user")).to_contain_text("上海市闵行区老龄事业发展中心")
    # The real settings, not relaxed for tests: Chromium keeps Secure cookies on http://localhost.
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session["secure"] and session["httpOnly"]
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="申报列表").click()
    expect(page.get_by_role("heading", name="绩效目标申报", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="老龄中心项目")).to_be_visible()
    # Another department's filing is not even listed.
    expect(page.get_by_text("残联项目")).to_have_count(0)
    shot(page, "list")

    page.get_by_role("link", name="老龄中心项目").click()
    expect(page.locator("h1.form-title")).to_have_text("财政项目支出绩效目标申报表")
    expect(page.locator(".form-subtitle")).to_have_text("(2024年度)")
    shot(page, "filing")

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    shot(page, "signed-out")
    # The session is really gone: the list sends us back to the login form.
    page.goto("/filings/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()


def test_unknown_address_shows_the_chinese_404_page(page, login, shot, personas):
    login(page, personas.filer)
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    shot(page, "not-found")
    # The way back leads to a working home page, still signed in.
    with page.expect_navigation() as home:
        page.get_by_role("link", name="返回首页").click()
    assert home.value.status == 200, f"返回首页 led to HTTP {home.value.status}"
    expect(page.get_by_test_id("current-user")).to_contain_text(personas.filer.username)


def test_no_critical_accessibility_violations(page, login, shot, axe_violations, personas, filings):
    found = {}

    def check(name):
        violations = axe_violations(page)
        found[name] = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "where": [node["target"] for node in v["nodes"]],
                "why": v["nodes"][0]["failureSummary"],
            }
            for v in violations
        ]
        shot(page, name)

    page.goto("/accounts/login/")
    check("login")
    login(page, personas.filer)
    check("list")
    page.goto(f"/filings/{filings['centre'].pk}/")
    expect(page.locator("h1.form-title")).to_be_visible()
    check("filing")

    # Kept for reading: what axe finds below "critical" is reported, not failed on.
    report = ROOT / "test-artifacts" / "axe.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(found, ensure_ascii=False, indent=2), encoding="utf-8")
    critical = {
        name: [v for v in violations if v["impact"] == "critical"]
        for name, violations in found.items()
    }
    assert not any(critical.values()), f"critical accessibility violations: {critical}"


def test_tables_and_their_scroll_boxes_are_named(page, login, axe_violations, personas, orgs):
    # The scroll boxes of the 附件, 版本 and 从项目库选择项目 tables took their section's
    # heading as their name: a screen reader heard two landmarks of one name (axe:
    # landmark-unique); and the column of each row's links or buttons had an empty
    # header (axe: empty-table-header).
    filing = submitted(complete_filing(orgs.elderly_centre, name="助餐服务项目"), personas.filer)
    Attachment.objects.create(
        filing=filing,
        kind=Attachment.Kind.BASIS,
        name="立项依据.pdf",
        file_type=Attachment.FileType.PDF,
        size=10,
        sha256="0" * 64,
        stored_name="ab/basis",
    )
    library_of(
        orgs.minhang_bureau,
        2027,
        {"code": "310112202700000000001", "name": "长者食堂", "organisation": orgs.elderly_centre},
    )
    login(page, personas.filer)
    for path in (f"/filings/{filing.pk}/", "/filings/new/"):
        page.goto(path)
        expect(page.locator("[role=region]").first).to_be_visible()
        rules = ("landmark-unique", "empty-table-header")
        unnamed = [v for v in axe_violations(page) if v["id"] in rules]
        assert not unnamed, (path, [n["html"] for v in unnamed for n in v["nodes"]])
