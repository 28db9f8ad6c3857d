"""Every page an insider meets, on a phone: nothing wider than the screen, axe clean.

The pages are those of the URL × persona matrix (tests/helpers/url_matrix.py) that answer
an insider's GET with an HTML page; each persona signs in once and visits all of them in
one context at 390×844 (an iPhone 12/13/14). A page that scrolls sideways hides its right
edge from a phone's user; a serious or critical axe-core violation shuts someone out.

The matrix knows only a draft: further states (submitted, returned with comments, a second
round, every wizard step of both kinds of form) and the admin site's lists are built here
and checked the same way. Plus the menu that folds behind 菜单, and the review page printed.
Findings go to test-artifacts/screenshots/small-screens/ (a JSON per persona, and a
screenshot of each page too wide).
"""

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from filings.models import Filing
from review.models import Comment
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, open_page
from tests.factories import do, filing_in, make_filing
from tests.helpers.journeys import OVERFLOW
from tests.helpers.url_matrix import INSIDERS, ROUTES, build_world

# Pages the matrix's world lets each persona reach: the walk below must not quietly shrink.
EXPECTED = {
    "filer_a": {"filings:mine", "filings:wizard", "indicators:editor_page", "filings:detail"},
    "department_reviewer": {"review:queue", "review:review", "review:notifications"},
    "finance_reviewer": {"review:dashboard", "review:rounds", "review:review", "projects:library"},
    "admin": {"review:dashboard", "audit:log", "lockouts", "filings:list"},
}
BLOCKING = ("serious", "critical")


def _html_pages(page, world):
    """(name, url) of each GET route of the matrix that answers this user with an HTML page."""
    for name, route in sorted(ROUTES.items()):
        if "GET" not in route.methods:
            continue
        url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None) + route.query
        response = page.context.request.get(url, max_redirects=0)
        if response.status == 200 and "text/html" in response.headers.get("content-type", ""):
            yield name, url


@pytest.mark.parametrize("persona", INSIDERS)
def test_every_insider_page_fits_a_phone_and_passes_axe(
    browser, base_url, orgs, login, axe_violations, persona
):
    world = build_world(orgs)
    for stale in SCREENSHOTS.joinpath("small-screens").glob(f"{persona}-*.png"):
        stale.unlink()  # a screenshot left by an earlier run would tell a false story
    page, problems = open_page(browser, base_url, PHONE)
    login(page, world.users[persona])
    visited, wide, inaccessible = [], {}, {}
    for name, url in _html_pages(page, world):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        visited.append(name)
        size = page.evaluate(OVERFLOW)
        if size["scroll"] > size["width"]:
            wide[name] = size
            page.screenshot(path=_artifact(f"{persona}-{name}.png"), full_page=True)
        bad = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        if bad:
            inaccessible[name] = [
                (v["id"], [n["target"] for n in v["nodes"]][:3], v["nodes"][0]["failureSummary"])
                for v in bad
            ]
    page.context.close()

    _artifact(f"{persona}.json").write_text(
        json.dumps(
            {"visited": visited, "wide": wide, "axe": inaccessible}, ensure_ascii=False, indent=2
        ),
        encoding="utf-8",
    )
    missing = EXPECTED[persona] - set(visited)
    assert not missing, f"pages not reached: {missing}"
    assert not wide, f"pages wider than a 390 px screen: {wide}"
    assert not inaccessible, f"serious accessibility violations: {inaccessible}"
    assert not problems, "The browser met errors:\n" + "\n".join(problems)


def _later_states(orgs, personas):
    """Filings past the draft the matrix knows: submitted, in a second round, a unit's."""
    waiting = filing_in("department_review", orgs.elderly_centre, personas, name="已提交项目")
    second = filing_in("returned", orgs.elderly_centre, personas, name="第二轮项目")
    _comment(second, personas, "请补充测算依据。", resolved_at=timezone.now())
    _comment(second, personas, "指标值请写明单位。", row_key=second.indicators.first().key)
    do("submit", second, personas.filer)
    # Returned with a comment on a row: the filer's 已按意见修改 sits on the comment's yellow.
    returned = filing_in("returned", orgs.elderly_centre, personas, name="退回项目")
    _comment(returned, personas, "指标值请写明单位。", row_key=returned.indicators.first().key)
    unit = make_filing(orgs.elderly_centre, name="单位整体", form=Filing.Form.UNIT, year=2025)
    project = make_filing(orgs.elderly_centre, name="项目草稿", year=2025)
    # Every step of both kinds of wizard (the matrix opens 基本信息 of a project only).
    steps = [(unit, slug) for slug in ("duties", "tasks", "budget", "indicators", "review")]
    steps += [(project, slug) for slug in ("funds", "goals", "indicators", "review")]
    steps += [(returned, "indicators")]
    return {
        personas.filer: [
            reverse("filings:detail", args=[waiting.pk]),  # 撤回修改
            reverse("filings:detail", args=[second.pk]),
            *(reverse("filings:wizard", args=[filing.pk, slug]) for filing, slug in steps),
            reverse("indicators:editor_page", args=[unit.pk]),
            reverse("review:notifications"),
        ],
        personas.department_reviewer: [
            reverse("review:review", args=[second.pk]),  # 添加意见, 就此行提意见, 已处理
            reverse("review:review", args=[waiting.pk]),
            reverse("review:notifications"),
            reverse("review:queue"),
        ],
        personas.finance_reviewer: [reverse("review:dashboard"), reverse("filings:list")],
        personas.admin: [reverse("admin:index")],
    }


def _comment(filing, personas, body, row_key=None, resolved_at=None):
    """A department reviewer's comment on a part, or on one indicator row."""
    Comment.objects.create(
        filing=filing,
        version=filing.versions.order_by("-number").first(),
        part="indicators" if row_key else "funds",
        row_key=row_key,
        body=body,
        author=personas.department_reviewer,
        author_name=personas.department_reviewer.display_name,
        resolved_at=resolved_at,
    )


def test_pages_of_later_states_pass_axe_and_fit_a_phone(
    browser, base_url, orgs, personas, login, axe_violations
):
    # axe at 1366 px wide, where the layout differs most from the phone's; then 390 px wide.
    found = {}
    for user, urls in _later_states(orgs, personas).items():
        page, problems = open_page(browser, base_url, DESKTOP)
        login(page, user)
        if user == personas.admin:
            page.goto(urls[0])
            lists = page.locator("#content-main a[href$='/']:not([href$='/add/'])")
            urls += sorted(set(lists.evaluate_all("(links) => links.map((a) => a.pathname)")))
        for url in urls:
            page.set_viewport_size(DESKTOP)
            response = page.goto(url)
            assert response.status == 200, f"{url} answered {user.username} {response.status}"
            page.wait_for_load_state("networkidle")
            bad = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
            if bad:
                found[f"{user.username} {url}"] = [
                    (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in bad
                ]
            # Colours do not change with the width: the same page narrowed, without axe.
            page.set_viewport_size(PHONE)
            size = page.evaluate(OVERFLOW)
            if size["scroll"] > size["width"]:
                found[f"{user.username} {url} at 390 px"] = size
        page.context.close()
        assert not problems, "The browser met errors:\n" + "\n".join(problems)
    _artifact("later-states.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    assert not found, f"too wide or inaccessible: {found}"


def test_the_menu_collapses_behind_a_button_on_a_phone(browser, base_url, personas, login):
    page, problems = open_page(browser, base_url, PHONE)
    login(page, personas.finance_reviewer)
    menu = page.get_by_role("button", name="菜单")
    expect(menu).to_have_attribute("aria-expanded", "false")
    dashboard = page.get_by_test_id("nav-dashboard")
    expect(dashboard).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(dashboard).to_be_visible()
    with page.expect_navigation():
        dashboard.click()
    expect(page.get_by_role("heading", name="统计", exact=False).first).to_be_visible()
    # Escape closes an open menu and gives the focus back to its button.
    menu.click()
    expect(dashboard).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    page.context.close()
    assert not problems, "The browser met errors:\n" + "\n".join(problems)


def test_the_review_page_prints_the_form_without_the_screens_controls(page, login, personas, orgs):
    filing = filing_in("department_review", orgs.elderly_centre, personas, name="打印项目")
    login(page, personas.department_reviewer)
    page.goto(reverse("review:review", args=[filing.pk]))
    expect(page.locator("#comment-form")).to_be_visible()
    page.emulate_media(media="print")
    # On paper: the whole form, the findings and comments; no form to type in, no buttons.
    expect(page.locator("#comment-form")).to_be_hidden()
    expect(page.get_by_role("button", name="添加意见")).to_be_hidden()
    expect(page.locator("h1.form-title")).to_be_visible()
    expect(page.get_by_test_id("findings")).to_be_visible()
    box = page.locator(".form-scroll")
    assert box.evaluate("(el) => getComputedStyle(el).overflowX") == "visible"
    side = page.locator(".review-side")
    assert side.evaluate("(el) => getComputedStyle(el).position") == "static"


def _artifact(name):
    folder = SCREENSHOTS / "small-screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
