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
from tests.helpers.pdf import (
    glyphs_outside_cells,
    norm,
    page_texts,
    printed_cells,
    printed_lines,
    tables,
)
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


# --- The 2021 columns (exports/indicator_columns.py) ------------------------------------

BASIS_TEXT = "依据《上海市残疾人事业发展“十四五”规划》及2025年实际完成数据测算"
EXPLANATION = "按年度内实际完成的活动场次统计，计算方法为完成数除以计划数乘以百分之百。"


def _with_2021_fields(data, period=True):
    for n, row in enumerate(data["indicators"]):
        row["explanation"] = EXPLANATION * (1 + n % 2)
        row["basis"] = ["历史标准", "计划标准", "行业标准", ""][n % 4]
        row["basis_text"] = BASIS_TEXT
        row["core"] = n % 3 == 0
        if period and n % 2:
            row["period_value"] = "≥3000000000.00(人次)"
    data["indicators"][0]["weight"] = "12.5"
    data["indicators"][0]["direction"] = "negative"
    return data


FORMS_2021 = {
    "project, whole-period values": _with_2021_fields(_project()),
    "project, annual values only": _with_2021_fields(_project(), period=False),
    "unit": _with_2021_fields(_overall("unit")),
    "department": _with_2021_fields(_overall("department")),
}


@pytest.mark.django_db
@pytest.mark.parametrize("data", FORMS_2021.values(), ids=FORMS_2021.keys())
def test_the_2021_columns_print_inside_their_cells_with_labels_on_one_line(data):
    printed = _print(data)
    assert glyphs_outside_cells(printed) == []
    lines = printed_lines(printed)
    labels = ["指标解释", "指标值设定依据", "指标方向", "分值"]
    if data["form"] == "project":
        labels += ["绩效指标", "一级指标", "二级指标", "三级指标"]
    if any(row.get("period_value") for row in data["indicators"]):
        labels += ["全周期指标值", "年度指标值" if data["form"] == "project" else "指标目标值"]
    for label in labels:
        assert any(label in line for line in lines), label
    cells = printed_cells(printed)
    assert norm("历史标准：" + BASIS_TEXT) in cells
    assert any(cell.startswith("★全市性法律宣传活动") for cell in cells)
    assert "注：三级指标前标★的为核心指标。" in cells
    assert {"反向", "正向", "12.5"} <= set(cells)


@pytest.mark.django_db
def test_the_2021_project_weights_add_up_to_100_with_the_execution_rate():
    data = _with_2021_fields(_project(indicators=8, annual_goal=GOAL), period=False)
    rows = [row for page in tables(_print(data)) for row in page]
    total = [row for row in rows if "合计" in norm(row[0] or "")]
    # 12.5 set on an 产出 row; its three others share 37.5; 效益 30 and 满意度 10 split evenly.
    assert [norm(c) for c in total[0] if c] == ["合计（含预算执行率10分）", "100"]
    weights = [norm(row[-1]) for row in rows if norm(row[-1] or "") not in ("", "分值")]
    # The 合计 line is last: every row's weight, then 100.
    assert weights == ["12.5"] * 4 + ["15"] * 2 + ["5"] * 2 + ["100"]


def test_a_word_or_number_wider_than_its_cell_is_cut_inside_it():
    data = _project(indicators=4)
    data["indicators"][0]["name"] = "ISO9001-2015/GB-T19001-2016-QualityManagementSystems"
    data["indicators"][1]["value"] = "≥" + "9" * 40 + "(人次)"
    data["indicators"][2]["name"] = "https://www.example.gov.cn/jixiao/2026/mubiao/index.html"
    assert glyphs_outside_cells(_print(data)) == []
