"""The indicator table's 2021 columns: which a filing prints, their widths and their text.

Editions since 财预〔2021〕101号 print beside the target 指标解释, 指标值设定依据,
指标方向 and 分值, and a whole-period value beside the annual one; a 核心指标 is
marked. A filing that uses none of the 2021 fields (核心指标, 设定依据说明, 指标方向,
全周期指标值, 分值, 预算执行率分值) prints the classic table, exactly as before.

Plain data from the JSON format of ``filings.serialization``; ``exports.document``
turns it into cells. The 分值 printed are ``indicators.weights.effective_weights``:
the weights the year-end self-evaluation scores against, blank rows sharing what
their 一级 has left, so the printed weights and 预算执行率's add up to 100.
"""

from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from filings.fields import PROJECT
from indicators.models import Framework, Indicator
from indicators.values import QUALITATIVE, parse_value
from indicators.weights import effective_weights

# The row keys (and the filing's) that switch the 2021 layout on.
ROW_FIELDS = ("core", "basis_text", "direction", "period_value", "weight")
PERIOD = "period_value"
EXPLANATION = "explanation"
BASIS = "basis"
DIRECTION = "direction"
WEIGHT = "weight"
HEADINGS = {
    PERIOD: "全周期指标值",
    EXPLANATION: "指标解释",
    BASIS: "指标值设定依据",
    DIRECTION: "指标方向",
    WEIGHT: "分值",
}
# The value's heading in the 2021 layout, as the post-2021 editions print it: the
# filing's own heading (up to 年度(/项目)指标值) would not fit its narrower column.
VALUE_HEADING = "指标值"
ANNUAL_HEADING = "年度指标值"
OVERALL_VALUE_HEADING = "指标目标值"
CORE_MARK = "★"
CORE_LEGEND = f"注：三级指标前标 {CORE_MARK} 的为核心指标。"

# Widths (mm, 186 in all) at the 9pt the 2021 table prints in (print.css, .columns-2021):
# a CJK character is 3.18 mm, a cell's padding 3.4 mm, so 指标值设定依据 needs 25.6 mm,
# 全周期指标值 22.5, 年度指标值 19.3, a four-character label 16.1 and 分值 (or 16.67) 12.
# Project: 绩效指标 · 一级 · 二级 · 三级 · 指标值 · [全周期] · 解释 · 设定依据 · 方向 · 分值.
_PROJECT_WIDTHS = (16.5, 17, 18, 30, 22, 28, 26, 16.5, 12)
_PROJECT_PERIOD_WIDTHS = (16.5, 16.5, 16.5, 20, 20, 23, 19, 26, 16.5, 12)
# Overall: 一级 · 二级 · 三级目标 · 指标目标值 · [全周期] · 解释 · 设定依据 · 方向 · 分值.
_OVERALL_WIDTHS = (18, 20, 34, 24, 30, 26, 17, 17)
_OVERALL_PERIOD_WIDTHS = (17, 18, 26, 20, 23, 22, 26, 17, 17)


def columns_of(data):
    """The columns printed after the value, or () when the filing prints the classic table."""
    rows = data.get("indicators") or []
    used = data.get("execution_weight") or any(row.get(name) for row in rows for name in ROW_FIELDS)
    if not used:
        return ()
    # Multi-year projects print both values; a whole-period value set on any filing prints.
    period = (PERIOD,) if any(row.get(PERIOD) for row in rows) else ()
    return (*period, EXPLANATION, BASIS, DIRECTION, WEIGHT)


def widths(form, columns):
    """The widths (mm) of the indicator band for ``columns`` (from ``columns_of``)."""
    if form != PROJECT:
        return _OVERALL_PERIOD_WIDTHS if PERIOD in columns else _OVERALL_WIDTHS
    return _PROJECT_PERIOD_WIDTHS if PERIOD in columns else _PROJECT_WIDTHS


def value_heading(form, columns):
    if form != PROJECT:
        return OVERALL_VALUE_HEADING
    return ANNUAL_HEADING if PERIOD in columns else VALUE_HEADING


def row_texts(data, columns):
    """[{column: text}] for each indicator row, and the 合计 line's (label, total) or None."""
    rows = data.get("indicators") or []
    weights, execution = _weights(data)
    texts = []
    for n, row in enumerate(rows):
        text = {
            PERIOD: row.get(PERIOD) or "",
            EXPLANATION: row.get(EXPLANATION) or "",
            BASIS: basis_text(row),
            DIRECTION: direction_label(row),
            WEIGHT: _points(weights.get(n)),
        }
        texts.append({column: text[column] for column in columns})
    set_weights = [weight for weight in weights.values() if weight is not None]
    if not set_weights and execution is None:
        return texts, None
    total = sum(set_weights, Decimal(0)) + (execution or Decimal(0))
    label = f"合计（含预算执行率 {_points(execution or Decimal(0))} 分）"
    return texts, (label, _points(total))


def basis_text(row):
    """「历史标准：2025年完成30场」: the kind of basis and what it rests on."""
    kind, text = row.get(BASIS) or "", row.get("basis_text") or ""
    return "：".join(part for part in (kind, text) if part)


def direction_label(row):
    """The direction set on the row, else the one its value implies (≥ 正向, ≤ 反向, words 定性)."""
    direction = row.get(DIRECTION) or ""
    if not direction and row.get("name"):
        parsed = parse_value(row.get("value") or "")
        direction = "qualitative" if parsed.value_type == QUALITATIVE else parsed.direction
    return str(Indicator.Direction(direction).label) if direction else ""


def core_name(row):
    name = row.get("name") or ""
    return f"{CORE_MARK}{name}" if row.get("core") and name else name


def _weights(data):
    """({row index: weight}, 预算执行率's weight) as ``indicators.weights`` works them out."""
    rows = [
        SimpleNamespace(
            key=n,
            name=row.get("name") or "",
            weight=_decimal(row.get(WEIGHT)),
            level2=SimpleNamespace(level1=SimpleNamespace(name=row.get("level1") or "")),
        )
        for n, row in enumerate(data.get("indicators") or [])
    ]
    is_project = data["form"] == PROJECT
    framework = None
    if is_project:
        framework = Framework.objects.filter(
            code=data.get("framework") or Framework.CLASSIC
        ).first()
    return effective_weights(
        rows,
        framework,
        is_project=is_project,
        execution_weight=_decimal(data.get("execution_weight")),
    )


def _decimal(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _points(weight):
    """A weight as printed: 16.67, 10 (no trailing zeros), blank for none."""
    if weight is None:
        return ""
    text = f"{weight:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
