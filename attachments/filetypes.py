"""What an uploaded file is, read from its content: never from its name.

``identify(name, content)`` returns the ``Attachment.FileType`` of a PDF, a .docx,
an .xlsx, a PNG or a JPEG, or raises ``AttachmentRefused`` with a Chinese message
naming the file. Each type is recognised by its first bytes, then read as far as
needed to refuse active content, within the bounds of ``filings.limits``:

- PDF: every object read through pypdf (compressed object streams too), refused
  when a dictionary carries a script, a launch action or an embedded file;
- .docx / .xlsx: the OOXML package, checked by the same code and bounds as
  导入Excel (``importers.xlsx_upload.zip_problem``, ``importers.xlsx_parts.Package``):
  zip bombs, macros, ActiveX, OLE embeddings and external links refused;
- PNG / JPEG: opened and verified by Pillow, its size read from the header before
  anything is decoded.

Legacy .doc/.xls (OLE compound files) are refused with a message asking for
.docx/.xlsx; anything else (an .exe renamed .pdf) is not one of the types.
"""

import re
import time
import warnings
import zipfile
from io import BytesIO

from django.utils.translation import gettext as _

from attachments.models import Attachment
from filings import limits
from filings.money import echo
from importers.xlsx_parts import Package
from importers.xlsx_upload import BOMB, OLE_SIGNATURE, ZIP_SIGNATURE, ExcelProblem, zip_problem

FileType = Attachment.FileType
EXTENSIONS = {
    FileType.PDF: (".pdf",),
    FileType.DOCX: (".docx",),
    FileType.XLSX: (".xlsx",),
    FileType.PNG: (".png",),
    FileType.JPEG: (".jpg", ".jpeg"),
}
ACCEPTED = "PDF、Word（.docx）、Excel（.xlsx）、PNG 或 JPEG 图片"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
# Names that make a PDF act: scripts, launching programs, files carried inside.
PDF_ACTIVE = frozenset(("/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"))
# The same names written plainly in the file, whole (not a prefix of a longer name).
PDF_ACTIVE_BYTES = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?)(?=[\s/<>\[\]()%]|$)")
NESTING = 32  # direct dictionaries and arrays inside one object


class AttachmentRefused(Exception):
    """An upload that is not kept; the message says why, naming the file."""


def _refuse(name, reason):
    return AttachmentRefused(
        _("「%(name)s」未上传：%(reason)s") % {"name": echo(name), "reason": reason}
    )


def _ooxml_refusals():
    """The words of ``importers.xlsx_parts.Package``'s refusals, for an attachment.

    Package fills ``{part}`` with the part it found (``str.format``)."""
    return {
        "macro": _("文件含有宏（VBA{part}）。请另存为不含宏的 .docx 或 .xlsx 后再上传。"),
        "activex": _("文件含有 ActiveX 控件{part}。请删除控件后再上传。"),
        "ole": _("文件内嵌了其他对象或文件（OLE 对象{part}）。请删除嵌入的对象后再上传。"),
        "external": _("文件含有指向外部文件的链接或模板{part}。请断开链接后再上传。"),
        "corrupt": _("文件已损坏，或不是有效的 Word（.docx）、Excel（.xlsx）文件。"),
    }


def identify(name, content):
    """The FileType of ``content`` (uploaded as ``name``), or AttachmentRefused."""
    if not content:
        raise _refuse(name, _("文件是空的。"))
    if content.startswith(OLE_SIGNATURE):
        raise _refuse(
            name,
            _(
                "这是旧版 Word（.doc）或 Excel（.xls）文件，或加密的文档。"
                "请在 Word 或 Excel 中另存为 .docx 或 .xlsx（不设密码）后再上传。"
            ),
        )
    if content.startswith(PDF_SIGNATURE):
        file_type = _check_pdf(name, content)
    elif content.startswith(ZIP_SIGNATURE):
        file_type = _check_ooxml(name, content)
    elif content.startswith(PNG_SIGNATURE) or content.startswith(JPEG_SIGNATURE):
        file_type = _check_image(name, content)
    else:
        raise _refuse(
            name, _("文件内容不是可接受的类型。只能上传 %(types)s。") % {"types": ACCEPTED}
        )
    if not name.lower().endswith(EXTENSIONS[file_type]):
        raise _refuse(
            name,
            _("文件内容是 %(type)s，与文件扩展名不符。请核对文件后再上传。")
            % {"type": file_type.label},
        )
    return file_type


def _check_ooxml(name, content):
    try:
        entries = zipfile.ZipFile(BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(name, _ooxml_refusals()["corrupt"]) from None
    problem = zip_problem(entries)
    if problem is not None:
        reason = (
            _("文件解压后过大（疑似压缩炸弹）。")
            if problem == BOMB
            else _("文件内的部件过多（%(count)s 个）。") % {"count": len(entries)}
        )
        raise _refuse(name, reason)
    try:
        package = Package(content, refusals=_ooxml_refusals())
    except ExcelProblem as exc:
        raise _refuse(name, exc.problems[0]) from None
    main = package.workbook.lower()  # the officeDocument part, whatever the package
    if main == "word/document.xml" and package.has(main):
        return FileType.DOCX
    if main == "xl/workbook.xml" and package.has(main):
        return FileType.XLSX
    raise _refuse(
        name,
        _("文件不是 Word（.docx）或 Excel（.xlsx）文档。只能上传 %(types)s。")
        % {"types": ACCEPTED},
    )


def _check_image(name, content):
    # Imported here, as pypdf is (_check_pdf): Pillow is 10 ms of every start-up, and only
    # an upload of an image needs it.
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(content))
            width, height = image.size
            if width * height > limits.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            name,
            _("图片过大（超过 %(pixels)s 万像素）。请缩小后再上传。")
            % {"pixels": limits.MAX_IMAGE_PIXELS // 10_000},
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _refuse(name, _("图片已损坏，无法打开。")) from None
    if image.format == "PNG":
        return FileType.PNG
    if image.format == "JPEG":
        return FileType.JPEG
    raise _refuse(name, _("只能上传 %(types)s。") % {"types": ACCEPTED})


def _check_pdf(name, content):
    # Imported here: pypdf (and the cryptography it loads) costs every process's start-up
    # 60 ms, and only an upload of a PDF needs it.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    active = _refuse(
        name,
        _("PDF 含有脚本、启动程序的动作或内嵌文件。请用“打印为 PDF”另存一份后再上传。"),
    )
    if PDF_ACTIVE_BYTES.search(content):
        raise active
    try:
        reader = PdfReader(BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse(name, _("PDF 设有打开密码，无法检查。请去掉密码后再上传。"))
        if _pdf_is_active(reader):
            raise active
    except AttachmentRefused:
        raise
    except _TooLong:
        raise _refuse(name, _("PDF 过于复杂，无法在时限内检查完。")) from None
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise _refuse(name, _("PDF 已损坏，无法读取。")) from None
    return FileType.PDF


class _TooLong(Exception):
    pass


def _object_numbers(reader):
    numbers = set(reader.xref_objStm)
    for table in reader.xref.values():
        numbers.update(table)
    return sorted(numbers)


def _pdf_is_active(reader):
    """Whether any object of the PDF names a script, a launch or an embedded file."""
    started = time.thread_time()
    numbers = _object_numbers(reader)
    if len(numbers) > limits.MAX_PDF_OBJECTS:
        raise _TooLong
    for count, number in enumerate(numbers):
        if count % 256 == 0 and time.thread_time() - started > limits.PDF_READ_SECONDS:
            raise _TooLong
        if _is_active(reader.get_object(number), NESTING):
            return True
    return False


def _is_active(value, depth):
    """Whether ``value`` (an object, not following references) names an active feature."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject  # see _check_pdf

    if depth <= 0:
        return False
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if key in PDF_ACTIVE or (isinstance(item, NameObject) and item in PDF_ACTIVE):
                return True
            if _is_active(item, depth - 1):
                return True
    elif isinstance(value, ArrayObject):
        return any(_is_active(item, depth - 1) for item in value)
    return False
