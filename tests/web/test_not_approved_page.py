"""A filing ended 不予通过 as its page shows it: a visible status, the reason where the filer
reads that it is final, and the bureau's way to reopen it (the filing is in nobody's queue).

Found by the browser journey of a 差 (tests/browser/test_journey_grade_cha.py).
"""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from filings.models import Filing
from tests.factories import REJECT_SHEET, do, fresh, ready_filing

REASON = REJECT_SHEET["to_improve"]


@pytest.fixture
def rejected(personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="不予通过的项目")
    do("submit", filing, personas.filer)
    do("reject", filing, personas.department_reviewer)
    filing = fresh(filing)
    assert filing.status == Filing.Status.NOT_APPROVED
    return filing


def _page(client, user, filing):
    client.force_login(user)
    response = client.get(reverse("filings:detail", args=[filing.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_every_status_badge_has_a_colour():
    # A badge without a background is white text on white: 不予通过 was invisible.
    css = Path(finders.find("css/perfgoals.css")).read_text(encoding="utf-8")
    coloured = set(re.findall(r"\.badge\.status-(\w+)\s*\{[^}]*background", css))
    assert set(Filing.Status.values) <= coloured, set(Filing.Status.values) - coloured


def test_the_filer_reads_the_reason_beside_the_word_final(client, personas, rejected):
    page = _page(client, personas.filer, rejected)
    panel = page[page.index('data-testid="not-approved"') :]
    panel = panel[: panel.index("</div>")]
    assert "不能再提交" in panel
    assert "理由（主管部门审核不予通过，" in panel
    assert REASON in panel
    assert 'data-testid="reopen"' not in page


def test_the_bureau_reopens_from_the_filing_page(client, personas, rejected):
    assert 'data-testid="reopen"' not in _page(client, personas.department_reviewer, rejected)
    page = _page(client, personas.finance_reviewer, rejected)
    assert 'data-testid="reopen"' in page
    assert f'action="{reverse("review:reopen", args=[rejected.pk])}"' in page


def test_reopening_lands_on_the_filing_page_with_what_happened(client, personas, rejected):
    client.force_login(personas.finance_reviewer)
    url = reverse("review:reopen", args=[rejected.pk])
    refused = client.post(url, {"reason": " "}, follow=True)
    assert refused.redirect_chain[-1][0] == reverse("filings:detail", args=[rejected.pk])
    assert "请填写「理由」" in refused.content.decode()
    done = client.post(url, {"reason": "单位补充了职责依据。"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("filings:detail", args=[rejected.pk])
    page = done.content.decode()
    assert "已重新开放：申报退回填报单位修改" in page
    assert 'data-testid="status">已退回<' in page
    assert fresh(rejected).status == Filing.Status.RETURNED


def test_the_review_page_says_why_it_ended_and_the_bureau_reopens_there_too(
    client, personas, rejected
):
    url = reverse("review:review", args=[rejected.pk])
    client.force_login(personas.department_reviewer)
    page = client.get(url).content.decode()
    assert REASON in page[page.index('data-testid="not-approved-reason"') :]
    assert 'data-testid="reopen"' not in page
    client.force_login(personas.finance_reviewer)
    page = client.get(url).content.decode()
    assert REASON in page[page.index('data-testid="not-approved-reason"') :]
    assert 'data-testid="reopen"' in page
