"""Item 6 of issue 16: a department's summary filing against its units' approved filings."""

from decimal import Decimal

import pytest

from accounts.models import Organisation
from filings.checks import run_checks
from filings.models import Filing
from tests.factories import bring_to, fresh, overall_filing

D = Decimal
SUMMARY = ("SUMMARY_BUDGET", "SUMMARY_UNIT_COUNT")


@pytest.fixture
def approved_unit(orgs, personas):
    """The elderly centre's 单位整体 filing, approved by its department (100 元: 60 + 40)."""
    filing = overall_filing(orgs.elderly_centre, Filing.Form.UNIT, name=orgs.elderly_centre.name)
    bring_to("approved", filing, personas.filer, personas)
    return fresh(filing)


def _department(orgs, **amounts):
    filing = overall_filing(orgs.civil_affairs, Filing.Form.DEPARTMENT, name="民政局（汇总）")
    Filing.objects.filter(pk=filing.pk).update(**amounts)
    return fresh(filing)


def _summary(filing):
    return [f for f in run_checks(filing) if f.code in SUMMARY]


def test_a_summary_that_adds_up_to_its_units_has_no_finding(orgs, approved_unit):
    assert _summary(_department(orgs, subordinate_units=1)) == []


def test_budget_lines_that_differ_from_the_units_are_named_with_both_sums(orgs, approved_unit):
    filing = _department(orgs, subordinate_units=1, budget_total=D("150"), budget_fiscal=D("150"))
    found = _summary(filing)
    assert [(f.code, f.field, f.severity) for f in found] == [
        ("SUMMARY_BUDGET", "budget_total", "warning"),
        ("SUMMARY_BUDGET", "budget_fiscal", "warning"),
    ]
    assert found[0].message == (
        "「部门整体预算总额」150.00 元 与 1 个下属单位已批复的单位整体支出申报合计 "
        "100.00 元不一致，相差 50.00 元。"
    )


def test_amounts_in_wan_yuan_are_compared_in_yuan(orgs, approved_unit):
    amounts = {f: D(v) for f, v in (("budget_total", "0.01"), ("budget_fiscal", "0.01"))}
    amounts |= {"budget_basic": D("0.006"), "budget_project": D("0.004")}
    assert _summary(_department(orgs, subordinate_units=1, money_unit="万元", **amounts)) == []


def test_the_unit_count_and_the_units_without_an_approved_filing_are_named(orgs, approved_unit):
    Organisation.objects.create(name="民政局信息中心", level="unit", parent=orgs.civil_affairs)
    (finding,) = _summary(_department(orgs, subordinate_units=3))
    assert finding.code == "SUMMARY_UNIT_COUNT" and finding.field == "subordinate_units"
    assert finding.message == (
        "「下属预算单位个数」填写 3 个，本年度已批复的单位整体支出申报 1 份；"
        "尚无已批复单位整体支出申报的下属单位：民政局信息中心。"
    )


def test_a_unit_filing_not_yet_approved_is_not_counted(orgs, personas):
    filing = overall_filing(orgs.elderly_centre, Filing.Form.UNIT, name=orgs.elderly_centre.name)
    bring_to("department_review", filing, personas.filer, personas)
    # Nothing approved yet: nothing to compare with, whatever the summary says.
    assert _summary(_department(orgs, subordinate_units=5, budget_total=D("999"))) == []


def test_another_years_approved_filing_is_not_counted(orgs, approved_unit):
    Filing.objects.filter(pk=approved_unit.pk).update(year=approved_unit.year - 1)
    assert _summary(_department(orgs, subordinate_units=5, budget_total=D("999"))) == []


def test_the_comparison_costs_two_queries_whatever_the_units(
    orgs, approved_unit, django_assert_num_queries
):
    filing = _department(orgs, subordinate_units=1)
    # rows, tasks, taxonomy (投入管理 block), profile, then the units and their approved versions
    with django_assert_num_queries(6):
        run_checks(filing)
    for number in range(5):
        Organisation.objects.create(name=f"单位{number}", level="unit", parent=orgs.civil_affairs)
    with django_assert_num_queries(6):
        run_checks(filing)
