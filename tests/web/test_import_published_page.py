"""导入已公开的申报表 in the browser: admins only, the preview before anything is saved.

The page takes what ``import_published`` takes (PDF, .xlsx, text in any of the
encodings) through the same readers; the preview lists the filings with their
organisation and warnings (naming the page of a PDF) and saves nothing; the
confirmation saves the file whole.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.models import AuditEvent
from exports.document import filing_document
from exports.pdf import filing_pdf
from filings import demo
from filings.models import Filing
from importers.loader import import_file
from tests.conftest import PUBLISHED
from tests.helpers.pdf import norm, page_texts

SEED_FILES = sorted(PUBLISHED.glob("*.txt"))
URL = "importers:import_published"
CONFIRM = "importers:import_published_confirm"


@pytest.fixture
def seed_orgs(personas):
    demo.load_organisations(demo.read_demo())
    return personas


def _upload(client, content, name, **options):
    return client.post(
        reverse(URL), {"file": SimpleUploadedFile(name, content), **options}, follow=False
    )


def test_only_admins_get_the_page_and_see_it_in_the_menu(client, personas):
    client.force_login(personas.filer)
    assert client.get(reverse(URL)).status_code == 403
    client.force_login(personas.admin)
    page = client.get(reverse(URL))
    assert page.status_code == 200
    assert 'data-testid="nav-import-published"' in page.content.decode()
    assert client.get(reverse(CONFIRM)).status_code == 405


def test_gb18030_text_is_previewed_then_saved_on_confirm(client, seed_orgs):
    client.force_login(seed_orgs.admin)
    content = SEED_FILES[0].read_text(encoding="utf-8").encode("gb18030")
    preview = _upload(client, content, "民生保障.txt")
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "文件「民生保障.txt」中有 1 份申报" in text
    assert "<td>民生保障</td>" in text and "<td>服务办</td>" in text and "<td>62</td>" in text
    assert "像是时效指标" in text
    assert not Filing.objects.exists()  # nothing saved before the confirmation

    done = client.post(reverse(CONFIRM), {"payload": preview.context["payload"]})
    assert done.status_code == 302
    filing = Filing.objects.get()
    assert (filing.name, filing.organisation.name, filing.indicators.count()) == (
        "民生保障",
        "服务办",
        62,
    )
    assert AuditEvent.objects.filter(description__contains="民生保障.txt").exists()


def test_a_pdf_previews_with_warnings_naming_the_page(client, seed_orgs):
    client.force_login(seed_orgs.admin)
    import_file(SEED_FILES[0])
    filing = Filing.objects.get()
    pdf = filing_pdf(filing_document(filing))
    preview = _upload(client, pdf, "民生保障.pdf", year="2024")
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "第 1 页：表上年度为 2023 年，按指定的 2024 年读取" in text
    pages = page_texts(pdf)
    page = next(n for n, page in enumerate(pages, 1) if "普及培训、救护员培训及时性" in norm(page))
    assert f"第 {page} 页：三级指标「普及培训、救护员培训及时性」像是时效指标" in text
    assert Filing.objects.count() == 1


def test_a_file_the_import_would_refuse_is_refused_on_the_preview(client, seed_orgs):
    client.force_login(seed_orgs.admin)
    import_file(SEED_FILES[0])  # the same filing is already there
    refused = _upload(client, SEED_FILES[0].read_bytes(), "民生保障.txt")
    assert refused.status_code == 400
    assert "已有《民生保障》" in refused.content.decode()


def test_a_scan_is_refused_saying_it_has_no_text(client, personas):
    client.force_login(personas.admin)
    scan = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(scan, format="PDF")
    refused = _upload(client, scan.getvalue(), "扫描件.pdf")
    assert refused.status_code == 400
    assert "没有文字层（像是扫描件或图片）" in refused.content.decode()


def test_a_pdf_longer_than_the_page_takes_is_refused_before_reading_it(client, personas):
    client.force_login(personas.admin)
    pages = [Image.new("RGB", (10, 10), "white") for _ in range(61)]
    long_pdf = io.BytesIO()
    pages[0].save(long_pdf, format="PDF", save_all=True, append_images=pages[1:])
    refused = _upload(client, long_pdf.getvalue(), "预算.pdf")
    assert refused.status_code == 400
    assert "PDF 文件有 61 页，超过 60 页的上限" in refused.content.decode()


def test_a_tampered_confirmation_saves_nothing(client, personas):
    client.force_login(personas.admin)
    refused = client.post(reverse(CONFIRM), {"payload": "x:y:z"})
    assert refused.status_code == 400
    assert "确认信息无效" in refused.content.decode()
    assert not Filing.objects.exists()
