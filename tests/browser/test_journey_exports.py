"""Exports in Chromium: a filing's PDF and Excel downloads, and a bundle job on the export page.

The live server runs jobs inline (no CELERY_BROKER_URL), in a thread, as the demo does.
"""

import openpyxl
import pdfplumber
import pytest
from playwright.sync_api import expect

from tests.factories import take_version

# A bundle of two forms takes a few seconds to lay out on a slow machine.
JOB_TIMEOUT_MS = 60_000


@pytest.fixture(autouse=True)
def _inline_jobs(settings):
    # Jobs run in the test's process (tests/ops/test_celery_worker.py runs them on a worker),
    # whatever the environment says; EXPORT_ROOT is a temporary folder (tests/conftest.py).
    settings.CELERY_BROKER_URL = ""


def _pdf_text(path):
    with pdfplumber.open(path) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def _download(page, link, tmp_path):
    with page.expect_download() as info:
        link.click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path


def test_filing_downloads_and_a_bundle_job(
    page, login, shot, axe_violations, personas, filings, tmp_path
):
    centre = filings["centre"]
    login(page, personas.filer)
    page.goto(f"/filings/{centre.pk}/")
    shot(page, "filing-page")

    name, path = _download(page, page.get_by_role("link", name="下载PDF"), tmp_path)
    assert name == "2024年度_老龄中心项目_绩效目标申报表.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    assert "老龄中心项目" in _pdf_text(path)

    name, path = _download(page, page.get_by_role("link", name="下载Excel"), tmp_path)
    assert name == "2024年度_老龄中心项目_绩效目标申报表.xlsx"
    workbook = openpyxl.load_workbook(path)
    values = {c.value for sheet in workbook for row in sheet.iter_rows() for c in row}
    assert "老龄中心项目" in values

    # The department's reviewer exports the department's projects as one bundle. A unit's
    # filing is the department's to see once it was submitted (it has a version).
    take_version(centre)
    login(page, personas.department_reviewer)
    page.get_by_test_id("nav-exports").click()
    expect(page.get_by_role("heading", name="导出申报表")).to_be_visible()
    form = page.get_by_test_id("export-form")
    form.get_by_label("组织").select_option(label="上海市闵行区民政局")
    form.get_by_label("年度").select_option(label="2024年度")
    form.get_by_label("导出内容").select_option(label="项目绩效目标汇总表（PDF）")
    # The state filter starts on 已批复; these two projects are drafts.
    expect(form.get_by_label("申报状态")).to_have_value("approved")
    form.get_by_label("申报状态").select_option(label="全部状态")
    shot(page, "export-form")
    form.get_by_role("button", name="开始导出").click()
    expect(page.get_by_text("已开始导出 2 份申报")).to_be_visible()

    row = page.locator("[data-export-job]").first
    download = row.get_by_role("link", name="下载")
    expect(download).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(row.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(row).to_contain_text("已完成")
    expect(row).to_contain_text("2/2")
    shot(page, "export-done")

    name, path = _download(page, download, tmp_path)
    assert name == "上海市闵行区民政局2024年度项目绩效目标汇总表.pdf"
    text = _pdf_text(path)
    assert "上海市闵行区民政局2024年度项目绩效目标汇总表" in text
    assert "民政局项目" in text and "老龄中心项目" in text
    assert "残联项目" not in text

    violations = axe_violations(page)
    serious = [(v["id"], v["help"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"accessibility violations on the export page: {serious}"
