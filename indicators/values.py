"""Indicator target values (指标值): clean, parse and write them.

Filers write the same target in many styles (``≥30.00(户)``, ``>=4期``, ``3户``,
``不低于90%``); published forms add extraction noise on top (LaTeX, check-box
glyphs, full-width characters). ``parse_value`` reads all of them into one
``ParsedValue``; ``format_value`` writes the city finance system's style,
``{operator}{number}({unit})``. Pure Python, so importers and checks can use it
without a database.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from perfgoals.folding import fold_value

OPERATORS = ("=", "≥", "≤", ">", "<")
QUANTITATIVE = "quantitative"  # 定量
QUALITATIVE = "qualitative"  # 定性
# What is wrong with a value the parser could read only in part (ParsedValue.defect).
NO_NUMBER = "no_number"  # an operator and nothing to compare with: ``≥``, ``≥%``
GARBLED_UNIT = "garbled_unit"  # a unit typed twice or mixed: ``16个个%%``, ``90%%``, ``5个%``


@dataclass(frozen=True)
class ParsedValue:
    value_type: str  # QUANTITATIVE, QUALITATIVE, or "" for a blank value
    operator: str  # one of OPERATORS, or "" when none is written
    number: Decimal | None  # as written: "30.00" keeps its two decimals
    unit: str  # "户", "%", "人次", or ""
    defect: str = ""  # NO_NUMBER, GARBLED_UNIT, or "" for a value read as written

    @property
    def direction(self) -> str:
        if self.operator in ("≥", ">"):
            return "positive"
        if self.operator in ("≤", "<"):
            return "negative"
        return ""


BLANK = ParsedValue("", "", None, "")
_QUALITATIVE_VALUE = ParsedValue(QUALITATIVE, "", None, "")
# Read as text (there is no number), but flagged: the filer meant a number and left it out.
_NO_NUMBER_VALUE = ParsedValue(QUALITATIVE, "", None, "", NO_NUMBER)
# After a symbol operator: nothing, or only a unit's sign or brackets (≥, ≥%, =(个)). A word
# (≥上年水平) is a qualitative comparison, not a missing number.
_NOTHING_TO_COMPARE = re.compile(r"[\s%‰()]*|\(\s*[^\d()]{1,6}\s*\)")

_LATEX = {
    r"\geqslant": "≥",
    r"\geq": "≥",
    r"\ge": "≥",
    r"\gt": ">",
    r"\leqslant": "≤",
    r"\leq": "≤",
    r"\le": "≤",
    r"\lt": "<",
}
# Longest command first so that \geq is not read as \ge followed by "q"; the lookahead
# keeps \left from turning into "≤ft". The space after an operator command is LaTeX
# syntax, not the filer's typing, so it goes too.
_LATEX_OPERATOR = re.compile(
    "(" + "|".join(re.escape(command) for command in _LATEX) + r")(?![A-Za-z])\s*"
)

# Every way the seeds and filers spell an operator, mapped to the canonical symbol.
_OPERATOR_SPELLINGS = {
    "=": "=",
    "≥": "≥",
    "≤": "≤",
    ">": ">",
    "<": "<",
    ">=": "≥",
    "> =": "≥",
    "=>": "≥",
    "≥=": "≥",
    "<=": "≤",
    "< =": "≤",
    "=<": "≤",
    "≤=": "≤",
    "不低于": "≥",
    "不少于": "≥",
    "不小于": "≥",
    "大于等于": "≥",
    "至少": "≥",
    "不高于": "≤",
    "不超过": "≤",
    "不多于": "≤",
    "小于等于": "≤",
    "至多": "≤",
    "大于": ">",
    "高于": ">",
    "多于": ">",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "等于": "=",
}
_OPERATOR = re.compile(
    "|".join(re.escape(s) for s in sorted(_OPERATOR_SPELLINGS, key=len, reverse=True))
)
# "90%以上" means ≥90%. Longest first: "及以上" must not leave a stray "及" in the unit.
_SUFFIX_OPERATORS = (("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"))

_NUMBER_AND_UNIT = re.compile(
    r"(?P<number>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*"
    r"(?:\(\s*(?P<bracketed>[^()]*?)\s*\)|(?P<bare>[^()]*))"
)
# Letters (any script) and the few symbols units use: %, ‰, ℃, 万元/人, 人·次.
_UNIT = re.compile(r"(?:[^\W\d]|[%‰℃°/·])*")
# "11月前", "每月15号前", "2小时内", "12月底" name a deadline, not an amount of 月 or
# 小时: forms.md counts them as qualitative, so a "unit" ending like this is not a unit.
_TIME_POSITIONS = ("前", "后", "内", "底", "初")


def clean_value(text: str) -> str:
    """Repair extraction noise in a value, keeping the filer's own spelling.

    LaTeX operators become symbols, check boxes and ``$`` go, full-width digits,
    letters and operators become half-width, whitespace is collapsed. Typed
    operators such as ``> =90%`` are left alone: the parser reads them. Idempotent.
    """
    text = fold_value(text or "")
    text = _LATEX_OPERATOR.sub(lambda match: _LATEX[match[1]], text)
    text = text.replace("\\%", "%")
    return " ".join(text.split())


def parse_value(text: str) -> ParsedValue:
    """Read a value as written into value type, operator, number and unit.

    Quantitative means an optional operator, a number and an optional unit and
    nothing else; any other non-blank text is qualitative (operator "", number
    None, unit ""). The number keeps its written precision.
    """
    text = clean_value(text)
    if not text:
        return BLANK

    operator = ""
    match = _OPERATOR.match(text)
    if match:
        operator = _OPERATOR_SPELLINGS[match[0]]
        text = text[match.end() :].lstrip()
        if match[0][0] in "=≥≤<>" and _NOTHING_TO_COMPARE.fullmatch(text):
            return _NO_NUMBER_VALUE
    else:
        for suffix, suffix_operator in _SUFFIX_OPERATORS:
            if text.endswith(suffix):
                operator = suffix_operator
                text = text[: -len(suffix)].rstrip()
                break

    match = _NUMBER_AND_UNIT.fullmatch(text)
    if not match:
        return _QUALITATIVE_VALUE
    unit = match["bracketed"] if match["bracketed"] is not None else match["bare"]
    if not _is_unit(unit):
        return _QUALITATIVE_VALUE
    number = Decimal(match["number"].replace(",", ""))
    defect = GARBLED_UNIT if _is_garbled(unit) else ""
    return ParsedValue(QUANTITATIVE, operator, number, unit, defect)


def _is_garbled(unit):
    """A unit typed twice (个个, %%) or a percentage mixed with a unit of count (个%)."""
    if any(a == b for a, b in pairwise(unit)):
        return True
    percent = [char for char in unit if char in "%‰"]
    return bool(percent) and len(percent) != len(unit)


def _is_unit(text):
    if len(text) > 6 or not _UNIT.fullmatch(text):
        return False
    # "≥90%以上" states the operator twice; rather than guess which one was meant,
    # leave the value as text for the filer to fix.
    return not text.endswith((*_TIME_POSITIONS, "以上", "以下"))


def format_value(operator: str, number: Decimal | None, unit: str) -> str:
    """Write a value in the city finance system's style: ``≥30.00(户)``, ``=0``.

    The number is printed exactly as the Decimal holds it (never in scientific
    notation). Returns "" when there is no number.
    """
    if number is None:
        return ""
    if operator and operator not in OPERATORS:
        raise ValueError(f"unknown operator {operator!r}")
    text = f"{operator}{format(number, 'f')}"
    return f"{text}({unit})" if unit else text


# How published forms write an indicator's direction (指标方向性), by what it begins with.
_DIRECTION_WORDS = (
    (("正向", "正指标", "越大越好", "越高越好", "↑"), "positive"),
    (("反向", "逆向", "负向", "越小越好", "越低越好", "↓"), "negative"),
    (("定性",), QUALITATIVE),
)


def direction_of_text(text: str) -> str:
    """The direction a 指标方向性 cell states: positive, negative, qualitative, or "" if none."""
    text = clean_value(text or "")
    for words, direction in _DIRECTION_WORDS:
        if text.startswith(words):
            return direction
    return ""
