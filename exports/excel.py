"""The official forms as Excel workbooks (openpyxl), and a flat workbook for analysts.

``filing_workbook(documents)`` writes one sheet per filing in the layout of the
printed form: the grid of ``document.Document`` with its merges, borders on
every cell of a merged range (openpyxl borders only the cell it is given), the
column widths of ``COLUMN_WIDTHS``, row heights worked out from the wrapped
text (Excel does not fit the height of merged cells) and an A4 print set-up,
with a page break where each printed page is predicted to start and the
merged 一级/二级 cells cut there (``excel_pages``). A workbook of many forms
opens on a 目录 sheet (``excel_toc``). The sheet is also what a filer fills
in offline and uploads back (``importers.excel``): columns to the right
of the printed area carry each indicator's 指标解释 and 设定依据 (editable, not
printed), each row's key (hidden) and, for a filing that uses them, the 2021
fields (``excel_columns``); the printed table is the six-column one. The workbook's
custom properties say which form, year and filing the sheet came from.

The analysts' flat workbook is ``excel_flat``.

Text is always written as text: openpyxl turns any string that starts with
``=`` into a formula, so every text cell is typed as a string after
assignment (see ``text_cell``). Amounts are numbers (``amount_value``), so
that a clerk can sum them, wherever a spreadsheet shows them exactly; they
shrink to fit their cell rather than wrap.
"""

import math
import unicodedata
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from exports import excel_pages
from exports.document import (
    COLUMN_WIDTHS,
    COLUMNS,
    LABEL,
    LEVEL,
    LONG,
    MONEY,
    NOTE,
    NUMBER,
    SUB,
)

# The columns beside the form, read back by the round trip (importers name them from here).
from exports.excel_columns import BASIS_COLUMN as BASIS_COLUMN
from exports.excel_columns import EXPLANATION_COLUMN as EXPLANATION_COLUMN
from exports.excel_columns import KEY_COLUMN, write_extra_columns
from exports.excel_toc import TOC_TITLE, write_toc
from filings.cleaning import strip_invisible
from filings.models import content_hash
from perfgoals.folding import fold_width

# Text that a spreadsheet would read as the start of a formula when typed (and some
# applications when pasted or imported): = + - @ in either width (Excel and WPS take ＝
# as =: is_formula_like folds the width), and tab / CR, which CSV-injection payloads put
# first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Rows above the grid: the title and the subtitle, and their heights in points.
GRID_TOP = 3
TITLE_HEIGHTS = (28, 20)

# Custom document properties: the round trip reads them back (importers.excel).
PROPERTY_PREFIX = "perfgoals"
FORMAT_VERSION = "1"

# Excel's own limits.
SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
MAX_ROW_HEIGHT = 400  # points; Excel refuses more than 409

# Sizes in points, and how wide a column is in characters of the default font.
FONT_NAME = "宋体"
TITLE_FONT_NAME = "黑体"
FONT_SIZE = 10.5
LINE_HEIGHT = 14.0
ROW_PADDING = 5.0
MM_PER_CHARACTER = 1.9  # one "0" of Calibri 11, Excel's width unit, is about 1.9 mm

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_OPEN_BELOW = Border(left=_THIN, right=_THIN, top=_THIN)
_OPEN_ABOVE = Border(left=_THIN, right=_THIN, bottom=_THIN)
_FONT = Font(name=FONT_NAME, size=FONT_SIZE)
_LABEL_FONT = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
_EXTRA_FONT = Font(name=FONT_NAME, size=9, color="555555")

_ALIGN = {
    LABEL: Alignment(horizontal="center", vertical="center", wrap_text=True),
    SUB: Alignment(horizontal="center", vertical="center", wrap_text=True),
    LEVEL: Alignment(horizontal="center", vertical="center", wrap_text=True),
    NOTE: Alignment(horizontal="center", vertical="center", wrap_text=True),
    NUMBER: Alignment(horizontal="center", vertical="center", wrap_text=True),
    # An amount is never wrapped (a number would print #####, a text amount be cut in
    # two): it shrinks to fit its cell.
    MONEY: Alignment(horizontal="right", vertical="center", shrink_to_fit=True),
    LONG: Alignment(horizontal="left", vertical="top", wrap_text=True),
}
_DEFAULT_ALIGN = Alignment(horizontal="left", vertical="center", wrap_text=True)


# --- Text cells -------------------------------------------------------------


def is_formula_like(text):
    """True when a spreadsheet could take ``text`` for a formula."""
    return isinstance(text, str) and fold_width(text[:1]).startswith(FORMULA_STARTS)


def text_cell(cell, text):
    """Put ``text`` in ``cell`` as a string cell, never a formula.

    openpyxl types a string starting with "=" as a formula; forcing the type
    back to "s" writes it as an inline string, which Excel, LibreOffice and WPS
    all show as text. Text that looks like a formula also gets Excel's
    quotePrefix (what Excel stores when a user types '=…): the value stays
    exactly as written, and the cell stays text when someone edits it or
    changes its number format.
    """
    # Control characters other than tab and newlines cannot be stored in a workbook
    # (openpyxl raises); the forms refuse them now, but older or imported rows may hold one.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


# --- One sheet per filing ---------------------------------------------------


def display_width(text):
    """Width of ``text`` in Latin characters: a CJK character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_lines(text, width_chars):
    """How many lines ``text`` wraps to in a cell ``width_chars`` wide."""
    usable = max(width_chars - 1.5, 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += max(1, math.ceil(display_width(paragraph) * 1.05 / usable))
    return lines


def _column_chars(col, colspan):
    return sum(COLUMN_WIDTHS[col : col + colspan]) / MM_PER_CHARACTER


def sheet_title(name, taken):
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, unique."""
    base = strip_invisible((name or "").translate(_SHEET_TITLE_FORBIDDEN))
    base = base.strip().strip("'") or "申报"
    title = base[:SHEET_TITLE_MAX]
    number = 2
    while title.casefold() in taken:
        suffix = f"({number})"
        title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        number += 1
    taken.add(title.casefold())
    return title


def filing_workbook(documents):
    """An .xlsx (bytes) with one sheet per ``Document``, in the official layout."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    documents = list(documents)
    # The 目录 sheet's name is taken first: a form named 目录 gets 目录(2).
    taken = {TOC_TITLE} if len(documents) > 1 else set()
    titles = []
    exported_at = timezone.localtime().isoformat(timespec="seconds")
    for number, document in enumerate(documents, start=1):
        title = sheet_title(document.name or document.organisation, taken)
        titles.append(title)
        sheet = workbook.create_sheet(title)
        _write_form(sheet, document)
        for name, value in _sheet_properties(document, exported_at).items():
            prop = f"{PROPERTY_PREFIX}.{number}.{name}"
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # see text_cell
            workbook.custom_doc_props.append(StringProperty(name=prop, value=value))
    count = len(workbook.worksheets)
    if count > 1:
        write_toc(workbook.create_sheet(TOC_TITLE, 0), documents, titles, text_cell)
        workbook.active = 0
    workbook.custom_doc_props.append(
        StringProperty(name=f"{PROPERTY_PREFIX}.format", value=FORMAT_VERSION)
    )
    workbook.custom_doc_props.append(
        StringProperty(name=f"{PROPERTY_PREFIX}.sheets", value=str(count))
    )
    if not count:
        workbook.create_sheet("申报")
    return save_workbook(workbook)


def _sheet_properties(document, exported_at):
    """What the round trip needs to know about a sheet; every value is short text.

    Which organisation an upload belongs to is never read from here: the
    uploader's access decides. The properties only say what the file claims, so
    that the upload page can say "exported from another filing" or "changed
    since the export".
    """
    data = document.data
    props = {
        "form": document.form,
        "year": str(document.year),
        "variant": data.get("variant") or "",
        "money_unit": data.get("money_unit") or "",
        "value_heading": data.get("value_heading") or "",
        "input_note": data.get("input_note") or "",
        "organisation": " / ".join(data.get("organisation") or []),
        "name": document.name,
        "content_hash": content_hash(data),
        "exported_at": exported_at,
    }
    if document.version_number:
        props["version"] = f"{document.version_number} {document.short_hash}"
    # Set by callers that know the filing (the Document itself is built from a dict).
    for name in ("filing_id", "lock_version"):
        value = getattr(document, name, None)
        if value is not None:
            props[name] = str(value)
    # Excel keeps at most 255 characters of a text property.
    return {name: value[:255] for name, value in props.items()}


def _write_form(sheet, document):
    # The sheet prints the six-column table; the 2021 fields go in columns beside it.
    with_fields = bool(document.indicator_columns)
    document = document.on_six_columns()
    rows = document.rows
    heading_index = len(document.head)
    # A row whose text needs more than Excel's tallest row is spread over several.
    parts = [_parts_of(row) for row in rows]
    starts = []
    next_row = GRID_TOP
    for count in parts:
        starts.append(next_row)
        next_row += count
    last_row = next_row - 1

    def sheet_row(index):
        return starts[index]

    def end_row(index):
        return starts[index] + parts[index] - 1

    _write_title(sheet, document)
    heights = {}
    spanning = []  # (first row, last row, needed height) of cells over several rows
    for index, row in enumerate(rows):
        top = sheet_row(index)
        for cell in row.cells:
            bottom = end_row(index + cell.rowspan - 1)
            _write_cell(sheet, cell, top, bottom)
            _note_height(heights, spanning, cell, top, bottom)
    _fit_spanning(heights, spanning)
    # Merged cells of the indicator table cut at the predicted page breaks, as in the PDF.
    heading_row = sheet_row(heading_index)
    printed = {number: _row_height(heights, number) for number in range(GRID_TOP, last_row + 1)}
    printed.update({1: TITLE_HEIGHTS[0], 2: TITLE_HEIGHTS[1]})
    open_below = excel_pages.label_below_heading(sheet, heading_row)
    whole = excel_pages.head_ranges(sheet, heading_row)
    breaks = excel_pages.page_starts(printed, GRID_TOP, last_row, heading_row, whole)
    excel_pages.split_at_pages(sheet, breaks, heading_row)
    _border_rows(sheet, heights, last_row)
    for column in open_below:  # the heading's empty cell and the label under it drawn as one
        sheet.cell(row=heading_row, column=column).border = _OPEN_BELOW
        sheet.cell(row=heading_row + 1, column=column).border = _OPEN_ABOVE

    indicator_rows = [sheet_row(heading_index + 1 + n) for n in range(len(document.indicators))]
    write_extra_columns(
        sheet,
        document.data,
        with_fields,
        sheet_row(heading_index),
        indicator_rows,
        text_cell,
        _EXTRA_FONT,
        below_row=last_row + 1,
    )
    _write_task_keys(sheet, document, sheet_row)
    _set_up_page(sheet, document, heading_row=sheet_row(heading_index), last_row=last_row)


# Significant digits a spreadsheet shows exactly. Excel keeps 15, but LibreOffice prints
# 9,999,999,999,999.99 (15) as 10,000,000,000,000.00; with 14 digits both print every
# amount as typed (checked on LibreOffice with #,##0.00 over random amounts).
EXCEL_DIGITS = 14
# Amounts as a clerk's sheet shows them; more places (万元 keeps six) are shown when there.
MONEY_FORMAT = "#,##0.00"


def amount_value(amount):
    """``amount`` (a Decimal) as a float and its number format, or None to keep it as text.

    A number only when a double gives back the very same Decimal, read back as
    导入Excel reads it (``repr`` of the float), and a spreadsheet shows it in full
    (``EXCEL_DIGITS``): 999,999,999,999.99 and 2,013,200.123456 are numbers;
    9,999,999,999,999.99 and 1,234,567,890,123.123456 (a 万元 amount near the
    bound) stay text, exactly as printed.
    """
    if amount is None or not amount.is_finite():
        return None
    digits = amount.normalize().as_tuple()
    if len(digits.digits) > EXCEL_DIGITS:
        return None
    number = float(amount)
    if Decimal(repr(number)) != amount:
        return None
    places = max(0, -digits.exponent)
    return number, MONEY_FORMAT + "#" * max(0, places - 2)


def _write_cell(sheet, cell, top, bottom):
    """One cell of the form at sheet rows ``top`` to ``bottom``, merged over its span."""
    left = cell.col + 1
    right = cell.col + cell.colspan
    target = sheet.cell(row=top, column=left)
    number = amount_value(cell.amount) if cell.kind == MONEY else None
    target.font = _LABEL_FONT if cell.kind == LABEL else _FONT
    target.alignment = _ALIGN.get(cell.kind, _DEFAULT_ALIGN)
    if number is None:
        text_cell(target, cell.text)
        target.number_format = "@"
    else:
        target.value, target.number_format = number
    if bottom > top or right > left:
        sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)


def _note_height(heights, spanning, cell, top, bottom):
    """Record the height ``cell`` needs: on its row, shared, or in ``spanning`` for later."""
    needed = (
        text_lines(cell.text, _column_chars(cell.col, cell.colspan)) * LINE_HEIGHT + ROW_PADDING
    )
    if bottom == top:
        heights[top] = max(heights.get(top, 0), needed)
    elif cell.rowspan == 1:
        # One row of the form spread over several rows of the sheet.
        for number in range(top, bottom + 1):
            share = needed / (bottom - top + 1)
            heights[number] = max(heights.get(number, 0), share)
    else:
        spanning.append((top, bottom, needed))


def _fit_spanning(heights, spanning):
    """Grow the last row under a cell over several rows when the rows are too short for it."""
    for top, bottom, needed in spanning:
        have = sum(
            heights.get(number, LINE_HEIGHT + ROW_PADDING) for number in range(top, bottom + 1)
        )
        if have < needed:
            heights[bottom] = min(
                heights.get(bottom, LINE_HEIGHT + ROW_PADDING) + needed - have, MAX_ROW_HEIGHT
            )


def _row_height(heights, number):
    return round(min(heights.get(number, LINE_HEIGHT + ROW_PADDING), MAX_ROW_HEIGHT), 1)


def _border_rows(sheet, heights, last_row):
    """Set each row's height and border every cell of the grid."""
    for number in range(GRID_TOP, last_row + 1):
        sheet.row_dimensions[number].height = _row_height(heights, number)
        # Every cell of the grid is bordered: the cells a merged range covers too.
        for column in range(1, COLUMNS + 1):
            cell = sheet.cell(row=number, column=column)
            cell.border = _BORDER
            if cell.value is None:
                cell.number_format = "@"


def _parts_of(row):
    """How many sheet rows a row of the form takes (more than one only for long text)."""
    needed = 0
    for cell in row.cells:
        if cell.rowspan == 1:
            chars = _column_chars(cell.col, cell.colspan)
            needed = max(needed, text_lines(cell.text, chars) * LINE_HEIGHT + ROW_PADDING)
    return max(1, math.ceil(needed / MAX_ROW_HEIGHT))


def _write_title(sheet, document):
    for number, (text, size) in enumerate(((document.title, 16), (document.subtitle, 12)), 1):
        cell = sheet.cell(row=number, column=1)
        text_cell(cell, text)
        cell.font = Font(name=TITLE_FONT_NAME, size=size, bold=number == 1)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=COLUMNS)
        sheet.row_dimensions[number].height = TITLE_HEIGHTS[number - 1]
    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = round(
            width / MM_PER_CHARACTER, 1
        )


def _write_task_keys(sheet, document, sheet_row):
    """Each task's key in the hidden column, beside its row."""
    data = document.data
    # Task rows are found by the field of their cells (tasks.N.name).
    for index, row in enumerate(document.head):
        for cell in row.cells:
            if cell.field.startswith("tasks.") and cell.field.endswith(".name"):
                task = data["tasks"][int(cell.field.split(".")[1])]
                if task.get("key"):
                    key_cell = text_cell(
                        sheet.cell(row=sheet_row(index), column=KEY_COLUMN), task["key"]
                    )
                    key_cell.font = _EXTRA_FONT


def _set_up_page(sheet, document, *, heading_row, last_row):
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages as the indicators need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = excel_pages.TOP_MARGIN
    sheet.page_margins.bottom = excel_pages.BOTTOM_MARGIN
    sheet.page_margins.footer = 0.3
    sheet.print_options.horizontalCentered = True
    sheet.print_area = f"A1:{get_column_letter(COLUMNS)}{last_row}"
    sheet.print_title_rows = f"{heading_row}:{heading_row}"
    # "&" starts a code in a header or footer: a literal one is written twice.
    footer = document.footer.replace("&", "&&")
    sheet.oddFooter.center.text = f"{footer}　第 &P 页 共 &N 页".strip("　")
    sheet.oddFooter.center.size = 9
    sheet.sheet_view.zoomScale = 100


def save_workbook(workbook):
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
