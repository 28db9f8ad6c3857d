"""check_integrity and attachments: a version's files must be there, byte for byte."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from attachments import services
from attachments.models import Attachment
from tests.factories import bring_to, ready_filing
from tests.helpers import attachment_files as files


def _run():
    out, err = StringIO(), StringIO()
    try:
        call_command("check_integrity", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def submitted(orgs, personas):
    filing = ready_filing(orgs.elderly_centre, name="老龄中心项目")
    services.add(filing, personas.filer, files.upload("测算明细.xlsx", files.xlsx()), "calculation")
    return bring_to("department_review", filing, personas.filer, personas)


def test_a_filing_with_attachments_is_clean(submitted):
    code, out, err = _run()
    assert (code, err) == (0, "")
    assert "未发现问题" in out


def test_a_changed_file_of_a_version_is_reported(submitted):
    attachment = Attachment.objects.get()
    path = settings.PRIVATE_MEDIA_ROOT / attachment.stored_name
    path.write_bytes(path.read_bytes() + b"\0")
    code, _out, err = _run()
    assert code == 1
    assert f"《老龄中心项目》（编号 {submitted.pk}）" in err
    assert "第1版列出的附件「测算明细.xlsx」的文件与其 SHA-256 不符" in err


def test_a_missing_file_of_a_version_is_reported(submitted):
    attachment = Attachment.objects.get()
    (settings.PRIVATE_MEDIA_ROOT / attachment.stored_name).unlink()
    code, _out, err = _run()
    assert code == 1
    assert "第1版列出的附件「测算明细.xlsx」的文件已不存在" in err


def test_an_attachment_added_to_a_frozen_filing_behind_the_apps_back_is_reported(submitted):
    listed = Attachment.objects.get()
    Attachment.objects.create(
        filing=submitted,
        kind="other",
        name="后补.pdf",
        file_type="pdf",
        size=listed.size,
        sha256=listed.sha256,
        stored_name="zz/added-by-hand",
    )
    code, _out, err = _run()
    assert code == 1
    assert "附件与版本中列出的不同" in err
