"""The printed form band by band: each band a table with its own column widths.

The paper form is not one grid: the title block, the money, the goals, the
tasks, the budget and the indicator table each divide the width their own way
(``Document.band_widths``), so that every label fits on one line. A band is
printed as its own ``<table>``; the rows keep one numbering across the form
(``data-r``), so that ``pagination`` finds and splits page breaks in any band.

A band may have a heading row printed again at the top of every page it runs
onto (a ``<thead>``): the indicator table's 一级指标 · 二级指标 … row, and the
goals' 项目绩效目标 · 项目总目标 · 年度总体目标 row, so that goal text continued
on a new page is under its label again.

Plain data, no WeasyPrint, like ``pagination``.
"""

from dataclasses import dataclass, field, replace
from itertools import groupby

from exports.document import GOALS_BAND, INDICATOR_BAND
from exports.pagination import insert_cell, print_rows, split_at
from exports.print_text import cell_markup

# A table ending a form keeps at least this many rows on its last page, when the
# page before can give them.
MIN_LAST_ROWS = 3


@dataclass
class PrintBand:
    """One band of the printed form: its widths (mm), its repeated heading and its rows."""

    name: str
    widths: tuple
    rows: list
    heading: list = field(default_factory=list)


def print_bands(document):
    """The bands of ``document`` ready to print, rows numbered across the whole form."""
    bands, index = [], 0
    for name, rows in groupby(document.head, key=lambda row: row.band):
        rows = list(rows)
        widths = document.band_widths(name)
        printed = print_rows(rows, index, widths)
        index += len(rows)
        if name == GOALS_BAND and len(printed) > 1:
            heading, body = _with_heading(printed[0].cells, printed[1:], label_in_heading=True)
            bands.append(PrintBand(name, widths, body, heading))
        else:
            bands.append(PrintBand(name, widths, printed))
    widths = document.band_widths(INDICATOR_BAND)
    heading = print_rows([document.indicator_head], index, widths)[0].cells
    body = print_rows(document.indicators, index + 1, widths)
    heading, body = _with_heading(heading, body)
    bands.append(PrintBand(INDICATOR_BAND, widths, body, heading))
    return bands


def _with_heading(heading, body, *, label_in_heading=False):
    """A heading row that a ``<thead>`` can repeat, and the body rows under it.

    A heading cell that runs down beside the body (项目绩效目标, 绩效指标) cannot
    span from a ``<thead>`` into the body: the heading keeps its part, open
    below, and the body's first row gets the rest, open above. The label's text
    goes with the heading when it must be printed again on every page
    (``label_in_heading``), else with the body's part, which is split at each
    page break like every merged cell.
    """
    for cell in heading:
        if cell.rowspan > 1 and body:
            rest = replace(cell, rowspan=cell.rowspan - 1, classes=["open-above"])
            if label_in_heading:
                rest = replace(rest, text="", html="")
            insert_cell(body[0].cells, rest)
            if not label_in_heading:
                cell.text, cell.html = "", ""
            cell.rowspan, cell.classes = 1, ["open-below"]
    return heading, body


def rows_of(bands):
    """Every body row of every band, top to bottom."""
    return [row for band in bands for row in band.rows]


def split_bands(bands, breaks, page_starts=()):
    """The bands with their merged cells split at ``breaks`` and the rows of ``page_starts``
    marked to start a page."""
    split = []
    for band in bands:
        rows = split_at(band.rows, breaks)
        for row in rows:
            row.page_start = row.index in page_starts
        split.append(replace(band, rows=rows))
    return split


def orphan_move(bands, pages):
    """The row to start the last page with, so that it holds no lone row or two; or None.

    ``pages`` lists the row indices laid out on each page. When the form's last
    page holds only one or two rows of the indicator table, the rows above them
    on the page before move on with them, as long as that page keeps rows of
    its own.
    """
    if len(pages) < 2 or not pages[-1]:
        return None
    table = [row.index for row in bands[-1].rows]
    last, before = pages[-1], pages[-2]
    if len(set(last)) >= MIN_LAST_ROWS or not set(last) <= set(table):
        return None
    if last[0] in before:
        return None  # a long row continued from the page before: nothing to move
    movable = [index for index in before if index in table and index != table[0]]
    need = MIN_LAST_ROWS - len(set(last))
    if len(movable) <= need:
        return None
    return movable[-need]


def cut_long_rows(bands, continued):
    """The bands with each row of ``continued`` cut where its pages end.

    ``continued`` maps the index of a row that page breaks run through to the
    text of each of its cells (by column) laid out on each later page. The row
    becomes one row per page: what fits on its first page, then rows that each
    start a page with their part of the text beside the label printed again
    (单位职责, 年度履职目标 continued). A row under a label merged down beside
    it (a task under 年度重点任务) is cut too: the label then runs over every
    part, and the break at the new page splits it and prints it again
    (``pagination.split_at``). A row holding a merged cell of its own is not
    cut. Returns the new bands and the indices of the rows that start a page.
    """
    starts, cut = set(), []
    # The new rows are numbered after every row of the form: indices stay unique.
    number = max((row.index for row in rows_of(bands)), default=0)
    for band in bands:
        rows = []
        for row in band.rows:
            parts = continued.get(row.index)
            if not parts or any(cell.rowspan > 1 for cell in row.cells):
                rows.append(row)
                continue
            for at in range(len(parts)):
                number += 1
                row, rest = _cut(row, _tails(parts[at:]), band.widths, number)
                rows.append(row)
                starts.add(number)
                row = rest
            rows.append(row)
            _stretch(rows, len(parts))
        cut.append(replace(band, rows=rows))
    return cut, starts


def _stretch(rows, added):
    """Make every merged cell over the last ``added + 1`` rows of ``rows``, the parts of
    one row, run over all of them (rows and cells are replaced: earlier layouts share them)."""
    first = len(rows) - added - 1
    for n, row in enumerate(rows[:first]):
        if any(n + cell.rowspan > first for cell in row.cells):
            cells = [
                replace(cell, rowspan=cell.rowspan + added) if n + cell.rowspan > first else cell
                for cell in row.cells
            ]
            rows[n] = replace(row, cells=cells)


def _tails(parts):
    """The text of each column on all of ``parts`` (the pages from one break on)."""
    tails = {}
    for part in parts:
        for col, text in part.items():
            tails[col] = tails.get(col, "") + text
    return tails


def _cut(row, rest, widths, index):
    first, second = [], []
    for cell in row.cells:
        if cell.kind in ("label", "sub"):
            first.append(cell)
            repeat = [*cell.classes, "repeat"] if "repeat" not in cell.classes else cell.classes
            second.append(replace(cell, classes=repeat))
            continue
        head, tail = split_text(cell.text, rest.get(cell.col, ""))
        first.append(_with_text(cell, head, widths))
        second.append(_with_text(cell, tail, widths))
    return (
        replace(row, cells=first, breakable=False),
        replace(row, index=index, cells=second),
    )


def _with_text(cell, text, widths):
    html, fit = cell_markup(text, cell.kind, sum(widths[cell.col : cell.col + cell.colspan]))
    return replace(cell, text=text, html=html, fit=fit)


def split_text(text, tail):
    """``text`` cut where ``tail`` (as laid out: spaces and line breaks may differ) begins."""
    wanted = sum(1 for ch in tail if not ch.isspace() and ch != "\u200b")
    if not wanted:
        return text, ""
    at = len(text)
    while at > 0 and wanted:
        at -= 1
        if not text[at].isspace():
            wanted -= 1
    if at == 0:
        return text, ""  # the whole text moved on: nothing to cut
    return text[:at].rstrip(), text[at:].lstrip()
