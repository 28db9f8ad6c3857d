"""分值: what each indicator row is worth at the year-end self-evaluation, the one home.

财预〔2020〕10号 scores a project out of 100: 产出 50, 效益 30, 满意度 10 and 预算执行率 10
(the edition's ``default_weights`` and ``execution_weight``, data an admin may
change); a filing may set its own 预算执行率分值 (``Filing.execution_weight``, typed
in the indicator editor or on the Excel sheet). A filer may set a row's weight;
rows left blank share what their 一级 has left, evenly, to the cent, so the
weights a filing prints always add up.
Overall filings carry weights only where the filer set them: 10号's split is for
projects.
"""

import re
from decimal import ROUND_DOWN, Decimal

from perfgoals.folding import fold_width

CENT = Decimal("0.01")
FULL_MARKS = Decimal("100")
_MAX_TEXT = 12
_WEIGHT_RE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


class WeightError(ValueError):
    """A 分值 that cannot be read; the message is for the user, in Chinese."""


def parse_weight(text):
    """The 分值 written in ``text`` (a string, a whole number or a Decimal), or None if blank.

    A weight is between 0 and 100 with at most two decimal places; 「10分」 and
    full-width digits are read too, as published forms write them.
    """
    if text is None or isinstance(text, bool | float):
        if text is None:
            return None
        raise WeightError(f'「{text}」不是有效的分值（应写成文字，如 "10"）')
    cleaned = fold_width(str(text)).replace(" ", "").strip().removesuffix("分")
    if cleaned in ("", "-", "/", "—"):
        return None
    if len(cleaned) > _MAX_TEXT:
        raise WeightError(f"「{str(text)[:_MAX_TEXT]}…」不是有效的分值")
    if not _WEIGHT_RE.match(cleaned):
        raise WeightError(f"「{text}」不是有效的分值（应为 0 到 100 的数，最多两位小数）")
    weight = Decimal(cleaned)
    if weight > FULL_MARKS:
        raise WeightError(f"分值「{text}」应在 0 到 100 之间")
    return weight.quantize(CENT)


def _share(points, count):
    """``points`` split into ``count`` parts to the cent, the odd cents to the first parts."""
    if count == 0:
        return []
    part = (points / count).quantize(CENT, rounding=ROUND_DOWN)
    odd = int((points - part * count) / CENT)
    return [part + CENT if index < odd else part for index in range(count)]


def default_execution(framework, *, is_project=True):
    """What 预算执行率 is worth when the filing leaves it blank: the edition's, for projects.

    An overall filing has no default share (10号's split is for projects): blank is none.
    """
    if is_project and framework is not None:
        return framework.execution_weight
    return None


def effective_weights(rows, framework, *, is_project=True, execution_weight=None):
    """(weight per row, 预算执行率's weight): what the filing is scored against.

    ``rows`` are the filing's indicators in form order (their ``level2.level1``
    selected). A row's own weight stands; the others of a 一级 share what the
    edition gives that 一级 less what its rows took already (never below 0).
    Placeholder rows (no 三级 name) get None, as do every blank row of an
    overall filing and of a 一级 the edition gives no points.
    """
    defaults = framework.default_weights if framework is not None and is_project else {}
    execution = execution_weight
    if execution is None:
        execution = default_execution(framework, is_project=is_project)
    weights = {}
    blank_by_level1 = {}
    taken = {}
    for row in rows:
        level1 = row.level2.level1.name
        if not row.name:
            weights[row.key] = None
        elif row.weight is not None:
            weights[row.key] = row.weight
            taken[level1] = taken.get(level1, Decimal(0)) + row.weight
        else:
            weights[row.key] = None
            blank_by_level1.setdefault(level1, []).append(row.key)
    for level1, keys in blank_by_level1.items():
        if level1 not in defaults:
            continue
        left = max(Decimal(str(defaults[level1])) - taken.get(level1, Decimal(0)), Decimal(0))
        for key, share in zip(keys, _share(left, len(keys)), strict=True):
            weights[key] = share
    return weights, execution


def total(weights, execution):
    """The sum a filing's weights come to (None counts as 0)."""
    return sum((weight for weight in weights.values() if weight is not None), Decimal(0)) + (
        execution or Decimal(0)
    )
