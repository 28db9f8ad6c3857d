"""The official forms as PDF (WeasyPrint): one form, a bundle with its 目录, the 审核表.

Pure functions, no HTTP: a ``document.Document`` in, PDF bytes out. The print
templates (``templates/exports/``) write the grid of the Document generically,
a ``<table>`` per part, and ``print.css`` styles it; neither is the screen
page, whose layout costs WeasyPrint over a second per form.

Three things WeasyPrint does not do by itself:

- repeat the 一级/二级 labels at the top of a continuation page: the form is
  laid out, the rows that start a page are read back from the page boxes, the
  merged cells crossing them are split (``pagination.split_at``) and the form
  is laid out again (only when a merged cell does cross a break);
- refuse to print without a CJK font: it would print empty boxes, so every
  render asks fontconfig first (``require_cjk_fonts``);
- fetch nothing: every URL is refused (``_NoFetch``) and there is no base URL.
"""

import contextlib
import functools
import hashlib
import importlib.metadata
import io
import json
import multiprocessing
import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link

from filings import fields
from filings.exports import ExportUnavailable, pagination, print_text
from filings.exports import bands as band_layout
from filings.exports import document as printed_document
from filings.exports.bands import (
    cut_long_rows,
    orphan_move,
    print_bands,
    rows_of,
    split_bands,
)
from filings.exports.document import PROJECT
from filings.exports.pagination import crossing, page_starts
from filings.review_sheet import review_sheet_context

FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
STYLESHEET = Path(settings.BASE_DIR) / "templates" / "exports" / "print.css"
# Layouts of one form at most: a split that moves a break is laid out again.
MAX_PASSES = 6
# The elements of templates/exports/ and how they display; print.css does the rest.
UA_STYLESHEET = """
html, body, div, h1, h2, p { display: block }
head, title, meta, style, script { display: none }
table { display: table; box-sizing: border-box; border-spacing: 2px; text-indent: 0 }
colgroup { display: table-column-group } col { display: table-column }
thead { display: table-header-group } tbody { display: table-row-group }
tr { display: table-row } td, th { display: table-cell }
span, a, br, wbr { display: inline }
wbr::before { content: "\\200B" }
"""
# CSS pixels (WeasyPrint's unit) to PDF points.
PT_PER_PX = 0.75


# --- fonts --------------------------------------------------------------------


@functools.cache
def _cjk_families():
    """The font families fontconfig knows for Chinese (a seam for the tests)."""
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except OSError:
        return frozenset()
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))


def require_cjk_fonts():
    """Raise ``ExportUnavailable`` unless Noto Serif CJK SC and Noto Sans CJK SC are installed."""
    missing = [family for family in FONT_FAMILIES if family not in _cjk_families()]
    if missing:
        raise ExportUnavailable(
            _(
                "无法生成PDF：服务器未安装中文字体（缺少 %(fonts)s）。"
                "请管理员安装 fonts-noto-cjk 后重试。"
            )
            % {"fonts": "、".join(missing)}
        )


# --- WeasyPrint -----------------------------------------------------------------


@functools.cache
def _weasyprint():
    """WeasyPrint's objects, made once per process: the fetcher, fonts and parsed stylesheet."""
    # Imported here: loading Pango costs time that pages without PDFs need not pay.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    class _NoFetch(weasyprint.URLFetcher):
        """Refuses every URL: a printed form needs nothing from outside."""

        def fetch(self, url, headers=None):
            raise ValueError(f"PDF export fetches nothing: {url}")

    class _LeanHTML(weasyprint.HTML):
        """HTML with a user-agent stylesheet of the few elements the print templates use.

        WeasyPrint matches every element against its full HTML5 stylesheet
        (hundreds of rules); that cascade was a fifth of a form's render time.
        ``_ua_stylesheets`` is WeasyPrint's own hook for this (pinned version).
        """

        def _ua_stylesheets(self, forms=False):
            return [ua]

    fetcher = _NoFetch()
    fonts = FontConfiguration()
    ua = weasyprint.CSS(string=UA_STYLESHEET, url_fetcher=fetcher, font_config=fonts)
    css = weasyprint.CSS(
        string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher, font_config=fonts
    )
    return _LeanHTML, fetcher, fonts, css


def _layout(html):
    """Lay ``html`` out on pages (a ``weasyprint.Document``)."""
    html_class, fetcher, fonts, css = _weasyprint()
    return html_class(string=html, url_fetcher=fetcher).render(font_config=fonts, stylesheets=[css])


def _boxes_of_rows(box):
    """The table-row boxes under ``box`` that carry ``data-r``, in order."""
    # Not at the top, as in ``_weasyprint``: pages without PDFs need not load Pango.
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.TableRowBox):
            if child.element is not None and child.element.get("data-r") is not None:
                yield child
        elif isinstance(child, boxes.ParentBox) and not isinstance(
            child, (boxes.TableCellBox, boxes.LineBox)
        ):
            yield from _boxes_of_rows(child)


def _rows_on_pages(layout):
    return [
        [int(row.element.get("data-r")) for row in _boxes_of_rows(page._page_box)]
        for page in layout.pages
    ]


# --- one form -------------------------------------------------------------------


def _form_html(document, bands):
    return render_to_string(
        "exports/form.html",
        {
            "doc": document,
            "title": f"{document.title} {document.name}",
            "footer": document.footer,
            "bands": bands,
        },
    )


def _layout_form(document):
    """The form laid out on pages, with its merged cells split at every page break.

    A row of long text that runs onto a new page is cut in two there, so that
    its label is printed again beside the rest (``bands.cut_long_rows``). A form
    whose last page would hold one or two rows of its indicator table alone is
    laid out again with rows moved on from the page before (``bands.orphan_move``).
    """
    bands = print_bands(document)
    rows = rows_of(bands)
    breaks, starts = set(), set()
    for _pass in range(MAX_PASSES):
        layout = _layout(_form_html(document, split_bands(bands, breaks, starts)))
        pages = _rows_on_pages(layout)
        bands, cut = cut_long_rows(bands, _continued_text(layout))
        moved = orphan_move(bands, pages)
        found = crossing(rows, page_starts(pages))
        if found == breaks and moved is None and not cut:
            break
        breaks = found
        starts |= cut | ({moved} if moved is not None else set())
    return layout


def _continued_text(layout):
    """{row index: [{column: text} per later page]}: a row's parts on the pages after its first."""
    continued, previous = {}, set()
    for page in layout.pages:
        rows = list(_boxes_of_rows(page._page_box))
        index = int(rows[0].element.get("data-r")) if rows else None
        if index in previous:
            continued.setdefault(index, []).append(
                {
                    int(cell.element.get("data-c")): "".join(_texts(cell))
                    for cell in rows[0].children
                    if cell.element is not None and cell.element.get("data-c") is not None
                }
            )
        previous = {int(row.element.get("data-r")) for row in rows}
    return continued


def _texts(box):
    text = getattr(box, "text", None)
    if isinstance(text, str):
        yield text
    for child in getattr(box, "children", ()):
        yield from _texts(child)


def filing_pdf(document):
    """The PDF of one form (``document.Document``), its pages numbered 第x页 共y页.

    A version (approved or submitted) never changes: its PDF is rendered once
    and kept under ``EXPORT_ROOT/forms``, so that the year's bundles, printed
    again and again, mostly join forms already rendered.
    """
    require_cjk_fonts()
    path = _kept_path(document)
    if path is not None and path.exists():
        os.utime(path)  # in use: ``prune_kept`` keeps it
        return path.read_bytes()
    pdf = _layout_form(document).write_pdf()
    if path is not None:
        _keep(path, pdf)
    return pdf


def render_parts(documents):
    """Each form as its own PDF, one after the other (a Celery chunk's work)."""
    return [filing_pdf(document) for document in documents]


@functools.cache
def _renderer_fingerprint():
    """What the look of a PDF depends on besides its content: a change renders anew."""
    # The version from the package's metadata: importing WeasyPrint (Pango) costs half a
    # second that printing kept PDFs does not need.
    digest = hashlib.sha256(importlib.metadata.version("weasyprint").encode())
    # The print templates and stylesheet, and the code that builds and splits the grid.
    sources = sorted(STYLESHEET.parent.iterdir())
    modules = (printed_document, pagination, band_layout, print_text, fields)
    sources += [Path(module.__file__) for module in modules]
    sources.append(Path(__file__))
    for path in sources:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _kept_file(*identity, suffix=".pdf"):
    """Where the output of a render of ``identity`` (strings) is kept."""
    key = hashlib.sha256("\0".join((_renderer_fingerprint(), *identity)).encode()).hexdigest()
    return Path(settings.EXPORT_ROOT) / "forms" / key[:2] / f"{key}{suffix}"


def _kept_path(document):
    if not document.content_hash:
        return None  # a live filing: its content and footer change, nothing to keep
    return _kept_file(document.content_hash, document.footer)


def prune_kept(older_than):
    """Delete the kept files not printed since ``older_than`` (a timestamp); return how many.

    A version's PDF can always be rendered again: this only bounds the folder,
    and drops the PDFs of an older renderer after an upgrade.
    """
    pruned = 0
    for path in (Path(settings.EXPORT_ROOT) / "forms").glob("*/*.*"):
        with contextlib.suppress(FileNotFoundError):  # another process pruned it
            if path.stat().st_mtime < older_than:
                path.unlink()
                pruned += 1
    return pruned


def _is_kept(document):
    path = _kept_path(document)
    return path is not None and path.exists()


def _keep(path, pdf):
    """Write ``pdf`` so that a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(pdf)
    os.replace(temporary, path)


# --- bundles --------------------------------------------------------------------


def bundle_title(organisation_name, year, form):
    """The title of a bundle, as seed 004 prints it."""
    if form == PROJECT:
        return f"{organisation_name}{year}年度项目绩效目标汇总表"
    return f"{organisation_name}{year}年度整体支出绩效目标汇总表"


def _toc_layout(documents, title, first_pages):
    projects = all(d.form == PROJECT for d in documents)
    html = render_to_string(
        "exports/bundle_toc.html",
        {
            "title": title,
            "name_heading": _("项目名称") if projects else _("单位名称"),
            "entries": [
                {"number": n, "name": d.name, "page": page}
                for n, (d, page) in enumerate(zip(documents, first_pages, strict=True), start=1)
            ],
        },
    )
    return _layout(html)


def _toc(documents, title, counts):
    """The 目录 as PDF, the bundle page where each form starts, and the 目录's links.

    Rendered once for a given title, list of forms and their page counts, and
    kept: printing the same bundle again does not even load WeasyPrint.
    """
    entries = [f"{d.form}:{d.name}:{count}" for d, count in zip(documents, counts, strict=True)]
    path = _kept_file("目录", title, *entries)
    links_path = path.with_suffix(".json")
    if path.exists() and links_path.exists():
        os.utime(path)
        os.utime(links_path)
        kept = json.loads(links_path.read_text(encoding="utf-8"))
        return path.read_bytes(), kept["starts"], [tuple(link) for link in kept["links"]]
    # Where each form starts depends on the 目录's own length: lay it out once
    # to count its pages (the numbers do not change it), then with the numbers.
    toc = _toc_layout(documents, title, [0] * len(documents))
    first, starts = len(toc.pages) + 1, []
    for count in counts:
        starts.append(first)
        first += count
    toc = _toc_layout(documents, title, starts)
    pdf, links = toc.write_pdf(), _toc_links(toc)
    _keep(links_path, json.dumps({"starts": starts, "links": links}).encode())
    _keep(path, pdf)
    return pdf, starts, links


def _toc_links(layout):
    """(TOC page index, rectangle in PDF points, entry index) of every TOC row."""
    links = []
    for p, page in enumerate(layout.pages):
        height = page.height
        for row in _boxes_of_rows(page._page_box):
            x, y = row.position_x, row.position_y
            w, h = row.margin_width(), row.margin_height()
            rect = (
                x * PT_PER_PX,
                (height - y - h) * PT_PER_PX,
                (x + w) * PT_PER_PX,
                (height - y) * PT_PER_PX,
            )
            links.append((p, rect, int(row.element.get("data-r"))))
    return links


def assemble_bundle(parts, documents, title):
    """One PDF: a 目录 page (序号, name, page in the bundle), then every part.

    ``parts`` are the PDFs of ``documents`` in the same order (``render_parts``).
    Each form keeps its own 第x页 共y页; the outline has an entry per form and
    each line of the 目录 links to the form's first page.
    """
    require_cjk_fonts()
    readers = [PdfReader(io.BytesIO(part)) for part in parts]
    toc, starts, links = _toc(documents, title, [len(reader.pages) for reader in readers])

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(toc)), import_outline=False)
    for document, reader in zip(documents, readers, strict=True):
        writer.append(reader, outline_item=document.name, import_outline=False)
    for page, rect, entry in links:
        writer.add_annotation(page, Link(rect=rect, target_page_index=starts[entry] - 1))
    writer.add_metadata({"/Title": title})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _default_processes(documents):
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, len(documents)))


def bundle_pdf(documents, title, *, processes=None):
    """The bundle of ``documents``, the forms rendered on ``processes`` processes.

    By default as many as this process may use CPUs (at most one per form);
    1 renders here. A daemonic process (a Celery prefork worker) cannot start
    children: it renders here too.
    """
    require_cjk_fonts()
    # Forms already rendered and kept are only read: the processes are for the others.
    to_render = [d for d in documents if not _is_kept(d)]
    processes = min(processes or _default_processes(to_render), len(to_render))
    if processes <= 1 or multiprocessing.current_process().daemon:
        parts = render_parts(documents)
    else:
        _weasyprint()  # parse the stylesheet once, before the fork shares it
        # fork: the children start warm (Django set up, fonts loaded) and need
        # nothing pickled but the Documents, which are dataclasses of plain data.
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = pool.map(filing_pdf, documents, chunksize=1)
    return assemble_bundle(parts, documents, title)


# --- 绩效目标审核表 ------------------------------------------------------------------


def review_sheet_pdf(review):
    """The 绩效目标审核表 of a ``Review``, as kept with the version it judged."""
    require_cjk_fonts()
    context = review_sheet_context(review)
    version = review.version
    context["footer"] = _("审核版本 第%(number)s版　内容摘要 %(hash)s") % {
        "number": version.number,
        "hash": version.short_hash,
    }
    return _layout(render_to_string("exports/review_sheet.html", context)).write_pdf()
