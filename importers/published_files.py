"""The files admins hold published forms in: text, PDF and Excel, as rows of cells.

``read_file`` turns the bytes of one file into the rows of ``cells.py`` that
``published.parse_rows`` reads, whatever the file is, so that every rule of the
parser (aliases, wrapped cells, misplaced labels) applies to all of them:

- text in UTF-8 (with or without BOM), UTF-16 (with BOM, as Excel saves
  「Unicode 文本」) or GB18030 (GBK, a Chinese Windows machine), detected or
  given (``--encoding``); anything else refused in Chinese, naming the byte;
- PDF files, table by table with their cell boundaries (``published_pdf.py``);
- .xlsx workbooks of the published layouts, merged ranges as one cell
  (``published_xlsx.py``).

Each source says where a row came from (``places``: line -> 第 3 页 or
工作表「…」第 7 行), so that a warning names the page or the cell, not a line
number of a text that was never a file.
"""

import codecs
from dataclasses import dataclass, field

from importers.cells import read_rows

# Far above any published file of forms (a district's whole year is a few MB).
MAX_FILE_BYTES = 30 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx
# Names people type for the encodings the command takes, -> Python's codec.
ENCODING_NAMES = {
    "utf8": "utf-8-sig",
    "utf-8": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "utf16": "utf-16",
    "utf-16": "utf-16",
    "utf-16le": "utf-16-le",
    "utf-16-le": "utf-16-le",
    "utf-16be": "utf-16-be",
    "utf-16-be": "utf-16-be",
    "gb18030": "gb18030",
    "gbk": "gb18030",  # GB18030 is a superset of GBK and GB2312
    "gb2312": "gb18030",
    "cp936": "gb18030",
}


class SourceProblem(ValueError):
    """A file that cannot be read at all; the message says why, in Chinese."""


@dataclass
class Source:
    """The rows of one file and where each came from."""

    rows: list
    kind: str  # "text", "pdf" or "xlsx"
    places: dict = field(default_factory=dict)  # line -> 第 3 页, for PDF and Excel
    encoding: str = ""  # of a text file, as detected or given

    def place(self, line):
        """Where ``line`` is, in words the admin can find: 第 3 页, or 第 12 行."""
        return self.places.get(line) or f"第 {line} 行"


def kind_of(content, filename=""):
    """ "pdf", "xlsx" or "text", by the first bytes (the name only breaks no tie)."""
    if content.startswith(PDF_SIGNATURE) or (
        filename.lower().endswith(".pdf") and PDF_SIGNATURE in content[:1024]
    ):
        return "pdf"
    if content.startswith((ZIP_SIGNATURE, OLE_SIGNATURE)):
        return "xlsx"
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return "xlsx"
    if filename.lower().endswith(".pdf"):
        return "pdf"
    return "text"


def decode_text(content, encoding=None):
    """(text, encoding) of a text file; SourceProblem naming the byte that is not text.

    Detected in this order: a BOM (UTF-8, UTF-16), NUL bytes (UTF-16 without a
    BOM), UTF-8, GB18030. GB18030 takes far more byte sequences than UTF-8,
    hence last; a file that is neither is refused, not guessed.
    """
    if encoding:
        codec = _codec(encoding)
        try:
            return content.decode(codec), encoding
        except UnicodeDecodeError as exc:
            raise SourceProblem(_not_in(encoding, content, exc)) from None
    if content.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    elif b"\x00" in content[:4096]:
        # Text never holds NUL; UTF-16 without a BOM does, in every ASCII character.
        head = content[:4096]
        odd = head[1::2].count(0)
        codec = "utf-16-le" if odd >= head[0::2].count(0) else "utf-16-be"
    else:
        codec = None
    if codec:
        try:
            return content.decode(codec), codec.upper().replace("-SIG", "")
        except UnicodeDecodeError as exc:
            raise SourceProblem(_not_in(codec.upper(), content, exc)) from None
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        as_utf8 = exc
    try:
        return content.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        as_gb = exc
    raise SourceProblem(
        f"无法识别文件的编码：按 UTF-8 读取，{_position(content, as_utf8)}；"
        f"按 GB18030（GBK）读取，{_position(content, as_gb)}。"
        "请把文件另存为 UTF-8 文本，或用 --encoding 指定编码（utf-8、gb18030、utf-16）。"
    )


def _codec(name):
    codec = ENCODING_NAMES.get(name.strip().lower().replace("_", "-"))
    if codec is None:
        known = "、".join(("utf-8", "utf-16", "gb18030", "gbk"))
        raise SourceProblem(f"不支持的编码「{name[:30]}」：可用的编码有 {known}。")
    return codec


def _not_in(encoding, content, exc):
    return (
        f"文件不是 {encoding} 编码的文本：{_position(content, exc)}。"
        "请确认编码，或不指定 --encoding 由系统识别。"
    )


def _position(content, exc):
    byte = content[exc.start]
    return f"第 {exc.start + 1} 个字节（0x{byte:02X}）起无法解码"


def read_text(content, encoding=None):
    text, found = decode_text(content, encoding)
    return Source(rows=read_rows(text), kind="text", encoding=found)
