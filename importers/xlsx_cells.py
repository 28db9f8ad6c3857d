"""The cells of the form sheet, as openpyxl gives them, read with bounded work.

openpyxl cannot be bounded: it parses every sheet and the whole shared-strings
table (twice when the rows are counted first) and builds them in memory before
anything can be checked. Here only the sheet the form needs is parsed, once,
streaming (``importers.xlsx_parts``), each bound of ``filings.limits``
checked as its cell goes by; only the cells of the columns read are kept. The
shared strings are read once afterwards, keeping the few those cells use, and
the styles only when a number may be a date. Values are what openpyxl reads
(its own number formats and date conversion are used): text, int, float, bool,
datetime; a formula is kept as ``=…`` and noted.
"""

import re
from dataclasses import dataclass, field

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from filings import limits
from importers.xlsx_upload import CORRUPT, ExcelProblem
from importers.xml_records import local

_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})")
MAX_FORMAT_CODE = 255  # Excel's own limit on a number format


@dataclass
class SheetCells:
    """One sheet's cells in the columns read: ``(row, col)`` → value."""

    title: str
    values: dict = field(default_factory=dict)
    formulas: list = field(default_factory=list)  # (row, col), in the file's order
    merged: list = field(default_factory=list)  # (min_row, min_col, max_row, max_col), clipped


def read_sheet(package, entry, columns, *, bounds=None):
    """The cells of worksheet ``entry`` in columns 1..``columns``, or ExcelProblem.

    ``bounds`` (a ``SheetBounds``) for a sheet that is not a form: the 项目库 has
    thousands of rows where a form has hundreds.
    """
    reader = _SheetReader(SheetCells(entry.title), columns, bounds or form_bounds())
    records = package.records(
        entry.part,
        {"c", "mergeCell"},
        starts={"row"},
        limit=limits.MAX_SHEET_BYTES,
        what=f"工作表「{entry.title}」",
    )
    for tag, element, _parent in records:
        if tag == "row":
            reader.row(element)
        elif tag == "c":
            reader.cell(element)
        else:
            reader.merge(element)
    if reader.numbers:
        reader.dates(_date_styles(package), package.date1904)
    if reader.shared:
        for index, text in _shared_strings(package, reader.shared):
            for key in reader.shared[index]:
                reader.sheet.values[key] = text
        if any(key not in reader.sheet.values for keys in reader.shared.values() for key in keys):
            raise ExcelProblem(CORRUPT)  # a cell points past the end of the table
    return reader.sheet


@dataclass(frozen=True)
class SheetBounds:
    """How many rows and cells one sheet may have, and what it is called in a refusal."""

    rows: int
    cells: int
    kind: str


def form_bounds():
    """The bounds of a form sheet (read when called: the limits are the filing's)."""
    return SheetBounds(limits.MAX_ROWS, limits.MAX_SHEET_CELLS, "申报表")


class _SheetReader:
    def __init__(self, sheet, columns, bounds):
        self.sheet = sheet
        self.columns = columns
        self.bounds = bounds
        self.row_number = 0
        self.col_number = 0
        self.cells = 0
        self.merged_cells = 0
        self.numbers = []  # (key, number, style): a style may make a number a date
        self.shared = {}  # shared-string index → keys of the cells showing it

    def _too_many(self, what, limit):
        raise ExcelProblem(
            f"工作表「{self.sheet.title}」{what}，上限为 {limit}，"
            f"不像是{self.bounds.kind}，未导入。"
        )

    def row(self, element):
        number = element.get("r")
        self.row_number = _int(number) if number else self.row_number + 1
        self.col_number = 0
        if self.row_number > self.bounds.rows:
            self._too_many_rows()

    def _too_many_rows(self):
        raise ExcelProblem(
            f"工作表「{self.sheet.title}」超过 {self.bounds.rows} 行"
            f"（第 {self.row_number} 行有内容），不是{self.bounds.kind}，未导入。"
        )

    def cell(self, element):
        self.cells += 1
        if self.cells > self.bounds.cells:
            self._too_many(f"超过 {self.bounds.cells} 个单元格", self.bounds.cells)
        row, col = self._position(element.get("r"))
        if col > limits.MAX_COLUMNS:
            self._too_many(f"用到了第 {col} 列", f"{limits.MAX_COLUMNS} 列")
        if col > self.columns:
            return
        key = (row, col)
        children = {local(child.tag): child for child in element}
        kind = element.get("t", "n")
        if "f" in children:
            self.sheet.formulas.append(key)
            self.sheet.values[key] = "=" + (children["f"].text or "")
            return
        if kind == "inlineStr":
            if "is" in children:
                self.sheet.values[key] = _text(children["is"])
            return
        value = children["v"].text if "v" in children else None
        if not value:
            return
        try:
            self._value(key, kind, value, _int(element.get("s") or "0"))
        except (ValueError, OverflowError):
            raise ExcelProblem(CORRUPT) from None

    def _value(self, key, kind, value, style):
        if kind == "n":
            number = float(value) if any(c in value for c in ".eE") else int(value)
            self.numbers.append((key, number, style))
            self.sheet.values[key] = number
        elif kind == "s":
            self.shared.setdefault(_int(value), []).append(key)
        elif kind == "b":
            self.sheet.values[key] = bool(int(value))
        elif kind == "d":
            self.sheet.values[key] = from_ISO8601(value)
        else:  # str (a formula's text result), e (an error such as #N/A)
            self.sheet.values[key] = value

    def _position(self, ref):
        if ref:
            match = _REF.fullmatch(ref)
            if not match:
                raise ExcelProblem(CORRUPT)
            self.col_number = column_index_from_string(match.group(1))
            row = int(match.group(2))
            if row > self.bounds.rows:
                self.row_number = row
                self._too_many_rows()
            return row, self.col_number
        self.col_number += 1
        return self.row_number, self.col_number

    def merge(self, element):
        if len(self.sheet.merged) >= limits.MAX_MERGED_RANGES:
            self._too_many(
                f"超过 {limits.MAX_MERGED_RANGES} 处合并单元格", limits.MAX_MERGED_RANGES
            )
        first, _colon, last = (element.get("ref") or "").partition(":")
        (min_row, min_col), (max_row, max_col) = self._corner(first), self._corner(last or first)
        # Clipped to what is read: a range to row 1,048,576 covers no more than MAX_ROWS.
        max_row, max_col = min(max_row, self.bounds.rows), min(max_col, self.columns)
        if min_row > max_row or min_col > max_col:
            return  # nothing of it is read
        self.merged_cells += (max_row - min_row + 1) * (max_col - min_col + 1)
        if self.merged_cells > limits.MAX_MERGED_CELLS:
            self._too_many(
                f"合并单元格覆盖超过 {limits.MAX_MERGED_CELLS} 个单元格", limits.MAX_MERGED_CELLS
            )
        self.sheet.merged.append((min_row, min_col, max_row, max_col))

    def _corner(self, ref):
        match = _REF.fullmatch(ref.replace("$", ""))
        if not match:
            raise ExcelProblem(CORRUPT)
        return int(match.group(2)), column_index_from_string(match.group(1))

    def dates(self, styles, date1904):
        """Numbers in a date format become dates, as openpyxl reads them."""
        date_styles, timedelta_styles = styles
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        for key, number, style in self.numbers:
            if style not in date_styles:
                continue
            try:
                self.sheet.values[key] = from_excel(
                    number, epoch, timedelta=style in timedelta_styles
                )
            except (OverflowError, ValueError):
                self.sheet.values[key] = "#VALUE!"


def _shared_strings(package, wanted):
    """``(index, text)`` of the shared strings ``wanted``, reading the whole table once."""
    part = package.related("sharedStrings")
    if part is None:
        raise ExcelProblem(CORRUPT)
    index = -1
    records = package.records(
        part,
        {"si"},
        starts={"sst"},
        limit=limits.MAX_SHARED_STRINGS_BYTES,
        what="共享字符串表（sharedStrings.xml）",
    )
    for tag, element, _parent in records:
        if tag == "sst":
            declared = element.get("uniqueCount") or ""
            if _is_number(declared) and int(declared) > limits.MAX_SHARED_STRINGS:
                _too_many_strings(f"有 {int(declared)} 条文字")
            continue
        index += 1
        if index >= limits.MAX_SHARED_STRINGS:
            _too_many_strings(f"超过 {limits.MAX_SHARED_STRINGS} 条文字")
        if index in wanted:
            yield index, _text(element).replace("x005F_", "")


def _too_many_strings(what):
    raise ExcelProblem(
        f"共享字符串表{what}，上限为 {limits.MAX_SHARED_STRINGS} 条"
        "（最大的申报表约 3000 条），不像是申报表，未导入。"
    )


def _date_styles(package):
    """The cell styles (indexes) whose number format is a date, and a duration."""
    part = package.related("styles")
    if part is None:
        return set(), set()
    custom, formats = {}, []
    records = package.records(
        part, {"numFmt", "xf"}, limit=limits.MAX_SMALL_PART_BYTES, what="样式表（styles.xml）"
    )
    for tag, element, parent in records:
        if tag == "numFmt":
            custom[element.get("numFmtId")] = element.get("formatCode") or ""
        elif parent == "cellXfs":
            formats.append(element.get("numFmtId") or "0")
        if len(custom) + len(formats) > limits.MAX_STYLES:
            raise ExcelProblem(
                f"样式表有超过 {limits.MAX_STYLES} 种单元格格式，上限为 {limits.MAX_STYLES} 种"
                f"（本系统导出的申报表只用十几种），不像是申报表，未导入。"
            )
    date_styles, timedelta_styles = set(), set()
    for style, number_format in enumerate(formats):
        code = custom.get(number_format)
        if code is None and _is_number(number_format):
            code = BUILTIN_FORMATS.get(int(number_format))
        if not code or len(code) > MAX_FORMAT_CODE:
            continue
        if is_date_format(code):
            date_styles.add(style)
        if is_timedelta_format(code):
            timedelta_styles.add(style)
    return date_styles, timedelta_styles


def read_properties(package):
    """The workbook's custom properties (File › Properties › Custom): name → text."""
    if not package.properties_part or not package.has(package.properties_part):
        return {}
    return {
        element.get("name", ""): "".join(element.itertext())
        for _tag, element, _parent in package.small_records(package.properties_part, {"property"})
    }


def _text(element):
    """The text of a string item: its plain text and its runs, not its phonetic guide."""
    parts = []
    for child in element:
        tag = local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if local(t.tag) == "t")
    return "".join(parts)


def _is_number(text):
    # str.isdigit() says yes to 「²」 and 「①」, which int() refuses: ASCII digits only.
    return text.isascii() and text.isdigit()


def _int(text):
    if not _is_number(text) or len(text) > 9:
        raise ExcelProblem(CORRUPT)
    return int(text)
