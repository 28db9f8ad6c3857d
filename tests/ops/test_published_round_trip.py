"""Every seed printed by the app as PDF and as Excel imports back equal to the filing.

The seeds are imported, each filing is exported as the official PDF
(WeasyPrint) and as the official workbook, and ``import_published`` reads the
files back: the filing's export JSON, less what only the database gives (keys,
status, owner, source and warnings), is the same. The fixture laid out by
LibreOffice (other widths, fonts and page breaks) is read the same way.
"""

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from exports import excel_pages
from exports.bundle import bundle_pdf
from exports.document import filing_document
from exports.excel import filing_workbook
from exports.pdf import filing_pdf
from filings import demo
from filings.models import Filing
from filings.serialization import export_queryset, filing_to_dict
from importers.loader import import_file, parse_file
from indicators.taxonomy import Taxonomy
from tests.conftest import PUBLISHED
from tests.helpers.pdf import norm, page_texts

SEED_FILES = sorted(PUBLISHED.glob("*.txt"))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "published_files"
# What the database gives a filing, not the form: compared apart or not at all.
NOT_PRINTED = {"key", "status", "organisation", "source", "warnings", "disclosure"}


@pytest.fixture
def seed_filings(db):
    demo.load_organisations(demo.read_demo())
    for path in SEED_FILES:
        assert import_file(path).error == ""
    return list(export_queryset(Filing.objects.order_by("pk")))


def content(data):
    """The filing as the form prints it (the export JSON without the database's part)."""
    if isinstance(data, dict):
        return {k: content(v) for k, v in data.items() if k not in NOT_PRINTED}
    if isinstance(data, list):
        return [content(item) for item in data]
    return data


def read_back(data, filename):
    taxonomy = Taxonomy.load()
    filings = parse_file(data, filename, taxonomy=taxonomy)
    assert all(w["code"] != "unplaced" for f in filings for w in f["warnings"]), filename
    return filings


def _same(filing, parsed):
    expected = content(filing_to_dict(filing))
    got = {key: parsed.get(key) for key in expected}
    got["indicators"] = [
        {key: row.get(key) for key in ("level1", "level2", "name", "value", "explanation", "basis")}
        for row in parsed["indicators"]
    ]
    return content(got) == expected


def test_every_seed_printed_as_pdf_imports_back_equal(seed_filings):
    assert len(seed_filings) == 15
    different = []
    for filing in seed_filings:
        (parsed,) = read_back(filing_pdf(filing_document(filing)), f"{filing.pk}.pdf")
        if not _same(filing, parsed):
            different.append(filing.name)
    assert different == []


def test_a_unit_form_whose_tasks_run_over_pages_imports_back_equal(seed_filings):
    # Each task runs over a page break: cut there, 年度重点任务 printed again beside its rest.
    filing = next(f for f in seed_filings if f.form == Filing.Form.UNIT)
    filing.tasks.all().delete()
    for n in range(4):
        filing.tasks.create(order=n, name=f"重点任务{n}", content="分层次建设养老服务设施。" * 60)
    data = filing_pdf(filing_document(filing, draft=True))  # its tasks as they stand now
    assert len(page_texts(data)) >= 3
    (parsed,) = read_back(data, f"{filing.pk}.pdf")
    assert _same(filing, parsed)


def test_every_seed_exported_as_excel_imports_back_equal(seed_filings):
    different = []
    for filing in seed_filings:
        (parsed,) = read_back(filing_workbook([filing_document(filing)]), f"{filing.pk}.xlsx")
        if not _same(filing, parsed):
            different.append(filing.name)
    assert different == []


def test_an_input_note_cut_by_a_page_break_imports_back_as_the_note(seed_filings):
    # The 投入管理指标 note, merged beside its seven rows, printed again after a page break
    # inside them (as excel_pages cuts it): the same note, not the name of the row there.
    filing = next(f for f in seed_filings if f.form == Filing.Form.DEPARTMENT)
    book = openpyxl.load_workbook(io.BytesIO(filing_workbook([filing_document(filing)])))
    sheet = book.worksheets[0]
    note = max(
        (
            r
            for r in sheet.merged_cells.ranges
            if sheet.cell(r.min_row, r.min_col).value == filing.input_note
        ),
        key=lambda r: r.max_row - r.min_row,
    )
    assert note.max_row - note.min_row >= 3
    excel_pages.split_at_pages(sheet, [note.min_row + 3], note.min_row)
    assert sheet.cell(note.min_row + 3, note.min_col).value == filing.input_note
    out = io.BytesIO()
    book.save(out)
    (parsed,) = read_back(out.getvalue(), f"{filing.pk}.xlsx")
    assert _same(filing, parsed)


def test_a_workbook_of_many_forms_imports_every_form(seed_filings):
    documents = [filing_document(filing) for filing in seed_filings[:4]]
    parsed = read_back(filing_workbook(documents), "forms.xlsx")
    assert [f["name"] for f in parsed] == [filing.name for filing in seed_filings[:4]]
    assert parsed[0]["where"].startswith("工作表「")


def test_a_bundle_with_its_table_of_contents_imports_every_form(seed_filings):
    filings = seed_filings[:4]
    bundle = bundle_pdf([filing_document(f) for f in filings], "测试汇总表", processes=1)
    parsed = read_back(bundle, "bundle.pdf")
    assert [data["name"] for data in parsed] == [filing.name for filing in filings]
    assert all(_same(filing, data) for filing, data in zip(filings, parsed, strict=True))


def test_the_forms_laid_out_by_libreoffice_import_equal_to_the_seeds(seed_filings):
    by_name = {filing.name: filing for filing in seed_filings}
    for name in ("libreoffice.pdf", "libreoffice.xlsx"):
        parsed = read_back((FIXTURES / name).read_bytes(), name)
        assert len(parsed) == 3, name
        for data in parsed:
            assert _same(by_name[data["name"]], data), (name, data["name"])


def test_the_command_imports_a_pdf_and_names_the_page_of_each_warning(seed_filings, tmp_path):
    filing = next(f for f in seed_filings if f.name == "民生保障")
    path = tmp_path / "民生保障.pdf"
    path.write_bytes(filing_pdf(filing_document(filing)))
    out = io.StringIO()
    # Another year: the seed's own filing is in the database already.
    call_command(
        "import_published", str(path), year=2024, json=str(tmp_path / "o.json"), stdout=out
    )
    printed = out.getvalue()
    assert "    第 1 页《民生保障》：表上年度为 2023 年，按指定的 2024 年读取" in printed
    page = _page_holding(path.read_bytes(), "普及培训、救护员培训及时性")
    assert (
        f"    第 {page} 页《民生保障》：三级指标「普及培训、救护员培训及时性」像是时效指标"
        in printed
    )
    (saved,) = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert {**content(saved), "year": 2023} == content(filing_to_dict(filing))


def _page_holding(pdf, text):
    """The number of the page whose text holds ``text`` (the layout decides, not the test)."""
    pages = page_texts(pdf)
    return next(number for number, page in enumerate(pages, 1) if text in norm(page))


def test_the_command_takes_gb18030_text_and_an_encoding(db, tmp_path):
    demo.load_organisations(demo.read_demo())
    path = tmp_path / "gbk.txt"
    path.write_bytes(SEED_FILES[0].read_text(encoding="utf-8").encode("gb18030"))
    out = io.StringIO()
    call_command("import_published", str(path), dry_run=True, stdout=out)
    assert "可导入 1 份申报" in out.getvalue()
    err = io.StringIO()
    with pytest.raises(Exception, match="1 个文件未导入"):
        call_command(
            "import_published", str(path), encoding="utf-8", stdout=io.StringIO(), stderr=err
        )
    assert "文件不是 utf-8 编码的文本：第 3 个字节（0xB2）起无法解码" in err.getvalue()
