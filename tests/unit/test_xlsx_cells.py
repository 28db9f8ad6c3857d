"""The bounded reader of 导入Excel reads what openpyxl reads: the same values (text,
numbers, dates, booleans), formulas and merged ranges, on the app's own exports and on
workbooks saved the way Excel saves them (shared strings, typed cells)."""

import datetime
import io
import zipfile

import pytest
from openpyxl import load_workbook

from exports.excel import BASIS_COLUMN, EXPLANATION_COLUMN, KEY_COLUMN
from importers import xlsx_cells
from importers.excel_sheet import read_workbook
from importers.xlsx_parts import Package
from tests.helpers.excel import (
    export,
    find,
    rich_project,
    rich_unit,
    saved,
    with_shared_strings,
    workbook,
)


def _openpyxl_cells(data):
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values, formulas = {}, []
    for row in sheet.iter_rows(max_col=KEY_COLUMN):
        for cell in row:
            if cell.value is None:
                continue
            if cell.data_type == "f":
                formulas.append((cell.row, cell.column))
            values[(cell.row, cell.column)] = cell.value
    merged = sorted(
        (r.min_row, r.min_col, r.max_row, min(r.max_col, KEY_COLUMN))
        for r in sheet.merged_cells.ranges
    )
    return values, formulas, merged


def _bounded_cells(data):
    package = Package(data)
    cells = xlsx_cells.read_sheet(package, package.sheets()[0], KEY_COLUMN)
    return cells.values, cells.formulas, sorted(cells.merged)


def _typed(filing, formula=True):
    """The export with cells typed as a filer types them in Excel."""
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, _col = find(sheet, "培训人数")  # typed into 指标解释 and 设定依据 of its rows
    sheet.cell(row, EXPLANATION_COLUMN).value = datetime.datetime(2024, 3, 1)
    sheet.cell(row, BASIS_COLUMN).value = 3.25
    sheet.cell(row + 1, EXPLANATION_COLUMN).value = 42
    sheet.cell(row + 1, BASIS_COLUMN).value = True
    sheet.cell(row + 2, EXPLANATION_COLUMN).value = "=SUM(1,2)" if formula else "3"
    sheet.cell(row + 2, BASIS_COLUMN).value = datetime.date(2024, 12, 31)
    sheet.cell(row + 2, BASIS_COLUMN).number_format = "yyyy年m月d日"
    sheet.cell(row + 3, KEY_COLUMN + 3).value = "beyond the columns read"
    return saved(book)


@pytest.mark.parametrize(
    "make",
    [
        lambda orgs: export(rich_project(orgs.elderly_centre)),
        lambda orgs: export(rich_unit(orgs.elderly_centre)),
        lambda orgs: with_shared_strings(export(rich_project(orgs.elderly_centre))),
        lambda orgs: with_shared_strings(export(rich_unit(orgs.elderly_centre))),
        lambda orgs: _typed(rich_project(orgs.elderly_centre)),
        lambda orgs: with_shared_strings(_typed(rich_project(orgs.elderly_centre))),
    ],
    ids=["project", "unit", "project saved by Excel", "unit saved by Excel", "typed", "both"],
)
def test_the_bounded_reader_reads_what_openpyxl_reads(orgs, make):
    data = make(orgs)
    values, formulas, merged = _bounded_cells(data)
    expected_values, expected_formulas, expected_merged = _openpyxl_cells(data)
    assert values == expected_values
    assert formulas == expected_formulas
    assert merged == expected_merged


def test_a_typed_date_comes_back_as_a_date(orgs):
    values, formulas, _merged = _bounded_cells(_typed(rich_project(orgs.elderly_centre)))
    assert datetime.datetime(2024, 3, 1) in values.values()
    assert datetime.datetime(2024, 12, 31) in values.values()
    assert True in values.values() and 42 in values.values()
    assert len(formulas) == 1


def test_each_part_is_read_once_and_the_parts_the_form_does_not_need_never(orgs, monkeypatch):
    # Saved by Excel, with a date: the sheet, its shared strings and the styles are needed.
    data = with_shared_strings(_typed(rich_project(orgs.elderly_centre), formula=False))
    opened = []
    open_part = zipfile.ZipFile.open

    def counted(archive, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return open_part(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counted)
    read_workbook(data)
    assert len(opened) == len(set(opened)), opened
    assert {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"} <= set(opened)
    assert not {"xl/theme/theme1.xml", "docProps/app.xml", "docProps/core.xml"} & set(opened)
