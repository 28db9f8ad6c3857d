"""The printed pages of a form sheet, predicted from its row heights, and its merged cells
split there, as the PDF does.

Excel and LibreOffice leave a merged 一级/二级 cell blank at the top of a
continuation page: its text is printed once, on the page where the range
starts. Here the pages are predicted from the row heights the sheet sets
(``excel._write_form`` works them out from the wrapped text), a manual page
break is set where each page starts, and every merged range of the indicator
table that a break runs through is cut in two there, its text written again
in the second part. 导入Excel reads a repeated 一级/二级 name as the same group.
A page starts above a merged cell of the form's head (the goals with their
label beside them) rather than inside it, when the cell fits on one page and
the page before stays at least half full.

The rows' heights are set in the sheet, so the pages can be worked out from
the page's geometry: the body of an A4 page between the margins holds
``PAGE_POINTS`` of rows at 100 %. Fit-to-width only ever shrinks the sheet
(by Calibri's metrics, which Excel's column widths are counted in, the form
is about 514 pt wide against the page's 523 pt: 100 %; LibreOffice prints it
at 76 % where Calibri falls back to a wider font, on a machine without
Carlito), so a page never holds less than predicted and every break set here
is where a page starts.
Checked against LibreOffice's own printing (tests/fixtures/excel_pages/).

The heading row of the indicator table is printed again at the top of every
page (the print titles) with whatever part of a merged cell falls in it: the
绩效指标 label merged down beside the table is therefore started under it
(``label_below_heading``), so that no page shows a clipped slice of it.
"""

from copy import copy
from itertools import pairwise

from openpyxl.worksheet.pagebreak import Break

# The sheet's margins in inches (the footer inside the bottom one).
TOP_MARGIN = 0.6
BOTTOM_MARGIN = 0.7
A4_HEIGHT_POINTS = 297 / 25.4 * 72
# Rows of an A4 portrait page between the margins, in points at 100 %.
PAGE_POINTS = A4_HEIGHT_POINTS - (TOP_MARGIN + BOTTOM_MARGIN) * 72
# Excel lays rows out in whole pixels (0.75 pt at 96 dpi): a row may print this much taller.
ROW_ROUNDING = 0.75
# The fewest rows a last page holds when rows can move onto it.
MIN_LAST_ROWS = 3


def page_starts(heights, first_row, last_row, heading_row, whole=()):
    """The sheet rows that start a printed page after the first.

    ``heights`` holds each row's height in points (rows 1 to ``last_row``).
    The heading row of the indicator table is printed again at the top of
    every page after the one it is on (the sheet's print titles), and is never
    left alone at the foot of a page. ``whole``: (first, last) rows of merged
    cells of the form's head (a label beside several rows, a long goal written
    over several rows): a page starts at their first row rather than inside
    them, when they fit on one page; their text is printed once, and a page
    break through them would leave part of it, or their label, on another page.
    """
    starts = []
    used = sum(heights[row] + ROW_ROUNDING for row in range(1, first_row))
    for row in range(first_row, last_row + 1):
        height = heights[row] + ROW_ROUNDING
        if used + height > PAGE_POINTS and used > 0:
            if row == heading_row + 1:
                row, height = heading_row, heights[heading_row] + ROW_ROUNDING + height
                used = 0
            else:
                used = heights[heading_row] + ROW_ROUNDING if row > heading_row else 0
                top = _whole_from(whole, row, heights, starts, first_row)
                if top != row:
                    used += sum(heights[r] + ROW_ROUNDING for r in range(top, row))
                    row = top
            starts.append(row)
        used += height
    # No last page of one or two rows when the page before can give some (as in the PDF).
    if starts and last_row - starts[-1] + 1 < MIN_LAST_ROWS:
        earlier = last_row + 1 - MIN_LAST_ROWS
        if earlier > max(starts[-2] if len(starts) > 1 else first_row, heading_row + 1):
            starts[-1] = earlier
    return starts


def head_ranges(sheet, heading_row):
    """(first, last) rows of the cells merged down in the head of the form (above
    ``heading_row``), for ``page_starts`` to keep on one page."""
    return [
        (merged.min_row, merged.max_row)
        for merged in sheet.merged_cells.ranges
        if merged.min_row < merged.max_row < heading_row
    ]


def _whole_from(whole, row, heights, starts, first_row):
    """Where a page starting at ``row`` starts instead: the first row of a range of
    ``whole`` that ``row`` is inside, if the range fits on a page and the rows it
    moves on leave the page before at least half full; else ``row``."""
    page_top = max(starts, default=first_row)
    for first, last in whole:
        height = sum(heights[r] + ROW_ROUNDING for r in range(first, last + 1))
        moved = sum(heights[r] + ROW_ROUNDING for r in range(first, row))
        if page_top < first < row <= last and height <= PAGE_POINTS and moved <= PAGE_POINTS / 2:
            return first
    return row


def split_at_pages(sheet, starts, table_row):
    """Set a page break before each row of ``starts`` and cut the merged ranges there.

    Only ranges of the indicator table (from ``table_row`` down) are cut: the
    head of the form is read back by its printed labels, each of which must
    stay one cell.
    """
    for merged in list(sheet.merged_cells.ranges):
        cuts = [row for row in starts if merged.min_row < row <= merged.max_row]
        if merged.min_row >= table_row and cuts:
            _cut(sheet, merged, cuts)
    for row in starts:
        sheet.row_breaks.append(Break(id=row - 1))


def label_below_heading(sheet, heading_row):
    """Start a label merged down from ``heading_row`` (绩效指标) on the row under it.

    The heading keeps an empty cell; returns the columns where that happened,
    so that the two cells can be drawn as one (no line between them).
    """
    columns = []
    for merged in list(sheet.merged_cells.ranges):
        if merged.min_row == heading_row < merged.max_row:
            _cut(sheet, merged, [heading_row + 1])
            sheet.cell(row=heading_row, column=merged.min_col).value = None
            columns.append(merged.min_col)
    return columns


def _cut(sheet, merged, cuts):
    """Cut the merged range ``merged`` before each row of ``cuts``, its text in every part."""
    first = sheet.cell(row=merged.min_row, column=merged.min_col)
    value, data_type, style = first.value, first.data_type, copy(first._style)
    sheet.unmerge_cells(merged.coord)
    bounds = [merged.min_row, *cuts, merged.max_row + 1]
    for top, stop in pairwise(bounds):
        cell = sheet.cell(row=top, column=merged.min_col)
        if top != merged.min_row:
            # Written as the first part was: text stays text, never a formula.
            cell.value = value
            cell.data_type, cell._style = data_type, copy(style)
        if stop - 1 > top or merged.max_col > merged.min_col:
            sheet.merge_cells(
                start_row=top,
                start_column=merged.min_col,
                end_row=stop - 1,
                end_column=merged.max_col,
            )
