"""Rules of the 项目库 (project library): the filing's money against its bureau's budget system.

A project filing names its 项目编码; the bureau's 项目库 of the year (``projects``)
holds the project's money as the budget system has it. These rules compare the
two after converting 元/万元, within TOLERANCE, and the cost targets (rows under
成本指标, whose values are amounts) with the annual funds. Warnings by default: a
bureau's rule profile may raise them. A filing without a code is not compared.
"""

from decimal import Decimal

from filings.checks.registry import PROJECT, TOLERANCE, WARNING, Hit, rule
from filings.models import Filing
from filings.money import format_amount
from projects.models import Project

# Amount units a cost target is written in, in 元.
_AMOUNT_UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000)}
_AMOUNT_UNITS["亿元"] = Decimal(10) ** 8
_COST = "成本指标"
_LIBRARY_PROJECT = Filing._meta.get_field("library_project")
# The filing's amounts and the library's, compared field by field (the same names).
_COMPARED = ("funds_total", "annual_total", "annual_appropriation")
_LIBRARY_LABELS = {
    "funds_total": "项目资金总额",
    "annual_total": "年度资金",
    "annual_appropriation": "当年财政拨款",
}


def library_project(ctx):
    """The 项目库 project the filing's 项目编码 names, or None: one query, shared by the rules.

    The project the filing was started from when it still has that code (read through
    the filing, or as the caller set it on an unsaved one), else the bureau's project
    of the year with that code.
    """
    if not hasattr(ctx, "_library_project"):
        ctx._library_project = _find(ctx.filing, (ctx.filing.project_code or "").strip())
    return ctx._library_project


def _find(filing, code):
    if not code:
        return None
    if filing.library_project_id or _LIBRARY_PROJECT.is_cached(filing):
        project = filing.library_project
        if project is not None and project.code == code:
            return project
    return Project.objects.of_filing(filing, code)


def _yuan(amount, unit):
    return Decimal(amount) * (10000 if unit == "万元" else 1)


def _shown(amount, unit):
    return f"{format_amount(amount)} {unit}"


@rule(
    "LIBRARY_CODE_UNKNOWN",
    severity=WARNING,
    basis="项目库：项目编码应为本年度项目库中的项目",
    forms=(PROJECT,),
)
def code_unknown(ctx):
    code = (ctx.filing.project_code or "").strip()
    if code and library_project(ctx) is None:
        yield Hit(
            f"「项目编码」{code} 不在 {ctx.filing.year} 年度的项目库中：请核对编码，"
            "或请财政局导入本年度的项目库。",
            field="project_code",
        )


@rule(
    "LIBRARY_FUNDS_DIFFER",
    severity=WARNING,
    basis="项目库：申报的项目资金总额、年度资金与项目库一致",
    forms=(PROJECT,),
)
def funds_differ(ctx):
    project = library_project(ctx)
    if project is None:
        return
    for name in _COMPARED:
        filed, kept = getattr(ctx.filing, name), getattr(project, name)
        if filed is None or kept is None:
            continue
        if abs(ctx.yuan(filed) - _yuan(kept, project.money_unit)) > TOLERANCE:
            yield Hit(
                f"「{ctx.label(name)}」{ctx.money(filed)} 与项目库中项目 {project.code} 的"
                f"「{_LIBRARY_LABELS[name]}」{_shown(kept, project.money_unit)} 不一致。",
                field=name,
            )


def _cost_rows(ctx):
    """(row, amount in 元) of every 成本指标 row whose value is an amount."""
    for row in ctx.named_rows:
        if _COST not in (row.level2.name, row.level1.name):
            continue
        parsed = row.parsed
        factor = _AMOUNT_UNITS.get(parsed.unit)
        if factor is not None and parsed.number is not None:
            yield row, parsed.number * factor


@rule(
    "LIBRARY_COST_ABOVE_ANNUAL",
    severity=WARNING,
    basis="项目库：成本指标的金额合计不超过年度资金",
    forms=(PROJECT,),
)
def cost_above_annual(ctx):
    rows = list(_cost_rows(ctx))
    if not rows:
        return
    filing = ctx.filing
    if filing.annual_total is not None:
        annual, shown = ctx.yuan(filing.annual_total), ctx.money(filing.annual_total)
        where = f"「{ctx.label('annual_total')}」"
    else:
        project = library_project(ctx)
        if project is None or project.annual_total is None:
            return
        annual = _yuan(project.annual_total, project.money_unit)
        shown = _shown(project.annual_total, project.money_unit)
        where = "项目库的「年度资金」"
    total = sum((amount for _row, amount in rows), Decimal(0))
    if total - annual > TOLERANCE:
        numbers = "、".join(str(row.number) for row, _amount in rows)
        yield Hit(
            f"成本指标（第 {numbers} 条）的金额合计 {_shown(total, '元')} 超过{where}{shown}。",
            field="indicators",
        )
