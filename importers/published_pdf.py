"""Published forms in PDF files, read as the rows and cells the text parser reads.

pdfplumber finds each table by its ruling lines and gives every cell its box,
merged cells included (a label spanning six rows is one box, read once, on
the first row it covers, as in the extracted text files). The text of a cell
is rebuilt from its characters: lines that the page wrapped are joined, and a
line that ends short of the cell's edge, where the next word would have fit,
ends a paragraph. Text outside the tables (titles, 金额单位) becomes a row of
its own, in its place on the page; the page furniture (第x页 共y页) goes.

Columns are the left edges of the cells over the whole file, so that a cell
keeps its column from page to page: the goal beside 年度总体目标 stays on its
side when it runs onto the next page, and a value under 指标值 stays a value.

A label merged down a column without a box of its own, and a label turned a
quarter turn, are read as the cell they stand for (``_Grid``, ``_rotated_text``).

Every row remembers its page, so that a warning names the page. A scan (pages
with no characters) and a file whose fonts give no text are refused with a
message saying so; a damaged or password-protected file is refused in
Chinese, never with a traceback.
"""

import bisect
import itertools
import re
from dataclasses import dataclass
from io import BytesIO

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from importers.cells import Cell, Row
from importers.labels import TITLES
from importers.published_files import Source, SourceProblem
from perfgoals.folding import compact_label

MAX_PAGES = 400  # a district's year of forms; a budget book with its forms is ~200
COLUMN_TOLERANCE = 2.5  # points: the same column drawn twice lands within this
LINE_TOLERANCE = 3  # points between the tops of characters of one printed line
EDGE_SLACK = 3  # points a cell's right padding may exceed its left (see _right_edge)
# 第 3 页 共 5 页, 第3页/共5页, - 3 -: the page's furniture, not the form's.
_FURNITURE = re.compile(r"第\s*\d+\s*页\s*/?\s*共\s*\d+\s*页|^[-—\s]*\d+[-—\s]*$")
# A title of another table (收支总表…) ends the run of pages that hold forms.
_OTHER_TITLE = re.compile(r".{2,40}表$")
_ASCII_WORD = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9.,%+\-/_'\"]")
# Closing punctuation: a line never starts with it, so it travels with the character before.
_NO_LINE_START = set(")]}）】」』》〉〕，。、；：！？%％“”‘’…·—,.;:!?\"'")
# A short bracketed piece, an enumerator or a unit: printed whole by the layout per band
# (exports/print_text.py), so a line may break before （十二） with 38 pt to spare and
# the next line still belongs to the same paragraph. (A layout that breaks lines as UAX 14
# says would want this off: there a real paragraph break before (二十一) leaves 32 pt.)
WHOLE_BRACKETS = True
_BRACKETED = re.compile(r"[(（][^()（）\s]{1,8}[)）]")
# Quotation marks bind to both sides (UAX 14, LB19): 「“一键通”应急」 breaks before 应 at best.
_NO_LINE_END = set("([{（【「『《〈〔“‘”’\"'")


def read_pdf(content, *, max_pages=None):
    """The rows of the forms in a PDF file (``Source``), or SourceProblem."""
    max_pages = min(max_pages or MAX_PAGES, MAX_PAGES)
    try:
        document = pdfplumber.open(BytesIO(content))
        pages = document.pages
    except Exception as exc:  # pdfminer raises anything on a damaged file
        raise SourceProblem(_unreadable(exc)) from None
    with document:
        if len(pages) > max_pages:
            raise SourceProblem(
                f"PDF 文件有 {len(pages)} 页，超过 {max_pages} 页的上限："
                "请只保留绩效目标申报表的页。"
            )
        read = []
        any_text = False
        unmapped = total = 0  # characters a font gives no text for: (cid:123)
        for number, page in enumerate(pages, start=1):
            try:
                chars = page.chars
                any_text = any_text or bool(chars)
                total += len(chars)
                unmapped += sum(1 for char in chars if char["text"].startswith("(cid:"))
                read.append((number, _page_rows(page, chars) if chars else []))
            except Exception:  # pdfminer raises anything on a broken page
                raise SourceProblem(f"PDF 文件第 {number} 页已损坏，无法读取。") from None
        if unmapped * 2 > total:
            raise SourceProblem(
                "PDF 文件的字体没有文字映射（复制出来是乱码），无法读取文字："
                "请使用原始的 PDF 或 Excel 文件。"
            )
        if not any_text:
            raise SourceProblem(
                "PDF 文件没有文字层（像是扫描件或图片）：无法读取表格内容。"
                "请使用部门预算公开页面上的原始 PDF 或 Excel，或将扫描件识别（OCR）为文字后再导入。"
            )
    return _source(_form_pages(read))


def _unreadable(exc):
    # pdfplumber wraps pdfminer's exception in its own, as the first argument.
    causes = (exc, *exc.args, exc.__context__)
    if any(isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) for cause in causes):
        return "PDF 文件设有打开密码，无法读取：请使用未加密的文件。"
    return "PDF 文件已损坏或不是有效的 PDF，无法读取。"


def _page_rows(page, chars):
    """Rows of one page, top to bottom: (top, [_Text], tabular)."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    items = []
    rules = [(edge["top"], edge["x0"], edge["x1"]) for edge in page.horizontal_edges]
    grids = [_Grid(table, rules) for table in tables]
    outside = []
    for char in chars:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        grid = next((g for g, box in zip(grids, boxes, strict=True) if _inside(box, x, y)), None)
        if grid is None or not grid.take(char, x, y):
            outside.append(char)
    for grid in grids:
        items.extend(grid.rows())
    for line in _lines(outside):
        text = _line_text(line)
        if text.strip() and not _FURNITURE.search(text):
            cells = [_Text(chunk[0]["x0"], _line_text(chunk).strip()) for chunk in _chunks(line)]
            items.append((line[0]["top"], cells, len(cells) > 1))
    items.sort(key=lambda item: item[0])
    return items


def _chunks(line):
    """A line outside any ruled table cut where the gap is wider than two characters:
    the columns of a table printed without lines (each chunk a cell at its x)."""
    chunks = [[line[0]]]
    for previous, char in itertools.pairwise(line):
        if char["x0"] - previous["x1"] > 2 * max(char["size"], previous["size"]):
            chunks.append([char])
        else:
            chunks[-1].append(char)
    return chunks


def _inside(box, x, y):
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


class _Grid:
    """One table of a page: its cells' boxes and the characters inside each.

    A merged cell that a tool drew without a box of its own (LibreOffice, a
    label merged down a column) leaves its characters inside the table but in
    no cell: they are read as a cell of the column they stand in, on the first
    row of the run of rows that have no cell there, up to the ruling line above
    it, where the merged range starts.
    """

    def __init__(self, table, rules):
        self.rules = rules  # (y, x0, x1) of the page's horizontal lines
        self.rows_of_cells = [[cell for cell in row.cells if cell] for row in table.rows]
        self.spans = [row.bbox for row in table.rows]
        self.cells = [cell for row in self.rows_of_cells for cell in row]
        self.chars = {cell: [] for cell in self.cells}
        self.lefts = sorted({cell[0] for cell in self.cells} | {table.bbox[0]})
        self.right = table.bbox[2]
        self.strays = {}  # (row index, left edge of the column) -> characters

    def take(self, char, x, y):
        for cell in self.cells:
            if _inside(cell, x, y):
                self.chars[cell].append(char)
                return True
        row = next((i for i, span in enumerate(self.spans) if span[1] <= y <= span[3]), None)
        if row is None:
            return False
        left = self.lefts[max(bisect.bisect_right(self.lefts, x) - 1, 0)]
        self.strays.setdefault((row, left), []).append(char)
        return True

    def _merged_above(self, row, x):
        """Whether the cell at ``x`` on ``row`` goes on from the row above (no line between)."""
        middle = (self.spans[row - 1][1] + self.spans[row - 1][3]) / 2
        if any(_inside(cell, x, middle) for cell in self.cells):
            return False
        top = self.spans[row][1]
        return not any(abs(y - top) <= 1 and x0 <= x <= x1 for y, x0, x1 in self.rules)

    def _placed_strays(self):
        placed = {}
        for (row, left), chars in sorted(self.strays.items()):
            while row and self._merged_above(row, left + 2) and (row - 1, left) not in placed:
                row -= 1
            placed.setdefault((row, left), []).extend(chars)
        return placed

    def rows(self):
        strays = self._placed_strays()
        for index, row in enumerate(self.rows_of_cells):
            cells = [_cell_text(cell, self.chars[cell]) for cell in row]
            top, bottom = self.spans[index][1], self.spans[index][3]
            for (at, left), chars in strays.items():
                if at == index:
                    right = next((edge for edge in self.lefts if edge > left), self.right)
                    cells.append(_cell_text((left, top, right, bottom), chars))
            yield (top, sorted(cells, key=lambda cell: cell.x0), True)


def _lines(chars):
    """Characters grouped into printed lines, each sorted left to right."""
    lines = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(lines[-1][0]["top"] - char["top"]) <= LINE_TOLERANCE:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _line_text(line):
    text = ""
    previous = None
    for char in line:
        gap = char["x0"] - previous["x1"] if previous else 0
        if previous and gap > 0.15 * char["size"] and not text.endswith(" "):
            text += " "
        text += char["text"]
        previous = char
    return text


@dataclass
class _Text:
    """A cell's text, and what decides whether text after it continues its paragraph."""

    x0: float
    text: str
    room: float = 0.0  # left free after the last line
    lead: float = 0.0  # width of the first unbreakable piece of the first line

    def joined(self, more):
        """This text continued by ``more`` (the same cell, on the next page)."""
        glue = "\n" if self.room > more.lead + 0.5 else ""
        return _Text(self.x0, self.text + glue + more.text, more.room, self.lead)


def _cell_text(box, chars):
    """The text of one cell: wrapped lines joined, paragraphs on lines of their own."""
    if sum(not char.get("upright", True) for char in chars) * 2 > len(chars):
        return _Text(box[0], _rotated_text(chars))
    lines = [line for line in _lines(chars) if _line_text(line).strip()]
    if not lines:
        return _Text(box[0], "")
    right = _right_edge(box, lines)
    text = _line_text(lines[0]).strip()
    for previous, line in itertools.pairwise(lines):
        following = _line_text(line).strip()
        room = right - previous[-1]["x1"]
        if room > _first_word_width(line) + 0.5:
            text += "\n"  # the next word would have fit: the line was ended on purpose
        elif _ASCII_WORD.match(text[-1:]) and _ASCII_WORD.match(following[:1]):
            text += " "  # a line of Latin text breaks at a space
        text += following
    return _Text(box[0], text, right - lines[-1][-1]["x1"], _first_word_width(lines[0]))


def _right_edge(box, lines):
    """Where the cell's lines end when full: the longest line, or near the edge.

    Text is set in from both edges about alike, so the first line's indent gives
    the right margin, give or take a few points (EDGE_SLACK: the app's goal cells
    are padded a little more on the right); a line that reaches further shows
    the edge itself.
    """
    indent = max(min(line[0]["x0"] for line in lines) - box[0], 0)
    return max(max(line[-1]["x1"] for line in lines), box[2] - indent - EDGE_SLACK)


def _rotated_text(chars):
    """A label turned a quarter turn (产出指标 read upwards along a tall merged cell).

    The matrix says which way it reads: upwards, its lines follow left to right;
    downwards, right to left. A label's lines are joined without a break.
    """
    upwards = sum(char["matrix"][1] for char in chars) > 0
    columns = []
    for char in sorted(chars, key=lambda c: (c["x0"] + c["x1"]) / 2):
        middle = (char["x0"] + char["x1"]) / 2
        if columns and middle - columns[-1][0] <= LINE_TOLERANCE:
            columns[-1][1].append(char)
        else:
            columns.append((middle, [char]))
    if not upwards:
        columns.reverse()
    text = ""
    for _x, column in columns:
        column.sort(key=lambda c: c["top"], reverse=upwards)
        text += "".join(char["text"] for char in column)
    return text.strip()


def _first_word_width(line):
    """Width of what had to fit for the line before to take it: the next line's first
    word, or its first CJK character with the punctuation that binds to it (a line
    neither starts with 」，) nor ends with 「（, and quotation marks bind both ways),
    or, with WHOLE_BRACKETS, a short bracketed piece (（十二）, (人次))."""
    first = line[0]
    text = "".join(char["text"] for char in line[:10])
    bracketed = _BRACKETED.match(text) if WHOLE_BRACKETS else None
    start = len(bracketed[0]) if bracketed else 1
    end = line[start - 1]
    latin = not bracketed and _LATIN_WORD.match(first["text"]) is not None
    binds = not bracketed and first["text"] in _NO_LINE_END
    for char in line[start:]:
        text = char["text"]
        if binds or text in _NO_LINE_START or (latin and _LATIN_WORD.match(text)):
            end = char
            binds = text in _NO_LINE_END
        else:
            break
    return end["x1"] - first["x0"]


def _form_pages(read):
    """The pages from the first form's title on, until another table's title."""
    kept = []
    in_forms = False
    for number, rows in read:
        titled = [_title_kind(cells) for _top, cells, tabular in rows if not tabular]
        if "form" in titled:
            in_forms = True
        elif titled[:1] == ["other"] and not any(tabular for *_rest, tabular in rows[:1]):
            in_forms = False  # a page opening with the title of some other table
        if in_forms:
            kept.append((number, rows))
    return kept or read  # no title found: the parser says so, naming the first page


def _title_kind(cells):
    key = compact_label(" ".join(cell.text for cell in cells))
    if any(title in key for title, _form in TITLES):
        return "form"
    return "other" if _OTHER_TITLE.fullmatch(key) else ""


def _continued(pages):
    """Rows split by a page break joined again.

    A row too tall for the page goes on at the top of the next, its label cell
    left blank or printed again (单位职责, 年度重点任务 and the task's name),
    maybe under its headings printed again (项目总目标 · 年度总体目标): its
    cells continue the cells of the same columns on the last row of the page
    before, as one text, when those ended mid-paragraph (a full last line).
    Otherwise the row is read as it stands: a paragraph that ended at the break
    is a paragraph of the same text for the parser anyway, and a new row under a
    label merged across the break (LibreOffice) must stay a row of its own.
    """
    last = None  # the last table row kept, on the page before
    printed = {}  # round(x0) -> short texts printed there so far: labels printed again
    for number, rows in pages:
        kept = []
        looking = last is not None  # at the top of the page, for the rest of a row
        for top, cells, tabular in rows:
            looking = looking and tabular  # a title above the table: a new form begins
            if looking:
                texts = [cell for cell in cells if cell.text]
                if texts and all(_printed(cell, printed) for cell in texts):
                    kept.append((top, cells, tabular))  # headings printed again
                    continue
                looking = False
                kinds = [_kind(cell, last, printed) for cell in texts]
                if "rest" in kinds and "new" not in kinds:
                    _join(last, cells, printed)
                    continue
            kept.append((top, cells, tabular))
            for cell in cells:
                if cell.text and len(cell.text) <= _LABEL_CHARS:
                    printed.setdefault(round(cell.x0), set()).add(cell.text)
        tables = [cells for _top, cells, tabular in kept if tabular]
        last = tables[-1] if tables else last
        yield number, kept


_LABEL_CHARS = 30  # longer texts are content, never a label printed again


def _printed(cell, printed):
    return cell.text in printed.get(round(cell.x0), ())


def _kind(cell, last, printed):
    """ "rest" (continues an open cell above), "again" (a label or name printed again)
    or "new" (a row of its own)."""
    above = next((text for text in last if round(text.x0) == round(cell.x0)), None)
    if above is None or not above.text:
        return "again" if _printed(cell, printed) else "new"
    if cell.text == above.text:
        return "again"
    return "rest" if above.room <= cell.lead + 0.5 else "new"


def _join(last, cells, printed):
    for cell in cells:
        if cell.text and _kind(cell, last, printed) == "rest":
            index = next(i for i, text in enumerate(last) if round(text.x0) == round(cell.x0))
            last[index] = last[index].joined(cell)


def _source(pages):
    """Rows with columns numbered over the whole file, and each row's page."""
    pages = list(_continued(pages))
    lefts = sorted(cell.x0 for _n, rows in pages for _t, cells, _tab in rows for cell in cells)
    columns = []
    for x in lefts:
        if not columns or x - columns[-1] > COLUMN_TOLERANCE:
            columns.append(x)
    rows = []
    places = {}
    for number, page_rows in pages:
        for _top, cells, tabular in page_rows:
            found = tuple(
                Cell(_column(columns, cell.x0), cell.text.strip())
                for cell in cells
                if cell.text.strip()
            )
            if not found:
                continue
            line = len(rows) + 1
            width = len(columns) if tabular else 1
            rows.append(Row(line, found, tabular=tabular, width=width))
            places[line] = f"第 {number} 页"
    return Source(rows=rows, kind="pdf", places=places)


def _column(columns, x):
    return max(bisect.bisect_right(columns, x + COLUMN_TOLERANCE) - 1, 0)
