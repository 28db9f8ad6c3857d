"""Money as the forms print it: Decimal in, Decimal out, never float.

Amounts are kept in the unit the form declares (元 or 万元). A blank cell is
``None`` and stays distinct from zero.
"""

import re
from decimal import Decimal, InvalidOperation

# Full-width digits and punctuation turn up in pasted and extracted text.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_AMOUNT_RE = re.compile(r"^-?\d+(\.\d+)?$")


class AmountError(ValueError):
    """Text that should be an amount but is not one."""


def parse_amount(text):
    """Return the Decimal written in ``text``, or None for a blank cell.

    Accepts thousands separators (``2,013,200.00``), surrounding spaces and
    full-width digits. Raises AmountError for anything else, so that a typo
    is reported instead of silently becoming 0.
    """
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    cleaned = str(text).translate(_FULLWIDTH).replace(",", "").replace(" ", "").strip()
    if cleaned in ("", "-", "/", "—"):
        return None
    if not _AMOUNT_RE.match(cleaned):
        raise AmountError(f"「{text}」不是有效的金额")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise AmountError(f"「{text}」不是有效的金额") from exc


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
