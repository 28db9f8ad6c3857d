"""Published forms in Excel workbooks, read as the rows and cells the text parser reads.

A workbook of published layouts (the one a district printed its PDFs from,
or this app's own export) holds each form as a grid with merged ranges. A
merged range is one cell: its text is read once, at its top-left cell, and
the cells it covers are not empty cells of their own, exactly as pdfplumber
gives a merged cell of a PDF. The file is checked first with the same checks
as 导入Excel (``xlsx_upload``: size, zip bombs, macros, rows), so that no
workbook makes the import do unbounded work.
"""

import datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from filings.importers import xlsx_upload
from filings.importers.cells import Cell, Row
from filings.importers.published_files import Source, SourceProblem


def read_xlsx(content):
    """The rows of every sheet of an .xlsx (``Source``), or SourceProblem."""
    try:
        content = xlsx_upload.check_upload(BytesIO(content))
        xlsx_upload.check_row_counts(content)
        workbook = load_workbook(BytesIO(content), data_only=True, keep_links=False)
    except xlsx_upload.ExcelProblem as exc:
        raise SourceProblem(str(exc)) from None
    except Exception:  # openpyxl raises anything on a broken part
        raise SourceProblem("文件已损坏或不是有效的 .xlsx 工作簿，无法读取。") from None
    rows = []
    places = {}
    try:
        for sheet in workbook.worksheets:
            for number, cells in _sheet_rows(sheet):
                line = len(rows) + 1
                rows.append(Row(line, cells, tabular=True, width=sheet.max_column))
                places[line] = f"工作表「{sheet.title}」第 {number} 行"
    finally:
        workbook.close()
    return Source(rows=rows, kind="xlsx", places=places)


def _sheet_rows(sheet):
    """(row number, cells) of one sheet; a merged range counts at its top-left cell only."""
    covered = set()
    for merged in sheet.merged_cells.ranges:
        for row, col in merged.cells:
            if (row, col) != (merged.min_row, merged.min_col):
                covered.add((row, col))
    hidden = {key for key, dimension in sheet.column_dimensions.items() if dimension.hidden}
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if cell.value is None or (cell.row, cell.column) in covered:
                continue
            if cell.column_letter in hidden:
                continue  # the app's own hidden columns (keys) are not part of the form
            text = cell_text(cell)
            if text.strip():
                cells.append(Cell(cell.column - 1, text.strip()))
        if cells:
            yield row[0].row, tuple(cells)


def cell_text(cell):
    """A cell's value as the form prints it: numbers without float noise, dates as dates."""
    value = cell.value
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if (cell.number_format or "").endswith("%"):
            return f"{_plain(number * 100)}%"
        return _plain(number)
    return str(value)


def _plain(number):
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
