"""The columns to the right of the printed form on the Excel sheet, read back by 导入Excel.

The printed area is the form's six columns. Beside it, not printed, a filer edits
each indicator's 指标解释 and 设定依据, and the hidden 行标识 names the row. The
fields of the 2021 rules follow (设定依据说明, 指标方向, 分值, 核心指标, 全周期指标值),
written only for a filing that uses them (``exports.indicator_columns``), each
under its heading: ``importers.excel_sheet`` reads a field only where its heading
is, so that the sheet of an older export, without them, keeps the rows' values.

Weights are numbers, directions and kinds of basis their Chinese labels, and a
核心指标 is 是. Under the rows, the filing's 预算执行率分值 stands in the 分值
column, labelled in the column before it (blank: the edition's default), so that
the weights the sheet carries are all the filing is scored against.
"""

from decimal import Decimal

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from exports.document import COLUMNS
from indicators.models import Indicator

EXPLANATION_COLUMN = COLUMNS + 1  # G: 指标解释 (1-based)
BASIS_COLUMN = COLUMNS + 2  # H: 设定依据
KEY_COLUMN = COLUMNS + 3  # I: the row's key, hidden
# The 2021 fields: (JSON key, heading, width in characters), from column J on.
ROW_FIELD_COLUMNS = (
    ("basis_text", "设定依据说明", 30),
    ("direction", "指标方向", 9),
    ("weight", "分值", 7),
    ("core", "核心指标", 9),
    ("period_value", "全周期指标值", 16),
)
FIRST_FIELD_COLUMN = KEY_COLUMN + 1
LAST_COLUMN = KEY_COLUMN + len(ROW_FIELD_COLUMNS)
EXTRA_HEADINGS = {EXPLANATION_COLUMN: "指标解释", BASIS_COLUMN: "设定依据", KEY_COLUMN: "行标识"}
EXTRA_WIDTHS = {EXPLANATION_COLUMN: 40, BASIS_COLUMN: 14, KEY_COLUMN: 38}
FIELD_HEADINGS = {
    FIRST_FIELD_COLUMN + n: (key, heading) for n, (key, heading, _w) in enumerate(ROW_FIELD_COLUMNS)
}
CORE_YES = "是"
# The 预算执行率分值 line under the rows: its label beside the 分值 column, its value in it.
EXECUTION_LABEL = "预算执行率分值"
WEIGHT_COLUMN = next(column for column, (key, _h) in FIELD_HEADINGS.items() if key == "weight")
EXECUTION_LABEL_COLUMN = WEIGHT_COLUMN - 1
_DIRECTION_LABELS = {value: str(label) for value, label in Indicator.Direction.choices}


def set_widths(sheet, with_fields):
    widths = dict(EXTRA_WIDTHS)
    if with_fields:
        widths.update(
            {FIRST_FIELD_COLUMN + n: width for n, (_k, _h, width) in enumerate(ROW_FIELD_COLUMNS)}
        )
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.column_dimensions[get_column_letter(KEY_COLUMN)].hidden = True


def _weight_number(weight):
    # A number a clerk can sum; two places at most, so the float is exact to the cent.
    return float(Decimal(str(weight))) if weight not in (None, "") else ""


def row_cells(indicator, with_fields):
    """{column: value} of one indicator (a JSON-format row) beside the form."""
    values = {
        EXPLANATION_COLUMN: indicator.get("explanation") or "",
        BASIS_COLUMN: indicator.get("basis") or "",
        KEY_COLUMN: indicator.get("key") or "",
    }
    if with_fields:
        weight = indicator.get("weight")
        fields = {
            "basis_text": indicator.get("basis_text") or "",
            "direction": _DIRECTION_LABELS.get(indicator.get("direction") or "", ""),
            "weight": _weight_number(weight),
            "core": CORE_YES if indicator.get("core") else "",
            "period_value": indicator.get("period_value") or "",
        }
        values.update({column: fields[key] for column, (key, _h) in FIELD_HEADINGS.items()})
    return values


def write_extra_columns(
    sheet, data, with_fields, heading_row, row_numbers, text_cell, font, *, below_row
):
    """The columns beside the form: their headings on ``heading_row``, then each indicator's
    values on its row (``row_numbers[n]``); the 2021 fields ``with_fields``, and then the
    预算执行率分值 on ``below_row``, the first row under the form. ``text_cell`` writes text
    as text."""
    headings = dict(EXTRA_HEADINGS)
    if with_fields:
        headings.update({column: heading for column, (_k, heading) in FIELD_HEADINGS.items()})
    for column, text in headings.items():
        text_cell(sheet.cell(row=heading_row, column=column), text).font = font
    for number, indicator in zip(row_numbers, data.get("indicators") or [], strict=False):
        for column, value in row_cells(indicator, with_fields).items():
            if value in ("", None):
                continue
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, float):
                cell.value = value
            else:
                text_cell(cell, value)
                cell.number_format = "@"
            cell.font = font
            cell.alignment = Alignment(vertical="center", wrap_text=column != KEY_COLUMN)
    if with_fields:
        label = text_cell(sheet.cell(row=below_row, column=EXECUTION_LABEL_COLUMN), EXECUTION_LABEL)
        label.font = font
        label.alignment = Alignment(vertical="center", wrap_text=True)
        number = sheet.cell(row=below_row, column=WEIGHT_COLUMN)
        weight = _weight_number(data.get("execution_weight"))
        number.value = None if weight == "" else weight  # blank: the edition's default
        number.font = font
    set_widths(sheet, with_fields)
