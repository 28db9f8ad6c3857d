"""Published forms as people hold them: text in GB18030 or UTF-16, scans, broken files.

Pure Python (``loader.parse_file`` reads bytes; nothing is saved). The round
trips through the app's own PDF and Excel are in tests/ops/test_published_round_trip.py.
"""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from importers.loader import parse_file
from importers.published_files import SourceProblem, decode_text
from indicators.taxonomy import from_fixture
from tests.helpers.pdf import unmapped_font_pdf

SEEDS = sorted((Path(__file__).resolve().parents[2] / "fixtures/published").glob("*.txt"))
TAXONOMY = from_fixture()


def parse(content, name="forms.txt", **kwargs):
    return parse_file(content, name, taxonomy=TAXONOMY, **kwargs)


def _without_places(filings):
    return [{key: value for key, value in f.items() if key != "where"} for f in filings]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.name[:3])
@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_seed_saved_in_another_encoding_imports_equal_to_utf8(seed, encoding):
    text = seed.read_text(encoding="utf-8")
    expected = parse(text.encode("utf-8"))
    assert _without_places(parse(text.encode(encoding))) == _without_places(expected)


def test_utf16_without_bom_is_recognised_by_its_nul_bytes():
    text = SEEDS[0].read_text(encoding="utf-8")
    (filing,) = parse(text.encode("utf-16-le"))
    assert filing["name"] == "民生保障"


def test_an_encoding_given_is_used_and_a_wrong_one_is_refused_naming_the_byte():
    content = "财政项目支出绩效目标申报表\n项目名称\t测试".encode("gb18030")
    assert decode_text(content, "gbk")[0].startswith("财政项目")
    with pytest.raises(SourceProblem) as refused:
        decode_text(content, "utf-8")
    assert str(refused.value).startswith("文件不是 utf-8 编码的文本：第 1 个字节（0xB2）起无法解码")


def test_an_unknown_encoding_name_is_refused_in_chinese():
    with pytest.raises(SourceProblem, match="不支持的编码「latin-9」"):
        decode_text(b"abc", "latin-9")


def test_bytes_that_are_no_text_are_refused_naming_the_position_not_in_english():
    content = "项目名称".encode() + b"\x80\xff\x80\xff"
    with pytest.raises(SourceProblem) as refused:
        parse(content)
    message = str(refused.value)
    assert "无法识别文件的编码" in message
    assert "第 13 个字节（0x80）" in message
    assert "codec" not in message


def test_a_scanned_pdf_is_refused_with_a_message_saying_it_has_no_text():
    page = Image.new("RGB", (595, 842), "white")
    scan = io.BytesIO()
    page.save(scan, format="PDF")
    with pytest.raises(SourceProblem, match="没有文字层（像是扫描件或图片）"):
        parse(scan.getvalue(), "scan.pdf")


def test_a_pdf_whose_fonts_give_no_text_is_refused_saying_so():
    with pytest.raises(SourceProblem, match="PDF 文件的字体没有文字映射"):
        parse(unmapped_font_pdf(), "forms.pdf")


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7\n1 0 obj <<", b"%PDF-1.4\n" + b"\x00" * 2000, b"not a pdf at all"],
    ids=["cut", "zeros", "renamed"],
)
def test_a_damaged_pdf_gives_a_chinese_message_not_a_traceback(content):
    with pytest.raises(SourceProblem, match="PDF 文件已损坏"):
        parse(content, "forms.pdf")


def test_a_pdf_with_an_opening_password_is_refused_saying_so():
    form = _pdf_of(
        "<p>财政项目支出绩效目标申报表</p><table><tr><td>项目名称</td><td>甲</td></tr></table>"
    )
    locked = PdfWriter(clone_from=PdfReader(io.BytesIO(form)))
    locked.encrypt("secret", algorithm="AES-128")
    content = io.BytesIO()
    locked.write(content)
    with pytest.raises(SourceProblem, match="PDF 文件设有打开密码"):
        parse(content.getvalue(), "forms.pdf")


def test_a_damaged_workbook_gives_a_chinese_message_not_a_traceback():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("[Content_Types].xml", "<Types/>")
        zipped.writestr("xl/workbook.xml", "<not-a-workbook")
    with pytest.raises(SourceProblem, match=r"文件已损坏或不是有效的 \.xlsx 工作簿"):
        parse(archive.getvalue(), "forms.xlsx")
    with pytest.raises(SourceProblem, match="文件已损坏"):
        parse(archive.getvalue()[:40], "forms.xlsx")


def test_a_pdf_without_any_form_names_its_first_page():
    content = _pdf_of("<p>部门收支总表</p><p>收入 100</p>")
    with pytest.raises(SourceProblem, match=r"^第 1 页：.*没有找到绩效目标申报表的标题"):
        parse(content, "budget.pdf")


def _pdf_of(body):
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def _table(rows):
    cells = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table>{cells}</table>"


BUDGET_BOOK_CSS = (
    "<style>@page { size: A4; margin: 15mm } table { border-collapse: collapse; width: 100% }"
    " td { border: 1px solid black; padding: 2px } h1 { break-before: page; font-size: 14pt }"
    "</style>"
)


def test_a_budget_book_is_read_from_the_form_title_to_the_next_tables_title():
    content = _pdf_of(
        BUDGET_BOOK_CSS
        + "<h1>2024年部门收支总表</h1>"
        + _table([("收入", "100.00"), ("支出", "100.00")])
        + "<h1>财政项目支出绩效目标申报表</h1><p>(2024年度)</p>"
        + _table(
            [
                ("项目名称", "培训项目", "项目类别", "其他运转类"),
                ("一级指标", "二级指标", "三级指标", "年度指标值"),
                ("产出指标", "数量指标", "培训人次", "≥200人次"),
            ]
        )
        + "<h1>2024年政府采购预算表</h1>"
        + _table([("采购项目", "金额"), ("电脑", "5000.00")])
    )
    (filing,) = parse(content, "budget.pdf")
    assert (filing["name"], filing["category"]) == ("培训项目", "其他运转类")
    assert [(i["name"], i["value"]) for i in filing["indicators"]] == [("培训人次", "≥200人次")]
    # Nothing of the tables before and after the form is read into it.
    assert [w["code"] for w in filing["warnings"]] == []
    assert filing["where"] == "第 2 页"


def test_labels_turned_a_quarter_turn_read_in_their_direction():
    turned = "<div class='up'>{}</div>"
    content = _pdf_of(
        BUDGET_BOOK_CSS.replace(
            "</style>",
            " .up { transform: rotate(-90deg); width: 12mm; white-space: nowrap }"
            " .down { transform: rotate(90deg); white-space: nowrap; margin-top: 8mm }"
            " td { height: 14mm }</style>",
        )
        + "<p>财政项目支出绩效目标申报表</p><p>(2024年度)</p>"
        + "<table><tr><td>项目名称</td><td>培训项目</td><td>项目类别</td><td>其他运转类</td></tr>"
        + "<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>年度指标值</td></tr>"
        + f"<tr><td rowspan=2>{turned.format('产出指标')}</td>"
        + "<td rowspan=2><div class='down'>数量指标</div></td>"
        + "<td>培训人次</td><td>≥200人次</td></tr>"
        + "<tr><td>培训完成率</td><td>=100%</td></tr></table>"
    )
    (filing,) = parse(content, "turned.pdf")
    assert [(i["level1"], i["level2"], i["name"]) for i in filing["indicators"]] == [
        ("产出指标", "数量指标", "培训人次"),
        ("产出指标", "数量指标", "培训完成率"),
    ]
    assert filing["warnings"] == []


def test_a_workbook_of_numbers_dates_and_merged_labels_reads_as_printed():
    book = Workbook()
    sheet = book.active
    sheet.append(["财政项目支出绩效目标申报表"])
    sheet.append(["(2024年度)"])
    sheet.append(["项目名称", "培训项目", "", "计划开始日期", datetime.datetime(2024, 3, 1)])
    sheet.append(["项目资金", "年度资金申请总额", 2013200.5, "其中：当年财政拨款", 2013200])
    sheet.append(["", "一级指标", "二级指标", "三级指标", "年度指标值"])
    sheet.append(["绩效指标", "产出指标", "数量指标", "培训完成率", 0.95])
    sheet.append(["", "", "", "培训人次", 200])
    sheet.merge_cells("B3:C3")
    sheet.merge_cells("A6:A7")
    sheet.merge_cells("B6:B7")
    sheet.merge_cells("C6:C7")
    sheet["C4"].number_format = "#,##0.00"
    sheet["E6"].number_format = "0%"
    content = io.BytesIO()
    book.save(content)
    (filing,) = parse(content.getvalue(), "forms.xlsx")
    assert (filing["name"], filing["start"]) == ("培训项目", "2024-03-01")
    assert filing["funds"]["annual_total"] == "2013200.50"
    assert filing["funds"]["appropriation"] == "2013200.00"
    assert [(i["level1"], i["name"], i["value"]) for i in filing["indicators"]] == [
        ("产出指标", "培训完成率", "95%"),
        ("产出指标", "培训人次", "200"),
    ]
    assert filing["where"] == "工作表「Sheet」第 1 行"


def test_a_sheet_without_any_form_such_as_a_table_of_contents_is_not_read():
    book = Workbook()
    contents = book.active
    contents.title = "目录"
    contents.append(["序号", "项目名称", "工作表"])
    contents.append(["1", "培训项目", "表1"])
    form = book.create_sheet("表1")
    form.append(["财政项目支出绩效目标申报表"])
    form.append(["(2024年度)"])
    form.append(["项目名称", "培训项目"])
    saved = io.BytesIO()
    book.save(saved)
    (filing,) = parse(saved.getvalue(), "forms.xlsx")
    assert filing["name"] == "培训项目"
    assert [w["code"] for w in filing["warnings"]] == []
