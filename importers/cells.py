"""Rows and cells of published forms, and the values read from a cell.

The published forms are text extracted from PDFs: one table cell per tab, or
markdown pipes when another tool did the extraction. A row keeps the column
of every non-empty cell, because merged cells decide where a text belongs
(left or right half of the goals row, value column of an indicator).
``published.py`` and the form readers read the parts of each form from these
rows; the indicator table, which all three forms share, is read by
``indicator_table.IndicatorSection``.
"""

import datetime
import html
import re
from dataclasses import dataclass

from filings.cleaning import strip_invisible
from importers import labels as printed
from perfgoals.folding import compact_label as norm  # the importers' short name for it

# A line break inside a cell between two CJK characters is the extractor's, not the
# filer's (某某路改建工 程); spaces elsewhere (> =90%) are left to the value parser.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")

# Only things that look like tags: a value such as "<90%且>80%" must survive.
_TAGS = re.compile(r"</?[A-Za-z][^<>]*>")
# A paragraph ends at </p> or <br>; the other tags just go.
_PARAGRAPH_END = re.compile(r"</p\s*>|<br\s*/?>", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?")
_EMPTY_BOXES = "□☐"
_TICKED = "√☑■✓✔"
_BOXES = _EMPTY_BOXES + _TICKED


@dataclass(frozen=True)
class Cell:
    col: int
    text: str


@dataclass(frozen=True)
class Row:
    """One line of the file: its 1-based number and its non-empty cells."""

    line: int
    cells: tuple
    tabular: bool  # False for a line of plain text (no column information)
    width: int = 1  # cells on the line, blank ones included

    @property
    def text(self):
        return " ".join(cell.text for cell in self.cells)


def label_key(text):
    """Like norm (``compact_label``), without the colon some forms print after a label."""
    return norm(text).rstrip(":")


def is_markdown_separator(line):
    """``--|---``, ``| --- | :---: |``, ``+---+---+`` or dashes between tabs: a table rule."""
    stripped = line.strip()
    has_rule = "--" in stripped or "——" in stripped or "==" in stripped
    return has_rule and not re.sub(r"[|+:\-—－=\s]", "", stripped)


def is_vertical_fragment(key):
    """A piece of a vertical label (``绩`` / ``效指标``) printed on a line of its own."""
    return bool(key) and any(key in label and key != label for label in printed.VERTICAL_LABELS)


def split_row(number, line):
    """Cut one line into cells: on tabs, or on pipes for a markdown row."""
    if "\t" in line:
        pieces = line.split("\t")
    elif "|" in line:
        pieces = line.strip().split("|")
        # The pipes at both ends of "| a | b |" open and close the row, not cells.
        if pieces and not pieces[0].strip():
            pieces = pieces[1:]
        if pieces and not pieces[-1].strip():
            pieces = pieces[:-1]
    else:
        pieces = [line]
    cells = tuple(Cell(col, piece.strip()) for col, piece in enumerate(pieces) if piece.strip())
    return Row(number, cells, tabular=len(pieces) > 1, width=len(pieces))


def read_rows(text):
    """Every line that holds something, as rows; blank lines are page breaks.

    Control and direction characters (NUL, form feeds of the extractor) are removed
    first, with the one cleaner's list: they are the extractor's noise, not the form's.
    """
    text = strip_invisible(text.lstrip("\ufeff"), multiline=True)
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if is_markdown_separator(line):
            continue
        row = split_row(number, line)
        if row.cells:
            rows.append(row)
    return rows


def clean_name(text):
    """A short text (indicator or task name): no HTML, no empty check boxes, single
    spaces, no break between two CJK characters."""
    return _without_boxes(_CJK_BREAK.sub("", _TAGS.sub("", html.unescape(text))))


def _without_boxes(text):
    for box in _EMPTY_BOXES:
        text = text.replace(box, "")
    return " ".join(text.split())


def is_wrapped(text):
    """True when ``text`` holds a break between CJK characters that clean_name joins."""
    return bool(_CJK_BREAK.search(text))


def long_text_paragraphs(text):
    """The paragraphs of a long text cell, without HTML and check boxes.

    Entities are decoded before the tags go: ``&lt;script&gt;`` is text that
    looks like a tag, and must not survive as a live one.
    """
    text = _PARAGRAPH_END.sub("\n", text)
    text = _PARAGRAPH_END.sub("\n", html.unescape(text))
    text = _TAGS.sub("", text)
    # A paragraph keeps its spaces: in running text they may be the filer's own.
    paragraphs = [_without_boxes(part) for part in text.split("\n")]
    return [part for part in paragraphs if part]


def join_long_text(cells):
    """Long text spread over cells or rows, one paragraph per line."""
    paragraphs = []
    for cell in cells:
        paragraphs.extend(long_text_paragraphs(cell.text))
    return "\n".join(paragraphs)


def parse_date(text):
    """``2023年1月1日``, ``2023-01-01``, ``2023/1/1``, ``2023.01.01`` -> date, else None."""
    match = _DATE.fullmatch("".join(text.split()))
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def ticked_option(text):
    """The option ticked in ``专项资金□ 经常性项目√ 一次性项目□``.

    Returns (ticked options, True) for tick-box text and ([], False) for a
    plain value, so the caller can tell "nothing ticked" from "no boxes".
    """
    if not any(box in text for box in _BOXES):
        return [], False
    ticked = []
    option = ""
    for char in text:
        if char in _BOXES:
            if char in _TICKED and option.strip():
                ticked.append(option.strip())
            option = ""
        else:
            option += char
    return ticked, True


def parse_count(text):
    """A whole number such as ``10`` or ``24人``; None when it is not one."""
    digits = norm(text).rstrip("个人家")
    # isdigit() alone says yes to "²", which int() refuses.
    return int(digits) if digits.isascii() and digits.isdigit() else None


def label_pairs(cells, is_label):
    """Pair each label with the cell after it: (label key, label cell, value cell).

    The value is None when the label is followed by another label or by
    nothing. Cells that are neither a label nor a label's value come back as
    leftovers.
    """
    pairs = []
    leftovers = []
    index = 0
    while index < len(cells):
        cell = cells[index]
        key = label_key(cell.text)
        if not is_label(key):
            leftovers.append(cell)
            index += 1
            continue
        value = None
        if index + 1 < len(cells) and not is_label(label_key(cells[index + 1].text)):
            value = cells[index + 1]
            index += 1
        pairs.append((key, cell, value))
        index += 1
    return pairs, leftovers


# 510001-某某街道办事处, [510001]某某街道办事处, 某某局（510001）: a code printed with a name.
_CODE_PREFIX = re.compile(r"[\[【]?(\d{3,20})[\]】]?\s*[-－—_:：\s]?\s*(\D.*)")
_CODE_SUFFIX = re.compile(r"(.*?\D)\s*[(（\[【](\d{3,20})[)）\]】]")


def split_code(text):
    """(name, code) of an organisation printed with its 单位编码; code "" when none."""
    text = clean_name(text)
    found = _CODE_PREFIX.fullmatch(text)
    if found:
        return found[2].strip(), found[1]
    found = _CODE_SUFFIX.fullmatch(text)
    if found:
        return found[1].strip(), found[2]
    return text, ""
