"""The Excel export's page breaks against what LibreOffice prints.

Forms with long names, long goals and indicator tables of many pages were
exported and printed by LibreOffice (tests/fixtures/excel_pages/, made by
tests/helpers/libreoffice_pages.py; CI needs no LibreOffice). LibreOffice
starts a page at every break the export predicts and nowhere else; the
heading row it prints again on each page holds no slice of 绩效指标; and the
fixture is still what the export writes, so that a change to the layout has to
be printed by LibreOffice again.
"""

import io
from itertools import pairwise

import openpyxl
import pdfplumber
import pytest
from pypdf import PdfReader

from exports.document import build_document
from exports.excel import filing_workbook
from tests.helpers.libreoffice_pages import GOAL, OUT, forms, heading_band_text, printed_starts

FORMS = forms()
AGAIN = "run `python -m tests.helpers.libreoffice_pages` to print the fixture again"


def _sheet(content):
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


def _breaks(sheet):
    return [brk.id + 1 for brk in sheet.row_breaks.brk]  # the rows that start a page


def _heading(sheet):
    return int(sheet.print_title_rows.split(":")[0].strip("$"))


def _exported(name):
    return _sheet(filing_workbook([build_document(FORMS[name], footer="草稿")]))


@pytest.mark.parametrize("name", FORMS)
def test_the_fixture_is_what_the_export_writes_today(name):
    fixture, today = _sheet((OUT / f"{name}.xlsx").read_bytes()), _exported(name)
    assert _breaks(today) == _breaks(fixture), AGAIN
    heights = [(row, dim.height) for row, dim in sorted(today.row_dimensions.items())]
    assert heights == [(row, dim.height) for row, dim in sorted(fixture.row_dimensions.items())]
    assert sorted(map(str, today.merged_cells.ranges)) == sorted(
        map(str, fixture.merged_cells.ranges)
    ), AGAIN


@pytest.mark.parametrize("name", FORMS)
def test_libreoffice_starts_a_page_at_each_predicted_break_and_nowhere_else(name):
    sheet = _sheet((OUT / f"{name}.xlsx").read_bytes())
    pdf = (OUT / f"{name}.pdf").read_bytes()
    breaks, heading = _breaks(sheet), _heading(sheet)
    assert breaks
    # As many pages as predicted: LibreOffice added no break of its own.
    assert len(PdfReader(io.BytesIO(pdf)).pages) == len(breaks) + 1
    for row, first in zip(breaks, printed_starts(pdf, sheet), strict=True):
        # The first indicator printed on the page is the row the break was set before
        # (the first indicator of all when the page starts above the table).
        assert first == max(row, heading + 1), (row, first)


@pytest.mark.parametrize("name", FORMS)
def test_the_heading_printed_again_on_each_page_holds_no_slice_of_a_label(name):
    pdf = (OUT / f"{name}.pdf").read_bytes()
    for text in heading_band_text(pdf):
        assert "绩" not in text and "效" not in text, text


@pytest.mark.parametrize("name", FORMS)
def test_no_label_is_merged_down_from_the_heading_row(name):
    sheet = _exported(name)
    heading = _heading(sheet)
    # The print titles repeat the heading row alone: any text in it is printed whole there.
    assert not [r.coord for r in sheet.merged_cells.ranges if r.min_row == heading < r.max_row]
    if FORMS[name]["form"] == "project":
        assert sheet.cell(heading, 1).value is None
        assert sheet.cell(heading + 1, 1).value == "绩效指标"


@pytest.mark.parametrize("name", FORMS)
def test_no_page_starts_inside_a_merged_cell_of_the_head_it_could_start_above(name):
    # A label beside several rows, or a goal over several: its text is printed once, and
    # a page starting inside it would leave part of it, or its label, on the page before.
    # The page starts above it, if it fits on a page and the page before stays half full.
    sheet = _exported(name)
    heading, breaks = _heading(sheet), _breaks(sheet)
    body = 297 / 25.4 * 72 - (sheet.page_margins.top + sheet.page_margins.bottom) * 72

    def height(rows):
        return sum(sheet.row_dimensions[row].height + 0.75 for row in rows)

    for merged in sheet.merged_cells.ranges:
        if merged.max_row < heading and height(range(merged.min_row, merged.max_row + 1)) <= body:
            for row in breaks:
                if merged.min_row < row <= merged.max_row:
                    assert height(range(merged.min_row, row)) > body / 2


def test_goals_that_fit_on_a_page_are_printed_whole_with_their_labels():
    # LibreOffice's print of the form whose goals do not fit under the head: they start
    # the second page, headings and text together, and the first holds none of them.
    with pdfplumber.open(OUT / "project-goals-whole.pdf") as printed:
        first, second = (page.extract_text() for page in printed.pages[:2])
    assert "项目总目标" not in first and "年度总体目标" not in first and GOAL[:12] not in first
    assert "项目总目标" in second and "年度总体目标" in second and GOAL[:12] in second


def test_every_page_but_the_last_is_filled_to_the_page_body():
    # Row heights are set in the sheet: a page holds the A4 body between the margins
    # (748 pt) at 100 %, and LibreOffice here at 76 % holds more. The estimate used to
    # stop at 690 pt, leaving an eighth of every page empty in Excel.
    sheet = _exported("project-60")
    margins = sheet.page_margins
    body = 297 / 25.4 * 72 - (margins.top + margins.bottom) * 72
    # Excel lays rows out in whole pixels: each may print up to 0.75 pt taller.
    heights = {row: dim.height + 0.75 for row, dim in sheet.row_dimensions.items()}
    heading, breaks = _heading(sheet), _breaks(sheet)
    bounds = [1, *breaks, sheet.max_row + 1]
    for page, (top, stop) in enumerate(pairwise(bounds)):
        used = sum(heights[row] for row in range(top, stop))
        if page:
            used += heights[heading]  # the heading printed again at the top
        assert used <= body
        if stop <= sheet.max_row:
            assert used + heights[stop] > body, (page, used)  # the next row did not fit
