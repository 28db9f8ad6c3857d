"""The department's summary against its units (部门（单位）整体支出 vs 单位整体支出).

A department-overall filing sums up its budget units: its 下属预算单位个数 and
its 预算情况 should agree with the units' approved 单位整体支出 filings of the
same year. What a unit's filing says is its official version (the snapshot
``Filing.official_version`` points at), never a draft being adjusted. Two
queries, only for department filings; both bounded.
"""

from decimal import Decimal, InvalidOperation

from accounts.models import Organisation
from filings import fields as form_fields
from filings.checks.registry import DEPARTMENT, WARNING, Hit, rule
from filings.models import Filing

# A department with more budget units than this is a data error, not a department.
MAX_UNITS = 1000
_LISTED = 10
_TO_YUAN = {Filing.MoneyUnit.YUAN: Decimal(1), Filing.MoneyUnit.WAN_YUAN: Decimal(10000)}
# The amounts both overall forms print (预算情况), compared one by one.
_SHARED_MONEY = [
    field
    for field in form_fields.FORM_FIELDS
    if field.type == "money" and form_fields.UNIT in field.forms and DEPARTMENT in field.forms
]


def _units(ctx):
    """(the department's budget units, {unit id: approved snapshot's 预算情况 in 元}), cached."""
    if "summary_units" in ctx.cache:
        return ctx.cache["summary_units"]
    filing = ctx.filing
    units = list(
        Organisation.objects.filter(parent_id=filing.organisation_id, level=Organisation.Level.UNIT)
        .order_by("name", "pk")
        .values_list("pk", "name")[:MAX_UNITS]
    )
    # approved_version is what Filing.official_version returns: read in the query, not per row.
    approved = (
        Filing.objects.filter(
            organisation__parent_id=filing.organisation_id,
            year=filing.year,
            form=form_fields.UNIT,
            approved_version__isnull=False,
        )
        .order_by("organisation_id")
        .values_list(
            "organisation_id",
            "approved_version__snapshot__budget",
            "approved_version__snapshot__money_unit",
        )[:MAX_UNITS]
    )
    amounts = {org_id: _in_yuan(budget or {}, unit) for org_id, budget, unit in approved}
    ctx.cache["summary_units"] = (units, amounts)
    return ctx.cache["summary_units"]


def _in_yuan(budget, money_unit):
    factor = _TO_YUAN.get(money_unit, Decimal(1))
    amounts = {}
    for field in _SHARED_MONEY:
        try:
            amounts[field.name] = Decimal(str(budget[field.json[-1]])) * factor
        except (KeyError, TypeError, InvalidOperation):
            amounts[field.name] = None
    return amounts


def _names(names):
    more = f" 等 {len(names)} 个" if len(names) > _LISTED else ""
    return "、".join(names[:_LISTED]) + more


def _ready(ctx):
    return ctx.filing.organisation_id is not None and ctx.filing.pk is not None


@rule(
    "SUMMARY_UNIT_COUNT",
    severity=WARNING,
    basis="财预〔2015〕88号 第二十七条：部门整体绩效目标汇总所属单位的目标，单位个数须一致",
    forms=(DEPARTMENT,),
)
def unit_count(ctx):
    if not _ready(ctx):
        return
    units, amounts = _units(ctx)
    if not amounts:
        return  # no unit approved yet: nothing to compare with
    declared = ctx.filing.subordinate_units
    missing = [name for pk, name in units if pk not in amounts]
    parts = []
    if declared is not None and declared != len(amounts):
        parts.append(
            f"「下属预算单位个数」填写 {declared} 个，本年度已批复的单位整体支出申报 "
            f"{len(amounts)} 份"
        )
        if declared < len(amounts):
            parts.append(f"多出 {len(amounts) - declared} 个")
    if missing:
        parts.append(f"尚无已批复单位整体支出申报的下属单位：{_names(missing)}")
    if parts:
        yield Hit("；".join(parts) + "。", field="subordinate_units")


@rule(
    "SUMMARY_BUDGET",
    severity=WARNING,
    basis="财预〔2015〕88号 第二十七条：部门整体预算情况与所属单位已批复的单位整体预算合计一致",
    forms=(DEPARTMENT,),
)
def budget(ctx):
    if not _ready(ctx):
        return
    _, amounts = _units(ctx)
    if not amounts:
        return
    filing = ctx.filing
    for field in _SHARED_MONEY:
        own = getattr(filing, field.name)
        parts = [unit[field.name] for unit in amounts.values() if unit[field.name] is not None]
        if own is None or not parts:
            continue
        units_sum = sum(parts, Decimal(0))
        if not ctx.equal(ctx.yuan(own), units_sum):
            difference = abs(ctx.yuan(own) - units_sum)
            yield Hit(
                f"「{ctx.label(field.name)}」{ctx.money(own)} 与 {len(parts)} 个下属单位已批复的"
                f"单位整体支出申报合计 {units_sum:,.2f} 元不一致，相差 {difference:,.2f} 元。",
                field=field.name,
            )
