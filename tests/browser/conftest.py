"""Real-browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

The machine cannot download Playwright's own browser, so Chromium is the Debian package at
/usr/bin/chromium (scripts/setup.sh installs it; never run `playwright install`). Every test in
this folder is marked ``browser``; when Chromium is missing they fail with a clear message,
because a skipped journey proves nothing. ``PERFGOALS_SKIP_BROWSER=1`` skips them on purpose.

Fixtures: ``browser`` (one Chromium per session), ``page`` (a fresh 1366x768 zh-CN context per
test, already pointing at the live server), ``login(page, user)``, ``shot(page, name)`` and
``axe_violations(page)``. Screenshots go to test-artifacts/screenshots/<test>/<nn>-<name>.png.
``open_page(browser, base_url, viewport)`` opens a further context (one per persona, a phone's
viewport) with the same checks as ``page``, for tests that sign in several people.
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.conftest import PASSWORD, ROOT

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM calls
# from that thread (SynchronousOnlyOperation) although nothing here is really async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium phones home, and this machine's closed
# network refuses it; --no-sandbox because CI runs as root. Playwright adds --headless itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
HERE = Path(__file__).resolve().parent
# Transitions and animations off while axe-core measures the page (see axe_violations).
STILL = "*, *::before, *::after { transition: none !important; animation: none !important; }"
# Long enough for a slow CI machine, short enough that a wrong selector fails quickly.
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    # Mark by folder, so that a new browser test cannot forget the marker (`-m "not browser"`).
    skip = os.environ.get("PERFGOALS_SKIP_BROWSER") == "1"
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(pytest.mark.skip(reason="PERFGOALS_SKIP_BROWSER=1"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test so `page` can screenshot a failure.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing ({CHROMIUM}): run scripts/setup.sh, which installs the Debian "
            "package `chromium`, or set PERFGOALS_SKIP_BROWSER=1 to skip the browser tests.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def _browser_db(transactional_db):
    """The live server runs in another thread, so test data must be committed.

    The flush after each test also empties the taxonomy; tests/conftest.py loads it again.
    """


@pytest.fixture
def base_url(live_server, _browser_db):
    return live_server.url


def open_page(browser, base_url, viewport=DESKTOP):
    """A page in a fresh zh-CN context, and the list where it records what broke in it."""
    context = browser.new_context(
        base_url=base_url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # A page that throws, or a stylesheet/script that fails to load, is broken for the user
    # even when the text the test looks for is there.
    problems = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and response.request.resource_type != "document"
            and problems.append(f"{response.status} for {response.url}")
        ),
    )
    return page, problems


@pytest.fixture
def page(request, browser, base_url):
    page, problems = open_page(browser, base_url)
    context = page.context
    yield page
    # On SQLite the live server shares the test's in-memory connection: let the last requests
    # finish before the database is flushed under them.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle")
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _save_screenshot(page, _screenshot_dir(request.node), "failure")
    context.close()
    assert not problems, "The browser met errors:\n" + "\n".join(problems)


def _screenshot_dir(node):
    return SCREENSHOTS / re.sub(r"[^\w.-]+", "_", node.name)


def _save_screenshot(page, folder, name):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    try:
        page.screenshot(path=path, full_page=True)
    except PlaywrightError:
        # A crashed page must not hide the test's own failure.
        return None
    return path


@pytest.fixture
def shot(request):
    """``shot(page, name)`` keeps a full-page screenshot as a numbered test artifact."""
    folder = _screenshot_dir(request.node)
    # Start clean: screenshots left by an earlier run would tell a false story.
    shutil.rmtree(folder, ignore_errors=True)
    count = 0

    def take(page, name):
        nonlocal count
        count += 1
        return _save_screenshot(page, folder, f"{count:02d}-{name}")

    return take


@pytest.fixture
def login(base_url):
    """``login(page, user)`` signs in through the real login form, as a person would."""

    def sign_in(page, user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        # Still on the login page means the form refused us; say so rather than fail later.
        assert "/accounts/login/" not in page.url, f"login as {user.username} failed"

    return sign_in


@pytest.fixture
def axe_violations():
    """``axe_violations(page)`` runs axe-core (vendored, tests only) on the page as it is now."""

    def run(page):
        # axe reads each colour at one instant: a button still fading between its hover and
        # rest colours (Bootstrap's transitions) would be judged on a colour it only passes
        # through. Judge the page as it rests.
        # The pages' Content-Security-Policy refuses a <style> or <script> added to them
        # (add_style_tag, add_script_tag); a constructed stylesheet and Playwright's own
        # evaluation are not subject to it.
        page.evaluate(
            "(css) => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);"
            " document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }",
            STILL,
        )
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
        page.mouse.move(0, 0)  # nothing hovered: the pointer may have stopped on a button
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return result["violations"]

    return run
