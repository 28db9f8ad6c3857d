"""Bundles as a clerk files them: a 目录 that says where each form is, every page numbered
as the 目录 counts, one set of fonts per chunk of forms. Read back with pdfplumber and pypdf.
"""

import functools
import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from exports import bundle, pdf, printers
from exports.document import filing_document
from filings import demo
from filings.models import Filing
from importers.loader import import_file
from tests.conftest import PUBLISHED
from tests.factories import imported_filing, make_filing
from tests.helpers.pdf import norm, page_texts, tables

TOC_HEADING = ["序号", "项目名称", "状态", "版本", "页码"]


@pytest.fixture
def seeds(db):
    """Import the published seed forms whose file names start with the given prefixes."""
    demo.load_organisations(demo.read_demo())

    def load(*prefixes):
        for prefix in prefixes:
            (path,) = PUBLISHED.glob(f"{prefix}_*.txt")
            assert import_file(path).error == ""

    return load


def _projects(count):
    filings = Filing.objects.filter(year=2023, form="project").order_by("pk")[:count]
    return [filing_document(f) for f in filings]


def _font_files(data):
    """(font name without its subset tag, object number) of every embedded font program."""
    reader = PdfReader(io.BytesIO(data))
    found, seen = set(), set()

    def visit(resources):
        if resources is None or id(resources.get_object()) in seen:
            return
        resources = resources.get_object()
        seen.add(id(resources))
        for font in (resources.get("/Font") or {}).values():
            for descendant in font.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        name = str(descriptor["/FontName"]).split("+")[-1]
                        found.add((name, descriptor.raw_get(key).idnum))
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return found


# --- numbering ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed",
    [
        "once",
        "again, from the kept chunk and 目录",
        "with its 目录 laid out ahead for wrong counts",
    ],
)
def test_every_page_carries_the_bundle_page_the_toc_gives(seeds, printed, settings, monkeypatch):
    seeds("004")
    documents = _projects(6)
    title = bundle.bundle_title("上海市残疾人联合会", 2023, "project")
    if printed.startswith("with"):
        # The 目录 laid out while the forms print, for page counts they do not have: the
        # join lays out the right one.
        monkeypatch.setattr(pdf, "planned_pages", lambda document: 3)
    # On two processes the 目录 is laid out ahead and written with the parent's forms;
    # on one it is laid out at the join, and kept with the chunk.
    processes = 1 if printed.startswith("again") else 2
    data = bundle.bundle_pdf(documents, title, processes=processes)
    if printed.startswith("again"):
        # The chunk and the 目录 with its links are kept: the same bundle printed again
        # (its own kept file deleted) joins them without laying anything out.
        assert list((Path(settings.EXPORT_ROOT) / "forms").rglob("*.json"))
        bundle._kept_bundle(documents, title).unlink()
        monkeypatch.setattr(pdf, "_layout", None)  # nothing is laid out again
        data = bundle.bundle_pdf(documents, title, processes=processes)

    texts = [norm(text) for text in page_texts(data)]
    reader = PdfReader(io.BytesIO(data))
    # pypdf reads in drawing order: a name broken inside its cell stays whole.
    drawn = [norm(page.extract_text()) for page in reader.pages]
    total = len(texts)
    for n, text in enumerate(texts, start=1):
        # Its own number, once: the other pages' numbers are not hidden on it.
        assert text.count("汇总表第") == 1
        assert f"汇总表第{n}页共{total}页" in text
    toc = tables(data)[0]
    assert [norm(c) for c in toc[0]] == TOC_HEADING
    entries = toc[1:]
    assert [row[1] for row in entries] == [d.name for d in documents]
    starts = [int(row[4]) for row in entries]
    ends = [*(start - 1 for start in starts[1:]), total]
    for document, start, end in zip(documents, starts, ends, strict=True):
        pages = end - start + 1
        # The form starts where the 目录 says, and keeps its own 第x页 共y页.
        assert document.name in drawn[start - 1]
        assert drawn[start - 1].startswith("财政项目支出绩效目标申报表")
        assert f"第1页共{pages}页" in texts[start - 1]
        assert f"第{pages}页共{pages}页" in texts[end - 1]

    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    assert outline == [(d.name, start - 1) for d, start in zip(documents, starts, strict=True)]
    numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    links = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert sorted(numbers[link["/Dest"][0].idnum] for link in links) == [s - 1 for s in starts]


@pytest.mark.parametrize("forms", [29, 64])
def test_a_long_toc_moves_every_form_and_its_number(orgs, forms):
    # 29 lines fit on one 目录 page (guessed at two, laid out again); 64 take three,
    # and their page numbers more than one sheet.
    documents = [
        filing_document(make_filing(orgs.elderly_centre, name=f"第{n}号项目")) for n in range(forms)
    ]
    data = bundle.bundle_pdf(documents, "汇总表", processes=1)
    texts = [norm(text) for text in page_texts(data)]
    toc_pages = 1 if forms == 29 else 3
    total = toc_pages + forms
    assert len(texts) == total
    rows = [row for page in tables(data)[:toc_pages] for row in page if norm(row[0]) != "序号"]
    assert [int(row[4]) for row in rows] == list(range(toc_pages + 1, total + 1))
    assert "第0号项目" in texts[toc_pages] and "第1号项目" not in texts[toc_pages]
    for n, text in enumerate(texts, start=1):
        assert text.count("汇总表第") == 1 and f"汇总表第{n}页共{total}页" in text


# --- the 目录 ------------------------------------------------------------------------


def test_toc_lists_each_forms_state_and_version_and_sums_them_up_below(orgs):
    approved = imported_filing(orgs.elderly_centre, name="批复项目")
    draft = make_filing(orgs.elderly_centre, name="草稿项目")
    documents = [filing_document(approved), filing_document(draft)]
    data = bundle.bundle_pdf(documents, "老龄中心汇总表", processes=1)
    rows = [[norm(c) for c in row] for row in tables(data)[0]]
    assert rows == [
        TOC_HEADING,
        ["1", "批复项目", "已批复", "第1版", "2"],
        ["2", "草稿项目", "草稿", "非批复文本", "3"],
    ]
    assert "本册共2份申报表，已批复1份，草稿1份" in norm(page_texts(data)[0])


def test_department_bundle_lists_units_by_name(seeds):
    seeds("002", "003")
    documents = [filing_document(f) for f in Filing.objects.exclude(form="project").order_by("pk")]
    title = bundle.bundle_title("上海市闵行区民政局", 2024, "department")
    data = bundle.bundle_pdf(documents, title, processes=1)
    toc = tables(data)[0]
    assert [norm(c) for c in toc[0]] == ["序号", "单位名称", "状态", "版本", "页码"]
    assert [row[1] for row in toc[1:]] == [d.name for d in documents]


def test_bundle_title_names_the_organisation_year_and_kind():
    assert bundle.bundle_title("上海市残疾人联合会", 2023, "project") == (
        "上海市残疾人联合会2023年度项目绩效目标汇总表"
    )
    assert bundle.bundle_title("上海市闵行区民政局", 2024, "unit") == (
        "上海市闵行区民政局2024年度整体支出绩效目标汇总表"
    )


# --- fonts and chunks ----------------------------------------------------------------------


def test_each_font_face_is_embedded_once_per_chunk(seeds):
    seeds("004")
    documents = _projects(6)
    one_chunk = _font_files(bundle.bundle_pdf(documents, "汇总表", processes=1))
    faces = {name for name, _ in one_chunk}
    assert faces == {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"}
    # Each face once for the forms of a chunk and once for the 目录 and page numbers.
    assert len(one_chunk) == len(faces) * 2

    # On two processes each writes what it took: every form once, in one chunk or the
    # other, each chunk with each face once, and the bundle with one set more (目录).
    chunks = printers.print_shared(documents, 2, pdf._layout_form, bundle._written, lambda: None)
    assert sorted(n for chunk in chunks for n in chunk.forms) == list(range(6))
    for chunk in chunks:
        assert sorted(name for name, _ in _font_files(chunk.pdf)) == sorted(faces)
    joined = _font_files(bundle.assemble_bundle(chunks, documents, "汇总表"))
    assert len(joined) == len(faces) * (len(chunks) + 1)

    # The 目录 laid out ahead is written with the first process's forms: no set of its own.
    ahead = functools.partial(bundle._toc_ahead, documents, "汇总表")
    chunks = printers.print_shared(documents, 2, pdf._layout_form, bundle._written, ahead)
    assert chunks[0].toc is not None
    joined = _font_files(bundle.assemble_bundle(chunks, documents, "汇总表"))
    assert len(joined) == len(faces) * len(chunks)


def test_bundle_on_two_processes_is_the_same_as_on_one(seeds, settings):
    seeds("004")
    documents = _projects(3)
    one = PdfReader(io.BytesIO(bundle.bundle_pdf(documents, "汇总表", processes=1)))
    shutil.rmtree(Path(settings.EXPORT_ROOT) / "forms")  # render them again, on two processes
    two = PdfReader(io.BytesIO(bundle.bundle_pdf(documents, "汇总表", processes=2)))
    assert [p.extract_text() for p in one.pages] == [p.extract_text() for p in two.pages]
