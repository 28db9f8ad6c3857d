"""The 2021 columns of a published indicator table, read into the row's fields.

Editions since 财预〔2021〕101号 print beside the target 指标值设定依据, 权重 (分值),
指标方向性, 核心指标 and a 中长期 (whole-period) value. The plain and the flat
tables both read their cells here: a cell that says what the field can hold
lands in it; one that does not stays in the warnings, with its heading and line,
as every column the product has no field for does.
"""

from filings.money import echo
from importers.cells import clean_name
from indicators.models import Framework, Indicator
from indicators.values import clean_value, direction_of_text
from indicators.weights import WeightError, parse_weight

_BASIS_KINDS = tuple(Indicator.Basis.values)
# The kinds as forms shorten them (计划 for 计划标准), longest first.
_BASIS_SHORT = sorted(
    ((kind.removesuffix("标准"), kind) for kind in _BASIS_KINDS), key=lambda p: -len(p[0])
)
_SEPARATORS = "：:，,；;。 "
COST_LEVEL1 = "成本指标"
_CORE_YES = ("是", "√", "✓", "✔", "核心", "Y", "y")


def split_basis(text):
    """(kind, text) of a 设定依据 cell: 「历史标准：2025年完成30场」 -> (历史标准, 2025年完成30场).

    A cell that names no kind is all text (kind blank): 「根据区政府工作报告」.
    """
    text = clean_name(text)
    for kind in _BASIS_KINDS:
        if text.startswith(kind):
            return kind, text[len(kind) :].lstrip(_SEPARATORS)
    for short, kind in _BASIS_SHORT:
        rest = text[len(short) :]
        if text.startswith(short) and (not rest or rest[0] in _SEPARATORS):
            return kind, rest.lstrip(_SEPARATORS)
    return "", text


def read_extras(indicator, text, heading_of):
    """Fill ``indicator`` (a JSON row) from ``text`` (role -> cell text); the cells it could not.

    ``heading_of(role)`` is the column's printed heading. Returns
    ``[(heading, cell text, why)]`` for the warnings.
    """
    left = []
    basis = clean_name(text.get("basis", ""))
    if basis:
        indicator["basis"], indicator["basis_text"] = split_basis(basis)
    weight = clean_name(text.get("weight", ""))
    if weight:
        try:
            parsed = parse_weight(weight)
        except WeightError as exc:
            left.append((heading_of("weight"), weight, str(exc)))
        else:
            indicator["weight"] = str(parsed) if parsed is not None else None
    direction = clean_name(text.get("direction", ""))
    if direction:
        indicator["direction"] = direction_of_text(direction)
        if not indicator["direction"]:
            left.append((heading_of("direction"), direction, "不是正向、反向或定性"))
    if clean_name(text.get("core", "")).startswith(_CORE_YES):
        indicator["core"] = True
    period = clean_value(text.get("period_value", ""))
    if period:
        indicator["period_value"] = period
    return [(heading, echo(cell, 200), why) for heading, cell, why in left]


def edition_of(indicators):
    """The edition a printed table was written to: a row under the 一级 成本指标 is the 2021 one.

    Returns the JSON format's ``framework`` key and value, or nothing for the
    classic edition (the format's default), so the filing keeps what was printed.
    """
    if any(row.get("level1") == COST_LEVEL1 for row in indicators):
        return {"framework": Framework.EDITION_2021}
    return {}
