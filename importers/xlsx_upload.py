"""Refusing an uploaded workbook that is not a small, plain .xlsx, before reading it.

Checked in this order, each cheap before the next: the size; the first bytes
(a zip, not an .xls or an encrypted workbook); the zip's directory (number of
entries, declared inflated sizes and ratios: zip bombs). Nothing is inflated
here: the parts the form needs are inflated once, each within its own bound, as
they are read (``importers.xlsx_parts``); the others never are.
"""

import zipfile
from io import BytesIO

from django.conf import settings

from filings import limits
from filings.serialization import ImportProblem

CORRUPT = "文件已损坏或不是有效的 .xlsx 工作簿，无法读取。"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx


class ExcelProblem(ImportProblem):
    """An upload that cannot be imported; ``problems`` are messages naming a cell."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


def max_upload_bytes():
    return settings.EXCEL_UPLOAD_MAX_BYTES


def check_upload(upload):
    """The bytes of an uploaded .xlsx, or ExcelProblem saying why it is refused.

    ``upload`` is a Django UploadedFile (or anything with ``size`` and
    ``read``). Only the zip's directory is read: no entry is inflated here.
    """
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ExcelProblem(_too_big(size, limit))
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ExcelProblem(_too_big(len(content), limit))
    if not content:
        raise ExcelProblem("上传的文件是空的。")
    if content.startswith(OLE_SIGNATURE):
        raise ExcelProblem(
            "这是旧版 Excel（.xls）文件或加密的工作簿：请在 Excel 中另存为"
            "“Excel 工作簿（.xlsx）”、不设密码后再上传。"
        )
    if not content.startswith(ZIP_SIGNATURE):
        raise ExcelProblem("上传的文件不是 Excel 工作簿（.xlsx）。请上传本系统导出的 .xlsx 文件。")
    try:
        archive = zipfile.ZipFile(BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExcelProblem("文件已损坏，无法作为 .xlsx 工作簿打开。") from None
    _check_entries(entries)
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ExcelProblem("上传的文件不是 Excel 工作簿（.xlsx）。请上传本系统导出的 .xlsx 文件。")
    return content


def _too_big(size, limit):
    return (
        f"文件太大（{size / 1024 / 1024:.1f} MB），上限为 {limit / 1024 / 1024:.0f} MB。"
        "本系统导出的申报表通常不到 100 KB。"
    )


def _check_entries(entries):
    problem = zip_problem(entries)
    if problem == TOO_MANY:
        raise ExcelProblem(f"工作簿内的文件过多（{len(entries)} 个），不像是申报表，未导入。")
    if problem == BOMB:
        raise ExcelProblem(_bomb())


TOO_MANY = "too_many"
BOMB = "bomb"


def zip_problem(entries):
    """``TOO_MANY``, ``BOMB`` or None: the zip-bomb bounds of a package's directory.

    The bounds of 导入Excel (``filings.limits``), read from the declared sizes before
    anything is inflated; attachments (.docx, .xlsx) ask them too, in their own words.
    """
    if len(entries) > limits.MAX_ZIP_ENTRIES:
        return TOO_MANY
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > limits.RATIO_CHECKED_ABOVE and ratio > limits.MAX_RATIO:
            return BOMB
    if total > limits.MAX_INFLATED_BYTES:
        return BOMB
    return None


def _bomb():
    return "文件解压后过大（疑似压缩炸弹），未导入。请上传本系统导出的申报表。"
