"""Workbooks made to exhaust the upload while staying inside its older limits (issue 19).

Each takes a real export (bytes) and changes or adds parts of its zip, the way an
attacker edits a saved .xlsx: a wide sheet, a huge shared-strings table, a macro
project under another name, ActiveX controls, external links, too many styles,
merged ranges, XML elements or nesting. The benchmark of the upload
(``benchmarks/uploads.py``) makes the same files.
"""

import functools
import random
import zipfile
from io import BytesIO

from openpyxl.utils import get_column_letter

SHEET = "xl/worksheets/sheet1.xml"
TYPES = "[Content_Types].xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHEET_RELS = "xl/worksheets/_rels/sheet1.xml.rels"
STRINGS = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS_RELS = "http://schemas.microsoft.com/office/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def repacked(data, edit=None, add=None):
    """``data`` with parts changed by ``edit`` (name → function of its bytes) and ``add``ed."""
    edit, add = edit or {}, add or {}
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, edit[name](content) if name in edit else content)
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def _before(closing, extra):
    """An edit that puts ``extra`` before the part's ``closing`` tag."""
    return lambda content: content.replace(closing, extra + closing, 1)


def _content_type(part, kind):
    return _before(b"</Types>", f'<Override PartName="/{part}" ContentType="{kind}"/>'.encode())


def _relationship(kind, target, rid="rIdHostile"):
    return _before(
        b"</Relationships>",
        f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'.encode(),
    )


def _rows(first, count, columns, rng):
    """``count`` rows of ``columns`` numeric cells from row ``first``, as Excel writes them."""
    letters = [get_column_letter(col) for col in range(1, columns + 1)]
    lines = []
    for row in range(first, first + count):
        cells = "".join(f'<c r="{c}{row}"><v>{rng.randrange(10**6)}</v></c>' for c in letters)
        lines.append(f'<row r="{row}">{cells}</row>')
    return "".join(lines).encode()


@functools.cache
def _wide_rows(rows, columns):
    """Rows 1001… of ``columns`` one-digit cells each, without references as Excel may write
    them: 15 bytes a cell, ~19:1 packed (the figures of the issue). Made once a run."""
    rng = random.Random(19)
    cells = [f"<c><v>{rng.randrange(10)}</v></c>" for _ in range(columns)]
    lines = []
    for row in range(1001, 1001 + rows):
        rng.shuffle(cells)
        lines.append(f'<row r="{row}">{"".join(cells)}</row>')
    return "".join(lines).encode()


# --- The three workbooks of the issue -----------------------------------------------


def wide_sheet(data, rows=400, columns=6000):
    """A valid export plus ``rows`` rows × ``columns`` cells: ~36 MB of sheet, ~2 MB packed."""
    extra = _wide_rows(rows, columns)
    return repacked(data, edit={SHEET: _before(b"</sheetData>", extra)})


def huge_shared_strings(data, strings=1_000_000):
    """~40 MB of shared strings (~5 MB packed) behind a workbook saved with shared strings."""
    rng = random.Random(19)
    words = ["培训", "人数", "满意度", "覆盖率", "资金", "项目", "完成", "指标", "服务", "质量"]
    items = "".join(
        f"<si><t>{rng.choice(words)}{rng.randrange(10**4)}{rng.choice(words)}说明</t></si>"
        for _ in range(strings)
    )
    return repacked(data, edit={STRINGS: _before(b"</sst>", items.encode())})


def renamed_macro(data, by=("relationship", "content type")):
    """The VBA project stored as xl/macro1.bin, recognised by ``by``."""
    edit = {}
    if "relationship" in by:
        edit[WORKBOOK_RELS] = _relationship(f"{MS_RELS}/vbaProject", "macro1.bin")
    if "content type" in by:
        edit[TYPES] = _content_type("xl/macro1.bin", "application/vnd.ms-office.vbaProject")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)
    return repacked(data, edit=edit, add={"xl/macro1.bin": ole})


# --- Active content ----------------------------------------------------------------


def activex(data):
    """An ActiveX control on the sheet: its relationship and its part."""
    control = b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>'
    rels = f'<Relationships xmlns="{RELS_NS}"></Relationships>'.encode()
    return repacked(
        data,
        add={
            "xl/controls/control1.xml": control,
            SHEET_RELS: _relationship(f"{OFFICE_RELS}/control", "../controls/control1.xml")(rels),
        },
    )


def external_link(data):
    """A link to another workbook, as Excel stores it (content type and relationship)."""
    link = f'<externalLink xmlns="{MAIN}"><externalBook/></externalLink>'.encode()
    return repacked(
        data,
        edit={
            WORKBOOK_RELS: _relationship(
                f"{OFFICE_RELS}/externalLink", "externalLinks/externalLink1.xml"
            ),
            TYPES: _content_type(
                "xl/externalLinks/externalLink1.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
            ),
        },
        add={"xl/externalLinks/externalLink1.xml": link},
    )


# --- Each bound of the sheet, the strings and the styles ------------------------------


def many_cells(data, rows=200, columns=256):
    """More cells than a sheet may hold, each row within the columns allowed."""
    extra = _rows(1001, rows, columns, random.Random(19))
    return repacked(data, edit={SHEET: _before(b"</sheetData>", extra)})


def far_column(data, column=300):
    cell = f'<row r="1001"><c r="{get_column_letter(column)}1001"><v>1</v></c></row>'
    return repacked(data, edit={SHEET: _before(b"</sheetData>", cell.encode())})


def many_strings(data, strings=60_000):
    """A shared-strings table of tiny strings: small in bytes, too many in count."""
    return repacked(data, edit={STRINGS: _before(b"</sst>", b"<si><t>a</t></si>" * strings)})


def many_styles(data, styles=6000):
    """More cell formats than a workbook may hold, and a cell in a number format using one."""
    xfs = b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0"/>' * styles
    number = b'<row r="1001"><c r="A1001" s="1"><v>45292</v></c></row>'
    return repacked(
        data,
        edit={
            "xl/styles.xml": lambda content: content.replace(b"</cellXfs>", xfs + b"</cellXfs>"),
            SHEET: _before(b"</sheetData>", number),
        },
    )


def merged_everywhere(data, ranges=20):
    """Merged ranges over the whole sheet, each to Excel's last row."""
    merges = b"".join(b'<mergeCell ref="A%d:XFD1048576"/>' % (i + 1) for i in range(ranges))
    return repacked(data, edit={SHEET: _before(b"</mergeCells>", merges)})


def many_elements(data, elements=250_000):
    """Tiny elements in the sheet's extension list: few bytes, many elements."""
    rng = random.Random(19)
    items = "".join(f'<x v="{rng.randrange(10**4)}"/>' for _ in range(elements))
    return repacked(
        data, edit={SHEET: _before(b"</worksheet>", f"<extLst>{items}</extLst>".encode())}
    )


def deep_nesting(data, depth=10_000):
    return repacked(data, edit={SHEET: _before(b"</worksheet>", b"<x>" * depth + b"</x>" * depth)})


def entity_bomb(data):
    """The billion laughs: a DTD whose entities expand into gigabytes."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    return repacked(data, edit={SHEET: lambda content: bomb + content})


def unread_sheet(data, rows=400, columns=6000):
    """The wide rows of ``wide_sheet`` on a second, hidden sheet the form does not need."""
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    sheet += _wide_rows(rows, columns) + b"</sheetData></worksheet>"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    return repacked(
        data,
        edit={
            "xl/workbook.xml": _before(
                b"</sheets>",
                f'<sheet xmlns:r="{OFFICE_RELS}" name="附表" sheetId="2" state="hidden" '
                'r:id="rIdUnread"/>'.encode(),
            ),
            WORKBOOK_RELS: _relationship(
                f"{OFFICE_RELS}/worksheet", "worksheets/sheet2.xml", rid="rIdUnread"
            ),
            TYPES: _content_type("xl/worksheets/sheet2.xml", kind),
        },
        add={"xl/worksheets/sheet2.xml": sheet},
    )


def long_title(data, length=100_000):
    """A sheet name of ``length`` characters, echoed in every message naming a cell."""
    return repacked(
        data,
        edit={
            "xl/workbook.xml": lambda content: content.replace(
                b'<sheet name="', b'<sheet name="' + b"x" * length, 1
            )
        },
    )
