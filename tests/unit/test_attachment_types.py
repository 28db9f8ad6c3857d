"""attachments.filetypes: the type read from the content, the bounds of each reader."""

from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfWriter

from attachments.filetypes import AttachmentRefused, identify
from importers.xlsx_parts import Package
from importers.xlsx_upload import ExcelProblem
from tests.helpers import attachment_files as files


def _refusal(name, content):
    with pytest.raises(AttachmentRefused) as refused:
        identify(name, content)
    return str(refused.value)


def test_an_image_declaring_too_many_pixels_is_refused_before_it_is_decoded():
    buffer = BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, format="PNG")  # 60 megapixels, 100 KB
    assert "图片过大（超过 5000 万像素）" in _refusal("扫描.png", buffer.getvalue())


def test_a_truncated_image_is_refused():
    assert "图片已损坏" in _refusal("照片.png", files.image("PNG")[:60])


def test_a_password_protected_pdf_is_refused_as_unreadable():
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = BytesIO()
    writer.write(buffer)
    assert "PDF 设有打开密码" in _refusal("立项依据.pdf", buffer.getvalue())


def test_a_broken_pdf_is_refused_as_unreadable():
    assert "PDF 已损坏" in _refusal("立项依据.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 10)


def test_a_zip_that_is_no_office_document_is_refused():
    package = files._package({"readme.txt": "不是 Word 文档"})
    assert "不是有效的 Word（.docx）、Excel（.xlsx）文件" in _refusal("方案.docx", package)


def test_a_presentation_is_not_a_word_or_excel_file():
    parts = files._word_parts()
    parts["_rels/.rels"] = parts["_rels/.rels"].replace("word/document.xml", "ppt/presentation.xml")
    parts["ppt/presentation.xml"] = "<p/>"
    assert "不是 Word（.docx）或 Excel（.xlsx）文档" in _refusal("方案.docx", files._package(parts))


def test_the_excel_import_keeps_its_own_words_and_its_own_list():
    # 导入Excel shares the package checks: its messages and what it refuses are unchanged.
    with pytest.raises(ExcelProblem) as refused:
        Package(files.xlsx_with_vba_project())
    assert "工作簿含有宏" in str(refused.value)
    Package(files.docx_with_ole_object())  # an OLE object is not 导入Excel's business
