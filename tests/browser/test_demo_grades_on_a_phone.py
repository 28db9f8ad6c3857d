"""The demo's three filers and three reviewers on a phone (390×844) once their filings are
graded 中 and 差: every page they meet in those states fits the screen (no sideways scroll),
axe-core finds nothing serious, and no English word is on it.

The demo's filings are real published forms (long names, many rows), which is what strains a
narrow screen; the grades are given through the workflow (tests/factories.py ``do``), as the
step itself is the subject of the journeys, not of this check.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from filings.models import Filing
from filings.wizard.steps import steps_for
from tests.browser.conftest import PHONE, SCREENSHOTS, open_page
from tests.factories import do, fresh
from tests.helpers.journeys import serious_violations, too_wide

DEMO_PASSWORD = "perfgoals-demo"
# The Latin words a page may show: file formats and the keys the indicator editor names.
# A word is a run of Latin letters between anything but Latin letters and digits (beside
# Chinese too, which \b would not part it from; a content hash's letters are among digits).
# File formats and sizes are written so in Chinese interfaces too (PNG 或 JPEG 图片，5 MB).
FORMATS = {"PDF", "Excel", "Word", "docx", "xlsx", "CSV", "PNG", "JPEG", "MB", "KB"}
ALLOWED_WORDS = FORMATS | {"Ctrl", "Alt", "Shift", "Enter", "Tab", "Esc"}
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")


def _filing(username, year, name):
    user = User.objects.get(username=username)
    return Filing.objects.get(organisation=user.organisation, year=year, name=name)


@pytest.fixture
def graded(base_url):
    """The demo, with one filing of each demo filer graded 中 or 差 by its reviewer."""
    call_command("load_demo", stdout=io.StringIO())
    users = {user.username: user for user in User.objects.all()}
    unit = _filing("filer", 2025, "上海市闵行区老龄事业发展中心")
    department = _filing("filer_mzj", 2025, "上海市闵行区民政局(汇总)")
    federation = _filing("filer_cdpf", 2024, "信息化运维项目")
    amended = _filing("filer_cdpf", 2024, "残疾人事业宣传经费")  # the demo returns it with 良
    do("return", unit, users["dept_reviewer"])  # 中: a full new review once resubmitted
    do("reject", department, users["finance_reviewer"])  # 差
    do("reject", federation, users["finance_city"])  # 差
    assert [fresh(f).status for f in (unit, department, federation, amended)] == [
        "returned",
        "not_approved",
        "not_approved",
        "returned",
    ]
    return users, unit, department, federation, amended


def _sheets(filing):
    return [reverse("review:review_sheet", args=[filing.pk, r.pk]) for r in filing.reviews.all()]


def _pages(unit, department, federation, amended):
    """The pages each demo persona meets with these filings in these states."""
    detail = {f: reverse("filings:detail", args=[f.pk]) for f in (unit, department, federation)}
    review = {f: reverse("review:review", args=[f.pk]) for f in (unit, department, federation)}
    common = [reverse("review:notifications"), reverse("filings:list")]
    wizard = [reverse("filings:wizard", args=[unit.pk, step.slug]) for step in steps_for(unit.form)]
    return {
        "filer": [reverse("filings:mine"), detail[unit], *wizard, *_sheets(unit), *common],
        "filer_mzj": [reverse("filings:mine"), detail[department], *_sheets(department), *common],
        "filer_cdpf": [
            reverse("filings:mine"),
            detail[federation],
            reverse("filings:detail", args=[amended.pk]),
            reverse("filings:wizard", args=[amended.pk, "indicators"]),
            *_sheets(federation),
            *common,
        ],
        "dept_reviewer": [
            reverse("review:queue"),
            review[unit],
            detail[unit],
            *_sheets(unit),
            *common,
        ],
        "finance_reviewer": [review[department], detail[department], *_sheets(department)],
        "finance_city": [review[federation], detail[federation], *_sheets(federation), *common],
    }


def test_the_demo_personas_pages_in_the_zhong_and_cha_states_fit_a_phone(
    browser, base_url, login, axe_violations, graded
):
    users, *filings = graded
    folder = SCREENSHOTS / "demo-grades-on-a-phone"
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for username, urls in _pages(*filings).items():
        page, problems = open_page(browser, base_url, PHONE)
        login(page, users[username], password=DEMO_PASSWORD)
        for number, url in enumerate(urls, start=1):
            response = page.goto(url)
            assert response.status == 200, f"{url} answered {username} {response.status}"
            page.wait_for_load_state("networkidle")
            page.screenshot(path=folder / f"{username}-{number:02d}.png", full_page=True)
            wide = too_wide(page)
            if wide:
                found[f"{username} {url} at 390 px"] = wide
            text = page.evaluate("() => document.body.innerText")
            english = set(WORD.findall(text)) - ALLOWED_WORDS
            if english:
                found[f"{username} {url} in English"] = sorted(english)
            bad = serious_violations(axe_violations, page)
            if bad:
                found[f"{username} {url}"] = bad
        page.context.close()
        assert not problems, "The browser met errors:\n" + "\n".join(problems)
    (folder / "found.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    assert not found, f"too wide or inaccessible: {found}"
