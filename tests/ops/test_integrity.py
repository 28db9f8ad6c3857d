"""manage.py check_integrity: a filing changed behind the app's back is reported, by name."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from filings.models import Filing, FilingVersion
from indicators.models import Indicator, Level2
from review import workflow
from review.models import Transition
from tests.conftest import make_filing
from tests.factories import GRADED


def _submitted(orgs, personas, name="老龄中心项目"):
    filing = make_filing(
        orgs.elderly_centre,
        name=name,
        department="上海市闵行区民政局",
        implementing_unit=orgs.elderly_centre.name,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        annual_total=Decimal("100000"),
        annual_appropriation=Decimal("100000"),
        annual_goal="完成年度培训任务。",
    )
    workflow.submit(filing, personas.filer, seen_version=filing.lock_version)
    return Filing.objects.get(pk=filing.pk)


def _run():
    """(exit code, stdout, stderr) of the command."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("check_integrity", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_a_clean_database_reports_nothing(orgs, personas, filings):
    _submitted(orgs, personas, name="已提交的项目")
    code, out, err = _run()
    assert code == 0
    assert "检查了 4 份申报、1 个版本：未发现问题。" in out
    assert err == ""


def test_a_tampered_row_of_a_submitted_filing_is_reported(orgs, personas):
    filing = _submitted(orgs, personas)
    Indicator.objects.filter(filing=filing, name="培训人数").update(value="≥300(人)")
    code, _out, err = _run()
    assert code == 1
    assert f"《老龄中心项目》（编号 {filing.pk}）" in err
    assert "内容却与最后一版（第1版）不一致" in err
    assert "第1行三级指标「培训人数」与版本不同" in err
    assert "1 份申报共 1 处问题" in err


def test_a_row_added_to_an_approved_filing_is_reported(orgs, personas):
    filing = _submitted(orgs, personas)
    workflow.decide(
        filing, personas.department_reviewer, seen_version=filing.lock_version,
        decision="approve", sheet=GRADED,
    )  # fmt: skip
    filing = Filing.objects.get(pk=filing.pk)
    workflow.decide(
        filing, personas.finance_reviewer, seen_version=filing.lock_version,
        decision="approve", sheet=GRADED,
    )  # fmt: skip
    assert _run()[0] == 0
    Indicator.objects.create(
        filing=filing,
        level2=Level2.objects.get(name="数量指标"),
        order=9,
        name="偷偷加的指标",
    )
    code, _out, err = _run()
    assert code == 1 and "状态为「已批复」" in err and "多出 1 行三级指标" in err


def test_a_changed_version_is_reported(orgs, personas):
    filing = _submitted(orgs, personas)
    version = FilingVersion.objects.get(filing=filing)
    version.snapshot["annual_goal"] = "改过的目标"
    version.save()
    code, _out, err = _run()
    assert code == 1
    assert "第1版的内容与其内容摘要不符" in err


def test_a_frozen_filing_without_a_version_is_reported(orgs, filings):
    Filing.objects.filter(pk=filings["civil"].pk).update(status=Filing.Status.FINANCE_REVIEW)
    code, _out, err = _run()
    assert code == 1
    assert "《民政局项目》" in err and "却没有任何提交的版本" in err


def test_a_status_its_log_does_not_explain_is_reported(orgs, personas):
    filing = _submitted(orgs, personas)
    # Half a transition: the status moved, its log row and review were never written.
    Filing.objects.filter(pk=filing.pk).update(status=Filing.Status.FINANCE_REVIEW)
    code, _out, err = _run()
    assert code == 1
    assert "最后一次状态变更（提交）却是到「待主管部门审核」" in err
    assert Transition.objects.filter(filing=filing).count() == 1


def test_an_ill_formed_indicator_tree_of_a_draft_is_reported(filings):
    Indicator.objects.filter(filing=filings["centre"]).update(order=1)
    Indicator.objects.filter(filing=filings["federation"], order=1).update(
        level2=Level2.objects.filter(level1__scope="overall").first()
    )
    code, _out, err = _run()
    assert code == 1
    assert "《老龄中心项目》" in err and "多行排在同一位置（顺序号 1）" in err
    assert "《残联项目》" in err and "只属于整体支出表" in err


@pytest.mark.parametrize("status", ["draft", "returned"])
def test_a_draft_may_differ_from_its_last_version(orgs, personas, status):
    filing = _submitted(orgs, personas)
    Filing.objects.filter(pk=filing.pk).update(status=status)
    Transition.objects.filter(filing=filing).update(to_status=status)
    Indicator.objects.filter(filing=filing).update(value="≥1(人)")
    assert _run()[0] == 0
