"""``manage.py prune_exports``, run hourly by perfgoals-prune-exports.timer.

Starting an export cleans up too, but a quiet site starts none: the timer's
command deletes expired jobs with their files, and kept PDFs of versions not
printed for ``EXPORT_KEEP_FORMS_DAYS``, without anyone exporting.
"""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from exports import jobs
from exports.models import ExportJob
from tests.factories import make_filing

pytestmark = pytest.mark.django_db


def test_expired_jobs_and_unused_kept_pdfs_are_deleted(personas, orgs, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path
    settings.CELERY_BROKER_URL = ""
    make_filing(orgs.elderly_centre, name="到期的导出")
    expired = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, "project_bundle")
    kept = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, "project_bundle")
    folder = jobs.job_folder(expired)
    folder.mkdir(parents=True)
    (folder / "output.pdf").write_bytes(b"%PDF")
    ExportJob.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    forms = tmp_path / "forms" / "ab"
    forms.mkdir(parents=True)
    unused, recent = forms / "unused.pdf", forms / "recent.pdf"
    for path in (unused, recent):
        path.write_bytes(b"%PDF")
    days_ago = time.time() - (settings.EXPORT_KEEP_FORMS_DAYS + 1) * 86400
    os.utime(unused, (days_ago, days_ago))

    out = io.StringIO()
    call_command("prune_exports", stdout=out)

    assert out.getvalue() == "已清理过期导出任务 1 个。\n"
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not folder.exists()
    assert not unused.exists() and recent.exists()
