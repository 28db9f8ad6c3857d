"""Export jobs (exports/jobs.py): which filings, chunks, progress, failure, files.

The jobs run here in the test's process, step by step (``run_chunk``,
``assemble``), with the real renderers; tests/ops/test_celery_worker.py runs them
on a real Celery worker.
"""

import contextlib
import io
import zipfile
from datetime import timedelta

import openpyxl
import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from exports import dispatch, jobs, pdf, workers
from exports.models import ExportChunk, ExportJob
from filings.models import Filing
from perfgoals.celery import get_app
from review import workflow
from tests.conftest import make_filing
from tests.factories import imported_filing, take_version

Kind = ExportJob.Kind


@pytest.fixture
def filings(filings):
    # The centre's filing submitted once: its department sees a unit's filing from then on.
    take_version(filings["centre"])
    return filings


@pytest.fixture(autouse=True)
def _inline_jobs(settings):
    # Jobs run in the test's process (tests/ops/test_celery_worker.py runs them on a worker),
    # whatever the environment says; EXPORT_ROOT is a temporary folder (tests/conftest.py).
    settings.CELERY_BROKER_URL = ""


def _pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def _job(pk):
    return ExportJob.objects.get(pk=pk)


class TestWhichFilings:
    def test_department_reviewer_gets_the_department_and_its_units(self, personas, filings, orgs):
        job = jobs.create_job(personas.department_reviewer, orgs.civil_affairs, 2024, Kind.PDF_ZIP)
        assert set(job.filing_ids) == {filings["civil"].pk, filings["centre"].pk}
        # The department's own filing first, then its units'.
        assert job.filing_ids[0] == filings["civil"].pk

    def test_department_filer_gets_only_its_own_organisations_filings(
        self, personas, filings, orgs
    ):
        # The subtree holds the unit's filing too, but a filer sees only its own.
        job = jobs.create_job(personas.department_filer, orgs.civil_affairs, 2024, Kind.PDF_ZIP)
        assert job.filing_ids == [filings["civil"].pk]

    def test_filer_cannot_choose_another_organisation(self, personas, filings, orgs):
        with pytest.raises(jobs.JobRefused, match="不能导出这个组织"):
            jobs.create_job(personas.filer, orgs.civil_affairs, 2024, Kind.PDF_ZIP)
        with pytest.raises(jobs.JobRefused):
            jobs.create_job(personas.filer, orgs.disabled_federation, 2024, Kind.PDF_ZIP)

    def test_reviewer_of_another_bureau_cannot_export_it(self, personas, filings, orgs):
        with pytest.raises(jobs.JobRefused):
            jobs.create_job(
                personas.outside_finance_reviewer, orgs.minhang_bureau, 2024, Kind.PDF_ZIP
            )
        assert not ExportJob.objects.exists()

    def test_admin_exports_any_organisation(self, personas, filings, orgs):
        job = jobs.create_job(personas.admin, orgs.city_bureau, 2024, Kind.PDF_ZIP)
        assert job.filing_ids == [filings["federation"].pk]

    def test_year_form_and_status_narrow_the_choice(self, personas, filings, orgs):
        make_filing(orgs.elderly_centre, name="去年的项目", year=2023)
        overall = make_filing(orgs.elderly_centre, name="老龄中心整体", form=Filing.Form.UNIT)
        approved = imported_filing(orgs.elderly_centre, name="已批复项目")

        reviewer = personas.finance_reviewer
        bundle = jobs.create_job(reviewer, orgs.minhang_bureau, 2024, Kind.PROJECT_BUNDLE)
        assert overall.pk not in bundle.filing_ids and len(bundle.filing_ids) == 3
        whole = jobs.create_job(reviewer, orgs.minhang_bureau, 2024, Kind.OVERALL_BUNDLE)
        assert whole.filing_ids == [overall.pk]
        only_approved = jobs.create_job(
            reviewer, orgs.minhang_bureau, 2024, Kind.PDF_ZIP, filing_status="approved"
        )
        assert only_approved.filing_ids == [approved.pk]
        units = jobs.create_job(reviewer, orgs.minhang_bureau, 2024, Kind.PDF_ZIP, form="unit")
        assert units.filing_ids == [overall.pk]

    def test_nothing_to_export_is_refused_in_chinese(self, personas, filings, orgs):
        with pytest.raises(jobs.JobRefused, match="2031年度没有符合条件的申报"):
            jobs.create_job(personas.admin, orgs.minhang_bureau, 2031, Kind.PDF_ZIP)


@pytest.fixture
def five(orgs, personas, settings):
    """Five projects of the elderly centre, chunked by two: chunks of 2, 2 and 1."""
    settings.EXPORT_CHUNK_SIZE = 2
    for n in range(1, 6):
        make_filing(orgs.elderly_centre, name=f"第{n}号项目")
    return jobs.create_job(personas.filer, orgs.elderly_centre, 2024, Kind.PROJECT_BUNDLE)


class TestChunksAndProgress:
    def test_filings_are_split_into_chunks(self, five):
        chunks = list(five.chunks.values_list("index", "start", "size"))
        assert chunks == [(0, 0, 2), (1, 2, 2), (2, 4, 1)]
        assert five.total == 5 and five.status == ExportJob.Status.QUEUED

    def test_progress_counts_each_chunk_once(self, five):
        jobs.run_chunk(five.pk, 0)
        job = _job(five.pk)
        assert (job.status, job.done, job.percent) == (ExportJob.Status.RUNNING, 2, 40)
        # Delivered again (a worker died before acknowledging it): counted once.
        jobs.run_chunk(five.pk, 0)
        assert _job(five.pk).done == 2
        assert ExportChunk.objects.get(job=five, index=0).attempts == 1

    def test_last_chunk_assembles_the_bundle(self, five):
        for index in (2, 0, 1):  # in any order, as workers finish them
            jobs.run_chunk(five.pk, index)
        job = _job(five.pk)
        assert (job.status, job.done, job.percent) == (ExportJob.Status.DONE, 5, 100)
        assert job.output_name == "上海市闵行区老龄事业发展中心2024年度项目绩效目标汇总表.pdf"
        content = jobs.output_file(job).read_bytes()
        assert content.startswith(b"%PDF")
        text = _pdf_text(content)
        assert "上海市闵行区老龄事业发展中心2024年度项目绩效目标汇总表" in text
        positions = [text.rindex(f"第{n}号项目") for n in range(1, 6)]
        assert positions == sorted(positions), "the forms are in print order"
        # Three chunks printed apart, numbered as one bundle: the 目录, then a page a form.
        with pdfplumber.open(io.BytesIO(content)) as document:
            pages = [page.extract_text() for page in document.pages]
        assert [page.count("汇总表第") for page in pages] == [1] * 6
        assert all(f"汇总表第{n}页 共6页" in page for n, page in enumerate(pages, start=1))
        # The parts are gone once the bundle is made.
        assert not jobs.parts_folder(job).exists()

    def test_assembling_twice_leaves_one_good_file(self, five):
        jobs.run_inline(five.pk)
        job = _job(five.pk)
        first = jobs.output_file(job).read_bytes()
        jobs.assemble(five.pk)  # a duplicate request: the job is done, nothing changes
        assert jobs.output_file(_job(five.pk)).read_bytes() == first

    def test_an_approved_filing_is_printed_from_its_approved_version(self, personas, orgs):
        filing = imported_filing(orgs.elderly_centre, name="批复时的名称")
        Filing.objects.filter(pk=filing.pk).update(name="后来改的名称")
        job = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, Kind.PROJECT_BUNDLE)
        jobs.run_inline(job.pk)
        text = _pdf_text(jobs.output_file(_job(job.pk)).read_bytes())
        assert "批复时的名称" in text and "后来改的名称" not in text
        assert "第1版" in text

    def test_zip_holds_one_pdf_per_filing(self, five, personas, orgs):
        job = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, Kind.PDF_ZIP)
        jobs.run_inline(job.pk)
        job = _job(job.pk)
        assert job.output_name.endswith(".zip")
        with zipfile.ZipFile(jobs.output_file(job)) as archive:
            names = archive.namelist()
            assert len(names) == 5
            assert names[0] == "0001_上海市闵行区老龄事业发展中心_第1号项目.pdf"
            first = archive.read(names[0])
        assert first.startswith(b"%PDF") and "第1号项目" in _pdf_text(first)

    def test_form_workbook_has_a_sheet_per_filing(self, five, personas, orgs):
        job = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, Kind.FORM_WORKBOOK)
        jobs.run_inline(job.pk)
        job = _job(job.pk)
        assert job.status == ExportJob.Status.DONE, job.error
        workbook = openpyxl.load_workbook(jobs.output_file(job))
        assert workbook.sheetnames[0] == "目录"
        assert len(workbook.sheetnames) == 1 + 5

    def test_flat_workbook_is_one_step(self, five, personas, orgs):
        job = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, Kind.FLAT_WORKBOOK)
        assert job.chunks.count() == 1
        jobs.run_inline(job.pk)
        job = _job(job.pk)
        assert job.status == ExportJob.Status.DONE, job.error
        workbook = openpyxl.load_workbook(jobs.output_file(job))
        values = {c.value for row in workbook.worksheets[0].iter_rows() for c in row}
        assert "第3号项目" in values


class TestFailures:
    def test_filing_deleted_mid_job_fails_the_job_in_chinese(self, five):
        jobs.run_chunk(five.pk, 0)
        Filing.objects.filter(pk=five.filing_ids[4]).delete()
        jobs.run_chunk(five.pk, 1)
        jobs.run_chunk(five.pk, 2)
        job = _job(five.pk)
        assert job.status == ExportJob.Status.FAILED
        assert "被删除" in job.error
        assert jobs.output_file(job) is None
        # Another chunk of the failed job does nothing.
        jobs.run_chunk(five.pk, 1)
        assert _job(five.pk).status == ExportJob.Status.FAILED

    def test_no_cjk_font_fails_the_job_with_its_message(self, five, monkeypatch):
        # The fontconfig query is the seam tests/web/test_export_pdf.py uses too.
        monkeypatch.setattr(pdf, "_cjk_families", lambda: frozenset())
        jobs.run_chunk(five.pk, 0)
        job = _job(five.pk)
        assert job.status == ExportJob.Status.FAILED
        assert "中文字体" in job.error

    def test_chunk_that_keeps_killing_its_worker_is_given_up(self, five):
        ExportChunk.objects.filter(job=five, index=0).update(attempts=jobs.MAX_ATTEMPTS)
        jobs.run_chunk(five.pk, 0)
        job = _job(five.pk)
        assert job.status == ExportJob.Status.FAILED
        assert "尝试导出 3 次" in job.error

    def test_a_job_without_progress_is_failed_not_left_running(self, five, settings):
        jobs.run_chunk(five.pk, 0)
        ExportJob.objects.filter(pk=five.pk).update(
            updated_at=timezone.now() - timedelta(minutes=settings.EXPORT_STALL_MINUTES + 1)
        )
        job = jobs.refresh(_job(five.pk))
        assert job.status == ExportJob.Status.FAILED
        assert "没有进展" in job.error

    def test_a_recent_job_is_left_alone(self, five):
        assert jobs.refresh(_job(five.pk)).status == ExportJob.Status.QUEUED

    def test_a_stalled_job_nobody_looks_at_is_failed_then_deleted(self, five, settings):
        ExportJob.objects.filter(pk=five.pk).update(
            updated_at=timezone.now() - timedelta(minutes=settings.EXPORT_STALL_MINUTES + 1)
        )
        assert jobs.cleanup() == 0
        job = _job(five.pk)
        assert job.status == ExportJob.Status.FAILED and job.expires_at
        assert jobs.cleanup(now=job.expires_at + timedelta(seconds=1)) == 1

    def test_broker_down_fails_the_job_at_once(
        self, five, settings, django_capture_on_commit_callbacks
    ):
        # Nothing listens on port 1: the chunks cannot be sent.
        settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
        with django_capture_on_commit_callbacks(execute=True):
            assert dispatch.start(five) is None
        job = _job(five.pk)
        assert job.status == ExportJob.Status.FAILED
        assert "消息队列无法连接" in job.error


class TestPrintingAhead:
    """A version made official is sent to a worker to be printed (review.signals)."""

    @pytest.fixture
    def sent(self, settings, monkeypatch):
        settings.CELERY_BROKER_URL = "redis://broker.invalid/0"
        sent = []
        monkeypatch.setattr(workers, "broker", contextlib.nullcontext)
        monkeypatch.setattr(
            get_app(),
            "send_task",
            lambda name, args, **options: sent.append((name, args, options["queue"])),
        )
        return sent

    def test_an_approved_version_is_sent_once_the_import_commits(
        self, orgs, sent, settings, django_capture_on_commit_callbacks
    ):
        filing = make_filing(orgs.elderly_centre, status="approved")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            workflow.record_import(filing, source="测试")
        assert sent == []  # not before the commit
        for callback in callbacks:
            callback()
        filing.refresh_from_db()
        assert sent == [
            (
                "filings.keep_version_pdf",
                (filing.approved_version_id,),
                settings.CELERY_TASK_DEFAULT_QUEUE,
            )
        ]

    def test_without_workers_nothing_is_sent(
        self, orgs, sent, settings, django_capture_on_commit_callbacks
    ):
        settings.CELERY_BROKER_URL = ""
        filing = make_filing(orgs.elderly_centre, status="approved")
        with django_capture_on_commit_callbacks(execute=True):
            workflow.record_import(filing, source="测试")
        assert sent == []


class TestAccessAndCleanup:
    def test_a_job_is_its_creators_only(self, five, personas):
        assert list(jobs.jobs_of(personas.filer)) == [five]
        for other in (personas.department_reviewer, personas.admin, personas.outsider):
            assert not jobs.jobs_of(other).exists()

    def test_a_job_of_an_organisation_the_user_no_longer_sees_is_hidden(self, five, personas):
        personas.filer.organisation = Organisation.objects.get(name="上海市残疾人联合会")
        personas.filer.save()
        assert not jobs.jobs_of(personas.filer).exists()

    def test_expired_jobs_are_deleted_with_their_files_when_a_job_is_created(
        self, five, personas, orgs
    ):
        jobs.run_inline(five.pk)
        old = _job(five.pk)
        path = jobs.output_file(old)
        assert path.is_file()
        ExportJob.objects.filter(pk=five.pk).update(expires_at=timezone.now() - timedelta(1))
        fresh = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, Kind.PDF_ZIP)
        assert list(ExportJob.objects.all()) == [fresh]
        assert not path.exists() and not jobs.job_folder(old).exists()

    def test_finished_jobs_expire_after_the_keep_time(self, five, settings):
        jobs.run_inline(five.pk)
        job = _job(five.pk)
        keep = job.expires_at - job.finished_at
        assert keep == timedelta(hours=settings.EXPORT_KEEP_HOURS)
        assert jobs.cleanup(now=job.finished_at + keep - timedelta(minutes=1)) == 0
        assert jobs.cleanup(now=job.finished_at + keep + timedelta(minutes=1)) == 1


def test_admin_site_lists_jobs_read_only(client, five, personas):
    client.force_login(personas.admin)
    listing = client.get(reverse("admin:exports_exportjob_changelist"))
    assert listing.status_code == 200 and "排队中" in listing.content.decode()
    page = client.get(reverse("admin:exports_exportjob_change", args=[five.pk]))
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    chunks = client.get(reverse("admin:exports_exportchunk_changelist"))
    assert chunks.status_code == 200
