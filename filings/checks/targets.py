"""Rules of the 2021 indicator model (财预〔2021〕101号, 财预〔2020〕10号): what a target rests on.

Effects that only repeat an output, whole-period and annual values, weights,
设定依据. All warnings by default: a bureau's profile may make them errors.
"""

import re

from filings.checks.registry import WARNING, Hit, rule
from indicators import weights as row_weights
from indicators.values import QUANTITATIVE, parse_value

OUTPUT_LEVEL1 = "产出指标"
BENEFIT_LEVEL1 = "效益指标"
# Endings that do not change what a name measures: 培训人数 and 培训人数情况 are one target.
_NOISE_ENDINGS = re.compile(r"(情况|程度|水平|指标|完成率|完成数|率|数|量)$")
# A shorter name inside a longer one is the same target only when it says enough.
_MIN_CONTAINED = 4
# How many row numbers a message lists before it says 等.
_LISTED = 10


def _core(name):
    return _NOISE_ENDINGS.sub("", name)


def _same_target(a, b):
    if a == b or _core(a) == _core(b):
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= _MIN_CONTAINED and short in long_


def _numbers(rows):
    shown = "、".join(str(row.number) for row in rows[:_LISTED])
    more = f" 等 {len(rows)} 条" if len(rows) > _LISTED else ""
    return f"第 {shown} 条{more}"


@rule(
    "VALUE_BENEFIT_REPEATS_OUTPUT",
    severity=WARNING,
    basis="财预〔2021〕101号：效益指标反映项目实施的效果，不得照搬产出指标",
)
def benefit_repeats_output(ctx):
    outputs = [row for row in ctx.named_rows if row.name and row.level1.name == OUTPUT_LEVEL1]
    for row in ctx.named_rows:
        if not row.name or row.level1.name != BENEFIT_LEVEL1:
            continue
        # Bounded: a filing holds at most MAX_INDICATORS rows, each name at most 200 characters.
        same = next((output for output in outputs if _same_target(output.name, row.name)), None)
        if same is not None:
            yield Hit(
                f"{row.label}与产出指标第 {same.number} 条「{same.indicator.name.strip()}」"
                f"相同或相近：效益指标应写项目带来的效果，而不是产出本身。",
                row=row,
            )
        elif row.name.endswith("完成率"):
            yield Hit(
                f"{row.label}是完成率，反映的是产出；效益指标应写项目带来的效果"
                f"（如受益人群的变化）。",
                row=row,
            )


def _cumulative(row, parsed):
    """A quantity that adds up over the years: a count or an amount, not a rate."""
    return (
        parsed.value_type == QUANTITATIVE
        and not parsed.defect
        and parsed.unit not in ("%", "‰")
        and parsed.operator in ("", "=", "≥", ">")
        and not row.name.endswith(("率", "占比", "比例", "比重"))
    )


@rule(
    "VALUE_ANNUAL_OVER_PERIOD",
    severity=WARNING,
    basis="财预〔2015〕88号：年度目标是中长期目标的分解，累计数量的年度值不得超过全周期值",
)
def annual_over_period(ctx):
    for row in ctx.named_rows:
        period_text = (row.indicator.period_value or "").strip()
        if not period_text or not row.value:
            continue
        annual, period = row.parsed, parse_value(period_text)
        if not (_cumulative(row, annual) and _cumulative(row, period)):
            continue
        if annual.unit == period.unit and annual.number > period.number:
            yield Hit(
                f"{row.label}的{ctx.value_label}「{row.value}」大于全周期指标值"
                f"「{period_text}」：年度目标是全周期目标的一部分。",
                row=row,
            )


@rule(
    "VALUE_WEIGHTS_TOTAL",
    severity=WARNING,
    basis="财预〔2020〕10号：绩效评价总分 100 分（产出 50、效益 30、满意度 10、预算执行率 10）",
)
def weights_total(ctx):
    filing = ctx.filing
    indicators = [row.indicator for row in ctx.rows]
    if filing.execution_weight is None and all(i.weight is None for i in indicators):
        return  # the filer set no weight: the edition's defaults add up by construction
    weights, execution = row_weights.effective_weights(
        indicators,
        filing.framework if filing.framework_id else None,
        is_project=filing.is_project,
        execution_weight=filing.execution_weight,
    )
    total = row_weights.total(weights, execution)
    if total != row_weights.FULL_MARKS:
        yield Hit(
            f"各三级指标的分值与预算执行率分值合计 {total} 分，应为 100 分。",
            field="indicators",
        )


@rule(
    "VALUE_BASIS_MISSING",
    severity=WARNING,
    basis="财预〔2021〕101号：指标值须有设定依据（计划标准、行业标准、历史标准、预算支出标准或其他）",
)
def basis_missing(ctx):
    # One finding for the filing: forms filed before 2021 leave the column blank throughout.
    missing = [row for row in ctx.named_rows if row.name and not row.indicator.basis]
    if missing:
        yield Hit(
            f"{_numbers(missing)}三级指标未选择「设定依据」。",
            field="indicators",
            row=missing[0],
        )
