"""Content-Security-Policy without unsafe-inline (issue 9): the header on every page, and
templates and scripts that keep to it.

The policy (``CONTENT_SECURITY_POLICY`` in the settings) lets a page run only this site's
script files and stylesheets. The browser silently refuses whatever else a template holds:
a style= attribute (the layout breaks), an inline <script>, an on…= handler or a
javascript: URL (a button does nothing). The scan below fails first, naming the file and
line. tests/browser/test_csp.py walks the pages in Chromium and counts the violations.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from review import charts
from tests.conftest import ROOT
from tests.helpers.project import PACKAGES

TEMPLATES = ROOT / "templates"
# WeasyPrint's print templates: rendered to PDF on the server, never sent to a browser.
PRINT_TEMPLATES = TEMPLATES / "exports"
OWN_SCRIPTS = ROOT / "static" / "js"
BOOTSTRAP = ROOT / "static" / "vendor" / "bootstrap" / "bootstrap.bundle.min.js"

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy_of(response):
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.status_code} without a Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


# --- The header ------------------------------------------------------------------------------


def test_the_policy_is_strict_and_enforced(client):
    response = client.get(reverse("login"))
    assert policy_of(response) == POLICY
    header = response.headers["Content-Security-Policy"]
    for loophole in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*", "http:", "https:"):
        assert loophole not in header.split(), loophole
    # Enforced, not merely reported.
    assert "Content-Security-Policy-Report-Only" not in response.headers
    # The older header says the same about frames.
    assert response.headers["X-Frame-Options"] == "DENY"


def _pages(personas, filings):
    """(who, path) of a page of every kind: lists, forms, the editor, JSON, admin, errors."""
    centre = filings["centre"].pk
    return [
        (None, reverse("login")),
        (None, "/no-such-page/"),
        (personas.filer, reverse("filings:mine")),
        (personas.filer, reverse("filings:new")),
        (personas.filer, reverse("filings:detail", args=[centre])),
        (personas.filer, reverse("filings:wizard", args=[centre, "basic"])),
        (personas.filer, reverse("filings:wizard", args=[centre, "indicators"])),
        (personas.filer, reverse("filings:wizard", args=[centre, "review"])),
        (personas.filer, reverse("indicators:editor_page", args=[centre])),
        (personas.filer, reverse("indicators:library_suggest") + "?q=培训"),
        (personas.filer, reverse("importers:upload_excel_new")),
        (personas.filer, reverse("password_change")),
        (personas.filer, reverse("audit:log")),  # 403
        (personas.outsider, reverse("filings:detail", args=[centre])),  # 404
        (personas.department_reviewer, reverse("review:queue")),
        (personas.department_reviewer, reverse("review:review", args=[centre])),
        (personas.department_reviewer, reverse("review:diff", args=[centre])),
        (personas.department_reviewer, reverse("exports:exports")),
        (personas.finance_reviewer, reverse("review:dashboard")),
        (personas.finance_reviewer, reverse("review:rounds")),
        (personas.admin, reverse("audit:log")),
        (personas.admin, reverse("admin:index")),
        (personas.admin, reverse("admin:filings_filing_changelist")),
        (personas.admin, reverse("admin:filings_filing_change", args=[centre])),
    ]


def test_every_kind_of_page_carries_the_policy(personas, filings):
    statuses = {}
    for user, path in _pages(personas, filings):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code < 500, path
        assert policy_of(response) == POLICY, path
        statuses[path, user and user.username] = response.status_code
    # The errors are there too: a refused page must not lift the policy.
    assert statuses["/no-such-page/", None] == 404
    assert statuses[reverse("audit:log"), "filer"] == 403
    assert statuses[reverse("filings:detail", args=[filings["centre"].pk]), "outsider"] == 404


def test_the_csrf_failure_page_carries_the_policy(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "filer", "password": "x"})
    assert response.status_code == 403
    assert policy_of(response) == POLICY


# --- The templates served over HTTP -----------------------------------------------------------

# What the policy refuses in a template, each with what to do instead.
FORBIDDEN = [
    (
        re.compile(r"\sstyle\s*=", re.IGNORECASE),
        "a style= attribute (put the rule in static/css, or set it from a static script "
        "through element.style)",
    ),
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> element (use static/css)"),
    (
        re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\bnonce\s*=)[^>]*>", re.IGNORECASE),
        'an inline <script> (a file in static/js, or nonce="{{ request.csp_nonce }}")',
    ),
    (
        re.compile(r"\son[a-z]{3,}\s*=", re.IGNORECASE),
        "an on…= event handler (addEventListener in static/js)",
    ),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL (static/js/history-back.js)"),
]


def violations(text, name="template"):
    """``file:line: what`` for each thing in ``text`` that the policy would refuse."""
    found = []
    for pattern, what in FORBIDDEN:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{name}:{line}: {what}: {match.group(0).strip()!r}")
    return found


def served_templates():
    # Every template but the print ones; the export pages (exports/pages/) are served.
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if PRINT_TEMPLATES not in path.parents or PRINT_TEMPLATES / "pages" in path.parents
    )


@pytest.mark.parametrize(
    "snippet",
    [
        '<div class="progress-bar" style="width: 40%">',
        "<td STYLE='color:red'>",
        "<style>.x { color: red }</style>",
        "<script>alert(1)</script>",
        '<script type="module">import "x";</script>',
        '<button type="button" onclick="go()">',
        "<body onload='init()'>",
        '<a href="javascript:history.back()">',
    ],
)
def test_the_scan_finds_what_the_policy_refuses(snippet):
    assert violations(f"<p>\n{snippet}\n</p>") != []
    assert ":2: " in violations(f"<p>\n{snippet}\n</p>")[0]


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/wizard.js' %}\" defer></script>",
        '<script nonce="{{ request.csp_nonce }}">window.x = 1;</script>',
        '<div class="progress-bar" data-percent="40">',
        '<a href="/" data-history-back>返回上一页</a>',
        '<input data-on-change="x" class="form-control">',
        "<p>lifestyle=good, a stylesheet</p>",
    ],
)
def test_the_scan_lets_what_the_policy_allows(snippet):
    assert violations(snippet) == []


def test_templates_served_over_http_keep_to_the_policy():
    templates = served_templates()
    assert len(templates) > 40  # the scan sees the templates (a moved folder would hide them)
    found = []
    for path in templates:
        found += violations(path.read_text(encoding="utf-8"), path.relative_to(ROOT))
    assert not found, "Templates the Content-Security-Policy would break:\n" + "\n".join(found)


def test_print_templates_are_never_served():
    # templates/exports/ (but its pages/, the export pages people open) may use style=
    # (WeasyPrint reads it, no policy applies) only because no page includes or extends
    # them and only the PDF builder renders them.
    for path in served_templates():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""\{%\s*(include|extends)\s+["']exports/(?!pages/)""", text), path
    renderers = set()
    for folder in PACKAGES:
        for source in (ROOT / folder).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            if re.search(r"""["']exports/(?!pages/)[\w/]+\.html["']""", text):
                renderers.add(source.relative_to(ROOT).as_posix())
    assert renderers == {
        "exports/pdf.py",
        "exports/bundle.py",
        "exports/approval.py",
        "exports/disclosure.py",
    }


# --- Scripts and server-drawn markup ------------------------------------------------------------

SCRIPT_FORBIDDEN = [
    (re.compile(r"\beval\s*\("), "eval()"),
    (re.compile(r"\bnew\s+Function\s*\("), "new Function()"),
    (re.compile(r"\bset(Timeout|Interval)\s*\(\s*[\"'`]"), "setTimeout/setInterval with a string"),
    (
        re.compile(r"""setAttribute\(\s*["']style["']"""),
        "setAttribute('style', …) (set element.style.<property> instead)",
    ),
    (re.compile(r"""["']?\bstyle["']?\s*:"""), "a style attribute given to a DOM helper"),
    (re.compile(r"""\sstyle=\\?["']"""), "a style= attribute in HTML built by the script"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
]


def test_our_scripts_keep_to_the_policy():
    scripts = sorted(OWN_SCRIPTS.rglob("*.js"))
    assert scripts
    found = []
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        for pattern, what in SCRIPT_FORBIDDEN:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "Scripts the Content-Security-Policy would break:\n" + "\n".join(found)


def test_vendored_bootstrap_needs_no_eval():
    text = BOOTSTRAP.read_text(encoding="utf-8")
    assert not re.search(r"\beval\(|new Function\(", text)
    assert not re.search(r"""setAttribute\(\s*["']style["']""", text)


def test_server_drawn_charts_carry_no_style():
    # SVG presentation attributes (fill, font-family) are markup, not style: the policy allows
    # them, as it refuses style= and <style> inside an inline <svg>.
    drawn = charts.bars("各部门申报数", [("民政局", 3, "3 份"), ("残联", 12, "12 份")]) + (
        charts.stacked_bars(
            "审核状态",
            [("民政局", {"draft": 1, "approved": 2})],
            [("draft", "草稿", "#6c757d"), ("approved", "已批复", "#198754")],
        )
    )
    assert "<rect" in drawn and 'fill="#198754"' in drawn
    assert violations(drawn, "charts") == []
