"""Page breaks of a printed grid: merged cells cut by a break are printed again.

A browser (and WeasyPrint) leaves a cell that spans rows across a page break
blank on the next page: the 一级/二级 labels of the indicator table would be
missing at the top of every continuation page. The official system prints
them again. ``split_at`` does that on the grid itself: every cell whose rows
cross a break becomes two cells with the same text, the second one starting
in the first row of the new page at the cell's column. The renderer lays the
form out, asks which rows start a page, splits there and lays it out again.

Everything here is plain data (no WeasyPrint), so that the splitting can be
tested on its own.
"""

from dataclasses import dataclass, field, replace

from django.utils.html import escape

from exports.print_text import BREAKABLE_MM, cell_markup, height_mm


@dataclass
class PrintCell:
    """A cell as the print template writes it."""

    text: str
    kind: str
    colspan: int = 1
    rowspan: int = 1
    col: int = 0
    # Extra CSS classes: "repeat" marks the copy printed at the top of a page;
    # "open-below"/"open-above" join a heading cell with the cell under it
    # (on a continuation page too: the repeated heading is above the copy).
    classes: list = field(default_factory=list)
    # The cell's text as HTML (numbers kept whole), and the classes that fit it in its width.
    html: str = ""
    fit: list = field(default_factory=list)

    def __post_init__(self):
        if not self.html:
            self.html = escape(self.text)

    @property
    def css(self):
        return " ".join([self.kind, *self.fit, *self.classes])


@dataclass
class PrintRow:
    """A row of a printed table; ``index`` numbers the rows of the whole form."""

    index: int
    cells: list
    breakable: bool = False
    # Set on the row that must start a page (a row moved on so that no page ends a table
    # with one or two rows of it alone).
    page_start: bool = False

    @property
    def css(self):
        classes = ["page-start"] if self.page_start else []
        if self.breakable:
            classes.append("breakable")
        elif self.headings_only:
            classes.append("keep")
        return " ".join(classes)

    @property
    def headings_only(self):
        """A row of labels only (任务名称 · 主要内容): kept on the page of the row under it."""
        return all(cell.kind in ("label", "sub") for cell in self.cells)


def print_rows(rows, first_index=0, widths=()):
    """``document.Row``s as ``PrintRow``s, numbered from ``first_index``.

    ``widths`` (mm per column) are those of the rows' band: each cell's text is
    fitted to the width of the columns it spans.
    """
    return [
        PrintRow(
            first_index + n,
            [_print_cell(c, widths) for c in row.cells],
            row.breakable and _tall(row, widths),
        )
        for n, row in enumerate(rows)
    ]


def _tall(row, widths):
    """Whether ``row`` is tall enough to be worth breaking across pages.

    A row of long text that would fill less than ``BREAKABLE_MM`` moves to the
    next page whole rather than leave a few lines of it behind.
    """
    if not widths:
        return True
    return any(
        height_mm(c.text, sum(widths[c.col : c.col + c.colspan])) > BREAKABLE_MM for c in row.cells
    )


def _print_cell(cell, widths):
    html, fit = cell_markup(cell.text, cell.kind, sum(widths[cell.col : cell.col + cell.colspan]))
    return PrintCell(cell.text, cell.kind, cell.colspan, cell.rowspan, cell.col, html=html, fit=fit)


def crossing(rows, breaks):
    """The breaks (row indices) that cut a cell spanning rows: the ones worth a split.

    A cell covers the rows that follow its own in ``rows``, by position: the
    parts of a long row cut at a page (``bands.cut_long_rows``) are numbered
    after the whole form, so indices are not consecutive under a merged cell.
    """
    position = {row.index: n for n, row in enumerate(rows)}
    cut = set()
    for n, row in enumerate(rows):
        for cell in row.cells:
            last = n + cell.rowspan - 1
            cut.update(b for b in breaks if n < position.get(b, -1) <= last)
    return cut


def split_at(rows, breaks):
    """A copy of ``rows`` where every cell spanning a break in ``breaks`` is cut in two.

    ``breaks`` holds the indices (``PrintRow.index``) of rows that start a
    page. The part after the break is inserted into the break row at the
    cell's column, with the same text and the ``repeat`` class.
    """
    rows = [replace(row, cells=list(row.cells)) for row in rows]
    position = {row.index: n for n, row in enumerate(rows)}
    for at in sorted(position[b] for b in breaks if b in position):
        for n, row in enumerate(rows[:at]):
            for c, cell in enumerate(row.cells):
                last = n + cell.rowspan - 1
                if not n < at <= last:
                    continue
                row.cells[c] = replace(cell, rowspan=at - n)
                rest = replace(cell, rowspan=last - at + 1, classes=[*cell.classes, "repeat"])
                insert_cell(rows[at].cells, rest)
    return rows


def insert_cell(cells, cell):
    """Put ``cell`` among ``cells`` in the order of their columns."""
    at = next((n for n, other in enumerate(cells) if other.col > cell.col), len(cells))
    cells.insert(at, cell)


def page_starts(pages):
    """The indices of the rows that start each page after the first.

    ``pages`` lists, per page, the row indices laid out on it (from
    ``data-r``), in order. A row continued from the page before (a long text
    that flows on) starts nothing: no cell can be cut there.
    """
    starts = set()
    previous = []
    for indices in pages:
        if indices and previous and indices[0] != previous[-1]:
            starts.add(indices[0])
        if indices:
            previous = indices
    return starts
