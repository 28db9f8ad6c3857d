"""The parts of an uploaded .xlsx, each read once, streaming, within its bounds.

``Package.records`` inflates one part through a stream that stops at the part's
bound and hands it to ``importers.xml_records``, which yields each element
of the tags asked for, whole, as it ends, and builds nothing else (no DTD, no
entities). Every element of every part counts against the upload's ``Budget`` of
elements and of time (``filings.limits``).

Opening a package refuses active content before anything else is parsed: macros
(VBA projects, Excel 4 macro sheets), ActiveX controls and links to other
workbooks, recognised by their content types and by every relationship of the
package, whatever their parts are called. Attachments (``attachments.filetypes``) open
their .docx and .xlsx through the same checks, in their own words, and refuse OLE
embeddings too. Then it finds, through the
relationships as Excel does, the workbook, its worksheets, its shared strings,
styles and custom properties.
"""

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO

from filings import limits
from filings.money import echo
from importers.xlsx_upload import CORRUPT, ExcelProblem
from importers.xml_records import Budget, local, records

MACRO = "工作簿含有宏（VBA 或宏表{part}），未导入。请另存为不含宏的 .xlsx 后再上传。"
ACTIVEX = "工作簿含有 ActiveX 控件{part}，未导入。请删除控件，另存为 .xlsx 后再上传。"
EXTERNAL = (
    "工作簿含有指向其他工作簿的外部链接{part}，未导入。"
    "请在 Excel 中用“数据 › 编辑链接 › 断开链接”去掉后再上传。"
)
# What 导入Excel refuses, by the kind of active content, and its words for a broken file. Other
# readers of a package (attachments) pass their own words, and may refuse more kinds ("ole").
REFUSALS = {"macro": MACRO, "activex": ACTIVEX, "external": EXTERNAL, "corrupt": CORRUPT}
# Relationship types by their last segment, content types by what they contain: the
# namespaces differ between transitional and strict files, the meaning does not.
FORBIDDEN_RELATIONSHIPS = {
    "vbaproject": "macro",
    "vbaprojectsignature": "macro",
    "xlmacrosheet": "macro",
    "xlintlmacrosheet": "macro",
    "control": "activex",
    "activexcontrolbinary": "activex",
    "externallink": "external",
    "externallinkpath": "external",
    "oleobject": "ole",
    "package": "ole",  # an embedded document (a workbook in a Word file, …)
    "afchunk": "ole",  # alien content merged into a Word file (HTML, RTF, …)
    "attachedtemplate": "external",  # a Word template, fetched when the file opens
}
FORBIDDEN_CONTENT = {
    "vbaproject": "macro",
    "macroenabled": "macro",
    "macrosheet": "macro",
    "activex": "activex",
    "externallink": "external",
    "oleobject": "ole",
}


def mb(size):
    return f"{size / 1024 / 1024:.1f} MB"


class _Stream:
    """A part's bytes as it inflates, refused past ``limit``."""

    def __init__(self, raw, limit, refusal, budget):
        self.raw = raw
        self.limit = limit
        self.refusal = refusal
        self.budget = budget
        self.size = 0

    def read(self, size=-1):
        chunk = self.raw.read(size if 0 < size <= 64 * 1024 else 64 * 1024)
        self.size += len(chunk)
        if self.size > self.limit:
            raise ExcelProblem(self.refusal)
        self.budget.check_time()
        return chunk


@dataclass
class Relationship:
    type: str  # its last segment: worksheet, sharedStrings, styles, …
    part: str  # the target's name in the zip ("" for an external target)


@dataclass
class SheetEntry:
    """A worksheet as the workbook lists it."""

    title: str
    part: str
    visible: bool


class Package:
    """An .xlsx checked by ``check_upload``: its active content refused, its structure found.

    ``refusals`` are the words of each refusal (``REFUSALS``' keys); a kind of active
    content it has no words for is not refused.
    """

    def __init__(self, content, refusals=REFUSALS, *, max_elements=None, seconds=None):
        self.budget = Budget(max_elements, seconds)
        self.refusals = refusals
        try:
            self.archive = zipfile.ZipFile(BytesIO(content))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ExcelProblem(refusals["corrupt"]) from None
        # Part names are case-insensitive (Open Packaging Conventions).
        self.entries = {info.filename.lower(): info for info in infos}
        self.date1904 = False  # read with the sheets
        self._refuse_active_content()
        # Every relationship part is read once: refused on active content, and the
        # package's own and the workbook's kept to find the parts.
        root = self._relationships("_rels/.rels")
        self.workbook = self._target(root, "officeDocument") or "xl/workbook.xml"
        self.properties_part = self._target(root, "custom-properties")
        workbook_rels = _relationships_part(self.workbook).lower()
        self.workbook_relationships = {}
        for name, info in self.entries.items():
            if name.endswith(".rels") and name != "_rels/.rels":
                found = self._relationships(info.filename)
                if name == workbook_rels:
                    self.workbook_relationships = found

    # Reading a part ---------------------------------------------------------------------

    def has(self, name):
        return name.lower() in self.entries

    def records(self, name, tags, *, limit, what, starts=()):
        """``(tag, element, parent tag)`` of each element of ``tags`` as it ends, and of
        ``starts`` as it starts (attributes only), in part ``name`` (at most ``limit`` bytes
        inflated; ``what`` names it in messages)."""
        entry = self.entries.get(name.lower())
        if entry is None:
            raise ExcelProblem(self.refusals["corrupt"])
        refusal = (
            f"{what}解压后有 {mb(entry.file_size)}，上限为 {mb(limit)}，不像是申报表，未导入。"
        )
        if entry.file_size > limit:
            raise ExcelProblem(refusal)
        try:
            with self.archive.open(entry) as raw:
                stream = _Stream(raw, min(limit, entry.file_size), refusal, self.budget)
                yield from records(stream, tags, starts, self.budget)
        except ExcelProblem:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            ValueError,
            EOFError,
            RuntimeError,  # an encrypted entry
            NotImplementedError,  # a compression zipfile cannot inflate
        ):
            raise ExcelProblem(self.refusals["corrupt"]) from None

    def small_records(self, name, tags, *, starts=()):
        return self.records(
            name, tags, starts=starts, limit=limits.MAX_SMALL_PART_BYTES, what=f"「{echo(name)}」"
        )

    # Relationships and structure ---------------------------------------------------------

    def _relationships(self, name):
        """``{id: Relationship}`` of relationship part ``name``; active content refused."""
        if not self.has(name):
            return {}
        folder = posixpath.dirname(posixpath.dirname(name))  # of the part they belong to
        found = {}
        for _tag, element, _parent in self.small_records(name, {"Relationship"}):
            kind = element.get("Type", "").rstrip("/").rpartition("/")[2]
            target = element.get("Target", "")
            message = self.refusals.get(FORBIDDEN_RELATIONSHIPS.get(kind.lower()))
            if message:
                raise ExcelProblem(message.format(part=f"：{echo(target)}"))
            external = element.get("TargetMode", "").lower() == "external"
            found[element.get("Id", "")] = Relationship(
                type=kind, part="" if external else _resolve(folder, target)
            )
        return found

    def _target(self, relationships, kind):
        return next((r.part for r in relationships.values() if r.type == kind), None)

    def related(self, kind):
        """The part the workbook relates as ``kind`` (sharedStrings, styles), or None."""
        part = self._target(self.workbook_relationships, kind)
        return part if part and self.has(part) else None

    def sheets(self):
        """The worksheets in the workbook's order (chart sheets and dialogs left out)."""
        sheets = []
        for tag, element, _parent in self.small_records(self.workbook, {"sheet", "workbookPr"}):
            if tag == "workbookPr":
                self.date1904 = element.get("date1904", "").lower() in ("1", "true")
                continue
            relationship = self.workbook_relationships.get(_relationship_id(element))
            if relationship is None or relationship.type != "worksheet":
                continue
            if not self.has(relationship.part):
                raise ExcelProblem(CORRUPT)
            visible = element.get("state", "visible") == "visible"
            sheets.append(SheetEntry(element.get("name", ""), relationship.part, visible))
        return sheets

    # Active content ----------------------------------------------------------------------

    def _refuse_active_content(self):
        for name in self.entries:
            if name.endswith("vbaproject.bin"):
                raise ExcelProblem(self.refusals["macro"].format(part=f"：{echo(name)}"))
        if not self.has("[Content_Types].xml"):
            raise ExcelProblem(self.refusals["corrupt"])
        for _tag, element, _parent in self.small_records(
            "[Content_Types].xml", {"Default", "Override"}
        ):
            kind = element.get("ContentType", "").lower()
            part = element.get("PartName") or f"*.{element.get('Extension', '')}"
            for word, refused in FORBIDDEN_CONTENT.items():
                message = self.refusals.get(refused)
                if message and word in kind:
                    raise ExcelProblem(message.format(part=f"：{echo(part.lstrip('/'))}"))


def _relationship_id(element):
    """``r:id`` in whichever namespace the file uses."""
    for name, value in element.attrib.items():
        if "}" in name and local(name) == "id":
            return value
    return None


def _relationships_part(part):
    """xl/workbook.xml → xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolve(folder, target):
    """A relationship's target as a zip name: absolute (/xl/…) or relative to its source."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")
