"""The Content-Security-Policy in Chromium: every persona's pages, with the demo's data,
raise no violation and still work (autosave, the editor's paste and library suggestions,
comments, charts, progress bars, the admin site, the error pages' way back).

A listener added before any page script (``add_init_script`` runs whatever the policy
says) collects each ``securitypolicyviolation`` event into ``window.__csp``.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from exports.models import ExportJob
from filings.models import Filing
from indicators.models import LibraryEntry
from review.models import Review, Round

LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || location.pathname}:${event.lineNumber} ${event.sample || ""}`);
});
"""
DEMO_PASSWORD = "perfgoals-demo"


@pytest.fixture
def demo(base_url):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def csp_page(page):
    page.add_init_script(LISTENER)
    found = {}

    def check(name):
        """Record what the policy refused on the page so far, under ``name``."""
        # The page's own scripts have run (load), and the events the browser queued for what
        # it refused are delivered (a task later).
        page.wait_for_load_state()
        refused = page.evaluate(
            "() => new Promise((done) => setTimeout(() => done(window.__csp.splice(0)), 100))"
        )
        if refused:
            found[name] = refused

    page.csp_check = check
    page.csp_found = found
    return page


def _visit(page, path, name):
    response = page.goto(path)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
    page.csp_check(name)
    return response


def _sign_in(page, login, username):
    page.context.clear_cookies()
    login(page, User.objects.get(username=username), password=DEMO_PASSWORD)


def test_the_listener_hears_a_violation(csp_page, base_url):
    # Without this, a listener that never fires would pass every page below.
    csp_page.goto("/accounts/login/")
    csp_page.evaluate("() => document.body.setAttribute('style', 'color: red')")
    csp_page.wait_for_function("() => window.__csp.length > 0")
    assert "style-src-attr" in csp_page.evaluate("() => window.__csp[0]")


def test_every_persona_s_pages_raise_no_violation(csp_page, login, shot, demo):
    page = csp_page
    draft = Filing.objects.get(status=Filing.Status.DRAFT, organisation__name="上海市残疾人联合会")
    returned = Filing.objects.get(status=Filing.Status.RETURNED)
    under_review = Filing.objects.get(status=Filing.Status.DEPARTMENT_REVIEW)

    _visit(page, "/accounts/login/", "login")

    # --- filer: 我的申报, the wizard, the indicator editor, the preview, what changed -----------
    _sign_in(page, login, "filer_cdpf")
    _visit(page, "/filings/mine/", "mine")
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()
    _visit(page, f"/filings/{draft.pk}/edit/basic/", "wizard basic")
    page.get_by_label("项目类别", exact=True).fill("特定目标类（策略）")
    expect(page.locator("[data-wizard=status]")).to_contain_text("已自动保存")
    page.csp_check("wizard autosave")
    for step in ("funds", "goals"):
        _visit(page, f"/filings/{draft.pk}/edit/{step}/", f"wizard {step}")

    _visit(page, f"/filings/{draft.pk}/edit/indicators/", "wizard indicators")
    page.get_by_label("第 1 行 指标值").fill("≥35户")
    expect(page.locator("tr.ie-row").first.locator(".ie-preview")).to_have_text("定量 ≥ 35 户")
    page.get_by_role("button", name="从 Excel 粘贴").click()
    dialog = page.locator("dialog[data-ie=paste-dialog]")
    dialog.get_by_label("粘贴内容").fill("产出指标\t数量指标\t宣传册份数\t≥500份")
    expect(dialog.locator("caption")).to_have_text("将添加 1 条指标")
    dialog.get_by_role("button", name="添加这 1 条指标").click()
    expect(dialog).to_be_hidden()
    # A library suggestion: typing part of an entry's name offers entries; pick the first.
    filer = User.objects.get(username="filer_cdpf")
    entry = LibraryEntry.objects.visible_to(filer).order_by("-uses", "name").first()
    page.get_by_role("button", name="＋ 添加指标", exact=True).first.click()
    name_input = page.locator("tr.ie-row [data-field=name]:focus")
    name_input.press_sequentially(entry.name[:4])
    option = page.locator("ul.ie-suggest li[role=option]").first
    expect(option).to_be_visible()
    offered = option.locator("span").first.inner_text()
    option.click()
    expect(page.locator("[data-ie=status]")).to_contain_text("已自动保存", timeout=10_000)
    assert draft.indicators.filter(name="宣传册份数").exists()
    assert draft.indicators.filter(name=offered).exists()
    page.csp_check("indicator editor: type, paste, suggestion")
    shot(page, "editor")

    _visit(page, f"/filings/{draft.pk}/edit/review/", "wizard review (preview)")
    expect(page.get_by_test_id("preview")).to_be_visible()
    _visit(page, f"/indicators/filing/{draft.pk}/editor/", "editor page")
    _visit(page, f"/filings/{returned.pk}/", "returned filing")
    _visit(page, f"/filings/{returned.pk}/diff/", "diff")
    sheet = Review.objects.get(filing=returned)
    _visit(page, f"/filings/{returned.pk}/reviews/{sheet.pk}/", "审核表 page")
    _visit(page, "/filings/import-excel/", "import excel")
    _visit(page, "/filings/new/", "new filing")
    # A refusal is the app's own 403 page, under the same policy.
    assert _visit(page, "/filings/audit/", "403").status == 403
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()

    # --- department reviewer: queue, review page, a comment, the 审核表 form, changes ---------
    _sign_in(page, login, "dept_reviewer")
    _visit(page, "/filings/queue/", "queue")
    _visit(page, f"/filings/{under_review.pk}/review/", "review")
    comment_form = page.locator("#comment-form")
    comment_form.get_by_label("意见", exact=True).fill("请补充年度重点任务的完成时限。")
    comment_form.get_by_role("button", name="添加意见").click()
    expect(page.get_by_test_id("comments")).to_contain_text("请补充年度重点任务的完成时限。")
    expect(page.get_by_test_id("sheet")).to_be_visible()
    page.csp_check("review: comment")
    _visit(page, f"/filings/{under_review.pk}/diff/", "changes")

    # --- finance reviewer: the dashboard's charts, the rounds ----------------------------------
    _sign_in(page, login, "finance_reviewer")
    _visit(page, "/filings/dashboard/", "dashboard")
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 40  # drawn at its size, bars and all
    assert page.locator("svg.chart rect").count() > 0
    _visit(page, "/filings/rounds/", "rounds")
    a_round = Round.objects.filter(bureau__name="闵行区财政局").first()
    _visit(page, f"/filings/rounds/{a_round.pk}/", "round")

    # --- admin: export jobs with progress, the audit log, the admin site, the errors ----------
    admin = User.objects.get(username="admin")
    federation = draft.organisation
    ExportJob.objects.create(
        created_by=admin, organisation=federation, year=2023, kind="pdf_zip", status="done"
    )
    ExportJob.objects.create(
        created_by=admin,
        organisation=federation,
        year=2023,
        kind="flat_workbook",
        status="running",
        done=5,
        total=12,
    )
    _sign_in(page, login, "admin")
    _visit(page, "/filings/exports/", "exports")
    bars = page.locator("[data-job-progress]")
    expect(bars).to_have_count(2)
    for track, percent in ((bars.nth(0), 41), (bars.nth(1), 100)):  # newest first
        expect(track).to_have_attribute("aria-valuenow", str(percent))
        bar = track.locator(".progress-bar").bounding_box()
        ratio = bar["width"] / track.bounding_box()["width"]
        assert abs(ratio - percent / 100) < 0.02, (percent, ratio)
    shot(page, "exports")
    _visit(page, "/filings/audit/", "audit log")
    _visit(page, "/admin/", "admin index")
    _visit(page, "/admin/filings/filing/", "admin changelist")
    page.get_by_role("link", name=draft.name).first.click()
    expect(page).to_have_url(re.compile(rf"/admin/filings/filing/{draft.pk}/change/"))
    page.csp_check("admin change form")
    shot(page, "admin-change-form")

    assert _visit(page, "/no-such-page/", "404").status == 404
    shot(page, "404")
    # 返回上一页 goes back without a javascript: URL.
    page.get_by_role("link", name="返回上一页").click()
    expect(page).to_have_url(re.compile(rf"/admin/filings/filing/{draft.pk}/change/"))
    page.csp_check("404 back")

    assert not page.csp_found, "The Content-Security-Policy refused:\n" + "\n".join(
        f"{name}: {refused}" for name, refused in page.csp_found.items()
    )
