"""Downloads of one filing (PDF, Excel, 审核表) and the export page of batch jobs."""

import io
import threading
from urllib.parse import quote

import openpyxl
import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone

from exports import jobs, pdf
from exports.models import ExportJob
from filings.models import Filing, FilingVersion, content_hash
from filings.serialization import export_queryset, filing_to_dict
from review.models import Review
from tests.factories import do, imported_filing, take_version


@pytest.fixture(autouse=True)
def _inline_jobs(settings):
    # Jobs run in the test's process (tests/ops/test_celery_worker.py runs them on a worker),
    # whatever the environment says; EXPORT_ROOT is a temporary folder (tests/conftest.py).
    settings.CELERY_BROKER_URL = ""


def _pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def _workbook_text(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value}


def _filename(response):
    """The file name of an attachment, from its RFC 5987 ``filename*``."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    assert "filename*=utf-8''" in header, header
    return header.split("filename*=utf-8''", 1)[1]


def _get(client, user, name, *args, query=""):
    client.force_login(user)
    return client.get(reverse(name, args=args) + query)


class TestFilingDownloads:
    def test_pdf_has_the_filing_and_a_good_name(self, client, personas, filings):
        filing = filings["centre"]
        response = _get(client, personas.filer, "exports:export_pdf", filing.pk)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = _pdf_text(response.content)
        assert "老龄中心项目" in text and "培训人数" in text
        assert _filename(response) == quote("2024年度_老龄中心项目_绩效目标申报表.pdf")

    def test_excel_opens_and_has_the_filing(self, client, personas, filings):
        filing = filings["centre"]
        take_version(filing)  # submitted once: the department sees a unit's filing
        response = _get(client, personas.department_reviewer, "exports:export_excel", filing.pk)
        assert response.status_code == 200
        assert response["Content-Type"] == jobs.CONTENT_TYPES[".xlsx"]
        values = _workbook_text(response.content)
        assert "老龄中心项目" in values and "=100(%)" in values
        assert _filename(response) == quote("2024年度_老龄中心项目_绩效目标申报表.xlsx")

    @pytest.mark.parametrize("name", ["exports:export_pdf", "exports:export_excel"])
    def test_outsider_gets_404(self, client, personas, filings, name):
        response = _get(client, personas.outsider, name, filings["centre"].pk)
        assert response.status_code == 404
        assert "老龄中心项目".encode() not in response.content

    def test_anonymous_is_sent_to_login(self, client, filings):
        response = client.get(reverse("exports:export_pdf", args=[filings["centre"].pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_no_cjk_font_is_a_chinese_page_not_a_500(self, client, personas, filings, monkeypatch):
        monkeypatch.setattr(pdf, "_cjk_families", lambda: frozenset())
        response = _get(client, personas.filer, "exports:export_pdf", filings["centre"].pk)
        assert response.status_code == 503
        assert "中文字体" in response.content.decode()
        assert "fonts-noto-cjk" in response.content.decode()


@pytest.fixture
def adjusting(orgs, personas):
    """An approved filing (version 1) under adjustment, renamed in the draft since."""
    filing = imported_filing(orgs.elderly_centre, name="批复时的名称")
    do("adjust", filing, personas.filer)  # applied for, granted, opened
    Filing.objects.filter(pk=filing.pk).update(name="调整中的名称")
    return Filing.objects.get(pk=filing.pk)


class TestVersions:
    def test_approved_filing_prints_its_approved_version(self, client, personas, orgs):
        filing = imported_filing(orgs.elderly_centre, name="批复时的名称")
        # A change after approval that did not go through review is not printed.
        Filing.objects.filter(pk=filing.pk).update(name="未经审核的名称")
        response = _get(client, personas.finance_reviewer, "exports:export_pdf", filing.pk)
        text = _pdf_text(response.content)
        assert "批复时的名称" in text and "未经审核的名称" not in text
        assert "第1版" in text
        assert _filename(response) == quote("2024年度_批复时的名称_绩效目标申报表.pdf")

    def test_adjustment_offers_the_approved_version_and_the_draft(
        self, client, personas, adjusting
    ):
        page = _get(client, personas.filer, "filings:detail", adjusting.pk).content.decode()
        approved = reverse("exports:export_pdf", args=[adjusting.pk]) + "?version=1"
        assert f'href="{approved}"' in page and "下载PDF（批复第1版）" in page
        assert "下载PDF（调整稿）" in page and "下载Excel（调整稿）" in page

        official = _get(
            client, personas.filer, "exports:export_pdf", adjusting.pk, query="?version=1"
        )
        assert "批复时的名称" in _pdf_text(official.content)
        assert _filename(official) == quote("2024年度_批复时的名称_绩效目标申报表.pdf")
        draft = _get(client, personas.filer, "exports:export_pdf", adjusting.pk, query="?draft=1")
        draft_text = _pdf_text(draft.content)
        assert "调整中的名称" in draft_text and "非批复文本" in draft_text
        assert _filename(draft) == quote("2024年度_调整中的名称_绩效目标申报表_调整稿.pdf")
        excel = _get(
            client, personas.filer, "exports:export_excel", adjusting.pk, query="?version=1"
        )
        assert "批复时的名称" in _workbook_text(excel.content)

    @pytest.mark.parametrize("persona", ["filer", "finance_reviewer"])
    def test_open_adjustment_prints_the_approved_version_by_default(
        self, client, personas, adjusting, persona
    ):
        # The PDF and the Excel a reviewer or the filer downloads without asking for a
        # version are official outputs: the approved text, never the draft being adjusted.
        user = getattr(personas, persona)
        pdf_response = _get(client, user, "exports:export_pdf", adjusting.pk)
        text = _pdf_text(pdf_response.content)
        assert "批复时的名称" in text and "调整中的名称" not in text
        assert "非批复文本" not in text and "第1版" in text
        assert _filename(pdf_response) == quote("2024年度_批复时的名称_绩效目标申报表.pdf")
        excel = _get(client, user, "exports:export_excel", adjusting.pk)
        cells = _workbook_text(excel.content)
        assert "批复时的名称" in cells and "调整中的名称" not in cells

    @pytest.mark.parametrize("query", ["?version=9", "?version=abc", "?version=-1"])
    def test_unknown_version_is_404(self, client, personas, adjusting, query):
        response = _get(client, personas.filer, "exports:export_pdf", adjusting.pk, query=query)
        assert response.status_code == 404

    def test_plain_filing_offers_one_pdf_and_one_excel(self, client, personas, filings):
        page = _get(client, personas.filer, "filings:detail", filings["centre"].pk)
        text = page.content.decode()
        assert "下载PDF" in text and "下载Excel" in text and "批复第" not in text


@pytest.fixture
def reviewed(filings, personas):
    """The centre's filing, returned by its department with a 审核表."""
    filing = filings["centre"]
    snapshot = filing_to_dict(export_queryset(Filing.objects.filter(pk=filing.pk)).get())
    version = FilingVersion.objects.create(
        filing=filing,
        number=1,
        reason="submitted",
        snapshot=snapshot,
        content_hash=content_hash(snapshot),
    )
    return Review.objects.create(
        filing=filing,
        version=version,
        stage=Review.Stage.DEPARTMENT,
        reviewer=personas.department_reviewer,
        reviewer_name="审核员甲",
        opinion_goals="目标与职责相符。",
        to_improve="满意度指标请写明调查方式。",
        decision=Review.Decision.RETURN,
        decided_at=timezone.now(),
    )


class TestReviewSheetPdf:
    def test_filer_downloads_the_decided_sheet(self, client, personas, reviewed):
        response = _get(
            client, personas.filer, "exports:review_sheet_pdf", reviewed.filing_id, reviewed.pk
        )
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        text = _pdf_text(response.content)
        assert "绩效目标审核表" in text and "满意度指标请写明调查方式" in text
        assert _filename(response) == quote("2024年度_老龄中心项目_绩效目标审核表_主管部门审核.pdf")

    def test_the_sheet_page_links_to_its_pdf(self, client, personas, reviewed):
        page = _get(client, personas.filer, "review:review_sheet", reviewed.filing_id, reviewed.pk)
        pdf_url = reverse("exports:review_sheet_pdf", args=(reviewed.filing_id, reviewed.pk))
        assert f'href="{pdf_url}"' in page.content.decode()

    def test_sheet_in_progress_is_for_reviewers_only(self, client, personas, reviewed):
        Review.objects.filter(pk=reviewed.pk).update(decided_at=None, decision="")
        args = (reviewed.filing_id, reviewed.pk)
        assert _get(client, personas.filer, "exports:review_sheet_pdf", *args).status_code == 403
        reviewer = _get(client, personas.department_reviewer, "exports:review_sheet_pdf", *args)
        assert reviewer.status_code == 200

    def test_outsider_and_another_filings_review_get_404(self, client, personas, reviewed, filings):
        args = (reviewed.filing_id, reviewed.pk)
        assert _get(client, personas.outsider, "exports:review_sheet_pdf", *args).status_code == 404
        other = (filings["civil"].pk, reviewed.pk)  # the review, under another filing's URL
        response = _get(client, personas.admin, "exports:review_sheet_pdf", *other)
        assert response.status_code == 404


class TestExportPage:
    def test_reviewer_chooses_among_the_organisations_it_sees(self, client, personas, filings):
        page = _get(client, personas.department_reviewer, "exports:exports").content.decode()
        assert "上海市闵行区民政局" in page and "老龄事业发展中心" in page
        assert "上海市残疾人联合会" not in page and "闵行区财政局" not in page
        assert "2024年度" in page and "项目绩效目标汇总表（PDF）" in page

    def test_the_state_filter_starts_on_approved(self, client, personas, filings):
        page = _get(client, personas.department_reviewer, "exports:exports").content.decode()
        assert '<option value="approved" selected>已批复</option>' in page

    def test_nav_links_the_page_for_reviewers_and_admins_only(self, client, personas, filings):
        for user in (personas.department_reviewer, personas.finance_reviewer, personas.admin):
            assert (
                'data-testid="nav-exports"' in _get(client, user, "filings:list").content.decode()
            )
        assert (
            'data-testid="nav-exports"'
            not in _get(client, personas.filer, "filings:list").content.decode()
        )

    def test_user_without_an_organisation_gets_403(self, client, personas, filings):
        personas.finance_reviewer.organisation = None
        personas.finance_reviewer.save()
        assert _get(client, personas.finance_reviewer, "exports:exports").status_code == 403

    def test_get_on_start_is_405(self, client, personas):
        assert _get(client, personas.admin, "exports:export_start").status_code == 405

    def test_organisation_outside_the_users_tree_is_refused(self, client, personas, orgs, filings):
        client.force_login(personas.department_reviewer)
        response = client.post(
            reverse("exports:export_start"),
            {"organisation": orgs.disabled_federation.pk, "year": 2024, "kind": "pdf_zip"},
        )
        assert response.status_code == 400
        assert "组织：" in response.content.decode()
        assert not ExportJob.objects.exists()

    def test_nothing_to_export_says_so(self, client, personas, orgs, filings):
        client.force_login(personas.department_reviewer)
        response = client.post(
            reverse("exports:export_start"),
            {"organisation": orgs.civil_affairs.pk, "year": 2024, "kind": "overall_bundle"},
        )
        assert response.status_code == 400
        assert "没有符合条件的申报" in response.content.decode()


def _join_export_threads():
    for thread in threading.enumerate():
        if thread.name.startswith("export-job-"):
            thread.join(timeout=60)


@pytest.mark.django_db(transaction=True)
class TestJobOnThePage:
    """The demo's inline jobs: a thread of the web process, committed data (transaction=True)."""

    def test_start_follow_and_download_a_bundle(self, client, personas, orgs, filings):
        take_version(filings["centre"])  # submitted once: the department sees it
        client.force_login(personas.department_reviewer)
        response = client.post(
            reverse("exports:export_start"),
            {"organisation": orgs.civil_affairs.pk, "year": 2024, "kind": "project_bundle"},
        )
        assert response.status_code == 302
        _join_export_threads()
        job = ExportJob.objects.get()
        assert job.created_by == personas.department_reviewer
        status = client.get(reverse("exports:export_status", args=[job.pk])).json()
        assert status["status"] == "done", status
        assert (status["percent"], status["done"], status["total"]) == (100, 2, 2)
        assert status["download_url"] == reverse("exports:export_download", args=[job.pk])

        page = client.get(response["Location"]).content.decode()
        assert status["download_url"] in page and "已完成" in page
        download = client.get(status["download_url"])
        content = b"".join(download.streaming_content)
        assert content.startswith(b"%PDF")
        text = _pdf_text(content)
        assert "上海市闵行区民政局2024年度项目绩效目标汇总表" in text
        assert "民政局项目" in text and "老龄中心项目" in text
        assert _filename(download) == quote("上海市闵行区民政局2024年度项目绩效目标汇总表.pdf")

    def test_someone_elses_job_is_404(self, client, personas, orgs, filings):
        job = jobs.create_job(
            personas.department_reviewer, orgs.civil_affairs, 2024, ExportJob.Kind.PDF_ZIP
        )
        jobs.run_inline(job.pk)
        # A colleague with the same rights, an admin, an outsider: none sees another's job.
        for user in (personas.finance_reviewer, personas.admin, personas.outsider):
            client.force_login(user)
            for name in ("exports:export_status", "exports:export_download"):
                response = client.get(reverse(name, args=[job.pk]))
                assert response.status_code == 404
                assert "老龄中心项目".encode() not in b"".join(response)

    def test_download_before_done_is_404(self, client, personas, orgs, filings):
        job = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, ExportJob.Kind.PDF_ZIP)
        response = _get(client, personas.filer, "exports:export_download", job.pk)
        assert response.status_code == 404
        status = client.get(reverse("exports:export_status", args=[job.pk])).json()
        assert (status["status"], status["status_label"]) == ("queued", "排队中")
