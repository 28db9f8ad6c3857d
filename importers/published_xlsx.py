"""Published forms in Excel workbooks, read as the rows and cells the text parser reads.

A workbook of published layouts (the one a district printed its PDFs from,
or this app's own export) holds each form as a grid with merged ranges. A
merged range is one cell: its text is read once, at its top-left cell, and
the cells it covers are not empty cells of their own, exactly as pdfplumber
gives a merged cell of a PDF. A sheet without any form title (a 目录, a
说明) is not read. The file is checked first with the same checks
as 导入Excel (``xlsx_upload``: size, zip bombs, macros, rows), so that no
workbook makes the import do unbounded work.
"""

import datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.functions import iterparse  # defusedxml's, as openpyxl reads with

from filings import limits
from importers import flat, xlsx_parts, xlsx_upload
from importers.cells import Cell, Row
from importers.labels import TITLES
from importers.published_files import Source, SourceProblem
from perfgoals.folding import compact_label


def _check_parts(content):
    """导入Excel's package checks: active content refused, each sheet within its bound.

    A published workbook holds many sheets (one a form): every one is read, each
    streaming (openpyxl's read-only mode), so each must stay within the bound of
    one sheet of 导入Excel, and all of them within the upload's (``check_upload``).
    """
    package = xlsx_parts.Package(content)  # macros, ActiveX, external links refused
    for sheet in package.sheets():
        size = package.entries[sheet.part.lower()].file_size
        if size > limits.MAX_SHEET_BYTES:
            raise xlsx_upload.ExcelProblem(
                f"工作表「{sheet.name[:31]}」解压后 {xlsx_parts.mb(size)}，"
                f"超过每个工作表 {xlsx_parts.mb(limits.MAX_SHEET_BYTES)} 的上限，未导入。"
            )


def read_xlsx(content):
    """The rows of every sheet of an .xlsx (``Source``), or SourceProblem."""
    try:
        content = xlsx_upload.check_upload(BytesIO(content))
        _check_parts(content)
        # Read-only: openpyxl's full load styles every merged range's border (~0.5 s a
        # form); the merged ranges and hidden columns are read from the XML instead.
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except xlsx_upload.ExcelProblem as exc:
        raise SourceProblem(str(exc)) from None
    except Exception:  # openpyxl raises anything on a broken part
        raise SourceProblem(_BROKEN) from None
    rows = []
    places = {}
    try:
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "_get_source"):
                continue  # a chart sheet
            covered, hidden = _layout(sheet)
            found = []
            for number, cells in _sheet_rows(sheet, covered, hidden):
                line = len(rows) + len(found) + 1
                width = sheet.max_column or max(cell.col for cell in cells) + 1
                found.append(Row(line, cells, tabular=True, width=width))
                places[line] = f"工作表「{sheet.title}」第 {number} 行"
            if any(_opens_a_form(row) for row in found):
                rows.extend(found)  # a 目录 or 说明 sheet holds no form: not read
    except SourceProblem:
        raise
    except Exception:  # a sheet's XML broken past the checks
        raise SourceProblem(_BROKEN) from None
    finally:
        workbook.close()
    return Source(rows=rows, kind="xlsx", places=places)


_BROKEN = "文件已损坏或不是有效的 .xlsx 工作簿，无法读取。"
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _opens_a_form(row):
    """A form's title (any edition) or a flat table's header: the sheet holds forms."""
    if flat.is_header(row):
        return True
    key = compact_label(row.cells[0].text)
    return any(title in key for title, _form in TITLES)


def _layout(sheet):
    """(cells covered by a merged range but not its first, hidden columns) of a sheet."""
    covered = set()
    hidden = set()
    with sheet._get_source() as source:
        for _event, element in iterparse(source):
            if element.tag == f"{_NS}col" and element.get("hidden") in ("1", "true"):
                hidden.update(range(int(element.get("min")), int(element.get("max")) + 1))
            elif element.tag == f"{_NS}mergeCell":
                low_col, low_row, high_col, high_row = range_boundaries(element.get("ref"))
                for row in range(low_row, high_row + 1):
                    for col in range(low_col, high_col + 1):
                        if (row, col) != (low_row, low_col):
                            covered.add((row, col))
            elif element.tag == f"{_NS}row":
                element.clear()  # the values are read by openpyxl; keep memory flat
    return covered, hidden


def _sheet_rows(sheet, covered, hidden):
    """(row number, cells) of one sheet; a merged range counts at its top-left cell only."""
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if getattr(cell, "value", None) is None:
                continue  # an empty cell (read-only sheets give EmptyCell)
            if (cell.row, cell.column) in covered or cell.column in hidden:
                continue  # hidden: the app's own key column is not part of the form
            text = cell_text(cell)
            if text.strip():
                cells.append(Cell(cell.column - 1, text.strip()))
        if cells:
            yield _row_number(row), tuple(cells)


def _row_number(row):
    return next(cell.row for cell in row if getattr(cell, "row", None))


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
