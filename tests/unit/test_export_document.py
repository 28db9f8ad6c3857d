"""The printed grid of a filing (document.py) and its splitting at page breaks (pagination.py)."""

import pytest

from exports.bands import split_text
from exports.document import COLUMNS, LEVEL, filing_document
from exports.pagination import PrintCell, PrintRow, crossing, page_starts, split_at
from filings import demo
from filings.models import Filing
from importers.loader import import_file
from tests.conftest import PUBLISHED, make_filing


@pytest.fixture
def seeds(db):
    demo.load_organisations(demo.read_demo())

    def load(prefix):
        (path,) = PUBLISHED.glob(f"{prefix}_*.txt")
        assert import_file(path).error == ""

    return load


def _texts(row):
    return [cell.text for cell in row.cells]


def _widths(rows):
    """Columns covered by each row, counting cells spanning down from rows above."""
    covered = [0] * len(rows)
    for r, row in enumerate(rows):
        for cell in row.cells:
            for below in range(r, r + cell.rowspan):
                covered[below] += cell.colspan
    return covered


def test_project_form_of_seed_004(seeds):
    seeds("004")
    document = filing_document(Filing.objects.get(name="残疾人权益保障经费"))
    assert document.title == "财政项目支出绩效目标申报表"
    assert document.subtitle == "(2023年度)"
    assert _texts(document.head[0]) == [
        "项目名称", "残疾人权益保障经费", "项目性质", "经常性专项业务费", "项目类别", "特定目标类",
    ]  # fmt: skip
    funds = document.head[3]
    assert _texts(funds)[:3] == ["项目资金\n(元)", "项目资金总额", ""]  # blank stays blank
    assert _texts(funds)[-1] == "2,013,200.00"
    assert _texts(document.indicator_head) == [
        "绩效指标", "一级指标", "二级指标", "三级指标", "年度(/项目)指标值",
    ]  # fmt: skip
    assert document.indicator_head.cells[0].rowspan == len(document.indicators) + 1
    first = document.indicators[0]
    assert [(c.text, c.rowspan) for c in first.cells if c.kind == LEVEL] == [
        ("产出指标", 8),
        ("数量指标", 4),
    ]
    assert _widths(document.head) == [COLUMNS] * len(document.head)
    assert _widths([document.indicator_head, *document.indicators]) == [COLUMNS] * (
        len(document.indicators) + 1
    )


def test_district_variant_prints_tick_boxes_and_no_nature(seeds):
    seeds("000")
    document = filing_document(Filing.objects.get(name="民生保障"))
    labels = _texts(document.head[0])
    assert "项目性质" not in labels
    assert any("经常性项目√" in text for text in labels)
    assert document.head[3].cells[0].text == "项目资金\n(万元)"
    assert document.indicator_head.cells[-1].text == "年度指标值"


def test_unit_and_department_forms(seeds):
    seeds("002")
    seeds("003")
    unit = filing_document(Filing.objects.get(form="unit"))
    department = filing_document(Filing.objects.get(form="department"))
    assert unit.subtitle == "(2024年度)" and department.subtitle == "（2024年度）"
    assert _texts(unit.head[-1]) == ["绩效指标"]
    assert _texts(department.head[-1]) == ["分解目标"]
    assert _texts(department.head[0])[:1] + _texts(department.head[0])[2:3] == [
        "部门名称",
        "下属预算单位个数",
    ]
    assert _texts(unit.indicator_head) == ["一级目标", "二级目标", "三级目标", "指标目标值"]
    notes = [c for row in unit.indicators for c in row.cells if c.kind == "note"]
    assert [(c.text, c.rowspan) for c in notes] == [
        ("根据沪财绩【2022】13号文的规定要求设置三级指标和指标值", 7)
    ]
    for document in (unit, department):
        assert _widths(document.head) == [COLUMNS] * len(document.head)


def test_approved_snapshot_is_printed_even_after_the_rows_changed(seeds):
    seeds("004")
    filing = Filing.objects.get(name="信息化运维项目")
    filing.indicators.filter(name="系统故障解决率").update(name="新的名称")
    document = filing_document(filing)
    names = [c.text for row in document.indicators for c in row.cells]
    assert "系统故障解决率" in names and "新的名称" not in names
    assert document.official
    version = filing.approved_version
    assert document.footer == f"已批复　第{version.number}版　内容摘要 {version.short_hash}"


def test_draft_footer_says_not_the_approved_text(orgs):
    document = filing_document(make_filing(orgs.elderly_centre))
    assert document.footer.startswith("草稿　非批复文本　打印于 ")
    assert not document.official and document.short_hash == ""


# --- splitting merged cells at page breaks -----------------------------------------------


def _grid():
    """Rows 10-15: an 一级 cell over all six, a 二级 cell over 10-12 and another over 13-15."""
    rows = []
    for index in range(10, 16):
        cells = []
        if index == 10:
            cells.append(PrintCell("产出指标", "level", rowspan=6, col=0))
        if index in (10, 13):
            cells.append(PrintCell(f"二级{index}", "level", rowspan=3, col=1))
        cells.append(PrintCell(f"指标{index}", "value", col=2))
        rows.append(PrintRow(index, cells))
    return rows


def test_split_repeats_every_cell_crossing_the_break_in_the_break_row():
    rows = split_at(_grid(), {12})
    assert [(c.text, c.rowspan) for c in rows[0].cells] == [
        ("产出指标", 2), ("二级10", 2), ("指标10", 1),
    ]  # fmt: skip
    assert [(c.text, c.rowspan, c.classes) for c in rows[2].cells] == [
        ("产出指标", 4, ["repeat"]), ("二级10", 1, ["repeat"]), ("指标12", 1, []),
    ]  # fmt: skip


def test_split_at_two_breaks_and_at_a_row_where_nothing_crosses():
    rows = split_at(_grid(), {13, 15})
    # 13 starts a new 二级: only the 一级 cell is cut there.
    assert [c.text for c in rows[3].cells] == ["产出指标", "二级13", "指标13"]
    assert [c.rowspan for c in rows[3].cells] == [2, 2, 1]
    assert [(c.text, c.rowspan) for c in rows[5].cells] == [
        ("产出指标", 1), ("二级13", 1), ("指标15", 1),
    ]  # fmt: skip
    # The original grid is untouched.
    assert _grid()[0].cells[0].rowspan == 6


def test_only_breaks_that_cut_a_merged_cell_count():
    rows = _grid()
    assert crossing(rows, {11, 13, 99}) == {11, 13}
    assert crossing(rows[3:4], {13}) == set()


def test_page_starts_skip_a_row_continued_from_the_page_before():
    assert page_starts([[0, 1, 2], [3, 4], [4, 5]]) == {3}
    assert page_starts([[0, 1], []]) == set()


def test_a_text_is_cut_where_the_next_page_begins_whatever_its_spaces():
    text = "一、负责全区养老服务。\n二、推进 认知障碍友好社区建设。"
    # As laid out: line breaks and spaces gone, a zero-width space where a break may be.
    assert split_text(text, "认知障碍\u200b友好社区建设。") == (
        "一、负责全区养老服务。\n二、推进",
        "认知障碍友好社区建设。",
    )
    assert split_text(text, "") == (text, "")
    assert split_text(text, norm_all(text)) == (text, "")  # all of it moved on: no cut


def norm_all(text):
    return "".join(text.split())
