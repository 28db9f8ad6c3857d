"""The columns beside the form on a sheet of 导入Excel, read back (``exports.excel_columns``).

The fields of the 2021 rules are read only where their heading is, so that the
sheet of an older export, without them, leaves the rows' values as they are;
the 预算执行率分值 line under the rows only where the 分值 column is.
"""

from exports import excel_columns as sheet_columns
from filings.money import echo
from indicators.values import direction_of_text
from perfgoals.folding import compact_label


def field_columns(grid, heading_row):
    """{column: JSON key} of the 2021 fields headed on the sheet (an older export: none)."""
    return {
        column: key
        for column, (key, heading) in sheet_columns.FIELD_HEADINGS.items()
        if compact_label(grid.text(heading_row, column)) == heading
    }


def row_fields(grid, n, sheet_row, fields, reader):
    """The 2021 fields of the n-th indicator, as the editor posts them.

    Where each was read goes into ``reader.cells``, a direction that is none into
    ``reader.problems``.
    """
    row = {}
    for column, key in fields.items():
        text = grid.text(sheet_row, column).strip()
        ref = grid.ref(sheet_row, column)
        reader.cells[f"indicators.{n}.{key}"] = ref
        if key == "direction":
            row[key] = direction_of_text(text) if text else ""
            if text and not row[key]:
                reader.problems.append(
                    f"「第 {n + 1} 条三级指标的指标方向」({ref})："
                    f"「{echo(text)}」应为正向、反向或定性"
                )
        elif key == "core":
            row[key] = text in (sheet_columns.CORE_YES, "√", "✓", "✔")
        else:
            row[key] = text
    return row


def execution_weight(grid, sheet_row, fields):
    """(the 预算执行率分值 as typed, its cell) when ``sheet_row`` is its line, else None."""
    if "weight" not in fields.values():
        return None  # an older sheet, or a filing without the 2021 fields
    label = compact_label(grid.text(sheet_row, sheet_columns.EXECUTION_LABEL_COLUMN))
    if label != sheet_columns.EXECUTION_LABEL:
        return None
    column = sheet_columns.WEIGHT_COLUMN
    return grid.text(sheet_row, column).strip(), grid.ref(sheet_row, column)
