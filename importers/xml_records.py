"""XML read as records, in bounded memory and work, refusing DTDs and entities.

``records(stream, tags, starts, budget)`` parses ``stream`` (anything with ``read``)
with expat, a chunk at a time, and yields ``(tag, element, parent tag)``: each element
whose local name is in ``tags`` when it ends, whole (an ElementTree element with its
attributes, text and children, every name without its namespace), and each element
in ``starts`` when it starts (attributes only). Nothing else is built, so memory
holds one record whatever the file; every element counts against the ``Budget`` of
the upload (elements and time, ``filings.limits``), and nesting is bounded.

Defused as defusedxml defuses expat: the same handlers refuse a DTD, an entity
declaration and an external entity, so no entity can expand. defusedxml's own
``iterparse`` builds every element with ElementTree's pure-Python parser, about
6 µs an element; here an element costs about 1.
"""

import time
from xml.etree.ElementTree import Element, SubElement
from xml.parsers import expat

from filings import limits
from importers.xlsx_upload import CORRUPT, ExcelProblem

CHUNK = 64 * 1024
TIME_CHECKED_EVERY = 1024  # elements
DTD = "文件含有 DTD 或 XML 实体声明（Excel 从不写入），不是有效的申报表，未导入。"


def local(name):
    """``namespace}tag`` (as expat names it) or ``{namespace}tag`` → ``tag``."""
    return name.rpartition("}")[2]


class Budget:
    """What reading one upload may spend: XML elements of all its parts, and time.

    The time is the reading thread's CPU time: the work the upload makes, which a
    server busy with other requests does not inflate (a real form is not refused
    because the machine is loaded).
    """

    def __init__(self, max_elements=None, seconds=None):
        self.started = time.thread_time()
        self.elements = 0
        self.max_elements = max_elements or limits.MAX_XML_ELEMENTS
        self.seconds = seconds or limits.READ_SECONDS

    def spend(self):
        self.elements += 1
        if self.elements > self.max_elements:
            raise ExcelProblem(
                f"工作簿的内容过多（超过 {self.max_elements} 个 XML 元素），不像是申报表，未导入。"
            )
        if not self.elements % TIME_CHECKED_EVERY:
            self.check_time()

    def check_time(self):
        if time.thread_time() - self.started > self.seconds:
            raise ExcelProblem(
                f"读取工作簿超过了 {self.seconds:g} 秒的时限，未导入。"
                "本系统导出的申报表不到 1 秒即可读完：请上传本系统导出、填写后的申报表。"
            )


class _Builder:
    """The expat handlers: records built, everything else only counted."""

    def __init__(self, tags, starts, budget):
        self.tags = tags
        self.starts = starts
        self.budget = budget
        self.names = [""]  # local names of the open elements, outermost first
        self.open = []  # the open elements of the record being built, outermost first
        self.texts = []  # their text so far, in pieces
        self.parent = ""  # the record's parent's name
        self.inside = 0  # elements ended inside the record
        self.done = []

    def start(self, name, attributes):
        if len(self.names) > limits.MAX_XML_DEPTH:
            raise ExcelProblem(
                f"文件的 XML 嵌套超过 {limits.MAX_XML_DEPTH} 层，不是有效的申报表，未导入。"
            )
        tag = local(name)
        if self.open:
            self.open.append(SubElement(self.open[-1], tag, attributes))
            self.texts.append([])
        elif tag in self.tags:
            self.open.append(Element(tag, attributes))
            self.texts.append([])
            self.parent, self.inside = self.names[-1], 0
        elif tag in self.starts:
            self.done.append((tag, Element(tag, attributes), self.names[-1]))
        self.names.append(tag)

    def end(self, _name):
        self.budget.spend()
        self.names.pop()
        if not self.open:
            return
        element = self.open.pop()
        element.text = "".join(self.texts.pop()) or None
        if self.open:
            self.inside += 1
            if self.inside > limits.MAX_ELEMENTS_IN_ONE:
                raise ExcelProblem(
                    f"文件中一个单元格、字符串或样式含有超过 {limits.MAX_ELEMENTS_IN_ONE} "
                    "个 XML 元素，不是有效的申报表，未导入。"
                )
        else:
            self.done.append((element.tag, element, self.parent))

    def text(self, data):
        if self.texts:
            self.texts[-1].append(data)


def _forbidden(*_args):
    raise ExcelProblem(DTD)


def records(stream, tags, starts, budget):
    """The records of the XML in ``stream`` (see the module's docstring)."""
    builder = _Builder(set(tags), set(starts), budget)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.text
    parser.StartDoctypeDeclHandler = _forbidden
    parser.EntityDeclHandler = _forbidden
    parser.UnparsedEntityDeclHandler = _forbidden
    parser.ExternalEntityRefHandler = _forbidden
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
            yield from builder.done
            builder.done.clear()
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise ExcelProblem(CORRUPT) from None
    yield from builder.done
