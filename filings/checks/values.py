"""Value (指标值) rules of rules.md: what each third-level indicator says.

Warnings unless rules.md states otherwise (a satisfaction target not written
as a percentage is an error). Placeholder rows (no name, no value) are never
checked. The keyword lists below are how a reviewer reads an indicator's
name; they are data, extend them rather than the rules.
"""

import re

from filings.checks.registry import ERROR, WARNING, Hit, rule
from indicators.values import GARBLED_UNIT, NO_NUMBER, QUALITATIVE, QUANTITATIVE
from perfgoals.folding import name_key

# The taxonomy's names for the blocks whose rows rules.md constrains.
QUANTITY_LEVEL2 = "数量指标"
TIMELINESS_LEVEL2 = "时效指标"
SATISFACTION_LEVEL1 = "满意度指标"

# A unit written after the name, as in 有责投诉数（起）, says nothing about its kind.
_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")
# 服务对象满意度, 与会人员满意率, 群众满意程度情况: a satisfaction target. 满意度调查次数
# is not one (it counts surveys), hence the anchor at the end.
_SATISFACTION = re.compile(r"满意(度|率|程度)?(情况|水平|指数|指标)?$")

# A rate or share: at most 100% unless it is a growth.
RATE_ENDINGS = ("率", "占比", "比例", "比重")
GROWTH_WORDS = ("增长", "增幅", "增速", "同比", "环比")
# Under 数量指标 a plan's 完成率 (培训计划完成率 =100%) is the usual stand-in for "all of
# the planned quantity" in the Shanghai templates; other rates there (合格率, 出勤率)
# measure quality and are what rules.md warns about.
QUANTITY_RATE_EXCEPTIONS = ("完成率",)

# Names and values that are about time, for 时效指标 (及时, 日期, 时限 in rules.md).
TIME_NAME_WORDS = (
    "及时", "时效", "时间", "日期", "时限", "期限", "按时", "准时", "按期", "如期",
    "进度", "周期", "工期", "时长", "时点", "响应", "逾期", "延期",
)  # fmt: skip
TIME_VALUE_WORDS = (
    "及时", "按时", "准时", "按期", "如期", "前", "内", "底", "初", "日", "月", "年",
    "天", "周", "季度", "小时", "时",
)  # fmt: skip
TIME_UNITS = ("天", "日", "工作日", "个工作日", "小时", "分钟", "周", "月", "个月", "季度", "年")

# Outputs more of which is better: a ceiling (≤, <) on them reads backwards.
POSITIVE_WORDS = (
    "完成率", "覆盖率", "达标率", "合格率", "通过率", "准确率", "知晓率", "到位率",
    "满意度", "满意率", "数量", "人次", "人数", "户数", "次数", "个数", "受益",
)  # fmt: skip
# …unless the name counts something bad, a cost or a time.
NEGATIVE_WORDS = (
    "投诉", "事故", "差错", "错误", "失误", "违规", "违纪", "违法", "上访", "信访",
    "故障", "成本", "费用", "支出", "超支", "损失", "污染", "排放", "时间", "时长",
    "耗时", "缺陷", "漏洞", "不合格", "整改", "伤亡", "死亡", "闲置", "空置", "流失",
    "风险", "隐患", "逾期", "超标", "延误", "等待", "发生", "欠",
)  # fmt: skip

# Words that say "better" without a yardstick (rules.md: 提高, 提升, 良好, 有效; 88号:
# targets 细化量化): a qualitative value holding one names nothing a year-end
# evaluation could measure. The one list: extend it here.
VAGUE_WORDS = (
    "很好", "较好", "良好", "长期", "多样", "有所", "进一步", "明显", "显著", "大幅",
    "逐步", "不断", "积极", "稳步", "力争", "提高", "提升", "有效", "增加", "改善",
    "促进", "增强", "加强", "好转", "减轻", "降低", "减少", "优化", "增长", "持续",
    "切实", "较大", "一定程度", "全面", "得到",
)  # fmt: skip

# 分级分档 (88号): a qualitative target names a grade of a scale the evaluation can
# place the result on. These words may begin the value (达到预期, 无逻辑漏洞): the top
# of a scale whose other grades are their negations (健全/基本健全/不健全, 无/有);
# a single character (优, 差) must stand alone or in a list (优/良/中/差).
GRADE_WORDS = (
    "优秀", "良好", "较好", "一般", "较差", "达到", "基本达到", "未达到", "完成", "基本完成",
    "未完成", "及时", "基本及时", "不及时", "合格", "不合格", "符合", "基本符合", "不符合",
    "达标", "未达标", "较高", "较低", "健全", "基本健全", "不健全", "规范", "基本规范",
    "不规范", "安全", "稳定", "无",
)  # fmt: skip
GRADE_LETTERS = frozenset("优良中差好高低是否")
_GRADE_SEPARATORS = re.compile(r"[/、，,；;\s]+")

# Below this a satisfaction target asks too little (the usual floor of the city's templates).
SATISFACTION_FLOOR = 85


def _bare_name(row):
    return _UNIT_SUFFIX.sub("", row.name)


def is_satisfaction(row):
    return bool(_SATISFACTION.search(_bare_name(row)))


def is_rate(row):
    name = _bare_name(row)
    return name.endswith(RATE_ENDINGS) and not any(word in name for word in GROWTH_WORDS)


def is_timeliness(row):
    return "及时" in row.name


def _is_about_time(row):
    if any(word in row.name for word in TIME_NAME_WORDS):
        return True
    parsed = row.parsed
    if parsed.value_type == QUANTITATIVE:
        return parsed.unit in TIME_UNITS
    return any(word in row.value for word in TIME_VALUE_WORDS)


def _satisfaction_severity(row):
    """ERROR when a satisfaction value is not a percentage, WARNING when oddly written."""
    if not row.value or not is_satisfaction(row) or row.parsed.defect:
        return None
    parsed = row.parsed
    if parsed.value_type == QUANTITATIVE:
        if not parsed.unit:
            return ERROR  # a bare 85
        return None if parsed.unit == "%" else WARNING  # ≥90分
    # 满意, 提升: an error; ≥90%以上 says a percentage the parser will not guess at.
    return WARNING if re.search(r"\d\s*%", row.value) else ERROR


def _checked_rows(ctx):
    """Rows with a name and a value: the ones these rules read."""
    return [row for row in ctx.named_rows if row.name and row.value]


@rule(
    "VALUE_BLANK",
    severity=ERROR,
    basis="rules.md 指标：三级指标须写明指标值（财预〔2015〕88号：绩效目标须细化量化）",
)
def blank_value(ctx):
    for row in ctx.named_rows:
        if row.name and not row.value:
            yield Hit(f"{row.label}未填写{ctx.value_label}。", row=row)


@rule(
    "VALUE_NO_NUMBER",
    severity=ERROR,
    basis="rules.md 指标值：定量指标须有运算符、数值和计量单位（只写运算符没有数值）",
)
def operator_without_number(ctx):
    for row in _checked_rows(ctx):
        if row.parsed.defect == NO_NUMBER:
            yield Hit(
                f"{row.label}的{ctx.value_label}「{row.value}」只有运算符，没有数值，"
                f"请写明目标数值，如 ≥30(人)。",
                row=row,
            )


@rule(
    "VALUE_GARBLED_UNIT",
    severity=ERROR,
    basis="rules.md 指标值：定量指标须有明确的计量单位（单位重复或混写无法判断）",
)
def garbled_unit(ctx):
    for row in _checked_rows(ctx):
        if row.parsed.defect == GARBLED_UNIT:
            yield Hit(
                f"{row.label}的{ctx.value_label}「{row.value}」计量单位「{row.parsed.unit}」"
                f"重复或混写，请只写一个单位，如 =16(个) 或 ≥90%。",
                row=row,
            )


@rule(
    "VALUE_SATISFACTION_NOT_PERCENT",
    severity=ERROR,
    basis="rules.md 指标值：满意度指标须为定量的百分比（如 ≥90%），满意、提升或单写 85 均为错误",
)
def satisfaction_not_percent(ctx):
    for row in _checked_rows(ctx):
        if _satisfaction_severity(row) == ERROR:
            yield Hit(
                f"{row.label}的{ctx.value_label}「{row.value}」不是百分比："
                f"满意度应写成定量的百分比，如 ≥90%。",
                row=row,
            )


@rule(
    "VALUE_SATISFACTION_FORMAT",
    severity=WARNING,
    basis="rules.md 指标值：满意度指标须为定量的百分比（如 ≥90%）",
)
def satisfaction_format(ctx):
    for row in _checked_rows(ctx):
        if _satisfaction_severity(row) == WARNING:
            yield Hit(
                f"{row.label}的{ctx.value_label}「{row.value}」不是规范的百分比写法，"
                f"请写成如 ≥90% 的形式。",
                row=row,
            )


@rule(
    "VALUE_QUANT_INCOMPLETE",
    severity=WARNING,
    basis="rules.md 指标值：定量指标须有运算符、数值和计量单位",
)
def quantitative_incomplete(ctx):
    for row in _checked_rows(ctx):
        parsed = row.parsed
        if parsed.value_type != QUANTITATIVE or _satisfaction_severity(row):
            continue
        missing = []
        if not parsed.operator:
            missing.append("运算符（=、≥、≤、>、<）")
        if not parsed.unit:
            missing.append("计量单位")
        if missing:
            yield Hit(
                f"{row.label}的{ctx.value_label}「{row.value}」缺少{'和'.join(missing)}。",
                row=row,
            )


@rule(
    "VALUE_SATISFACTION_LOW",
    severity=WARNING,
    basis="rules.md 指标值：满意度目标值一般不低于 85%",
)
def satisfaction_low(ctx):
    for row in _checked_rows(ctx):
        parsed = row.parsed
        if not is_satisfaction(row) or parsed.unit != "%" or parsed.number is None:
            continue
        if parsed.operator in ("", "=", "≥", ">") and parsed.number < SATISFACTION_FLOOR:
            yield Hit(
                f"{row.label}的{ctx.value_label}「{row.value}」低于 {SATISFACTION_FLOOR}%，"
                f"满意度目标一般不低于 {SATISFACTION_FLOOR}%。",
                row=row,
            )


@rule(
    "VALUE_RATE_OVER_100",
    severity=WARNING,
    basis="rules.md 指标值：以 % 计的比率（名称以“率”结尾）除 ≤、< 外不得超过 100",
)
def rate_over_100(ctx):
    for row in _checked_rows(ctx):
        parsed = row.parsed
        if parsed.unit != "%" or parsed.number is None:
            continue
        if not (is_rate(row) or is_satisfaction(row)):
            continue
        if parsed.operator in ("≤", "<"):
            continue
        limit_hit = parsed.number >= 100 if parsed.operator == ">" else parsed.number > 100
        if limit_hit:
            yield Hit(
                f"{row.label}是比率，{ctx.value_label}「{row.value}」要求超过 100%，无法达到。",
                row=row,
            )


@rule(
    "VALUE_QUANTITY_NOT_COUNT",
    severity=WARNING,
    basis="rules.md 指标值：数量指标应为数量或金额，比率、及时性指标不宜列在数量指标下",
)
def quantity_not_count(ctx):
    for row in _checked_rows(ctx):
        if row.level2.name != QUANTITY_LEVEL2 or row.parsed.defect:
            continue
        parsed = row.parsed
        if is_timeliness(row):
            reason = "是时效类指标，应列入「时效指标」"
        elif _bare_name(row).endswith(QUANTITY_RATE_EXCEPTIONS):
            continue
        elif is_rate(row) or parsed.unit == "%":
            reason = "是比率，数量指标应写明数量（如 ≥30(人)）"
        elif parsed.value_type == QUALITATIVE:
            reason = f"的{ctx.value_label}「{row.value}」不是数量，数量指标应写明数量"
        else:
            continue
        yield Hit(f"「{QUANTITY_LEVEL2}」下的{row.label}{reason}。", row=row)


@rule(
    "VALUE_TIMELINESS_NOT_TIME",
    severity=WARNING,
    basis="rules.md 指标值：时效指标应反映时间（及时、日期、时限）",
)
def timeliness_not_time(ctx):
    for row in _checked_rows(ctx):
        if row.level2.name == TIMELINESS_LEVEL2 and not _is_about_time(row):
            yield Hit(
                f"「{TIMELINESS_LEVEL2}」下的{row.label}（{row.value}）与时间无关，"
                f"时效指标应反映完成时限或及时性。",
                row=row,
            )


@rule(
    "VALUE_TIMELINESS_MISPLACED",
    severity=WARNING,
    basis="rules.md 指标值：及时性指标属于时效指标（二级指标须与其三级指标相符）",
)
def timeliness_misplaced(ctx):
    for row in _checked_rows(ctx):
        level2 = row.level2.name
        # Under 数量指标 it is VALUE_QUANTITY_NOT_COUNT's finding.
        if is_timeliness(row) and level2 not in (TIMELINESS_LEVEL2, QUANTITY_LEVEL2):
            yield Hit(
                f"{row.label}是时效类指标，却列在「{row.level1.name} / {level2}」下，"
                f"应列入「{TIMELINESS_LEVEL2}」。",
                row=row,
            )


@rule(
    "VALUE_SATISFACTION_MISPLACED",
    severity=WARNING,
    basis="rules.md 指标值：满意度指标下只列满意度（二级指标须与其三级指标相符）",
)
def satisfaction_misplaced(ctx):
    for row in _checked_rows(ctx):
        under_satisfaction = row.level1.name == SATISFACTION_LEVEL1
        if under_satisfaction and not is_satisfaction(row):
            yield Hit(
                f"「{SATISFACTION_LEVEL1} / {row.level2.name}」下的{row.label}不是满意度指标，"
                f"应列入相应的产出或效益指标。",
                row=row,
            )
        elif not under_satisfaction and is_satisfaction(row):
            yield Hit(
                f"{row.label}是满意度指标，却列在「{row.level1.name} / {row.level2.name}」下，"
                f"应列入「{SATISFACTION_LEVEL1}」。",
                row=row,
            )


@rule(
    "VALUE_DIRECTION",
    severity=WARNING,
    basis="rules.md 指标值：正向指标（完成率、覆盖率、数量、人次）不宜用 ≤ 或 <",
)
def backwards_direction(ctx):
    for row in _checked_rows(ctx):
        if row.parsed.operator not in ("≤", "<"):
            continue
        name = row.name
        if any(w in name for w in POSITIVE_WORDS) and not any(w in name for w in NEGATIVE_WORDS):
            yield Hit(
                f"{row.label}是正向指标（越多越好），{ctx.value_label}「{row.value}」"
                f"却用了「{row.parsed.operator}」，请核对是否应为 ≥。",
                row=row,
            )


def vague_word(value):
    """The first word of VAGUE_WORDS in ``value``, or ""."""
    text = name_key(value)
    return next((word for word in VAGUE_WORDS if word in text), "")


_GRADE_ENDINGS = tuple(word for word in GRADE_WORDS if len(word) > 1)


def _names_grade(value):
    """A grade begins the value (达到预期) or ends it after what it grades (建立健全, 数据安全)."""
    parts = [part for part in _GRADE_SEPARATORS.split(name_key(value).rstrip("。.")) if part]
    return bool(parts) and all(
        part in GRADE_LETTERS or part.startswith(GRADE_WORDS) or part.endswith(_GRADE_ENDINGS)
        for part in parts
    )


def _qualitative_rows(ctx):
    """Qualitative values a reader must judge: not a defect, not a satisfaction value."""
    for row in _checked_rows(ctx):
        parsed = row.parsed
        if parsed.value_type == QUALITATIVE and not parsed.defect and not is_satisfaction(row):
            yield row


@rule(
    "VALUE_VAGUE",
    severity=WARNING,
    basis="rules.md 指标值：提高、提升、良好、有效等笼统的定性值须有指标解释"
    "（财预〔2015〕88号：细化量化）",
)
def vague_value(ctx):
    for row in _qualitative_rows(ctx):
        word = vague_word(row.value)
        if word and not (row.indicator.explanation or "").strip():
            yield Hit(
                f"{row.label}的{ctx.value_label}「{row.value}」用了笼统的「{word}」，"
                f"请改为可衡量的目标值，或在「指标解释」中写明如何判断。",
                row=row,
            )


@rule(
    "VALUE_NOT_GRADED",
    severity=WARNING,
    basis="财预〔2015〕88号：定性指标须分级分档表述（如 优/良/中/差、达到/基本达到/未达到）",
)
def not_graded(ctx):
    for row in _qualitative_rows(ctx):
        value = row.value
        # A deadline (11月前) or a figure in words is measured, not graded; a vague value
        # has its own finding.
        if row.level2.name == TIMELINESS_LEVEL2 or re.search(r"\d", value):
            continue
        if vague_word(value) or _names_grade(value) or name_key(value) == row.name:
            continue  # a value that repeats the name is VALUE_REPEATS_NAME's
        yield Hit(
            f"{row.label}是定性指标，{ctx.value_label}「{value}」没有写明等级，"
            f"请分级分档表述（如 达到/基本达到/未达到，或 优/良/中/差）。",
            row=row,
        )


@rule(
    "VALUE_REPEATS_NAME",
    severity=WARNING,
    basis="rules.md 指标值：指标值不得照抄指标名称",
)
def value_repeats_name(ctx):
    for row in _checked_rows(ctx):
        if name_key(row.value) == row.name:
            yield Hit(
                f"{row.label}的{ctx.value_label}照抄了指标名称，请写明目标值。",
                row=row,
            )
