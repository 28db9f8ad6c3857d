"""A published form with 权重 and 设定依据 columns keeps them through JSON, Excel and PDF.

The form is imported as published forms are (``importers.loader``), written as
the JSON format and saved back, exported as the official workbook and uploaded
back (导入Excel), and printed by the real WeasyPrint: the PDF read back with
pdfplumber shows the weights and the basis text in their columns.
"""

import io
from decimal import Decimal

from exports.document import filing_document
from exports.excel import filing_workbook
from exports.pdf import filing_pdf
from filings.models import Filing
from filings.serialization import filing_to_dict, save_filing
from importers import excel as importer
from importers.loader import import_file
from tests.helpers.pdf import norm, printed_cells, tables

ROWS = (
    ("一级指标", "二级指标", "三级指标", "指标值", "指标值设定依据", "权重", "指标方向性"),
    ("产出指标", "数量指标", "改建道路长度", "≥1.2公里", "计划标准：区年度建设计划", "30", "正向"),
    ("产出指标", "质量指标", "工程验收合格率", "=100%", "行业标准：国家验收规范", "20", "正向"),
    (
        "效益指标",
        "社会效益指标",
        "沿河居民出行便利程度",
        "提高",
        "根据区政府工作报告",
        "30",
        "定性",
    ),
    ("满意度指标", "服务对象满意度指标", "沿河居民满意度", "≥90%", "历史标准", "10", "正向"),
)
FORM = "\n".join(
    [
        "财政项目支出绩效目标申报表",
        "（2026年度）",
        "项目名称\t滨河路改建工程\t项目类别\t经常性项目",
        "年度目标\t完成北段1.2公里改建。",
        *("\t".join(row) for row in ROWS),
    ]
)


def _fields(filing):
    return [
        (row.name, row.weight, row.basis, row.basis_text, row.direction)
        for row in filing.indicators.all()
    ]


EXPECTED = [
    ("改建道路长度", Decimal("30"), "计划标准", "区年度建设计划", "positive"),
    ("工程验收合格率", Decimal("20"), "行业标准", "国家验收规范", "positive"),
    ("沿河居民出行便利程度", Decimal("30"), "", "根据区政府工作报告", "qualitative"),
    ("沿河居民满意度", Decimal("10"), "历史标准", "", "positive"),
]


def test_weights_and_basis_survive_json_excel_and_pdf(tmp_path, orgs, personas):
    path = tmp_path / "published.txt"
    path.write_text(FORM, encoding="utf-8")
    report = import_file(path, organisation=orgs.elderly_centre, status=Filing.Status.DRAFT)
    assert report.error == ""
    filing = Filing.objects.get()
    assert _fields(filing) == EXPECTED

    # JSON: the export keeps them, and a filing saved from it has them again.
    data = filing_to_dict(filing)
    assert [(row["weight"], row.get("basis_text", "")) for row in data["indicators"]] == [
        ("30.00", "区年度建设计划"),
        ("20.00", "国家验收规范"),
        ("30.00", "根据区政府工作报告"),
        ("10.00", ""),
    ]
    from_json = save_filing(data | {"name": "滨河路改建工程（副本）"}, orgs.disabled_federation)
    assert _fields(from_json) == EXPECTED

    # Excel: downloaded, uploaded back into the draft, and into a new draft elsewhere.
    sheet = filing_workbook([filing_document(filing, draft=True)])
    upload = importer.read_workbook(importer.check_upload(io.BytesIO(sheet)))
    importer.apply(upload, filing=filing, seen_version=filing.lock_version)
    assert _fields(filing) == EXPECTED
    again = importer.read_workbook(importer.check_upload(io.BytesIO(sheet)))
    copy = importer.apply(again, organisation=orgs.city_bureau)
    assert _fields(copy) == EXPECTED

    # PDF: the 2021 columns, read back from the real WeasyPrint output.
    printed = filing_pdf(filing_document(filing, draft=True))
    cells = printed_cells(printed)
    assert {"指标值设定依据", "分值", "指标方向"} <= set(cells)
    bases = {"计划标准：区年度建设计划", "行业标准：国家验收规范", "根据区政府工作报告"}
    assert bases <= set(cells)
    rows = [[norm(cell) for cell in row] for page in tables(printed) for row in page]
    assert {"30", "20", "10"} <= {row[-1] for row in rows}
    # The weights and 预算执行率's 10 (the edition's) add up on the 合计 line: 100 of 100.
    assert any(row[0] == "合计（含预算执行率10分）" and row[-1] == "100" for row in rows), rows
