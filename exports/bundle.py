"""Bundles of the official forms: a 目录, then every form, numbered as the 目录 says.

A bundle is printed in chunks (the processes of ``bundle_pdf``, or a Celery
task per chunk of an export job). A chunk lays each of its forms out on its
own, so that every form keeps its own 第x页 共y页 (and its merged cells split
at its own page breaks), then writes the pages of all of them as one
WeasyPrint document: each font face is subset and embedded once per chunk,
not once per form (30 forms: 0.8 MB instead of 8.7 MB, and a seventh of the
time, the subsetting being most of what writing a form costs).

In one call (``bundle_pdf``) the forms are printed on every CPU: this process
and forked children take them one by one as each is free (``printers``), and
each writes those it took as its chunk. Before taking any, this process lays
out the 目录, when every form's page count can be reckoned
(``pdf.planned_pages``). The chunks' forms are wherever they fell; the join
puts every form in its place (``Chunk.forms``).

The 目录 needs the page count of every form: laid out ahead as above, or
when the forms are printed. It is one document with a blank page per form
page after its own: those pages
carry nothing but the bundle's page number (汇总表第n页 共N页, top right) and
are drawn over the form pages when the parts are joined (``_stamp``). So
every page of the bundle, the 目录 included, carries the number the 目录
gives, and the form's own 第x页 共y页 stays where it is.

What does not change is kept under ``EXPORT_ROOT/forms`` (``pdf._kept_file``):
a chunk of versions (by the versions' content hashes and footers: an export
job's, or a bundle printed on one process), a 目录 (by its entries and page
counts) and a whole bundle of versions (``bundle_pdf``). The same bundle
printed again is read back; an export job whose chunks were printed before
joins them without laying them out again. What each process took in
``bundle_pdf`` is chance, and is not kept. Live filings are never kept.
"""

import functools
import importlib
import io
import itertools
import json
import math
import multiprocessing
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from exports import frame_stack, pdf, print_templates, printers
from exports.document import PROJECT

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "exports" / "bundle.css"


@dataclass
class Chunk:
    """Forms printed as one PDF, and the page count of each form, in order.

    ``forms``: where in the bundle its forms are (their indexes); None for a run of
    consecutive forms, after the previous chunk's. ``toc``: the 目录 laid out ahead,
    written first in this PDF (``Toc.length`` pages) with the same fonts as the forms.
    """

    pdf: bytes
    pages: list
    forms: list | None = None
    toc: "Toc | None" = None


def bundle_title(organisation_name, year, form):
    """The title of a bundle, as seed 004 prints it."""
    if form == PROJECT:
        return f"{organisation_name}{year}年度项目绩效目标汇总表"
    return f"{organisation_name}{year}年度整体支出绩效目标汇总表"


# --- chunks ---------------------------------------------------------------------


def chunk_pdf(documents):
    """The forms of ``documents`` as one PDF, fonts embedded once (a ``Chunk``)."""
    pdf.require_cjk_fonts()
    path = _kept_chunk(documents)
    if path is not None and path.exists() and path.with_suffix(".json").exists():
        os.utime(path)  # in use: ``pdf.prune_kept`` keeps it
        pages = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return Chunk(path.read_bytes(), pages)
    chunk = frame_stack.with_room(_printed, documents)
    if path is not None:
        pdf._keep(path.with_suffix(".json"), json.dumps(chunk.pages).encode())
        pdf._keep(path, chunk.pdf)
    return chunk


def _printed(documents):
    return _written([pdf._layout_form(document) for document in documents])


def _written(layouts, forms=None, ahead=None):
    """The laid-out forms ``layouts`` written as one PDF (a ``Chunk`` of ``forms``), after
    the 目录 laid out ahead (``_toc_ahead``: its layout and ``Toc``) if there is one."""
    toc_layout, toc = ahead or (None, None)
    # One document of every page: WeasyPrint's way of joining layouts, whose fonts (one
    # FontConfiguration for all) are then subset together, each face once: writing a
    # document costs 0.1 s of subsetting before its first page.
    every_page = [
        *(toc_layout.pages if toc_layout else ()),
        *(page for layout in layouts for page in layout.pages),
    ]
    content = (toc_layout or layouts[0]).copy(every_page).write_pdf()
    return Chunk(content, [len(layout.pages) for layout in layouts], forms, toc)


def _kept_chunk(documents):
    if not all(document.content_hash for document in documents):
        return None  # a live filing: its content and footer change, nothing to keep
    identity = [f"{d.content_hash}:{d.footer}" for d in documents]
    return pdf._kept_file("汇编", *identity)


# --- the 目录 and the page numbers ------------------------------------------------------

# Where a bundle page number goes: its bottom 11 mm from the top of the page (in
# the top margin, where the forms print nothing), right-aligned at the right margin.
STAMP_BOTTOM_PT = (297 - 11) * 72 / 25.4


@dataclass
class Toc:
    """The 目录, then the sheet of every page number of the bundle, as one PDF."""

    pdf: bytes | None  # None: the first pages of a chunk's PDF (``Chunk.toc``)
    pages: int  # how many pages the 目录 itself takes
    starts: list  # the bundle page where each form starts
    links: list  # (目录 page, rectangle in PDF points, entry) of every line
    # Per bundle page: (page of the PDF, rectangle in PDF points) of its number.
    stamps: list
    counts: list | None = None  # the forms' page counts it numbers (laid out ahead)
    length: int = 0  # its pages with the sheet of numbers (laid out ahead)


@functools.cache
def _stylesheet():
    # Imported here: loading Pango costs time that joining kept parts need not pay.
    import weasyprint

    _html, fetcher, fonts, _css = pdf._weasyprint()
    return weasyprint.CSS(
        string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher, font_config=fonts
    )


def _toc_layout(documents, title, counts, toc_pages):
    """The 目录 laid out as if it took ``toc_pages``, and after it the sheet of page numbers."""
    html, starts = _toc_html(documents, title, counts, toc_pages)
    return pdf._layout(html, _stylesheet()), starts


def _toc_html(documents, title, counts, toc_pages):
    """The 目录's HTML (and where each form starts) for ``_toc_layout``."""
    projects = all(d.form == PROJECT for d in documents)
    statuses = Counter(d.status for d in documents if d.status)
    starts = list(itertools.accumulate([toc_pages + 1, *counts[:-1]]))
    total = toc_pages + sum(counts)
    html = print_templates.render(
        "exports/bundle_toc.html",
        {
            "title": title,
            "name_heading": _("项目名称") if projects else _("单位名称"),
            "entries": [
                {
                    "number": n,
                    "name": d.name,
                    "status": d.status,
                    "version": _("第%(n)s版") % {"n": d.version_number}
                    if d.version_number
                    else _("非批复文本"),
                    "page": page,
                }
                for n, (d, page) in enumerate(zip(documents, starts, strict=True), start=1)
            ],
            "footer": _("本册共%(forms)s份申报表，%(states)s")
            % {
                "forms": len(documents),
                "states": "，".join(
                    _("%(status)s%(count)s份") % {"status": status, "count": count}
                    for status, count in statuses.items()
                ),
            },
            "stamps": [
                _("汇总表第%(page)s页 共%(pages)s页") % {"page": n, "pages": total}
                for n in range(1, total + 1)
            ],
        },
    )
    return html, starts


def _toc(documents, title, counts):
    """The 目录 (a ``Toc``) of ``documents`` whose forms take ``counts`` pages.

    Rendered once for a given title, list of forms and their page counts, and
    kept: printing the same bundle again does not even load WeasyPrint.
    """
    entries = [
        f"{d.form}:{d.name}:{d.status}:{d.version_number}:{count}"
        for d, count in zip(documents, counts, strict=True)
    ]
    path = pdf._kept_file("目录", title, *entries)
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        os.utime(path)
        os.utime(meta_path)
        kept = json.loads(meta_path.read_text(encoding="utf-8"))
        return Toc(path.read_bytes(), **kept)
    layout, toc = _toc_laid_out(documents, title, counts)
    toc.pdf = layout.write_pdf()
    kept = {key: getattr(toc, key) for key in ("pages", "starts", "links", "stamps")}
    pdf._keep(meta_path, json.dumps(kept).encode())
    pdf._keep(path, toc.pdf)
    return toc


def _toc_laid_out(documents, title, counts):
    """The 目录 laid out (a WeasyPrint document) and its ``Toc``, not yet written."""
    # Where each form starts depends on the 目录's own length, which the numbers do
    # not change: laid out for a guess (28 one-line names a page), again if it was wrong.
    toc_pages = max(1, math.ceil(len(documents) / 28))
    for _pass in range(3):
        layout, starts = _toc_layout(documents, title, counts, toc_pages)
        found = _sheet_start(layout)
        if found == toc_pages:
            break
        toc_pages = found
    toc = Toc(
        None,
        toc_pages,
        starts,
        _toc_links(layout, toc_pages),
        _stamp_places(layout, toc_pages),
        counts,
        len(layout.pages),
    )
    return layout, toc


def _boxes_with(box, attribute):
    """The boxes under ``box`` of elements that carry ``attribute``, outermost only."""
    for child in getattr(box, "children", ()):
        if child.element is not None and child.element.get(attribute) is not None:
            yield child
        else:
            yield from _boxes_with(child, attribute)


def _sheet_start(layout):
    """The index of the first page of the sheet of page numbers: how long the 目录 is."""
    return next(
        n for n, page in enumerate(layout.pages) if any(_boxes_with(page._page_box, "data-s"))
    )


def _rectangle(box, page):
    """The margin box of ``box`` in PDF points (x0, y0, x1, y1), y from the bottom."""
    x, y = box.position_x, box.position_y
    w, h = box.margin_width(), box.margin_height()
    return (
        x * pdf.PT_PER_PX,
        (page.height - y - h) * pdf.PT_PER_PX,
        (x + w) * pdf.PT_PER_PX,
        (page.height - y) * pdf.PT_PER_PX,
    )


def _toc_links(layout, toc_pages):
    """(目录 page index, rectangle in PDF points, entry index) of every line of the 目录."""
    return [
        (p, _rectangle(row, page), int(row.element.get("data-r")))
        for p, page in enumerate(layout.pages[:toc_pages])
        for row in pdf._boxes_of_rows(page._page_box)
    ]


def _stamp_places(layout, toc_pages):
    """(page of the PDF, rectangle in PDF points) of each bundle page number, in order."""
    places = {}
    for p, page in enumerate(layout.pages[toc_pages:], start=toc_pages):
        for box in _boxes_with(page._page_box, "data-s"):
            places[int(box.element.get("data-s"))] = (p, _rectangle(box, page))
    return [places[n] for n in range(len(places))]


# --- joining ----------------------------------------------------------------------


def _load_pypdf():
    """Load pypdf ahead of ``assemble_bundle``, which imports it where it is used."""
    importlib.import_module("pypdf")


def assemble_bundle(chunks, documents, title):
    """One PDF: the 目录, then every form of ``chunks`` (``Chunk``s of ``documents``).

    Every page carries its bundle page number; each form keeps its own
    第x页 共y页; the outline has an entry per form and each line of the 目录
    links to the form's first page.
    """
    # Imported here, as WeasyPrint is in pdf.py: pypdf (and the cryptography it loads)
    # costs every process's start-up a tenth of a second that most never need.
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link

    pdf.require_cjk_fonts()
    places, ahead = _places(chunks)
    counts = [count for _reader, _first, count in places]
    if ahead is not None and ahead[0].counts == counts:
        toc, toc_reader = ahead
    else:  # none laid out ahead, or for page counts the forms did not print on
        toc = _toc(documents, title, counts)
        toc_reader = PdfReader(io.BytesIO(toc.pdf))

    writer = PdfWriter()
    writer.append(toc_reader, pages=(0, toc.pages), import_outline=False)
    for reader, first, count in places:
        writer.append(reader, pages=(first, first + count), import_outline=False)
    lines = {}
    for page, (sheet, rectangle) in zip(writer.pages, toc.stamps, strict=True):
        if sheet not in lines:
            lines[sheet] = iter(_line_xobjects(writer, toc_reader.pages[sheet], sheet))
        _stamp(writer, page, next(lines[sheet]), rectangle)
    for document, start in zip(documents, toc.starts, strict=True):
        writer.add_outline_item(title=document.name, page_number=start - 1)
    for page, rect, entry in toc.links:
        writer.add_annotation(page, Link(rect=rect, target_page_index=toc.starts[entry] - 1))
    writer.add_metadata({"/Title": title})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _places(chunks):
    """Where each form of the bundle is, in its order: (reader of its chunk, first page,
    page count); and the 目录 laid out ahead, with the reader of the chunk it is in."""
    from pypdf import PdfReader  # see assemble_bundle

    places, after, ahead = {}, 0, None
    for chunk in chunks:
        reader = PdfReader(io.BytesIO(chunk.pdf))
        forms = chunk.forms if chunk.forms is not None else range(after, after + len(chunk.pages))
        first = 0
        if chunk.toc is not None:
            ahead, first = (chunk.toc, reader), chunk.toc.length
        for form, count in zip(forms, chunk.pages, strict=True):
            places[form] = (reader, first, count)
            first += count
        after += len(chunk.pages)
    return [places[form] for form in range(len(places))], ahead


def _line_xobjects(writer, sheet, number):
    """Each line of the ``sheet`` page as a form XObject of ``writer``: (name, reference).

    WeasyPrint writes a text matrix (Tm) at the start of each line; a line's
    XObject is what comes before the first text object (the page's coordinates,
    the colour), the font, the line's own Tm and glyphs, then the end of its
    text object and of the graphics states left open.
    """
    from pypdf.generic import ContentStream, DictionaryObject, NameObject  # see assemble_bundle

    operations = ContentStream(sheet.get_contents(), sheet.pdf).operations
    first = next(n for n, (_operands, op) in enumerate(operations) if op == b"BT")
    before = operations[:first]
    still_open = sum(op == b"q" for _o, op in before) - sum(op == b"Q" for _o, op in before)
    # Their own copy of the sheet's resources: the 目录 pages share the sheet's, and
    # get the XObjects of their numbers added (an XObject would then hold itself).
    shared = sheet["/Resources"].clone(writer).get_object()
    resources = DictionaryObject({k: v for k, v in shared.items() if k != "/XObject"})
    lines, line, font = [], None, None
    for operands, op in [*operations[first:], ([], b"ET")]:
        if op in (b"BT", b"ET", b"Tm") and line:
            # A line that does not choose its font draws with the one chosen before it.
            has_font = any(op == b"Tf" for _o, op in line)
            lines.append(line if has_font else [font, *line])
            line = None
        if op == b"Tm":
            line = [(operands, op)]
        elif line is not None:
            line.append((operands, op))
        if op == b"Tf" and (line is None or len(line) > 1):
            font = (operands, op)
    xobjects = []
    for n, line in enumerate(lines):
        content = ContentStream(None, writer)
        content.operations = [*before, ([], b"BT"), *line, ([], b"ET")]
        content.operations += [([], b"Q")] * still_open
        reference = _form_xobject(writer, sheet, content.get_data(), resources)
        xobjects.append((NameObject(f"/BundlePage{number}.{n}"), reference))
    return xobjects


def _form_xobject(writer, page, content, resources):
    """``content`` drawn with the ``resources`` of ``page``, as a form XObject of ``writer``."""
    from pypdf.generic import DecodedStreamObject, NameObject  # see assemble_bundle

    xobject = DecodedStreamObject()
    xobject.set_data(content)
    xobject.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): page.mediabox,
            NameObject("/Resources"): resources,
        }
    )
    return writer._add_object(xobject.flate_encode())


def _stamp(writer, page, line, rectangle):
    """Draw, over ``page``, a ``line`` of the sheet of page numbers, at the top right.

    The line (its XObject) is drawn moved up or down so that its ``rectangle``
    lands in the top margin. The page's own content is wrapped in q/Q so that
    whatever it leaves of the graphics state does not move the number; nothing
    of it is parsed (pypdf's ``merge_page`` would parse it).
    """
    from pypdf.generic import (  # see assemble_bundle
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
    )

    name, reference = line
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[name] = reference
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    shift = STAMP_BOTTOM_PT - rectangle[1]
    after.set_data(f"\nQ q 1 0 0 1 0 {shift:.3f} cm {name} Do Q\n".encode())
    own = page.raw_get("/Contents")  # the reference: a stream must stay indirect
    own = list(own.get_object()) if isinstance(own.get_object(), ArrayObject) else [own]
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(before), *own, writer._add_object(after)]
    )


# --- a bundle in one call -----------------------------------------------------------


def _default_processes(documents):
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, len(documents)))


def bundle_pdf(documents, title, *, processes=None):
    """The bundle of ``documents``, printed on ``processes`` (default: the CPUs).

    1 prints here, as does a daemonic process (a Celery prefork worker cannot
    start children): one chunk, kept (``chunk_pdf``).
    """
    pdf.require_cjk_fonts()
    kept = _kept_bundle(documents, title)
    if kept is not None and kept.exists():
        os.utime(kept)  # in use: ``pdf.prune_kept`` keeps it
        return kept.read_bytes()
    processes = min(processes or _default_processes(documents), len(documents))
    if processes <= 1 or multiprocessing.current_process().daemon:
        chunks = [chunk_pdf(documents)]
    else:
        pdf.prepare()  # once, before the fork shares it
        # The children are forked inside: their frame stacks have the room too.
        chunks = frame_stack.with_room(
            printers.print_shared,
            documents,
            processes,
            pdf._layout_form,
            _written,
            lambda: _toc_ahead(documents, title),
        )
    content = assemble_bundle(chunks, documents, title)
    if kept is not None:
        pdf._keep(kept, content)
    return content


def _toc_ahead(documents, title):
    """The 目录 laid out before the forms are, if their page counts can be foreseen
    (``pdf.planned_pages``): its layout and ``Toc``, written with this process's forms."""
    _load_pypdf()  # the join needs it at the end
    counts = [pdf.planned_pages(document) for document in documents]
    return None if None in counts else _toc_laid_out(documents, title, counts)


def _kept_bundle(documents, title):
    """Where the bundle of these versions is kept (None if a filing is live)."""
    if not all(document.content_hash for document in documents):
        return None
    identity = [f"{d.content_hash}:{d.footer}:{d.status}:{d.form}:{d.name}" for d in documents]
    return pdf._kept_file("汇总表", title, *identity)
