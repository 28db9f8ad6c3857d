"""The 目录 sheet of a workbook of many forms: one line per form, its number linked to its sheet.

A clerk opening a year's workbook finds each form by name, as in the PDF
bundle's 目录; each line links to the form's sheet. Only workbooks of more than
one form get one: a single form's workbook is what 导入Excel reads back, and
that reads the first sheet.
"""

import math
import unicodedata

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

TOC_TITLE = "目录"
# Widths in characters: 96 in all, an A4 page's width between the margins.
HEADINGS = (("序号", 6), ("名称", 38), ("表式", 26), ("状态与版本", 26))

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_toc(sheet, documents, titles, write_text):
    """Fill ``sheet`` with a line per document; ``titles`` are the forms' sheet names.

    ``write_text(cell, text)`` writes user text as text, never as a formula.
    """
    sheet.title = TOC_TITLE
    heading = write_text(sheet.cell(row=1, column=1), TOC_TITLE)
    heading.font = Font(name="黑体", size=16, bold=True)
    heading.alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    for column, (text, width) in enumerate(HEADINGS, start=1):
        cell = write_text(sheet.cell(row=2, column=column), text)
        cell.font, cell.border = Font(bold=True), _BORDER
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[cell.column_letter].width = width
    for number, (document, title) in enumerate(zip(documents, titles, strict=True), start=1):
        row = number + 2
        # The link is on the number: LibreOffice shows a linked cell on one line, cut short.
        link = sheet.cell(row=row, column=1, value=number)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(title)}!A1")
        link.font = Font(color="0563C1", underline="single")
        link.alignment = Alignment(horizontal="center", vertical="center")
        name = write_text(sheet.cell(row=row, column=2), document.name or document.organisation)
        write_text(sheet.cell(row=row, column=3), document.title)
        write_text(sheet.cell(row=row, column=4), document.footer)
        for column in range(1, len(HEADINGS) + 1):
            sheet.cell(row=row, column=column).border = _BORDER
        for column in (2, 3, 4):
            sheet.cell(row=row, column=column).alignment = Alignment(
                vertical="center", wrap_text=True
            )
        # Excel does not size a row to its wrapped text: as many lines as the name needs.
        lines = max(_lines(name.value, HEADINGS[1][1]), _lines(document.footer, HEADINGS[3][1]))
        sheet.row_dimensions[row].height = 15 * lines + 3
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _lines(text, width):
    """How many lines ``text`` takes in a column ``width`` characters wide (CJK count two)."""
    chars = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text or "")
    return max(1, math.ceil(chars * 1.05 / (width - 1)))
