"""Files to upload as attachments: one of each accepted type, and the hostile ones.

Each is built here, in memory, the way the real program would save it (pypdf,
openpyxl, Pillow) or byte by byte where no program would (a macro renamed,
a zip bomb), so that a test says what it uploads.
"""

import zipfile
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS = "application/vnd.openxmlformats-package.relationships+xml"
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
OLE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def pdf(text_pages=1):
    writer = PdfWriter()
    for _ in range(text_pages):
        writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_javascript():
    """A page that runs a script when the file opens (/OpenAction … /JavaScript)."""
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /S /JavaScript /JS (app.alert('hello');) >>",
        ]
    )


def pdf_with_embedded_file():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("run.exe", b"MZ\x90\x00")
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_hidden_launch():
    """A /Launch action written with an escaped name (/L#61unch): only a parser sees it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /S /L#61unch /F (cmd.exe) >>",
    ]
    return _raw_pdf(objects)


def _raw_pdf(objects):
    out = BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _package(parts):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _word_parts(main_type=DOCX_MAIN, extra_types="", document_rels=""):
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{RELS}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>'
        f"{extra_types}</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="word/document.xml"/>'
        "</Relationships>"
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>项目实施方案</w:t></w:r></w:p></w:body></w:document>"
    )
    parts = {"[Content_Types].xml": types, "_rels/.rels": rels, "word/document.xml": document}
    if document_rels:
        parts["word/_rels/document.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{document_rels}</Relationships>"
        )
    return parts


def docx():
    return _package(_word_parts())


def docm():
    """A macro-enabled Word file (what Word saves as .docm), to be renamed .docx."""
    parts = _word_parts(main_type=DOCM_MAIN)
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0vba"
    return _package(parts)


def docx_with_ole_object():
    relationship = (
        f'<Relationship Id="rId9" Type="{OLE_RELATIONSHIP}" Target="embeddings/oleObject1.bin"/>'
    )
    parts = _word_parts(document_rels=relationship)
    parts["word/embeddings/oleObject1.bin"] = b"\xd0\xcf\x11\xe0ole"
    return _package(parts)


def docx_bomb():
    """A .docx with a part of 2 MB of zeros compressed a thousandfold."""
    parts = _word_parts()
    parts["word/media/padding.bin"] = b"\0" * (2 * 1024 * 1024)
    return _package(parts)


def xlsx():
    workbook = Workbook()
    workbook.active["A1"] = "测算明细"
    workbook.active["B1"] = 1200
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_with_vba_project():
    """A workbook carrying xl/vbaProject.bin, its content types left as an .xlsx's."""
    source = zipfile.ZipFile(BytesIO(xlsx()))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0vba"
    return _package(parts)


def image(file_format, size=(40, 30)):
    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=file_format)
    return buffer.getvalue()


def ole_doc():
    """The first bytes of a Word 97–2003 .doc (an OLE compound file)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024


def exe():
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 512
