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
