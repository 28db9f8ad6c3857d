"""The official forms as PDF (WeasyPrint): one form and the 审核表 (bundles: ``bundle.py``).

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
import os
import subprocess
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

from exports import (
    ExportUnavailable,
    font_subset,
    frame_stack,
    page_plan,
    pagination,
    print_rows,
    print_templates,
    print_text,
    shared_styles,
)
from exports import bands as band_layout
from exports import document as printed_document
from exports.bands import cut_long_rows, orphan_move, print_bands, rows_of, split_bands
from exports.pagination import crossing, page_starts
from exports.weasyprint_loader import import_weasyprint
from filings import fields
from review.sheet import review_sheet_context

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
span, a, br { display: inline }
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
    weasyprint = import_weasyprint()
    shared_styles.install()
    font_subset.install()
    import cssselect2
    from weasyprint.text.fonts import FontConfiguration

    class _NoFetch(weasyprint.URLFetcher):
        """Refuses every URL: a printed form needs nothing from outside."""

        def fetch(self, url, headers=None):
            raise ValueError(f"PDF export fetches nothing: {url}")

    class _LeanHTML(weasyprint.HTML):
        """HTML with a user-agent stylesheet of the few elements the print templates use,
        read by the XML parser when it can be.

        WeasyPrint matches every element against its full HTML5 stylesheet
        (hundreds of rules); that cascade was a fifth of a form's render time.
        ``_ua_stylesheets`` is WeasyPrint's own hook for this (pinned version).
        The print templates write well-formed XHTML, which the C XML parser reads
        in a fiftieth of the time of WeasyPrint's pure-Python HTML5 parser (15 ms
        a form, laid out once or twice each: an eighth of a bundle's layout).
        Text that XML refuses (a control character) goes to the HTML5 parser.
        Its elements' styles are shared with every form printed before (``shared_styles``).
        """

        shares_styles = True

        def __init__(self, string, url_fetcher):
            try:
                root = ElementTree.fromstring(string)
            except ElementTree.ParseError:
                super().__init__(string=string, url_fetcher=url_fetcher)
                return
            # What WeasyPrint's own __init__ sets from the tree it parsed (pinned version).
            self.base_url = None
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):
            return [ua]

    fetcher = _NoFetch()
    fonts = FontConfiguration()
    ua = weasyprint.CSS(string=UA_STYLESHEET, url_fetcher=fetcher, font_config=fonts)
    css = weasyprint.CSS(
        string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher, font_config=fonts
    )
    return _LeanHTML, fetcher, fonts, css


def prepare():
    """Load once what every render needs: WeasyPrint with print.css, the form's template.

    A process about to fork its printers calls it, so that each starts ready.
    """
    _weasyprint()
    print_templates.load("exports/form.html")


def _layout(html, *stylesheets):
    """Lay ``html`` out on pages (a ``weasyprint.Document``), print.css and ``stylesheets``."""
    html_class, fetcher, fonts, css = _weasyprint()
    return html_class(string=html, url_fetcher=fetcher).render(
        font_config=fonts, stylesheets=[css, *stylesheets]
    )


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
    return print_templates.render(
        "exports/form.html",
        {
            "doc": document,
            "title": f"{document.title} {document.name}",
            "footer": document.footer,
            "tables": [print_rows.band_html(band, document.indicator_columns) for band in bands],
        },
    )


def _layout_form(document):
    """The form laid out on pages, with its merged cells split at every page break.

    The breaks are reckoned first (``page_plan``): when the reckoning is sure,
    the first layout is split at them and is the last. Otherwise, or when the
    layout does not bear the plan out, the form is laid out, split where its
    pages break and laid out again until the breaks stay put.

    A row of long text that runs onto a new page is cut in two there, so that
    its label is printed again beside the rest (``bands.cut_long_rows``). A form
    whose last page would hold one or two rows of its indicator table alone is
    laid out again with rows moved on from the page before (``bands.orphan_move``).
    """
    bands = print_bands(document)
    planned = page_plan.plan(document, bands)
    breaks, starts = (planned.breaks, planned.starts) if planned else (set(), set())
    for _pass in range(MAX_PASSES):
        layout = _layout(_form_html(document, split_bands(bands, breaks, starts)))
        pages = _rows_on_pages(layout)
        if planned is not None and pages != planned.pages:
            # Not the pages reckoned: lay the form out as if there were no plan.
            planned, breaks, starts = None, set(), set()
            continue
        planned = None
        bands, cut = cut_long_rows(bands, _continued_text(layout))
        moved = orphan_move(bands, pages)
        # The rows cut just now start a page at the next layout: the label merged
        # beside them (年度重点任务) is split there.
        found = crossing(rows_of(bands), page_starts(pages) | cut)
        if found == breaks and moved is None and not cut:
            break
        breaks = found
        starts |= cut | ({moved} if moved is not None else set())
    return layout


def planned_pages(document):
    """How many pages ``document`` prints on, when ``page_plan`` can tell; else None."""
    planned = page_plan.plan(document, print_bands(document))
    return len(planned.pages) if planned else None


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
    and kept under ``EXPORT_ROOT/forms`` (on approval already: ``workers.keep_printed``),
    so that its downloads and zips read it back. Bundles keep their own chunks of
    versions (``bundle.py``): a form printed alone embeds its own fonts.
    """
    require_cjk_fonts()
    path = _kept_path(document)
    if path is not None and path.exists():
        os.utime(path)  # in use: ``prune_kept`` keeps it
        return path.read_bytes()
    pdf = frame_stack.with_room(_printed, document)
    if path is not None:
        _keep(path, pdf)
    return pdf


def _printed(document):
    return _layout_form(document).write_pdf()


def render_parts(documents):
    """Each form as its own PDF, one after the other (a zip's chunk of work)."""
    return [filing_pdf(document) for document in documents]


@functools.cache
def _renderer_fingerprint():
    """What the look of a PDF depends on besides its content: a change renders anew."""
    # The version from the package's metadata: importing WeasyPrint (Pango) costs half a
    # second that printing kept PDFs does not need.
    digest = hashlib.sha256(importlib.metadata.version("weasyprint").encode())
    # The print templates and stylesheet, and the code that builds and splits the grid.
    # (Files only: pages/ holds the export pages people open, which print nothing.)
    sources = sorted(path for path in STYLESHEET.parent.iterdir() if path.is_file())
    modules = (
        printed_document,
        pagination,
        band_layout,
        print_text,
        print_rows,
        page_plan,
        fields,
        shared_styles,
        font_subset,
    )
    sources += [Path(module.__file__) for module in modules]
    sources += [Path(__file__), Path(__file__).with_name("bundle.py")]
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


def _keep(path, pdf):
    """Write ``pdf`` so that a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(pdf)
    os.replace(temporary, path)


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
    return _layout(print_templates.render("exports/review_sheet.html", context)).write_pdf()
