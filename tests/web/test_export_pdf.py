"""The official forms as PDF, read back as text, as pages, as fonts and as images.

Every PDF here is made by the real WeasyPrint and read back with pdfplumber,
pypdf and the poppler tools, the way a reader of the printed form would check it.
"""

import io
import re
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from exports import ExportUnavailable, bundle, pdf
from exports.document import filing_document
from filings import demo
from filings.models import Filing, Task
from importers.loader import import_file
from indicators.models import Indicator, Level2
from review import workflow
from review.models import Review
from tests.conftest import PUBLISHED, make_filing
from tests.factories import complete_filing as ready_filing
from tests.factories import full_sheet as _full_sheet
from tests.factories import printed_project, submitted
from tests.helpers.pdf import CellsOnPage, norm, page_texts, printed_cells, tables

MM = 72 / 25.4  # PDF points per millimetre
PAGE_WIDTH_MM = 210
MARGIN_MM = 12


@pytest.fixture
def seeds(db):
    """Import the published seed forms whose file names start with the given prefixes."""
    demo.load_organisations(demo.read_demo())

    def load(*prefixes):
        for prefix in prefixes:
            (path,) = PUBLISHED.glob(f"{prefix}_*.txt")
            assert import_file(path).error == ""

    return load


def _doc(name, **filters):
    return filing_document(Filing.objects.get(name=name, **filters))


def _expected_cells(document):
    """Every non-empty cell of the grid, in order; 绩效指标 runs down beside the rows."""
    cells = []
    for row in document.head:
        cells += [c.text for c in row.cells]
    beside = [c.text for c in document.indicator_head.cells if c.rowspan > 1]
    cells += [c.text for c in document.indicator_head.cells if c.rowspan == 1]
    for n, row in enumerate(document.indicators):
        cells += (beside if n == 0 else []) + [c.text for c in row.cells]
    return [norm(c) for c in cells if norm(c)]


def _in_order(expected, printed):
    """The cells of ``expected`` missing from ``printed`` in that order (repeats allowed)."""
    missing, at = [], 0
    for cell in expected:
        try:
            at = printed.index(cell, at) + 1
        except ValueError:
            missing.append(cell)
    return missing


def _png(data, page, dpi=50):
    """One page as a greyscale image, drawn by poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "form.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page),
             str(source), str(Path(folder) / "page")],
            check=True,
        )  # fmt: skip
        return Image.open(Path(folder) / "page.png").convert("L")


def _ink(image, box_mm, dpi=50):
    """How many dark pixels the image has in (x0, y0, x1, y1), millimetres from the top left."""
    px = dpi / 25.4
    region = image.crop(tuple(round(v * px) for v in box_mm))
    return sum(region.histogram()[:128])


# --- one form -----------------------------------------------------------------------


def test_project_form_prints_every_label_and_value_in_order(seeds):
    seeds("004")
    document = _doc("残疾人权益保障经费")
    data = pdf.filing_pdf(document)

    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    assert _in_order(_expected_cells(document), printed_cells(data)) == []
    text = page_texts(data)[0]
    assert text.startswith("财政项目支出绩效目标申报表\n(2023年度)")
    assert "开展名律师咨询次数" in text and "≥5.00(次)" in text


def test_money_has_separators_and_blank_amounts_stay_blank(seeds):
    seeds("004")
    first_page = tables(pdf.filing_pdf(_doc("残疾人权益保障经费")))[0]

    def after(label):
        """The cell printed right of ``label``."""
        for row in first_page:
            cells = [norm(c) for c in row if c is not None]
            if label in cells:
                return cells[cells.index(label) + 1]
        raise AssertionError(label)

    # 项目资金总额 is blank on the published form: blank here, not 0.00.
    assert after("项目资金总额") == ""
    assert after("年度资金申请总额") == "2,013,200.00"
    assert after("其中：当年财政拨款") == "2,013,200.00"
    assert after("上年结转资金") == "0.00"


def test_continuation_pages_start_with_the_level_labels_again(seeds):
    seeds("000")  # 民生保障: 62 indicators over several pages
    document = _doc("民生保障")
    data = pdf.filing_pdf(document)
    pages = tables(data)
    assert len(pages) >= 3
    levels = {norm(i["name"]): (i["level1"], i["level2"]) for i in document.data["indicators"]}

    continued = 0
    for page in pages[1:]:
        heading = next(n for n, row in enumerate(page) if "一级指标" in row)
        first = page[heading + 1]  # the first indicator row under the repeated heading
        level1, level2 = levels[norm(first[3])]
        assert [norm(c) for c in first[:3]] == ["绩效指标", level1, norm(level2)]
        continued += 1
    assert continued == len(pages) - 1
    # Every indicator is printed once, in order.
    # (Each band has its own columns: a name is in whichever column pdfplumber finds it.)
    names = [
        next(n for n in map(norm, r) if n in levels)
        for p in pages
        for r in p
        if any(norm(c) in levels for c in r)
    ]
    assert names == [norm(i["name"]) for i in document.data["indicators"]]


def test_label_column_is_not_blank_at_the_top_of_a_continuation_page(seeds):
    seeds("004")
    data = pdf.filing_pdf(_doc("残疾人权益保障经费"))
    with pdfplumber.open(io.BytesIO(data)) as document:
        page = document.pages[1]
        table = page.find_tables()[0]
        top = table.rows[0].bbox[3] / MM  # under the repeated heading row
        bottom = table.rows[-1].bbox[3] / MM
    image = _png(data, 2, dpi=100)
    # Inside the 一级 and 二级 columns (20–51 and 51–80 mm from the margin), off the lines.
    left = MARGIN_MM
    assert _ink(image, (left + 21, top + 1, left + 50, bottom - 1), dpi=100) > 20
    assert _ink(image, (left + 52, top + 1, left + 79, bottom - 1), dpi=100) > 20
    assert _ink(image, (left + 1, top + 1, left + 19, bottom - 1), dpi=100) > 20  # 绩效指标


def test_nothing_is_printed_past_the_right_margin(orgs):
    filing = make_filing(
        orgs.elderly_centre,
        name="超长名称" + "X" * 120,
        annual_goal="https://example.org/" + "a" * 400,
    )
    data = pdf.filing_pdf(filing_document(filing))
    for number in range(1, len(PdfReader(io.BytesIO(data)).pages) + 1):
        image = _png(data, number)
        right = PAGE_WIDTH_MM - MARGIN_MM + 1
        assert _ink(image, (right, 0, PAGE_WIDTH_MM, 297)) == 0
    assert "X" * 30 in norm("".join(page_texts(data)))


def test_fonts_are_the_noto_cjk_faces_embedded(seeds):
    seeds("004")
    data = pdf.filing_pdf(_doc("残疾人权益保障经费"))
    listed = subprocess.run(
        ["pdffonts", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    fonts = {line.split()[0].split("+")[-1]: line.split() for line in listed.splitlines()[2:]}
    assert set(fonts) == {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"}
    for columns in fonts.values():
        assert columns[-5] == "yes"  # emb


def test_approved_filing_footer_has_version_and_hash_on_every_page(seeds):
    seeds("004")
    filing = Filing.objects.get(name="残疾人权益保障经费")
    version = filing.approved_version
    texts = page_texts(pdf.filing_pdf(filing_document(filing)))
    for number, text in enumerate(texts, start=1):
        footer = text.splitlines()[-1]
        assert f"第{version.number}版" in footer
        assert version.short_hash in footer
        assert f"第{number}页 共{len(texts)}页" in footer


def test_approved_filing_prints_its_snapshot_after_its_rows_changed(seeds):
    seeds("004")
    filing = Filing.objects.get(name="残疾人权益保障经费")
    Filing.objects.filter(pk=filing.pk).update(name="改过的名称")
    filing.indicators.filter(name="完成研究课题个数").update(name="改过的指标")
    data = pdf.filing_pdf(filing_document(Filing.objects.get(pk=filing.pk)))
    printed = printed_cells(data)
    assert "残疾人权益保障经费" in printed and "完成研究课题个数" in printed
    assert "改过" not in "".join(printed)


def test_a_version_is_rendered_once_and_kept(seeds, settings):
    seeds("004")
    filing = Filing.objects.get(name="残疾人权益保障经费")
    first = pdf.filing_pdf(filing_document(filing))
    (kept,) = (Path(settings.EXPORT_ROOT) / "forms").rglob("*.pdf")
    assert kept.read_bytes() == first
    # Printed again, the kept file is what comes back: mark it to tell it apart.
    kept.write_bytes(first + b"%kept")
    assert pdf.filing_pdf(filing_document(filing)) == first + b"%kept"


def test_a_live_draft_is_never_kept(orgs, settings):
    filing = make_filing(orgs.elderly_centre, name="草稿项目")
    pdf.filing_pdf(filing_document(filing))
    assert not (Path(settings.EXPORT_ROOT) / "forms").exists()


def test_draft_says_it_is_not_the_approved_text(orgs):
    filing = make_filing(orgs.elderly_centre, name="草稿项目")
    text = page_texts(pdf.filing_pdf(filing_document(filing)))[0]
    assert "草稿" in text.splitlines()[-1] and "非批复文本" in text.splitlines()[-1]


@pytest.mark.parametrize(
    ("prefix", "name", "labels"),
    [
        ("002", "上海市闵行区老龄事业发展中心", ["单位名称", "单位职责", "绩效指标", "一级目标"]),
        ("003", "上海市闵行区民政局(汇总)", ["部门名称", "下属预算单位个数", "分解目标"]),
    ],
)
def test_overall_forms_print_every_label_and_value_in_order(seeds, prefix, name, labels):
    seeds(prefix)
    document = _doc(name)
    data = pdf.filing_pdf(document)
    printed = printed_cells(data)
    assert _in_order(_expected_cells(document), printed) == []
    assert all(label in printed for label in labels)
    assert "根据沪财绩【2022】13号文的规定要求设置三级指标和指标值" in printed


def test_no_cjk_font_refuses_to_export(orgs, monkeypatch):
    # fontconfig answers without the Chinese faces (the seam; WeasyPrint is untouched).
    monkeypatch.setattr(pdf, "_cjk_families", lambda: frozenset({"DejaVu Serif"}))
    document = filing_document(make_filing(orgs.elderly_centre))
    with pytest.raises(ExportUnavailable, match=r"未安装中文字体.*Noto Serif CJK SC"):
        pdf.filing_pdf(document)
    with pytest.raises(ExportUnavailable):
        bundle.bundle_pdf([document], "汇总表", processes=1)


def test_installed_fonts_are_found():
    pdf.require_cjk_fonts()  # fonts-noto-cjk is part of the set-up


def test_the_renderer_fetches_nothing():
    _, fetcher, _, _ = pdf._weasyprint()
    for url in ("https://example.org/logo.png", "file:///etc/passwd", "data:text/css,x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


# --- the page and the PDF: one drawing ------------------------------------------------


def _project(orgs):
    return printed_project(orgs.elderly_centre)


def _overall(organisation, form, **fields):
    filing = Filing.objects.create(
        organisation=organisation,
        form=form,
        year=2024,
        name="上海市闵行区民政局(汇总)",
        funding_mode="部门预算",
        duties="部门职责第一段\n部门职责第二段",
        annual_goal="年度履职目标",
        budget_total=Decimal("476373173.65"),
        budget_fiscal=Decimal("476373173.65"),
        budget_other=Decimal("0"),
        staff_count=24,
        internal_bodies=8,
        input_note="根据沪财绩【2022】13号文的规定要求设置三级指标和指标值",
        **fields,
    )
    Task.objects.create(filing=filing, order=1, name="大力推动民政数字化转型", content="内容一")
    Task.objects.create(filing=filing, order=2, name="全面推进社区治理精细化", content="内容二")
    order = 0
    for order, level2 in enumerate(Level2.objects.filter(level1__name="投入管理指标"), 1):
        Indicator.objects.create(filing=filing, level2=level2, order=order)
    for name, level2 in (("社会组织扶持奖励数", "数量指标"), ("验收合格率", "质量指标")):
        indicator = Indicator(
            filing=filing,
            level2=Level2.objects.get(level1__name="产出指标", name=level2),
            order=order + 1,
            name=name,
        )
        indicator.set_value("=48.00(家)")
        indicator.save()
        order += 1
    return filing


FILINGS = {
    "project": _project,
    "unit": lambda orgs: _overall(orgs.elderly_centre, Filing.Form.UNIT),
    "department": lambda orgs: _overall(
        orgs.civil_affairs,
        Filing.Form.DEPARTMENT,
        subordinate_units=10,
        assets_total=Decimal("117172292.09"),
    ),
}


def _beside_rows(cells):
    """The cells without 绩效指标, which runs down beside the indicator rows.

    The page prints it in the heading row; the PDF, whose heading repeats on each page
    and so cannot span into the body, prints it beside the first indicator row.
    """
    return [cell for cell in cells if cell != "绩效指标"]


@pytest.mark.parametrize("form", FILINGS)
def test_page_and_pdf_print_the_same_labels_and_values_in_the_same_order(
    client, personas, orgs, form
):
    filing = FILINGS[form](orgs)
    client.force_login(personas.admin)
    response = client.get(reverse("filings:detail", args=[filing.pk]))
    assert response.status_code == 200
    page = CellsOnPage(response.content.decode(), "official-form")
    data = pdf.filing_pdf(filing_document(filing))
    assert len(PdfReader(io.BytesIO(data)).pages) == 1  # no label printed again on a new page

    printed = printed_cells(data)
    assert _beside_rows(page.cells) == _beside_rows(printed)
    assert page.cells.count("绩效指标") == printed.count("绩效指标")
    assert norm(page_texts(data)[0]).startswith(page.title + page.subtitle)


@pytest.mark.parametrize("form", FILINGS)
def test_page_and_pdf_print_the_same_2021_columns(client, personas, orgs, form):
    filing = FILINGS[form](orgs)
    first = filing.indicators.exclude(name="").first()
    filing.indicators.filter(pk=first.pk).update(
        weight=Decimal("12"), core=True, basis="历史标准", basis_text="2025年完成30场"
    )
    client.force_login(personas.admin)
    response = client.get(reverse("filings:detail", args=[filing.pk]))
    page = CellsOnPage(response.content.decode(), "official-form")
    printed = printed_cells(pdf.filing_pdf(filing_document(filing)))
    for cell in (
        "指标解释",
        "指标值设定依据",
        "指标方向",
        "分值",
        "历史标准：2025年完成30场",
        "12",
    ):
        assert cell in page.cells and cell in printed, cell
    assert norm(f"★{first.name}") in page.cells
    assert _beside_rows(page.cells) == _beside_rows(printed)


# --- 绩效目标审核表 ---------------------------------------------------------------------


def test_review_sheet_prints_the_decided_review(personas, orgs):
    filing = submitted(ready_filing(orgs.elderly_centre, name="社区助餐项目"), personas.filer)
    workflow.decide(
        filing,
        personas.department_reviewer,
        seen_version=filing.lock_version,
        decision="approve",
        sheet=_full_sheet(to_improve="补充满意度调查方式。"),
    )
    review = Review.objects.get(filing=filing)
    data = pdf.review_sheet_pdf(review)

    (text,) = page_texts(data)
    assert text.startswith("绩效目标审核表")
    printed = printed_cells(data)
    for label, value in [
        ("项目（单位）名称", "社区助餐项目"),
        ("总体目标", "总体目标明确。"),
        ("产出指标", "产出指标可衡量。"),
        ("效益指标", "效益指标合理。"),
        ("满意度指标", "满意度指标规范。"),
        ("资金", "资金测算清楚。"),
        ("需补充完善事项", "补充满意度调查方式。"),
        ("完整性", "优"),
        ("可行性", "中"),
        ("审核等级", "优"),
        ("审核结论", "审核通过"),
        ("审核环节", "主管部门审核"),
    ]:
        assert printed[printed.index(label) + 1] == value, label
    assert review.reviewer_name in printed
    assert f"内容摘要 {review.version.short_hash}" in text


def test_page_and_pdf_print_the_same_review_sheet_in_the_same_order(client, personas, orgs):
    filing = submitted(ready_filing(orgs.elderly_centre, name="社区助餐项目"), personas.filer)
    review = workflow.decide(
        filing,
        personas.department_reviewer,
        seen_version=filing.lock_version,
        decision="return",
        sheet=_full_sheet(grade="中", to_improve="补充满意度调查方式。\n说明抽样方法。"),
    )
    client.force_login(personas.department_reviewer)
    response = client.get(reverse("review:review_sheet", args=[filing.pk, review.pk]))
    assert response.status_code == 200
    page = CellsOnPage(response.content.decode(), "review-sheet")
    data = pdf.review_sheet_pdf(Review.objects.get(pk=review.pk))

    assert page.cells == printed_cells(data)
    assert norm(page_texts(data)[0]).startswith(page.title + page.subtitle)
    assert page.title + page.subtitle == "绩效目标审核表（2024年度）"
    labels = [
        "项目（单位）名称", "填报单位", "申报表", "审核版本", "审核环节", "审核人",
        "审核意见", "总体目标", "产出指标", "效益指标", "满意度指标", "资金", "需补充完善事项",
        "审核评定（优/良/中/差）", "完整性", "相关性", "适当性", "可行性",
        "审核等级", "审核结论", "审核人（签字）", "审核单位（盖章）", "审核日期",
    ]  # fmt: skip
    assert [cell for cell in page.cells if cell in labels] == labels
    to_improve = page.cells[page.cells.index("需补充完善事项") + 1]
    assert to_improve == "补充满意度调查方式。说明抽样方法。"
    assert page.cells[page.cells.index("审核结论") + 1] == "退回修改（重新审核）"


def test_review_sheet_is_the_paper_one_filer_unit_ink_space_and_one_date_format(personas, orgs):
    filing = submitted(ready_filing(orgs.elderly_centre, name="社区助餐项目"), personas.filer)
    review = workflow.decide(
        filing,
        personas.department_reviewer,
        seen_version=filing.lock_version,
        decision="approve",
        sheet=_full_sheet(),
    )
    data = pdf.review_sheet_pdf(Review.objects.get(pk=review.pk))
    printed = printed_cells(data)

    # 填报单位 is the filer's own unit, not the bureau above it.
    assert printed[printed.index("填报单位") + 1] == norm(orgs.elderly_centre.name)
    # Signature and stamp: blank for ink, the typed name and unit small in the corner.
    assert printed[printed.index("审核人（签字）") + 1] == norm(review.reviewer_name)
    unit = personas.department_reviewer.organisation.name
    assert printed[printed.index("审核单位（盖章）") + 1] == norm(unit)
    with pdfplumber.open(io.BytesIO(data)) as document:
        page = document.pages[0]
        cell = next(
            c for t in page.find_tables() for c in t.cells if _text_in(page, c) == norm(unit)
        )
        chars = page.crop(cell).chars
    assert max(c["size"] for c in chars) < 9  # small type, not the sheet's 10pt
    assert min(c["top"] for c in chars) - cell[1] > 12 * MM  # room for a stamp above it
    # One date format everywhere on the sheet: 2026年12月2日.
    (text,) = page_texts(data)
    assert not re.search(r"\d{4}-\d{1,2}-\d{1,2}", text)
    day = timezone.localdate()
    assert text.count(f"{day.year}年{day.month}月{day.day}日") == 2  # submitted and decided


def _text_in(page, bbox):
    return norm(page.crop(bbox).extract_text())
