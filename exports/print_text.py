"""A cell's text as the print template writes it: numbers kept whole, amounts fitted.

A browser (and WeasyPrint) breaks ``≥1234567890.00(人次)`` wherever the cell
runs out of room, since the number and its unit form one word with no break
opportunity in it; ``overflow-wrap: anywhere`` then cuts it mid-number. Here
every number (with its operator) and every bracketed unit is one unbreakable
token, with a break opportunity between tokens, so that a value wraps between
``≥1234567890.00`` and ``(人次)`` and nowhere inside either. A token wider than
its cell is left breakable: an overflowing cell is worse than a cut word.

An amount is printed on one line: when it is wider than its cell at 10pt it is
printed smaller (``fit-9`` … ``fit-7``), down to 7pt, and only past that it
may wrap after a thousands separator.

Widths are the advance widths of Noto Serif CJK SC (what print.css prints in),
in ems (``char_em``); page_plan.py reckons lines with them too.
"""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

from exports.document import LABEL, MONEY, NUMBER, SUB

MM_PER_PT = 25.4 / 72
FONT_PT = 10
# A cell's left and right padding (1.4 mm each in print.css) and its borders, with a margin.
CELL_PADDING_MM = 3.4
# How near a run that no line break cuts may come to a cell's width (``cut``).
RUN_MARGIN_MM = 1.0
# Sizes an amount may shrink to, largest first, and their CSS classes.
FIT_SIZES = ((9, "fit-9"), (8, "fit-8"), (7, "fit-7"))

# Advance widths (thousandths of an em) of the characters of Noto Serif CJK SC that are
# not one em wide, read from the font print.css prints in (fontTools: its hmtx and cmap).
# A Chinese character is one em, and so is a mark of East Asian width (W, F, or A among
# the punctuation and symbols of U+2000–2FFF: the font's U+201C “ too).
# fmt: off
_WIDTHS = {
    196: "'", 256: " ", 308: "!", 311: "j", 316: "|", 327: ",.:;·", 332: "i", 334: "l",
    342: "°", 344: "[]", 346: "-", 352: "/\\", 364: "()", 367: "t", 374: "{}", 376: '"',
    388: "f", 402: "J", 405: "I", 432: "?", 435: "`", 462: "r", 471: "1", 473: "s",
    478: "*", 498: "z", 538: "c", 546: "e", 548: "v", 549: "7", 550: "$€", 552: "y",
    555: "4", 557: "03a", 558: "2568", 562: "9", 563: "_–", 564: "x", 566: "g", 567: "S",
    574: "#", 580: "+<=>^~", 596: "o", 605: "Z", 607: "kq", 625: "L", 629: "Fd",
    638: "bp", 641: "P", 652: "E", 653: "u", 659: "T", 661: "n", 663: "h", 670: "B",
    687: "Y", 691: "C", 700: "X", 714: "V", 715: "R", 718: "A", 731: "K", 741: "G",
    767: "OQ", 770: "D", 779: "&", 796: "N", 797: "U", 838: "w", 853: "H", 890: "—",
    912: "@", 923: "%", 974: "m", 975: "M", 1053: "W",
    261: "′", 440: "″", 385: "⁴", 507: "ℓ", 795: "™", 1089: "№", 1000: "§±¶×÷ˉ",
}
# fmt: on
_ADVANCE = {ch: width / 1000 for width, chars in _WIDTHS.items() for ch in chars}
_LATIN = 0.62  # a character of another script: an estimate, rounded up

# A break opportunity: a zero-width space, what WeasyPrint draws a <wbr> as, without an
# element and a pseudo-element to style and lay out for each (a tenth of a form's layout).
BREAK = "\u200b"
# A number with its operator (≥1234567890.00, =100%, 1,234.5), or a bracketed unit.
TOKEN_RE = re.compile(r"[<>≤≥=＝≈～~±+\-]*\d[\d,.:%‰]*|[(（][^()（）\s]{1,8}[)）]")


def char_em(ch):
    """The advance width of ``ch`` in ems, or None if the table does not know it."""
    if ch in _ADVANCE:
        return _ADVANCE[ch]
    wide = unicodedata.east_asian_width(ch)
    if wide in "WF" or (wide == "A" and "\u2000" <= ch <= "\u2fff"):
        return 1.0
    return None


def width_em(text):
    """The width of one line of ``text`` in ems."""
    return sum(char_em(ch) or _LATIN for ch in text)


def width_mm(text, size=FONT_PT):
    """The width of the widest line of ``text`` at ``size`` points, in millimetres."""
    return max((width_em(line) for line in text.split("\n")), default=0) * size * MM_PER_PT


def cell_markup(text, kind, cell_mm):
    """The HTML of a cell ``cell_mm`` wide, and the classes its fit needs."""
    room = cell_mm - CELL_PADDING_MM
    if kind in (LABEL, SUB) or not text:
        return escape(text), []
    if kind in (MONEY, NUMBER):
        return _fitted(text, room)
    return _tokens(text, room), (["cut"] if _has_overlong_run(text, room) else [])


def _has_overlong_run(text, room):
    """Whether a run of ``text`` that no line break cuts (Latin letters, digits, marks)
    is about as wide as the cell, or wider: print.css's ``cut`` lets it break anywhere.

    Only such a cell has it: ``overflow-wrap: anywhere`` on every cell cost
    WeasyPrint a tenth of a form's layout, and a line of Chinese breaks anyway.
    """
    runs = "".join(ch if char_em(ch) != 1.0 and not ch.isspace() else " " for ch in text)
    return any(width_mm(run) > room - RUN_MARGIN_MM for run in runs.split())


def _fitted(text, room):
    """An amount on one line, smaller when it must be; past 7pt it wraps after a separator."""
    if width_mm(text) <= room:
        return escape(text), []
    for size, css in FIT_SIZES:
        if width_mm(text, size) <= room:
            return escape(text), [css]
    broken = BREAK.join(escape(part) + "," for part in text.split(",")[:-1])
    return mark_safe(broken + escape(text.split(",")[-1])), [FIT_SIZES[-1][1], "wrap"]


def _tokens(text, room):
    """``text`` with each number and unit that fits the cell kept whole."""
    out, end = [], 0
    for match in TOKEN_RE.finditer(text):
        token = match.group()
        out.append(escape(text[end : match.start()]))
        if width_mm(token) <= room:
            # A break is allowed before a token that follows a letter, a digit or a bracket.
            broken = bool(out) and end == match.start() and match.start() > 0
            if broken:
                out.append(BREAK)
            if _whole_anyway(text, match, room, broken):
                out.append(escape(token))
            else:
                out.append(f'<span class="nb">{escape(token)}</span>')
        else:
            out.append(escape(token))
        end = match.end()
    out.append(escape(text[end:]))
    return mark_safe("".join(out))  # every piece of text is escaped above


# An ASCII number with its operator: no line-break opportunity inside it (UAX #14).
_ASCII_NUMBER_RE = re.compile(r"[=+\-<>~]*\d[\d,.:%‰]*")
# Punctuation that stays on the line of the number before it.
_CLOSING = "、，。；：）"


def _whole_anyway(text, match, room, broken):
    """Whether ``match`` (a token that fits in ``room``) is never cut without its span.

    Each span is an element and a text box more for WeasyPrint to style and lay
    out (a quarter of a form's layout time), over half of them ASCII numbers
    that nothing would cut: a line breaks inside neither ``1,234.5`` nor
    ``=100%``, and ``overflow-wrap: anywhere`` cuts only a run that cannot fit
    a line on its own. So the span is left out where a break is allowed on both
    sides of the number (a space, a Chinese character, a ``BREAK`` (``broken``)
    before a token of its own, the start or end of the text), or only closing
    punctuation follows and the two fit together.
    """
    token = match.group()
    if not _ASCII_NUMBER_RE.fullmatch(token):
        return False
    start, end = match.start(), match.end()
    before = text[start - 1] if start else " "
    if not (broken or before.isspace() or _ideograph(before) or before in _CLOSING):
        return False
    after = text[end] if end < len(text) else " "
    if after.isspace() or _ideograph(after):
        return True
    if after in _CLOSING:
        return width_mm(token + after) <= room
    # The token after it gets a BREAK before it if it fits.
    following = TOKEN_RE.match(text, end)
    return following is not None and width_mm(following.group()) <= room


def _ideograph(ch):
    return "\u4e00" <= ch <= "\u9fff"


# A line of 10pt text at print.css's line-height of 1.35, and the height on an A4 page
# between the margins (297 - 14 - 16 mm) less the title.
LINE_MM = FONT_PT * 1.35 * MM_PER_PT
PAGE_BODY_MM = 250
# A row taller than this may break across pages; a shorter one moves to the next page whole.
BREAKABLE_MM = PAGE_BODY_MM * 0.4


def height_mm(text, cell_mm):
    """About how tall ``text`` prints in a cell ``cell_mm`` wide."""
    room = max(cell_mm - CELL_PADDING_MM, 1)
    lines = sum(max(1, -(-width_mm(line) // room)) for line in text.split("\n"))
    return lines * LINE_MM + 2.4
