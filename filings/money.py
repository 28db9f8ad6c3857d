"""Money as the forms print it: Decimal in, Decimal out, never float.

Amounts are kept in the unit the form declares (元 or 万元). A blank cell is
``None`` and stays distinct from zero.

``parse_amount`` is the one gate for every amount that enters the database
(published forms, ``import_json``, the forms of the pages): it refuses what the
database could not hold or a reader would misread, instead of changing it.
"""

import re
from decimal import Decimal, InvalidOperation

from perfgoals.folding import fold_width

# Thousands separators only where they belong: 2,013,200.00 yes, 1,2,3 no.
_AMOUNT_RE = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
# Longer than any amount a form could hold: refused before Decimal sees it.
_MAX_TEXT = 40

# The one bound: below 10^13 in the printed unit (10 万亿元 in 元, far more in 万元),
# and no finer than a 分: 2 places in 元, 6 in 万元. The columns hold 20 digits with
# 6 places, so every amount that passes reads back exactly on SQLite and PostgreSQL.
AMOUNT_LIMIT = Decimal(10) ** 13
DECIMAL_PLACES = {"元": 2, "万元": 6}


class AmountError(ValueError):
    """Text that should be an amount but is not one; the message is for the user.

    ``code`` says why (invalid, negative, too_large, decimals), for a form's
    ValidationError code.
    """

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.code = code


def echo(text, limit=40):
    """User input quoted in a message, cut short so that a message stays a message."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def parse_amount(text, unit=None):
    """Return the Decimal written in ``text``, or None for a blank cell.

    Accepts thousands separators (``2,013,200.00``), surrounding spaces and
    full-width digits. Raises AmountError for anything else, so that a typo
    is reported instead of silently becoming 0: separators in the wrong
    places, negative amounts, amounts of 10^13 or more and, when ``unit`` is
    given, more decimal places than the unit allows.
    """
    if text is None:
        return None
    if isinstance(text, bool | float):
        # A float has already lost the exact amount; True would read as 1.
        raise AmountError(f'「{echo(text)}」不是有效的金额（应写成文字，如 "1200.00"）')
    if isinstance(text, Decimal | int):
        amount = Decimal(text)
    else:
        # Full-width digits and punctuation turn up in pasted and extracted text.
        cleaned = fold_width(str(text)).replace(" ", "").strip()
        if cleaned in ("", "-", "/", "—"):
            return None
        if len(cleaned) > _MAX_TEXT or not _AMOUNT_RE.match(cleaned):
            raise AmountError(f"「{echo(text)}」不是有效的金额")
        try:
            amount = Decimal(cleaned.replace(",", ""))
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise AmountError(f"「{echo(text)}」不是有效的金额") from exc
    check_amount(amount, unit, shown=text)
    return amount


def check_amount(amount, unit=None, shown=None):
    """Raise AmountError when ``amount`` is outside the one bound (see AMOUNT_LIMIT)."""
    if amount is None:
        return
    shown = echo(amount if shown is None else shown)
    if not amount.is_finite():
        raise AmountError(f"「{shown}」不是有效的金额")
    if amount < 0:
        raise AmountError(f"「{shown}」为负数，金额不能为负", "negative")
    if amount >= AMOUNT_LIMIT:
        raise AmountError(f"「{shown}」超出上限（应小于 10 万亿{unit or ''}）", "too_large")
    places = DECIMAL_PLACES.get(unit, max(DECIMAL_PLACES.values()))
    if -amount.as_tuple().exponent > places and amount != amount.quantize(Decimal(10) ** -places):
        message = f"「{shown}」的小数超过 {places} 位（金额单位：{unit or '万元'}）"
        raise AmountError(message, "decimals")


def _trimmed(amount):
    """Quantize to two places, keeping any further non-zero places."""
    two = amount.quantize(Decimal("0.01"))
    if two == amount:
        return two
    return amount.normalize()


def amount_str(amount):
    """Plain decimal string for data files: ``2013200.00``; None stays None."""
    if amount is None:
        return None
    return f"{_trimmed(Decimal(amount)):f}"


def format_amount(amount):
    """As printed on the forms: ``2,013,200.00``; blank for None."""
    if amount is None:
        return ""
    return f"{_trimmed(Decimal(amount)):,f}"
