"""The Excel export: the form sheet in the official layout, and the analysts' flat workbook."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from exports.document import COLUMNS, build_document, filing_document
from exports.excel import (
    GRID_TOP,
    MAX_ROW_HEIGHT,
    SHEET_TITLE_MAX,
    filing_workbook,
    is_formula_like,
)
from exports.excel_flat import flat_workbook
from filings.models import Filing
from filings.serialization import filing_to_dict
from tests.conftest import make_filing
from tests.helpers.excel import (
    HOSTILE,
    LONG_GOAL,
    export,
    long_project,
    rich_project,
    rich_unit,
    workbook,
)


def _every_cell(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _sheet_xml(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def test_merged_ranges_are_those_of_the_grid(orgs):
    filing = make_filing(orgs.elderly_centre, overall_goal="短目标", annual_goal="短目标")
    document = filing_document(filing)
    sheet = workbook(filing_workbook([document])).worksheets[0]
    expected = {f"A1:{get_column_letter(COLUMNS)}1", f"A2:{get_column_letter(COLUMNS)}2"}
    for index, row in enumerate(document.rows):
        for cell in row.cells:
            if cell.colspan > 1 or cell.rowspan > 1:
                top, left = GRID_TOP + index, cell.col + 1
                bottom = top + cell.rowspan - 1
                if row is document.indicator_head and cell.rowspan > 1:
                    top += 1  # 绩效指标 starts under the heading row, which every page repeats
                expected.add(
                    f"{get_column_letter(left)}{top}:"
                    f"{get_column_letter(left + cell.colspan - 1)}{bottom}"
                )
    assert {r.coord for r in sheet.merged_cells.ranges} == expected
    # The values sit where the grid puts them.
    assert sheet.cell(GRID_TOP, 1).value == "项目名称"
    assert sheet.cell(GRID_TOP, 2).value == filing.name


def test_every_cell_of_the_grid_is_bordered_merged_ones_too(orgs):
    content = export(rich_project(orgs.elderly_centre))
    book = workbook(content)
    sheet = book.worksheets[0]
    # Read each cell's own style from the file: openpyxl's loader would copy the borders of
    # a merged range's first cell onto the others and hide a file that lacks them.
    styles = dict(re.findall(r'<c r="([A-Z]+\d+)" s="(\d+)"', _sheet_xml(content)))
    last = max(r.max_row for r in sheet.merged_cells.ranges)
    # 绩效指标 starts under the indicator heading, drawn as one cell with the heading's empty one.
    heading = int(sheet.print_title_rows.split(":")[0].strip("$"))
    open_sides = {f"A{heading}": "bottom", f"A{heading + 1}": "top"}
    assert sheet[f"A{heading}"].value is None and sheet[f"A{heading + 1}"].value == "绩效指标"
    covered = 0
    for number in range(GRID_TOP, last + 1):
        for column in range(1, COLUMNS + 1):
            ref = f"{get_column_letter(column)}{number}"
            border = book._borders[book._cell_styles[int(styles[ref])].borderId]
            sides = {s: getattr(border, s) for s in ("left", "right", "top", "bottom")}
            if ref in open_sides:
                assert sides.pop(open_sides[ref]) is None, ref
            assert all(side is not None and side.style == "thin" for side in sides.values()), ref
            covered += any(ref in r and ref != r.start_cell.coordinate for r in sheet.merged_cells)
    assert covered > 20  # cells inside merged ranges were among those checked


def test_no_cell_is_a_formula_and_formula_like_text_stays_text(orgs):
    content = export(rich_project(orgs.elderly_centre))
    book = workbook(content)
    cells = list(_every_cell(book))
    assert all(cell.data_type != "f" for cell in cells)
    assert "<f>" not in _sheet_xml(content) and "<f " not in _sheet_xml(content)
    by_value = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    for text in HOSTILE[:5]:
        cell = by_value[text]
        assert cell.data_type == "s"
        # Excel's own mark for "typed as text": kept when someone edits the cell later.
        assert cell.quotePrefix, text
    assert not by_value["培训人数"].quotePrefix


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r"])
def test_a_formula_start_in_either_width_is_written_as_text(start):
    assert is_formula_like(f"{start}1")
    assert not is_formula_like(f"1{start}")


def test_amounts_are_numbers_a_clerk_can_sum_shown_as_printed(orgs):
    sheet = workbook(export(rich_project(orgs.elderly_centre))).worksheets[0]
    numbers = [c for c in _every_cell(sheet.parent) if c.value is not None and c.data_type == "n"]
    amounts = {c.value: c for c in numbers}
    # 万元 with six places: every place shown, the number exact.
    assert amounts[2013200.123456].number_format == "#,##0.00####"
    assert amounts[201.32].number_format == "#,##0.00"
    # Shrunk to fit its cell, never the ##### of a number wider than its column.
    assert all(c.alignment.shrink_to_fit and not c.alignment.wrap_text for c in numbers)
    # 项目资金总额, 财政资金, 年度资金申请总额, 当年财政拨款: nothing else is a number.
    assert sum(c.value for c in numbers) == pytest.approx(2 * 2013200.123456 + 2 * 201.32)


@pytest.mark.parametrize(
    ("unit", "amount", "printed"),
    [
        # 19 significant digits: a double cannot hold them.
        ("万元", "1234567890123.123456", "1,234,567,890,123.123456"),
        # 15: a double holds them, but LibreOffice would show 10,000,000,000,000.00.
        ("元", "9999999999999.99", "9,999,999,999,999.99"),
    ],
)
def test_an_amount_a_spreadsheet_cannot_show_exactly_stays_text(orgs, unit, amount, printed):
    data = filing_to_dict(rich_project(orgs.elderly_centre))
    data["money_unit"], data["funds"]["total"] = unit, amount
    values = {c.value: c for c in _every_cell(workbook(filing_workbook([build_document(data)])))}
    assert values[printed].data_type == "s"
    assert not any(isinstance(v, float) and v > 10**12 for v in values)


def test_long_text_gets_rows_tall_enough_and_never_over_excels_limit(orgs):
    sheet = workbook(export(rich_project(orgs.elderly_centre))).worksheets[0]
    goal = next(c for c in _every_cell(sheet.parent) if c.value == LONG_GOAL)
    merged = next(r for r in sheet.merged_cells.ranges if goal.coordinate in r)
    heights = [sheet.row_dimensions[n].height for n in range(merged.min_row, merged.max_row + 1)]
    assert all(height <= MAX_ROW_HEIGHT for height in heights)
    # 1,520 characters in a cell 105 mm wide wrap to about 58 lines: more than one tall row.
    assert merged.max_row > merged.min_row
    assert sum(heights) > 50 * 14
    short = sheet.row_dimensions[GRID_TOP + 1].height
    assert 15 <= short <= 40


def test_print_set_up_is_a4_portrait_fit_to_width_with_the_heading_repeated(orgs):
    filing = rich_project(orgs.elderly_centre)
    sheet = workbook(export(filing)).worksheets[0]
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    heading, _col = next(
        (c.row, c.column) for c in _every_cell(sheet.parent) if c.value == "一级指标"
    )
    assert sheet.print_title_rows == f"${heading}:${heading}"
    assert str(sheet.print_area).endswith(f"$A$1:$F${sheet.max_row}")
    assert "非批复文本" in sheet.oddFooter.center.text
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    widths = [sheet.column_dimensions[get_column_letter(n)].width for n in range(1, 7)]
    assert widths == [round(mm / 1.9, 1) for mm in (20, 31, 29, 30, 46, 30)]
    assert sheet.column_dimensions["I"].hidden  # the row keys


def test_sheet_names_are_unique_short_and_valid(orgs):
    names = ["a/b:c*?[x]\\y", "a/b:c*?[x]?y", "很长" * 30 + "甲", "很长" * 30 + "乙"]
    filings = [make_filing(orgs.elderly_centre, name=name) for name in names]
    book = workbook(filing_workbook([filing_document(f) for f in filings]))
    toc, *titles = [sheet.title for sheet in book.worksheets]
    assert toc == "目录"
    assert len(set(titles)) == 4
    assert all(len(title) <= SHEET_TITLE_MAX for title in titles)
    assert not any(re.search(r"[\[\]:*?/\\]", title) for title in titles)


def test_overall_form_has_its_tasks_budget_and_note(orgs):
    filing = rich_unit(orgs.elderly_centre)
    sheet = workbook(export(filing)).worksheets[0]
    values = [c.value for c in _every_cell(sheet.parent)]
    for text in (
        "单位整体支出绩效目标申报表",
        "优化养老服务设施供给",
        28963548.68,
        "投入管理指标",
    ):
        assert text in values
    note = next(c for c in _every_cell(sheet.parent) if c.value == filing.input_note)
    merged = next(r for r in sheet.merged_cells.ranges if note.coordinate in r)
    assert (merged.max_row - merged.min_row + 1, merged.max_col - merged.min_col + 1) == (7, 3)


def test_flat_workbook_rows_numbers_frozen_header_and_filters(orgs, django_assert_max_num_queries):
    filings = [rich_project(orgs.elderly_centre), rich_unit(orgs.elderly_centre)]
    make_filing(orgs.civil_affairs, name="民政局项目")
    with django_assert_max_num_queries(6):
        content = flat_workbook(Filing.objects.all())
    book = workbook(content)
    indicators, summary = book["指标"], book["申报"]
    assert indicators.freeze_panes == "A2" and summary.freeze_panes == "A2"
    assert indicators.auto_filter.ref and summary.auto_filter.ref
    total = sum(f.indicators.count() for f in Filing.objects.all())
    assert indicators.max_row == total + 1
    assert summary.max_row == 4
    header = [c.value for c in summary[1]]
    project_row = next(r for r in summary.iter_rows(min_row=2) if r[0].value == filings[0].pk)
    amount = project_row[header.index("项目资金总额")]
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"
    assert str(amount.value).startswith("2013200.12345")
    assert project_row[header.index("金额单位")].value == "万元"
    assert all(cell.data_type != "f" for cell in _every_cell(book))
    hostile = [c for c in _every_cell(book) if c.value == HOSTILE[1]]
    assert hostile and all(c.data_type == "s" for c in hostile)


def test_flat_workbook_has_the_2021_fields_of_each_row(orgs):
    filing = rich_project(orgs.elderly_centre)
    first = filing.indicators.first()
    filing.indicators.filter(pk=first.pk).update(
        weight=12.5, direction="negative", core=True, basis_text="2025年决算", period_value="≥90场"
    )
    sheet = workbook(flat_workbook(Filing.objects.all()))["指标"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("三级")].value == first.name)
    values = {name: row[header.index(name)].value for name in header[-5:]}
    assert values == {
        "设定依据说明": "2025年决算",
        "指标方向": "反向",
        "分值": 12.5,  # a number analysts can sum
        "核心指标": "是",
        "全周期指标值": "≥90场",
    }


def test_flat_workbook_queries_do_not_grow_with_filings(orgs, django_assert_max_num_queries):
    for number in range(8):
        make_filing(orgs.elderly_centre, name=f"项目{number}")
    with django_assert_max_num_queries(6):
        flat_workbook(Filing.objects.all())
    filings = list(Filing.objects.all())
    with django_assert_max_num_queries(6):
        flat_workbook(filings)


def test_a_control_character_stored_earlier_does_not_break_the_download(client, personas, orgs):
    # The forms refuse them now; rows saved before, or written by a script, may hold one.
    filing = make_filing(orgs.elderly_centre, name="旧数据\x0b项目")
    filing.indicators.update(name="指标\x01名称")
    client.force_login(personas.filer)
    response = client.get(reverse("exports:export_excel", args=[filing.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response)))
    texts = {c.value for row in workbook.active.iter_rows() for c in row if c.value}
    assert "旧数据项目" in texts and "指标名称" in texts


def test_a_workbook_of_many_forms_opens_on_a_toc_linking_each_sheet(orgs):
    names = ["目录", "社区助餐项目", '=HYPERLINK("http://x","y")']
    filings = [make_filing(orgs.elderly_centre, name=name) for name in names]
    book = workbook(filing_workbook([filing_document(f) for f in filings]))
    toc = book.worksheets[0]
    assert toc.title == "目录" and book.active.title == "目录"
    rows = list(toc.iter_rows(min_row=3, values_only=True))
    assert [(number, name) for number, name, *_rest in rows] == list(enumerate(names, start=1))
    assert all(title == "财政项目支出绩效目标申报表" for _n, _name, title, _v in rows)
    for row, sheet in zip(toc.iter_rows(min_row=3), book.worksheets[1:], strict=True):
        link = row[0].hyperlink.location
        assert book[link.rsplit("!", 1)[0].strip("'")] is sheet
        assert row[1].data_type == "s"  # a name that looks like a formula stays text
    assert book.worksheets[1].title == "目录(2)"


def test_a_workbook_of_one_form_has_no_toc(orgs):
    book = workbook(export(make_filing(orgs.elderly_centre)))
    assert [sheet.title for sheet in book.worksheets] == ["测试项目"]


def test_merged_levels_are_cut_at_the_predicted_page_breaks_and_printed_again(orgs):
    filing = long_project(orgs.elderly_centre)
    sheet = workbook(export(filing)).worksheets[0]
    breaks = [b.id + 1 for b in sheet.row_breaks.brk]  # the rows that start a page
    assert len(breaks) >= 2
    level1_col, level2_col = 2, 3  # B and C on the project form
    for row in breaks:
        for col in (1, level1_col, level2_col):
            cell = sheet.cell(row=row, column=col)
            assert cell.value, (row, col)  # a new cell, its text again: not covered
        assert sheet.cell(row=row, column=level1_col).value in ("产出指标", "效益指标")
    # No merged range runs over a break.
    for merged in sheet.merged_cells.ranges:
        assert not any(merged.min_row < row <= merged.max_row for row in breaks), merged.coord
