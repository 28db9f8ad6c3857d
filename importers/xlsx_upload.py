"""Refusing an uploaded workbook that is not a small, plain .xlsx, before reading it.

Checked in this order, each cheap before the next: the size; the first bytes
(a zip, not an .xls or an encrypted workbook); the zip's directory (number of
entries, declared inflated sizes and ratios: zip bombs); every entry inflated
once in chunks, never past what it declares (a directory may lie); macros; and,
streaming, the number of rows of every sheet, so that a sheet of a million rows
is refused before openpyxl builds it in memory.
"""

import zipfile
from io import BytesIO

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.worksheet._reader import WorkSheetParser

from filings.serialization import ImportProblem

# Far above any real form (a sheet of 300 indicators inflates to well under 2 MiB).
MAX_INFLATED_BYTES = 40 * 1024 * 1024
MAX_ENTRIES = 500
MAX_RATIO = 200  # deflate reaches ~1000:1 on a bomb; real sheets stay under ~30:1
RATIO_CHECKED_ABOVE = 1024 * 1024  # a tiny entry may compress well, it cannot hurt
MAX_ROWS = 2000  # head, 500 indicators, 100 tasks: well under

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx


class ExcelProblem(ImportProblem):
    """An upload that cannot be imported; ``problems`` are messages naming a cell."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


# --- 1. The file ------------------------------------------------------------


def max_upload_bytes():
    return settings.EXCEL_UPLOAD_MAX_BYTES


def check_upload(upload):
    """The bytes of an uploaded .xlsx, or ExcelProblem saying why it is refused.

    ``upload`` is a Django UploadedFile (or anything with ``size`` and
    ``read``). Nothing is inflated before the zip's directory has been checked,
    and no entry is inflated beyond what it declares.
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
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ExcelProblem("工作簿含有宏（VBA），未导入。请另存为不含宏的 .xlsx 后再上传。")
    _inflate_within_limits(archive, entries)
    return content


def _too_big(size, limit):
    return (
        f"文件太大（{size / 1024 / 1024:.1f} MB），上限为 {limit / 1024 / 1024:.0f} MB。"
        "本系统导出的申报表通常不到 100 KB。"
    )


def _check_entries(entries):
    if len(entries) > MAX_ENTRIES:
        raise ExcelProblem(f"工作簿内的文件过多（{len(entries)} 个），不像是申报表，未导入。")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
            raise ExcelProblem(_bomb())
    if total > MAX_INFLATED_BYTES:
        raise ExcelProblem(_bomb())


def _inflate_within_limits(archive, entries):
    """Inflate every entry once, in chunks, never past what its header declares.

    A zip's directory may lie about sizes; openpyxl would then inflate without
    bound. Reading here costs a few milliseconds for a real sheet.
    """
    for entry in entries:
        read = 0
        try:
            with archive.open(entry) as stream:
                while chunk := stream.read(64 * 1024):
                    read += len(chunk)
                    if read > entry.file_size or read > MAX_INFLATED_BYTES:
                        raise ExcelProblem(_bomb())
        except ExcelProblem:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise ExcelProblem("文件已损坏，无法作为 .xlsx 工作簿打开。") from None


def _bomb():
    return "文件解压后过大（疑似压缩炸弹），未导入。请上传本系统导出的申报表。"


def check_row_counts(content):
    """Refuse a sheet of a million rows before building it in memory (streaming read)."""
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, keep_links=False)
    except Exception:
        raise ExcelProblem("文件已损坏或不是有效的 .xlsx 工作簿，无法读取。") from None
    try:
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "_get_source"):
                continue  # a chart sheet
            # The parser yields the rows present in the file, one at a time: iter_rows()
            # would pad every missing row up to the one a hostile file puts at 1,000,000.
            with sheet._get_source() as source:
                parser = WorkSheetParser(source, sheet._shared_strings)
                for index, _row in parser.parse():
                    if index > MAX_ROWS:
                        raise ExcelProblem(
                            f"工作表「{sheet.title}」超过 {MAX_ROWS} 行，不是申报表，未导入。"
                        )
    except ExcelProblem:
        raise
    except Exception:
        raise ExcelProblem("文件已损坏或不是有效的 .xlsx 工作簿，无法读取。") from None
    finally:
        workbook.close()
