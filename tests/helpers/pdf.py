"""Reading a PDF back (pdfplumber) and a page's printed grid (HTML), to compare the two."""

import io
import re
from html.parser import HTMLParser

import pdfplumber


def norm(text):
    """``text`` without any whitespace: the PDF breaks lines where the page does not."""
    return re.sub(r"\s+", "", text or "")


def tables(data):
    """Per page, the rows of its tables as pdfplumber finds them (cells by ruling lines)."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [
            [row for table in page.extract_tables() for row in table] for page in document.pages
        ]


def page_texts(data):
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [page.extract_text() for page in document.pages]


def printed_cells(data):
    """Every non-empty cell of every page, in reading order."""
    return [norm(c) for page in tables(data) for row in page for c in row if norm(c)]


class CellsOnPage(HTMLParser):
    """The grid in ``<article class="{article}">`` of a page: title, subtitle, cells in order."""

    def __init__(self, html, article):
        super().__init__()
        self.article = article
        self.cells, self.title, self.subtitle = [], "", ""
        self._depth = 0  # inside the article when > 0
        self._text = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "article" and self.article in classes:
            self._depth = 1
        elif self._depth and tag == "article":
            self._depth += 1
        elif self._depth and tag in ("td", "th", "h1", "p"):
            self._text = [tag, ""]

    def handle_data(self, data):
        if self._text is not None:
            self._text[1] += data

    def handle_endtag(self, tag):
        if self._depth and tag == "article":
            self._depth -= 1
        elif self._text is not None and tag == self._text[0]:
            text = norm(self._text[1])
            if tag == "h1":
                self.title = text
            elif tag == "p":
                self.subtitle = text
            elif text:
                self.cells.append(text)
            self._text = None


def glyphs_outside_cells(data, tolerance=0.5):
    """Every glyph printed inside a table's outline but not wholly inside one of its cells.

    The cells are those pdfplumber finds from the ruling lines; a glyph that runs
    over a cell's border (an amount too wide for its column) is listed with its page.
    """
    outside = []
    with pdfplumber.open(io.BytesIO(data)) as document:
        for number, page in enumerate(document.pages, start=1):
            tables = page.find_tables()
            cells = [cell for table in tables for cell in table.cells]
            for char in page.chars:
                if not char["text"].strip():
                    continue
                middle = ((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2)
                if not any(_inside(middle, table.bbox) for table in tables):
                    continue  # the title, the subtitle, the footer
                box = (char["x0"], char["top"], char["x1"], char["bottom"])
                if not any(_contains(cell, box, tolerance) for cell in cells):
                    outside.append((number, char["text"], box))
    return outside


def _inside(point, bbox):
    x, y = point
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _contains(outer, inner, tolerance):
    return (
        outer[0] - tolerance <= inner[0]
        and outer[1] - tolerance <= inner[1]
        and inner[2] <= outer[2] + tolerance
        and inner[3] <= outer[3] + tolerance
    )


def printed_lines(data):
    """Every line of text of every page, without spaces (pdfplumber's text lines)."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [norm(line["text"]) for page in document.pages for line in page.extract_text_lines()]


def unmapped_font_pdf():
    """A one-page PDF whose font maps its glyphs to no text (no ToUnicode): pdfminer
    reads ``(cid:16)`` for each, as from PDFs whose fonts were subset carelessly."""
    text = b"BT /F1 12 Tf 72 700 Td <0010001100120013> Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /XYZ /Encoding /Identity-H"
        b" /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /XYZ /DW 1000 /CIDSystemInfo"
        b" << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out
