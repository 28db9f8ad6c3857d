"""No lost update: every save claims the next lock_version or is refused."""

import threading

import pytest
from django.db import connection, transaction

from filings.content import save_fields
from filings.editing import StaleEdit, claim
from filings.models import Filing
from tests.conftest import make_filing
from tests.factories import filing_in


@pytest.fixture
def draft(orgs):
    return make_filing(orgs.elderly_centre, name="老龄中心项目")


def test_a_save_from_the_current_version_takes_the_next(draft):
    assert draft.lock_version == 0
    draft.annual_goal = "新的年度目标"
    assert save_fields(draft, 0, ["annual_goal"]) == 1
    draft.refresh_from_db()
    assert (draft.annual_goal, draft.lock_version) == ("新的年度目标", 1)


def test_a_save_from_a_stale_page_is_refused_and_changes_nothing(draft):
    save_fields(draft, 0, ["annual_goal"])  # somebody else saved first
    stale = Filing.objects.get(pk=draft.pk)
    stale.annual_goal = "旧页面上输入的内容"
    with pytest.raises(StaleEdit) as refused:
        save_fields(stale, 0, ["annual_goal"])
    assert "已被修改" in str(refused.value)
    assert refused.value.current_version == 1
    draft.refresh_from_db()
    assert draft.annual_goal == ""


def test_rows_saved_under_a_claim_roll_back_with_a_refused_claim(draft):
    with pytest.raises(StaleEdit), transaction.atomic():
        draft.indicators.all().delete()
        claim(draft, 7)  # a page that never existed
    assert draft.indicators.count() == 3


@pytest.mark.parametrize("status", ["department_review", "finance_review", "approved"])
def test_a_filing_under_review_or_approved_cannot_be_saved(orgs, personas, status):
    filing = filing_in(status, orgs.elderly_centre, personas)
    with pytest.raises(StaleEdit) as refused:
        claim(filing, filing.lock_version)
    assert "不能再修改" in str(refused.value)


def test_a_returned_filing_can_be_saved(orgs, personas):
    filing = filing_in("returned", orgs.elderly_centre, personas)
    seen = filing.lock_version
    assert claim(filing, seen) == seen + 1


def test_a_deleted_filing_says_so(draft):
    Filing.objects.filter(pk=draft.pk).delete()
    with pytest.raises(StaleEdit) as refused:
        claim(draft, 0)
    assert "已被删除" in str(refused.value)


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_missing_or_garbled_version_is_refused(draft, version):
    with pytest.raises(StaleEdit):
        claim(draft, version)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_from_the_same_page_one_wins(orgs):
    """Two tabs saving the same version at the same moment: exactly one save lands."""
    filing = make_filing(orgs.elderly_centre, name="并发项目")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(text):
        copy = Filing.objects.get(pk=filing.pk)
        copy.annual_goal = text
        barrier.wait()
        try:
            save_fields(copy, 0, ["annual_goal"])
            outcomes.append(("saved", text))
        except StaleEdit:
            outcomes.append(("refused", text))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result for result, _ in outcomes) == ["refused", "saved"]
    winner = next(text for result, text in outcomes if result == "saved")
    filing.refresh_from_db()
    assert (filing.annual_goal, filing.lock_version) == (winner, 1)
