"""Money (资金) rules of rules.md.

Amounts are compared in 元 after converting from the filing's unit, within
TOLERANCE. A blank cell (None) is not 0: a breakdown that is not written at
all is not compared, a part left blank in a written breakdown counts as 0
(the forms leave 其他资金 blank when there is none).
"""

from decimal import Decimal

from filings import fields as form_fields
from filings.checks.registry import ERROR, OVERALL, PROJECT, TOLERANCE, WARNING, Hit, rule

# rules.md gives "万元 above 10^7" as the example; a single project above 100亿元
# (10^6 万元) is already exceptional, while 元 figures typed into a 万元 form land
# there for any project above 100万元.
WAN_YUAN_CEILING = Decimal(10) ** 6
# A whole project or budget below 1,000 元 is a 万元 figure typed into a 元 form.
YUAN_FLOOR = Decimal(1000)
_TOTAL_FIELDS = ("funds_total", "annual_total", "budget_total")


def _money_fields(filing):
    """The amounts this filing's form prints, in printed order."""
    return [f.name for f in form_fields.FORM_FIELDS if f.type == "money" and filing.form in f.forms]


def _sum_hits(ctx, total_field, part_fields, *, total_required=False):
    """Check total = sum of parts; yields at most one Hit on the total's field."""
    filing = ctx.filing
    total = getattr(filing, total_field)
    parts = [(field, getattr(filing, field)) for field in part_fields]
    written = [amount for _, amount in parts if amount is not None]
    if all(amount == 0 for amount in written) and len(written) < len(parts):
        # Blank or zero throughout: the breakdown was not filled in, not mis-added.
        return
    parts_sum = sum((ctx.yuan(amount) for amount in written), Decimal(0))
    shown = " + ".join(
        f"「{ctx.label(field)}」{ctx.money(amount) if amount is not None else '（空）'}"
        for field, amount in parts
    )
    unit_sum = sum(written, Decimal(0))
    if total is None:
        if not total_required:
            yield Hit(
                f"「{ctx.label(total_field)}」未填写，但 {shown} = {ctx.money(unit_sum)}。",
                field=total_field,
            )
        return
    if not ctx.equal(ctx.yuan(total), parts_sum):
        difference = abs(Decimal(total) - unit_sum)
        yield Hit(
            f"「{ctx.label(total_field)}」{ctx.money(total)} 不等于 {shown} = "
            f"{ctx.money(unit_sum)}，相差 {ctx.money(difference)}。",
            field=total_field,
        )


@rule(
    "FUNDS_PROJECT_TOTAL",
    severity=ERROR,
    basis="rules.md 资金：项目资金总额 = 其中：财政资金 + 其他资金",
    forms=(PROJECT,),
)
def project_total(ctx):
    yield from _sum_hits(ctx, "funds_total", ("funds_fiscal", "funds_other"))


@rule(
    "FUNDS_ANNUAL_TOTAL",
    severity=ERROR,
    basis="rules.md 资金：年度资金申请总额 = 其中：当年财政拨款 + 上年结转资金 + 其他资金",
    forms=(PROJECT,),
)
def annual_total(ctx):
    # A blank 年度资金申请总额 is reported by STRUCTURE_REQUIRED_FIELD.
    parts = ("annual_appropriation", "annual_carryover", "annual_other")
    yield from _sum_hits(ctx, "annual_total", parts, total_required=True)


@rule(
    "FUNDS_ANNUAL_EXCEEDS_TOTAL",
    severity=ERROR,
    basis="rules.md 资金：年度资金申请总额不得超过项目资金总额",
    forms=(PROJECT,),
)
def annual_exceeds_total(ctx):
    filing = ctx.filing
    annual, total = filing.annual_total, filing.funds_total
    if annual is None or total is None:
        return
    if ctx.yuan(annual) - ctx.yuan(total) > TOLERANCE:
        yield Hit(
            f"「年度资金申请总额」{ctx.money(annual)} 大于「项目资金总额」{ctx.money(total)}，"
            f"超出 {ctx.money(Decimal(annual) - Decimal(total))}。",
            field="annual_total",
        )


@rule(
    "FUNDS_ONE_YEAR_TOTAL",
    severity=ERROR,
    basis="rules.md 资金：项目期为一年的项目，年度资金申请总额 = 项目资金总额",
    forms=(PROJECT,),
)
def one_year_total(ctx):
    filing = ctx.filing
    annual, total = filing.annual_total, filing.funds_total
    first, last = filing.goal_start_year, filing.goal_end_year
    # Only a span printed as one year says so; a multi-year project (阶段性项目)
    # or one without a printed span may request less than its total this year.
    if annual is None or total is None or not first or first != last:
        return
    if ctx.yuan(total) - ctx.yuan(annual) > TOLERANCE:
        yield Hit(
            f"「项目总目标 {filing.goal_span_label}」为一年期项目，"
            f"「年度资金申请总额」{ctx.money(annual)} 应等于「项目资金总额」{ctx.money(total)}，"
            f"相差 {ctx.money(Decimal(total) - Decimal(annual))}。",
            field="annual_total",
        )


@rule(
    "FUNDS_BUDGET_SOURCES",
    severity=ERROR,
    basis="rules.md 资金：部门整体预算总额 = 财政拨款 + 其他资金",
    forms=OVERALL,
)
def budget_sources(ctx):
    parts = ("budget_fiscal", "budget_other")
    yield from _sum_hits(ctx, "budget_total", parts, total_required=True)


@rule(
    "FUNDS_BUDGET_STRUCTURE",
    severity=ERROR,
    basis="rules.md 资金：部门整体预算总额 = 基本支出 + 项目支出",
    forms=OVERALL,
)
def budget_structure(ctx):
    parts = ("budget_basic", "budget_project")
    yield from _sum_hits(ctx, "budget_total", parts, total_required=True)


@rule(
    "FUNDS_NEGATIVE",
    severity=ERROR,
    basis="rules.md 资金：金额须为非负数，各项才能相加",
)
def negative_amounts(ctx):
    for field in _money_fields(ctx.filing):
        amount = getattr(ctx.filing, field)
        if amount is not None and amount < 0:
            yield Hit(f"「{ctx.label(field)}」{ctx.money(amount)} 为负数。", field=field)


@rule(
    "FUNDS_MAGNITUDE",
    severity=WARNING,
    basis="rules.md 资金：金额与所填单位（元、万元）的量级不符（提示）",
)
def implausible_magnitude(ctx):
    filing = ctx.filing
    fields = _money_fields(filing)
    if ctx.money_unit == filing.MoneyUnit.WAN_YUAN:
        # One finding per filing: the same figure is usually copied into every cell.
        too_large = [f for f in fields if (getattr(filing, f) or 0) > WAN_YUAN_CEILING]
        if too_large:
            field = too_large[0]
            amount = getattr(filing, field)
            others = f"等 {len(too_large)} 项金额" if len(too_large) > 1 else ""
            yield Hit(
                f"「{ctx.label(field)}」{others}为 {ctx.money(amount)}（即 "
                f"{ctx.yuan(amount) / Decimal(10) ** 8:,.2f} 亿元）量级异常，"
                f"请核对金额单位是否应为「元」。",
                field=field,
            )
        return
    for field in _TOTAL_FIELDS:
        amount = getattr(filing, field, None) if field in fields else None
        if amount is not None and 0 < amount < YUAN_FLOOR:
            yield Hit(
                f"「{ctx.label(field)}」{ctx.money(amount)} 量级异常，"
                f"请核对金额单位是否应为「万元」。",
                field=field,
            )
