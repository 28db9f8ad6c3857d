"""Batch review in 待我审核: several filings returned or approved in one step."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from filings.models import Filing
from indicators.models import Indicator
from review.models import Review, Transition
from tests.factories import do, fresh, ready_filing


@pytest.fixture
def three(orgs, personas):
    """Three submitted filings of the elderly centre, waiting for the department."""
    filings = [ready_filing(orgs.elderly_centre, name=f"批量项目{n}") for n in (1, 2, 3)]
    for filing in filings:
        do("submit", filing, personas.filer)
    return [fresh(filing) for filing in filings]


def _post(client, user, filings, seen=None, **data):
    client.force_login(user)
    seen = seen or {}
    payload = {"filing": [str(f.pk) for f in filings], **data}
    for filing in filings:
        payload[f"lock_{filing.pk}"] = str(seen.get(filing.pk, filing.lock_version))
    return client.post(reverse("review:batch_decide"), payload, follow=True)


def test_queue_offers_a_batch_form_with_confirmation(client, personas, three):
    client.force_login(personas.department_reviewer)
    page = client.get(reverse("review:queue")).content.decode()
    assert 'data-testid="batch-form"' in page and "data-confirm=" in page
    for filing in three:
        assert f'name="lock_{filing.pk}" value="{filing.lock_version}"' in page


def test_batch_return_leaves_out_the_one_that_changed_and_names_it(client, personas, three):
    listed = {filing.pk: filing.lock_version for filing in three}
    # After the list was loaded, the filer withdraws the third and submits it again.
    do("withdraw", three[2], personas.filer)
    do("submit", three[2], personas.filer)
    response = _post(
        client,
        personas.department_reviewer,
        three,
        seen=listed,
        decision="return",
        grade="中",
        opinion="请补充满意度指标的取值依据。",
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("review:queue")
    assert "已退回修改 2 份" in page
    assert "以下 1 份未处理" in page and "《批量项目3》" in page and "已有变动" in page
    assert [fresh(f).status for f in three] == ["returned", "returned", "department_review"]
    # One transition per filing through the workflow, each with its audit row.
    returns = Transition.objects.filter(action="department_return")
    assert sorted(returns.values_list("filing_id", flat=True)) == sorted([three[0].pk, three[1].pk])
    assert {t.comment for t in returns} == {"请补充满意度指标的取值依据。"}
    assert AuditEvent.objects.filter(action="transition", filing_id=three[0].pk).count() == 2
    reviews = Review.objects.filter(decision="return")
    assert {r.to_improve for r in reviews} == {"请补充满意度指标的取值依据。"}
    assert {r.grade for r in reviews} == {"中"}


def test_batch_approve_with_one_grade(client, personas, three):
    response = _post(
        client, personas.department_reviewer, three, decision="approve", grade="优", opinion="同意"
    )
    assert "已审核通过 3 份" in response.content.decode()
    assert {fresh(f).status for f in three} == {Filing.Status.FINANCE_REVIEW}
    assert set(Review.objects.values_list("grade", flat=True)) == {"优"}


def test_a_filing_with_checker_errors_is_left_out(client, personas, three):
    # An error the checker finds now (say, a rule that came after the submission).
    Indicator.objects.filter(filing=three[0], level2__level1__name="满意度指标").delete()
    response = _post(
        client, personas.department_reviewer, three, decision="approve", grade="优", opinion=""
    )
    page = response.content.decode()
    assert "《批量项目1》检查发现" in page and "请逐份审核" in page
    assert fresh(three[0]).status == "department_review"
    assert fresh(three[1]).status == "finance_review"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "approve", "grade": "", "opinion": "好"}, "审核等级"),
        ({"decision": "return", "grade": "中", "opinion": "  "}, "审核意见"),
        # The grade decides, in a batch too: a 良 is returned for amendments, not approved.
        (
            {"decision": "approve", "grade": "良", "opinion": "好"},
            "审核等级为「良」时应「退回修改」",
        ),
        ({"decision": "", "opinion": "x"}, "请选择批量操作"),
    ],
)
def test_a_wrong_batch_changes_nothing_and_keeps_the_text(client, personas, three, data, message):
    response = _post(client, personas.department_reviewer, three, **data)
    page = response.content.decode()
    assert message in page
    assert {fresh(f).status for f in three} == {"department_review"}
    if data.get("opinion", "").strip():
        assert f">{data['opinion']}</textarea>" in page


def test_filings_outside_the_reviewers_queue_are_left_out(client, personas, three):
    # The finance reviewer's queue holds none of them yet.
    response = _post(
        client, personas.finance_reviewer, three, decision="return", grade="中", opinion="请修改"
    )
    page = response.content.decode()
    assert "以下 3 份未处理" in page and "已不在您的待审列表中" in page
    assert {fresh(f).status for f in three} == {"department_review"}


def test_filer_gets_403_and_get_is_405(client, personas, three):
    client.force_login(personas.filer)
    assert client.post(reverse("review:batch_decide"), {}).status_code == 403
    client.force_login(personas.department_reviewer)
    assert client.get(reverse("review:batch_decide")).status_code == 405
