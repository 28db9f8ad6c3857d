"""The official form on screen, band by band with the widths the PDF prints.

A project with a long name, long goals and large amounts is shown on the filing
page, the wizard's preview and the review page, a 单位整体 form with a task on its
filing page: at 1366×768 every label is on one line and a project's two goals are
equally wide; at 390×844 the page never scrolls sideways (the form scrolls in its
own box) and the labels stay on one line there too.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from filings.models import Task
from tests.browser.conftest import DESKTOP, PHONE, open_page
from tests.factories import bring_to, filer_of, make_filing, overall_filing

GOAL = (
    "1、残疾人法律援助救助工作\n依法维护残疾人权益的科学方法和有效手段，充分发挥残疾人法律援助、"
    "法律救助及法律宣传等法律服务的功能和作用，使残疾人享受服务门槛更低、服务内容更多。"
)
AMOUNT = Decimal("12345678901.23")
# Per label cell (<th>) of the form: its text and how many lines it takes.
LABEL_LINES = """() => [...document.querySelectorAll('.official-form th')].map((cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
  return [cell.textContent, tops.size];
})"""
GOAL_WIDTHS = """() => [...document.querySelectorAll('.official-form td.long')]
  .map((cell) => cell.getBoundingClientRect().width)"""
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _project(orgs, personas, status, name):
    year = 2026
    filing = make_filing(
        orgs.elderly_centre,
        name=f"残疾人权益保障经费及无障碍环境建设专项补助资金（{name}）",
        year=year,
        nature="经常性专项业务费",
        category="特定目标类",
        department="上海市闵行区民政局",
        implementing_unit=orgs.elderly_centre.name,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
        goal_start_year=year,
        goal_end_year=year + 2,
        funds_total=AMOUNT,
        funds_fiscal=AMOUNT,
        funds_other=Decimal("0"),
        annual_total=AMOUNT,
        annual_appropriation=AMOUNT,
        annual_carryover=Decimal("0"),
        annual_other=Decimal("0"),
        overall_goal=GOAL,
        annual_goal=GOAL * 3,
    )
    return bring_to(status, filing, filer_of(filing, personas), personas)


def _check(page, shot, name, goals=True):
    """The form as it is now at 1366 then 390 px wide: what a user would find wrong in it."""
    problems = []
    for viewport, size in ((DESKTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(100)
        shot(page, f"{name}-{size}")
        wrapped = [text for text, lines in page.evaluate(LABEL_LINES) if lines > 1]
        # 项目资金 (元) is printed on two lines on purpose.
        wrapped = [text for text in wrapped if "\n" not in text]
        if wrapped:
            problems.append(f"{name} at {size} px: labels wrapped {wrapped}")
        widths = page.evaluate(GOAL_WIDTHS) if goals else [0, 0]
        if len(widths) != 2 or abs(widths[0] - widths[1]) > 2:
            problems.append(f"{name} at {size} px: the goals are {widths} px wide")
        scroll, width = page.evaluate(WIDTHS)
        if scroll > width:
            problems.append(f"{name} at {size} px: the page is {scroll} px wide")
    return problems


@pytest.mark.django_db(transaction=True)
def test_the_form_on_screen_has_each_bands_widths(browser, base_url, orgs, personas, login, shot):
    draft = _project(orgs, personas, "draft", "区级部分")
    filing = _project(orgs, personas, "department_review", "市级统筹部分")
    problems = []

    page, errors = open_page(browser, base_url, DESKTOP)
    login(page, filer_of(filing, personas))
    page.goto(reverse("filings:wizard", args=[draft.pk, "review"]))
    problems += _check(page, shot, "preview")
    page.goto(reverse("filings:detail", args=[filing.pk]))
    problems += _check(page, shot, "filing")
    unit = overall_filing(orgs.elderly_centre, "unit", name=orgs.elderly_centre.name)
    Task.objects.create(filing=unit, order=1, name="优化养老服务设施供给", content=GOAL)
    page.goto(reverse("filings:detail", args=[unit.pk]))
    problems += _check(page, shot, "unit", goals=False)
    page.context.close()

    page, more = open_page(browser, base_url, DESKTOP)
    login(page, personas.department_reviewer)
    page.goto(reverse("review:review", args=[filing.pk]))
    problems += _check(page, shot, "review")
    page.context.close()

    assert not errors + more, "The browser met errors:\n" + "\n".join(errors + more)
    assert not problems, "\n".join(problems)
