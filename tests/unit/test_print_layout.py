"""The printed form band by band, read back from the PDF as a clerk would check it.

Forms with long names, long goals and amounts up to the 10^13 bound are printed
by the real WeasyPrint from the JSON format and read back with pdfplumber: no
glyph outside its cell, no number cut across lines, the goals' heading printed
again over goal text continued on a new page, no lone rows on a last page.
"""

import io
import re

import pdfplumber
import pytest

from exports import pdf
from exports.document import build_document
from tests.helpers.pdf import glyphs_outside_cells, norm, page_texts, printed_lines, tables
from tests.helpers.print_forms import FORMS, GOAL
from tests.helpers.print_forms import overall as _overall
from tests.helpers.print_forms import project as _project


def _print(data):
    return pdf.filing_pdf(build_document(data, footer="草稿　非批复文本"))


@pytest.mark.parametrize("data", FORMS.values(), ids=FORMS.keys())
def test_no_glyph_is_printed_outside_its_cell(data):
    assert glyphs_outside_cells(_print(data)) == []


@pytest.mark.parametrize("data", FORMS.values(), ids=FORMS.keys())
def test_no_number_is_split_across_lines(data):
    lines = printed_lines(_print(data))
    numbers = ["9,999,999,999,999.99", "1234567890.00", "12345.678", "(人次)", "(万元)"]
    for number in numbers:
        if data["form"] != "project" and number == "(万元)":
            continue
        assert any(number in line for line in lines), number
    # Every number of every value is whole on one line wherever it is printed.
    tokens = re.compile(r"\d[\d,.]*\d")
    printed = "\n".join(lines)
    for value in {i["value"] for i in data["indicators"]}:
        for token in tokens.findall(value):
            assert printed.count(token) >= 1, token


def test_labels_fit_on_one_line():
    lines = printed_lines(_print(_project()))
    for label in ("计划开始日期", "年度资金申请总额", "其中：财政资金", "其中：当年财政拨款"):
        assert any(label in line for line in lines), label
    assert any("服务对象满意度指标" in line for line in lines)


def test_goal_text_continued_on_a_new_page_is_under_its_heading_again():
    data = pdf.filing_pdf(build_document(_project(annual_goal=GOAL * 40)))
    texts = [norm(text) for text in page_texts(data)]
    assert len(texts) >= 3
    # The goal runs over page 2: the heading is printed at its top.
    assert texts[1].startswith("项目绩效目标项目总目标(2024年-2026年)年度总体目标")


def _indicator_rows_on_last_page(data):
    with pdfplumber.open(io.BytesIO(data)) as document:
        text = document.pages[-1].extract_text()
    return len(re.findall(r"考核达标率\d+", text)), len(document.pages)


def test_the_last_page_never_holds_one_or_two_indicator_rows_alone():
    # Laid out as they come, 12 and 13 rows leave one and two rows on page 2, 33 and
    # 34 one and two on page 3.
    for count in (11, 12, 13, 33, 34):
        rows, pages = _indicator_rows_on_last_page(
            _print(_project(indicators=count, annual_goal=GOAL))
        )
        assert pages == 1 or rows >= 3, (count, rows)
        assert pages == (1 if count == 11 else 2 if count < 30 else 3)


@pytest.mark.parametrize("form", ["unit", "department"])
def test_a_duty_or_goal_continued_on_a_new_page_is_beside_its_label_again(form):
    data = _overall(form)
    data["annual_goal"] = GOAL * 24
    printed = _print(data)
    texts = [norm(text) for text in page_texts(printed)]
    assert len(texts) >= 2
    # Page 2's first row is the label beside the rest of the goal, every character once.
    first = tables(printed)[1][0]
    assert norm(first[0]) == "年度履职目标"
    assert norm(data["annual_goal"]).endswith(norm("".join(c or "" for c in first[1:])))
    parts = [
        norm("".join(c or "" for c in row[1:]))
        for page in tables(printed)
        for row in page
        if norm(row[0]) == "年度履职目标"
    ]
    assert len(parts) >= 2 and "".join(parts) == norm(data["annual_goal"])
    assert glyphs_outside_cells(printed) == []


@pytest.mark.parametrize("form", ["unit", "department"])
def test_task_rows_cut_at_a_page_break_have_their_label_on_each_page(form):
    data = _overall(form)
    data["tasks"] = [
        {
            "key": f"t{n}",
            "name": f"优化养老服务设施供给{n}",
            "content": "分层次建设养老服务设施。" * 60,
        }
        for n in range(4)
    ]
    printed = _print(data)
    pages = [
        page for page in tables(printed) if any("养老服务设施" in norm(c) for r in page for c in r)
    ]
    # The tasks run over three pages, rows cut mid-text: the label is printed on each,
    # at the top of the pages they continue on, beside the rest of the text.
    assert len(pages) >= 3
    assert any(norm(row[0]) == "年度重点任务" for row in pages[0])
    for page in pages[1:]:
        assert norm(page[0][0]) == "年度重点任务", page[0]
    # Every task's text is printed once, in order, and nothing spills out of its cell.
    printed_text = "".join(
        norm(c) for page in pages for row in page for c in row[1:] if "分层次" in norm(c)
    )
    assert printed_text == norm("".join(task["content"] for task in data["tasks"]))
    assert glyphs_outside_cells(printed) == []
