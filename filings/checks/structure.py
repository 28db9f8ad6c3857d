"""Structure (结构) rules of rules.md: header, dates, the indicator tree, tasks.

Structure is what a filing must pass: these rules are errors, except where a
reviewer would only want attention (an empty 年度重点任务 table, no 成本指标
under the 2021 edition), which are warnings.
"""

from collections import defaultdict

from filings.checks.registry import COST_LEVEL1, ERROR, OVERALL, PROJECT, WARNING, Hit, rule
from indicators.models import Level1

# Header fields a filer must fill, per form, in the form's order. The goals
# of a project are checked apart: either goal column may carry the text.
REQUIRED_PROJECT_FIELDS = (
    "name",
    "department",
    "implementing_unit",
    "start_date",
    "end_date",
    "annual_total",
)
REQUIRED_OVERALL_FIELDS = ("name", "duties", "annual_goal", "budget_total")

# rules.md: every filing has indicators under these three 一级. 成本指标 (财预〔2021〕101号)
# is also a 一级 of every form but optional, so the taxonomy's scope cannot say this.
REQUIRED_LEVEL1 = ("产出指标", "效益指标", "满意度指标")


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


@rule(
    "STRUCTURE_REQUIRED_FIELD",
    severity=ERROR,
    basis="rules.md 结构：表头必填栏目须填写",
)
def required_fields(ctx):
    filing = ctx.filing
    fields = REQUIRED_PROJECT_FIELDS if filing.is_project else REQUIRED_OVERALL_FIELDS
    for field in fields:
        if _blank(getattr(filing, field)):
            yield Hit(f"「{ctx.label(field)}」未填写。", field=field)
    if filing.is_project and _blank(filing.annual_goal) and _blank(filing.overall_goal):
        yield Hit("「年度总体目标」未填写。", field="annual_goal")


@rule(
    "STRUCTURE_DATE_ORDER",
    severity=ERROR,
    basis="rules.md 结构：计划开始日期 ≤ 计划完成日期",
    forms=(PROJECT,),
)
def date_order(ctx):
    start, end = ctx.filing.start_date, ctx.filing.end_date
    if start and end and start > end:
        yield Hit(
            f"「计划开始日期」{start:%Y-%m-%d} 晚于「计划完成日期」{end:%Y-%m-%d}。",
            field="start_date",
        )


@rule(
    "STRUCTURE_GOAL_SPAN",
    severity=ERROR,
    basis="rules.md 结构：项目总目标的起止年度须有先后",
    forms=(PROJECT,),
)
def goal_span(ctx):
    first, last = ctx.filing.goal_start_year, ctx.filing.goal_end_year
    if first and last and first > last:
        yield Hit(
            f"「项目总目标」的年度区间 ({first}年-{last}年) 起始年晚于终止年。",
            field="goal_start_year",
        )


@rule(
    "STRUCTURE_DATE_SPAN",
    severity=ERROR,
    basis="rules.md 结构：计划开始、完成日期须在项目总目标的年度区间内",
    forms=(PROJECT,),
)
def dates_in_goal_span(ctx):
    filing = ctx.filing
    first, last = filing.goal_start_year, filing.goal_end_year
    if not (first and last) or first > last:
        return
    span = filing.goal_span_label
    for field, date in (("start_date", filing.start_date), ("end_date", filing.end_date)):
        if date and not first <= date.year <= last:
            yield Hit(
                f"「{ctx.label(field)}」{date:%Y-%m-%d} 不在「项目总目标 {span}」的年度区间内。",
                field=field,
            )


@rule(
    "STRUCTURE_NO_TASKS",
    severity=WARNING,
    basis="forms.md 整体支出表：年度重点任务表每项任务一行",
    forms=OVERALL,
)
def no_tasks(ctx):
    if not ctx.tasks:
        yield Hit("「年度重点任务」一项也没有填写。", field="tasks")


@rule(
    "STRUCTURE_TASK_INCOMPLETE",
    severity=WARNING,
    basis="forms.md 整体支出表：年度重点任务须写任务名称和主要内容（重点工作计划）",
    forms=OVERALL,
)
def task_incomplete(ctx):
    for task in ctx.tasks:
        if _blank(task.task.name):
            yield Hit(f"第 {task.number} 项年度重点任务未填写「任务名称」。", "tasks", task)
        elif _blank(task.task.content):
            yield Hit(f"{task.label}未填写「主要内容（重点工作计划）」。", "tasks", task)


@rule(
    "STRUCTURE_LEVEL1_MISSING",
    severity=ERROR,
    basis="rules.md 结构：产出指标、效益指标、满意度指标下各至少一条三级指标",
)
def level1_missing(ctx):
    present = {row.level1.name for row in ctx.named_rows}
    for name in REQUIRED_LEVEL1:
        if name not in present:
            yield Hit(f"「{name}」下没有三级指标，至少应设置一条。", field="indicators")


@rule(
    "STRUCTURE_INPUT_BLOCK",
    severity=ERROR,
    basis="rules.md 结构：整体支出表须有投入管理指标的七个二级指标行（沪财绩【2022】13号）",
    forms=OVERALL,
)
def input_block(ctx):
    # The 一级 that only overall forms carry, and their 二级, come from the taxonomy.
    present = {row.level2.pk for row in ctx.rows}
    missing = defaultdict(list)
    for level2 in ctx.taxonomy.overall_level2s():
        if level2.pk not in present:
            missing[level2.level1.name].append(level2.name)
    for level1, names in missing.items():
        listed = "、".join(names)
        yield Hit(f"「{level1}」缺少二级指标行：{listed}。", field="indicators")


@rule(
    "STRUCTURE_LEVEL_SCOPE",
    severity=ERROR,
    basis="rules.md 指标体系：投入管理指标仅用于整体支出表",
    forms=(PROJECT,),
)
def level_scope(ctx):
    for row in ctx.rows:
        if row.level1.scope == Level1.Scope.OVERALL:
            yield Hit(
                f"{row.label}属于「{row.level1.name}」，该一级指标只用于整体支出绩效目标申报表。",
                row=row,
            )


@rule(
    "STRUCTURE_DUPLICATE_NAME",
    severity=ERROR,
    basis="rules.md 结构：三级指标名称不得重复",
)
def duplicate_names(ctx):
    first_seen = {}
    for row in ctx.named_rows:
        if not row.name:
            continue
        if row.name in first_seen:
            earlier = first_seen[row.name]
            if earlier.level2.name == row.level2.name:
                where = f"同在「{row.level2.name}」下"
            else:
                where = f"分别在「{earlier.level2.name}」「{row.level2.name}」下"
            yield Hit(
                f"{row.label}与第 {earlier.number} 条三级指标重名（{where}），请删除或合并。",
                row=row,
            )
        else:
            first_seen[row.name] = row


@rule(
    "STRUCTURE_NAME_BLANK",
    severity=ERROR,
    basis="rules.md 指标：三级指标须有名称和指标值（名称空白的行印在表上是一个空格子）",
)
def name_blank(ctx):
    for row in ctx.rows:
        if not row.name and row.value:
            yield Hit(
                f"第 {row.number} 条三级指标（{row.level2.name}）写了{ctx.value_label}"
                f"「{row.value}」，但没有指标名称。",
                row=row,
            )


@rule(
    "STRUCTURE_EDITION",
    severity=ERROR,
    basis="财预〔2021〕101号 指标体系：二级指标须属于申报所用的指标体系（成本指标不得分列两处）",
)
def outside_edition(ctx):
    for row in ctx.named_rows:
        if not ctx.in_edition(row):
            framework = ctx.filing.framework  # one query, only for a filing that needs it
            name = framework.name if framework is not None else "传统指标体系"
            yield Hit(
                f"{row.label}列在「{row.level1.name} / {row.level2.name}」下，"
                f"该二级指标不属于本申报所用的「{name}」，请改列到该体系的二级指标下。",
                row=row,
            )


@rule(
    "STRUCTURE_COST_REQUIRED",
    severity=WARNING,
    basis="财预〔2021〕101号：按 2021 年指标体系申报的，须设置成本指标（一级）",
)
def cost_required(ctx):
    if not ctx.named_rows or not ctx.edition_has_cost():
        return  # an empty table is STRUCTURE_LEVEL1_MISSING's
    if not any(row.level1.name == COST_LEVEL1 for row in ctx.named_rows):
        yield Hit(
            f"本申报按含「{COST_LEVEL1}」一级指标的指标体系填报，"
            f"「{COST_LEVEL1}」下没有三级指标，至少应设置一条（如经济成本指标）。",
            field="indicators",
        )
