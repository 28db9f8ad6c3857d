"""A returned filing's page says, at its top, why it is back with its filer and what follows
its resubmission: the grade (良: the same stage confirms; 中: a full new review) and what to
amend, or the bureau's reason for reopening a 不予通过. Before, it was only on the timeline,
below the whole form (thousands of pixels down a phone, for the demo's forms).

Found by the browser journey of a 中 (tests/browser/test_journey_grade_zhong.py).
"""

import pytest
from django.urls import reverse

from review import workflow
from tests.factories import AMEND_SHEET, RETURN_SHEET, do, fresh, ready_filing


@pytest.fixture
def submitted(orgs, personas):
    filing = ready_filing(orgs.elderly_centre, name="退回的项目")
    do("submit", filing, personas.filer)
    return filing


def _panel(client, user, filing):
    client.force_login(user)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    if 'data-testid="returned"' not in page:
        return ""
    panel = page[page.index('data-testid="returned"') :]
    return panel[: panel.index("</div>")]


def test_a_zhong_says_it_will_be_reviewed_again_and_what_to_amend(client, personas, submitted):
    assert _panel(client, personas.filer, submitted) == ""  # in review: nothing to amend
    do("return", submitted, personas.department_reviewer)
    panel = _panel(client, personas.filer, submitted)
    assert "已退回修改（审核等级：中）" in panel
    assert "重新提交后将重新审核" in panel
    assert f"需补充完善事项：{RETURN_SHEET['to_improve']}" in panel


def test_a_liang_says_the_same_stage_confirms(client, personas, submitted):
    do("amend", submitted, personas.department_reviewer)
    panel = _panel(client, personas.filer, submitted)
    assert "已退回修改（审核等级：良）" in panel
    assert "由主管部门审核确认修改" in panel
    assert AMEND_SHEET["to_improve"] in panel
    # The department reviewer reads the same on the filing's page.
    assert "由主管部门审核确认修改" in _panel(client, personas.department_reviewer, submitted)


def test_a_reopening_gives_the_bureaus_reason(client, personas, submitted):
    do("reject", submitted, personas.department_reviewer)
    workflow.reopen(fresh(submitted), personas.finance_reviewer, reason="单位补充了职责依据。")
    panel = _panel(client, personas.filer, submitted)
    assert "重新开放" in panel
    assert "理由：单位补充了职责依据。" in panel
