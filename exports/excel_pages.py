"""The printed pages of a form sheet, predicted from its row heights, and its merged cells
split there, as the PDF does.

Excel and LibreOffice leave a merged 一级/二级 cell blank at the top of a
continuation page: its text is printed once, on the page where the range
starts. Here the pages are predicted from the row heights the sheet sets
(``excel._write_form`` works them out from the wrapped text), a manual page
break is set where each page starts, and every merged range of the indicator
table that a break runs through is cut in two there, its text written again
in the second part. 导入Excel reads a repeated 一级/二级 name as the same group.

The prediction is an estimate of the spreadsheet's own layout: the pages are
filled to ``PAGE_POINTS`` only, so that a row a little taller than estimated
still fits and the breaks set here are the ones that print.
"""

from copy import copy
from itertools import pairwise

from openpyxl.worksheet.pagebreak import Break

# Rows of an A4 portrait page between the sheet's margins (0.6 and 0.7 inch, the footer
# inside the bottom one), in points, scaled up by fit-to-width (about 0.98), less a
# tenth for the estimate.
PAGE_POINTS = 690
# The fewest rows a last page holds when rows can move onto it.
MIN_LAST_ROWS = 3


def page_starts(heights, first_row, last_row, heading_row):
    """The sheet rows that start a printed page after the first.

    ``heights`` holds each row's height in points (rows 1 to ``last_row``).
    The heading row of the indicator table is printed again at the top of
    every page after the one it is on (the sheet's print titles), and is never
    left alone at the foot of a page.
    """
    starts = []
    used = sum(heights[row] for row in range(1, first_row))
    for row in range(first_row, last_row + 1):
        height = heights[row]
        if used + height > PAGE_POINTS and used > 0:
            if row == heading_row + 1:
                row, height = heading_row, heights[heading_row] + height
                used = 0
            else:
                used = heights[heading_row] if row > heading_row else 0
            starts.append(row)
        used += height
    # No last page of one or two rows when the page before can give some (as in the PDF).
    if starts and last_row - starts[-1] + 1 < MIN_LAST_ROWS:
        earlier = last_row + 1 - MIN_LAST_ROWS
        if earlier > max(starts[-2] if len(starts) > 1 else first_row, heading_row + 1):
            starts[-1] = earlier
    return starts


def split_at_pages(sheet, starts, table_row):
    """Set a page break before each row of ``starts`` and cut the merged ranges there.

    Only ranges of the indicator table (from ``table_row`` down) are cut: the
    head of the form is read back by its printed labels, each of which must
    stay one cell.
    """
    for merged in list(sheet.merged_cells.ranges):
        cuts = [row for row in starts if merged.min_row < row <= merged.max_row]
        if merged.min_row < table_row or not cuts:
            continue
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
    for row in starts:
        sheet.row_breaks.append(Break(id=row - 1))
