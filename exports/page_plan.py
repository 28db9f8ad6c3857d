"""Where a form's pages will break, reckoned before WeasyPrint lays it out.

A form whose merged cells cross a page break was laid out at least twice:
once to find the breaks, once with the cells split there, a third time when
rows had to move on so that the last page does not hold one or two rows alone
(``pdf._layout_form``). But a printed row's height follows from its text: fixed
column widths (``Document.band_widths``), one font at a known size, the
advance widths of its characters (``print_text.char_em``), print.css's line
height, padding and borders. So the pages are reckoned here, the first layout
is already split where they break, and WeasyPrint only confirms: the form is
laid out once. When anything is in doubt (a line within a hair of full, a
character the width table does not know, long text flowing across a page, a
merged cell taller than its rows) there is no plan and the form is laid out
as before; a plan the layout does not bear out row for row is dropped the same
way (``pdf._layout_form``). Plain data, no WeasyPrint, like ``pagination``.

Measured: the 33 forms of the published seeds and the 21 of the demo are all
planned, each plan right (54 layouts instead of 78); of 400 forms made up of
random Chinese text, numbers, units and Latin words, 249 planned, none wrong.
"""

import functools
import string
import unicodedata
from dataclasses import dataclass

from exports.bands import orphan_move, rows_of, split_bands
from exports.document import INDICATOR_BAND, MONEY, SECTION_BAND
from exports.pagination import crossing, page_starts
from exports.print_text import FIT_SIZES, FONT_PT, MM_PER_PT, TOKEN_RE, char_em

# The height rows may fill: the 267 mm between print.css's page margins, less the
# bottom padding of a cell (1.2 mm), which WeasyPrint keeps free below the last row of a
# page (measured: a row ending lower goes on to the next page).
PAGE_MM = 267.0 - 1.2
BODY_WIDTH_MM = 186.0
BORDER_MM = 0.3 * MM_PER_PT
# Above and below a cell's text: its padding (1.2 mm) and borders; beside it, 1.4 mm each.
ROW_EXTRA_MM = 2 * 1.2 + 2 * BORDER_MM
SIDE_MM = 2 * 1.4 + 2 * BORDER_MM
LINE_HEIGHT = 1.35
TITLE_PT, TITLE_MARGIN_MM, TITLE_SPACING_PT = 17, 1.0, 0.5
SUBTITLE_PT, SUBTITLE_MARGIN_MM = 11, 3.0
INDICATOR_2021_PT = 9  # print.css: .grid.columns-2021 td
# Closer than this to the foot of a page, a row's place is a guess.
SLACK_MM = 0.3
# Closer than this to the end of a line, a line's break is a guess (Chinese characters
# and digits are their advance exactly).
EXACT_EM = 0.005
# The font kerns pairs of these characters (its GPOS kern table: 2,377 pairs among
# ASCII letters and punctuation, none with a digit or a Chinese character), by at
# most this much.
KERNED = frozenset("!\"#&'()*,-./:;?@[\\]_{}" + string.ascii_letters)
KERNING = 0.171
# A line does not start with the first, nor end with the second, nor break on either
# side of a quotation mark (UAX #14 as Pango 1.50 has it: before Unicode 15.1's LB19a).
_NO_START = frozenset("，。、；：！？）》」』】〕,.;:!?)%‰℃° ")
_NO_END = frozenset("（《「『【〔(")
_QUOTES = frozenset("“”‘’\"'")


class Doubtful(Exception):
    """Something the plan would only guess at: no plan."""


@dataclass
class Plan:
    """The pages foreseen: row indices per page; the merged cells split and the rows
    made to start a page, as ``pdf._layout_form`` lays the form out with them."""

    pages: list
    breaks: set
    starts: set


def plan(document, bands):
    """The ``Plan`` of ``document`` printed as ``bands``, or None when anything is in doubt.

    Reckoned as ``pdf._layout_form`` lays out: the merged cells are split where
    the pages break (a label printed again beside fewer rows may make them
    taller, and move a break), rows move on to the last page so that it holds no
    lone row or two (``bands.orphan_move``), until the breaks stay put.
    """
    try:
        top, headings = _title_mm(document), _headings(document, bands)
        breaks, starts = set(), set()
        for _pass in range(4):
            split = split_bands(bands, breaks, starts)
            pages = _pages(_rows(document, split, starts), headings, top)
            moved = orphan_move(bands, pages)
            found = crossing(rows_of(bands), page_starts(pages))
            if found == breaks and moved is None:
                return Plan(pages, breaks, starts)
            breaks = found
            starts |= {moved} if moved is not None else set()
    except Doubtful:
        pass
    return None


# --- rows ----------------------------------------------------------------------


@dataclass
class _Row:
    index: int
    height: float
    band: str
    first_of_band: bool
    keep: bool  # printed on the page of the row under it (headings, the section row)
    breakable: bool  # long text that may flow on to the next page
    page_start: bool


def _rows(document, bands, starts):
    rows = []
    for band in bands:
        heights = [_row_height(document, band, row) for row in band.rows]
        _check_merged(document, band, heights)
        for n, (row, height) in enumerate(zip(band.rows, heights, strict=True)):
            keep = row.headings_only or band.name == SECTION_BAND
            rows.append(
                _Row(row.index, height, band.name, n == 0, keep, row.breakable, row.index in starts)
            )
    return rows


def _headings(document, bands):
    """The height of each band's heading row (its ``<thead>``, printed on each of its pages)."""
    return {
        band.name: max(_cell_height(document, band, cell) for cell in band.heading)
        for band in bands
        if band.heading
    }


def _row_height(document, band, row):
    """The height of ``row``: its tallest cell, merged cells aside (``_check_merged``)."""
    return max(
        (_cell_height(document, band, cell) for cell in row.cells if cell.rowspan == 1),
        default=0.0,
    )


def _check_merged(document, band, heights):
    """A cell merged down over rows must fit beside them, or WeasyPrint stretches them."""
    for n, row in enumerate(band.rows):
        for cell in row.cells:
            if cell.rowspan > 1:
                room = sum(heights[n : n + cell.rowspan])
                if _cell_height(document, band, cell) > room - SLACK_MM:
                    raise Doubtful


def _cell_height(document, band, cell):
    size = _font_pt(document, band, cell)
    if cell.kind == MONEY and "wrap" not in cell.fit:
        lines = 1  # an amount is printed on one line (print_text._fitted)
    else:
        widths = _column_widths(band)[cell.col : cell.col + cell.colspan]
        lines = _text_lines(cell.text, (sum(widths) - SIDE_MM) / (size * MM_PER_PT))
    return lines * size * LINE_HEIGHT * MM_PER_PT + ROW_EXTRA_MM


def _column_widths(band):
    """The widths the columns print at: a band narrower than the page is spread over it,
    the same width added to every column (WeasyPrint's fixed table layout)."""
    extra = max(0.0, (BODY_WIDTH_MM - sum(band.widths)) / len(band.widths))
    if sum(band.widths) > BODY_WIDTH_MM + 0.01:
        raise Doubtful  # wider than the page
    return [width + extra for width in band.widths]


def _font_pt(document, band, cell):
    for size, css in FIT_SIZES:
        if css in cell.fit:
            return size
    if band.name == INDICATOR_BAND and document.indicator_columns:
        return INDICATOR_2021_PT
    return FONT_PT


# --- pages ---------------------------------------------------------------------


def _title_mm(document):
    """The height of the title and subtitle: a line each, or no plan."""
    spacing = len(document.title) * TITLE_SPACING_PT
    if (_em(document.title)[0] * TITLE_PT + spacing) * MM_PER_PT > BODY_WIDTH_MM - 1 or (
        _em(document.subtitle)[0] * SUBTITLE_PT * MM_PER_PT > BODY_WIDTH_MM - 1
    ):
        raise Doubtful
    title = TITLE_PT * LINE_HEIGHT * MM_PER_PT + TITLE_MARGIN_MM
    return title + SUBTITLE_PT * LINE_HEIGHT * MM_PER_PT + SUBTITLE_MARGIN_MM


def _pages(rows, headings, top):
    """Row indices per page: rows stacked down the page, a row that does not fit moved on.

    Bands are stacked with their borders overlapping; a band's heading comes
    before its first row and again at the top of every page it continues on;
    rows kept with the row under them (break-after: avoid) move on with it.
    """
    pages, page, y = [], [], top + BORDER_MM
    for n, row in enumerate(rows):
        if row.first_of_band:
            y += headings.get(row.band, 0)
        if (row.page_start and page) or _overflows(y + row.height, row):
            moved = n
            while moved > 0 and rows[moved - 1].keep and page:
                moved -= 1
                page.pop()
            if not page:
                raise Doubtful  # nothing would be left on the page: WeasyPrint breaks anyway
            pages.append(page)
            page, y = [], BORDER_MM
            for part in rows[moved : n + 1]:
                if part.first_of_band or not page:
                    y += headings.get(part.band, 0)
                page.append(part.index)
                y += part.height
            if y + BORDER_MM > PAGE_MM - SLACK_MM:
                raise Doubtful  # rows taller than a page
            continue
        page.append(row.index)
        y += row.height
    pages.append(page)
    return pages


def _overflows(bottom, row):
    """Whether a row ending at ``bottom`` goes on to the next page."""
    bottom += BORDER_MM  # the table's border, drawn again at the foot of the page
    if abs(bottom - PAGE_MM) < SLACK_MM:
        raise Doubtful  # too close to the foot to say
    if bottom > PAGE_MM and row.breakable:
        raise Doubtful  # long text flowing on (``bands.cut_long_rows``): not reckoned
    return bottom > PAGE_MM


# --- lines ---------------------------------------------------------------------


# A form is planned again when it is laid out after its bundle's 目录 was (``pdf.planned_pages``),
# each time its merged cells split anew, and its text often comes back in the next form (a
# copy from last year's): the lines of a text in a width are reckoned once per process.
@functools.lru_cache(maxsize=4096)
def _text_lines(text, room_em):
    """How many lines the paragraphs of ``text`` take in ``room_em`` ems (``Doubtful``
    is raised anew each time: it is not kept)."""
    return sum(_lines(line, room_em) for line in text.split("\n"))


def _lines(text, room_em):
    """How many lines ``text`` takes in ``room_em`` ems, broken as Pango breaks it."""
    lines, width, doubt, last = 1, 0.0, 0.0, ""
    for word in _words(" ".join(text.split())):  # white-space: pre-line
        # A space ending a line takes no room.
        fits, fits_doubt = _em(word.rstrip(" "), last)
        if width and width + fits - doubt - fits_doubt > room_em + EXACT_EM:
            lines += 1
            width, doubt, last = 0.0, 0.0, ""
            fits, fits_doubt = _em(word.rstrip(" "))
        if width + fits + doubt + fits_doubt > room_em - EXACT_EM:
            raise Doubtful  # the line may or may not hold it, or a word wider than a line
        w, d = _em(word, last)
        width, doubt, last = width + w, doubt + d, word[-1]
    return lines


def _words(text):
    """The pieces of ``text`` that no line break cuts, in order.

    Every number with its operator and every bracketed unit is whole
    (``print_text``); a Chinese character stands alone; a run of Latin letters
    is a word. A closing mark and a space stay with the piece before them, an
    opening mark with the piece after it, a quotation mark with both.
    """
    pieces, end = [], 0
    for match in TOKEN_RE.finditer(text):
        pieces.extend(_split(text[end : match.start()]))
        pieces.append(match.group())
        end = match.end()
    pieces.extend(_split(text[end:]))
    words = []
    for piece in pieces:
        glued = piece[0] in _NO_START or piece[0] in _QUOTES
        if words and (glued or words[-1][-1] in _NO_END or words[-1][-1] in _QUOTES):
            words[-1] += piece
        else:
            words.append(piece)
    return words


def _split(text):
    """``text`` in pieces: each wide character alone, each run of narrow ones whole
    (with the space after it)."""
    runs, run = [], ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WFA":
            if run:
                runs.append(run)
                run = ""
            runs.append(ch)
        elif ch == " ":
            runs.append(run + ch)
            run = ""
        else:
            run += ch
    if run:
        runs.append(run)
    return runs


def _em(word, before=""):
    """The width of ``word`` in ems, and how far off it may be (``KERNED``).

    ``before`` is the character printed just before it, on the same line.
    """
    width, doubt = _word_em(word)
    if before[-1:] in KERNED and word[:1] in KERNED:
        doubt += KERNING
    return width, doubt


@functools.lru_cache(maxsize=16384)
def _word_em(word):
    """``_em`` of ``word`` at the start of a line (most words are one Chinese character)."""
    width = doubt = 0.0
    previous = ""
    for ch in word:
        advance = char_em(ch)
        if advance is None:
            raise Doubtful  # a character the width table does not know
        width += advance
        if previous in KERNED and ch in KERNED:
            doubt += KERNING
        previous = ch
    return width, doubt
