"""The lines of a 项目库 export, read from an .xlsx or a CSV file within bounds.

An .xlsx goes through the bounded reader of 导入Excel (``importers.xlsx_upload``
checks the zip, ``importers.xlsx_parts`` refuses macros and bombs,
``importers.xlsx_cells`` streams the first visible sheet) with the 项目库's
bounds of ``filings.limits``. A CSV is bounded by its bytes, its lines and the
length of a field, and decoded as UTF-8 (with or without a BOM) or GB18030, the
two encodings Excel and the budget systems write. Either way the result is the
same: numbered lines of cells, numbered as the user sees them in Excel.
"""

import csv
import io
from dataclasses import dataclass

from filings import limits
from importers.xlsx_cells import SheetBounds, read_sheet
from importers.xlsx_parts import Package
from importers.xlsx_upload import ZIP_SIGNATURE, ExcelProblem, check_upload


class ReadProblem(Exception):
    """A file that cannot be read as a 项目库; the message is for the user (Chinese)."""


@dataclass
class Table:
    """The file's non-blank lines: ``(line number, [cell, …])``, cells as read."""

    lines: list


def _too_big(size):
    limit = limits.MAX_LIBRARY_BYTES
    return ReadProblem(
        f"文件太大（{size / 1024 / 1024:.1f} MB），上限为 {limit / 1024 / 1024:.0f} MB："
        f"项目库最多 {limits.MAX_LIBRARY_LINES} 个项目，请按财政局分别导出。"
    )


def read_upload(upload):
    """The ``Table`` of an uploaded file (a Django UploadedFile), or ReadProblem."""
    size = getattr(upload, "size", None)
    if size is not None and size > limits.MAX_LIBRARY_BYTES:
        raise _too_big(size)
    content = upload.read(limits.MAX_LIBRARY_BYTES + 1)
    if len(content) > limits.MAX_LIBRARY_BYTES:
        raise _too_big(len(content))
    if not content:
        raise ReadProblem("上传的文件是空的。")
    if content.startswith(ZIP_SIGNATURE) or (upload.name or "").lower().endswith(".xlsx"):
        return read_xlsx(content)
    return read_csv(content)


def read_xlsx(content):
    """The lines of the first visible sheet of an .xlsx."""
    try:
        check_upload(_Bytes(content))
        package = Package(
            content,
            max_elements=limits.MAX_LIBRARY_XML_ELEMENTS,
            seconds=limits.LIBRARY_READ_SECONDS,
        )
        sheets = [sheet for sheet in package.sheets() if sheet.visible]
        if not sheets:
            raise ReadProblem("工作簿中没有可读取的工作表。")
        bounds = SheetBounds(limits.MAX_LIBRARY_LINES + 20, limits.MAX_LIBRARY_CELLS, "项目库")
        cells = read_sheet(package, sheets[0], limits.MAX_LIBRARY_COLUMNS, bounds=bounds)
    except ExcelProblem as exc:
        raise ReadProblem(str(exc)) from None
    rows = {}
    for (row, col), value in cells.values.items():
        rows.setdefault(row, {})[col] = value
    lines = []
    for number in sorted(rows):
        found = rows[number]
        line = [found.get(col) for col in range(1, max(found) + 1)]
        if any(_blank(value) is False for value in line):
            lines.append((number, line))
    return Table(lines)


class _Bytes:
    """The checked bytes as ``check_upload`` reads an upload."""

    def __init__(self, content):
        self.content = content
        self.size = len(content)

    def read(self, size=-1):
        return self.content


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def decode(content):
    """The text of a CSV file: UTF-8 (BOM or not), else GB18030; ReadProblem otherwise."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadProblem(
            "这是 UTF-16 编码的文本文件：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"
            "或 .xlsx 后上传。"
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadProblem("无法识别文件的编码：请上传 .xlsx，或 UTF-8、GB18030（GBK）编码的 CSV 文件。")


def read_csv(content):
    """The lines of a CSV file, bounded by lines and by the length of a field."""
    if b"\x00" in content[:4096]:
        raise ReadProblem("上传的文件不是 CSV 文本，也不是 Excel 工作簿（.xlsx）。")
    text = decode(content)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    try:
        for row in reader:
            number = reader.line_num
            if number > limits.MAX_LIBRARY_LINES + 20:
                raise ReadProblem(
                    f"文件超过 {limits.MAX_LIBRARY_LINES + 20} 行（第 {number} 行有内容），"
                    f"项目库最多 {limits.MAX_LIBRARY_LINES} 个项目，请按财政局分别导出。"
                )
            for col, value in enumerate(row, start=1):
                if len(value) > limits.MAX_LIBRARY_CELL_CHARS:
                    raise ReadProblem(
                        f"第 {number} 行第 {col} 列超过 {limits.MAX_LIBRARY_CELL_CHARS} 个字，"
                        "不像是项目库的内容，未导入。"
                    )
            if any(value.strip() for value in row):
                lines.append((number, row))
    except csv.Error as exc:
        raise ReadProblem(f"第 {reader.line_num} 行不是有效的 CSV：{_csv_reason(exc)}") from None
    return Table(lines)


def _csv_reason(error):
    """Why the csv module stopped, in Chinese: its own words are English."""
    message = str(error)
    if "field larger than field limit" in message:
        # The module's own bound (128 KB) is met before ours by a quote left open.
        return (
            f"有一格超过 {limits.MAX_LIBRARY_CELL_CHARS} 个字（常见原因是引号不成对），"
            "请在 Excel 中打开后另存为 .xlsx 再上传。"
        )
    if "NUL" in message:
        return "含有空字符（NUL），不是文本内容，请另存为 .xlsx 或 CSV 后再上传。"
    return "引号不成对或分隔符有误，请在 Excel 中打开后另存为 .xlsx 再上传。"
