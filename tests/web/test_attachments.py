"""Attachments of a filing: what is accepted, who sees them, and how versions keep them."""

import hashlib

import pytest
from django.conf import settings
from django.db.models import RestrictedError
from django.urls import reverse

from attachments import services
from attachments.models import Attachment
from audit.models import AuditEvent
from filings import limits
from filings.editing import StaleEdit
from filings.models import Filing, content_hash
from filings.serialization import export_queryset, filing_to_dict
from importers import slots
from tests.factories import bring_to, do, fresh, ready_filing
from tests.helpers import attachment_files as files


@pytest.fixture
def draft(orgs):
    return ready_filing(orgs.elderly_centre, name="老龄中心项目")


def _upload(client, filing, name, content, *, kind="basis", description="区政府常务会议纪要"):
    return client.post(
        reverse("attachments:upload", args=[filing.pk]),
        {
            "kind": kind,
            "description": description,
            "file": files.upload(name, content),
            "back": "detail",
        },
    )


def _page(client, filing):
    return client.get(reverse("filings:detail", args=[filing.pk])).content.decode()


ACCEPTED = [
    ("立项依据.pdf", files.pdf, Attachment.FileType.PDF),
    ("实施方案.docx", files.docx, Attachment.FileType.DOCX),
    ("测算明细.xlsx", files.xlsx, Attachment.FileType.XLSX),
    ("现场照片.png", lambda: files.image("PNG"), Attachment.FileType.PNG),
    ("现场照片.jpg", lambda: files.image("JPEG"), Attachment.FileType.JPEG),
]


@pytest.mark.parametrize(("name", "make", "file_type"), ACCEPTED)
def test_the_filer_uploads_each_accepted_type(client, personas, draft, name, make, file_type):
    content = make()
    client.force_login(personas.filer)
    response = _upload(client, draft, name, content)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/filings/{draft.pk}/#attachments")
    attachment = Attachment.objects.get(filing=draft)
    assert (attachment.name, attachment.file_type, attachment.size) == (
        name,
        file_type,
        len(content),
    )
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    # Stored privately, under a random name that says nothing of the file.
    stored = settings.PRIVATE_MEDIA_ROOT / attachment.stored_name
    assert stored.read_bytes() == content
    assert name not in attachment.stored_name
    page = _page(client, draft)
    assert name in page and "区政府常务会议纪要" in page and attachment.short_hash in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTACHMENT_ADD)
    assert name in event.description and event.filing_id == draft.pk


REFUSED = [
    ("立项依据.pdf", files.exe, "文件内容不是可接受的类型"),
    ("实施方案.docx", files.docm, "文件含有宏"),
    ("测算明细.xlsx", files.xlsx_with_vba_project, "文件含有宏"),
    ("立项依据.pdf", files.pdf_with_javascript, "PDF 含有脚本"),
    ("立项依据.pdf", files.pdf_with_hidden_launch, "PDF 含有脚本"),
    ("立项依据.pdf", files.pdf_with_embedded_file, "内嵌文件"),
    ("实施方案.doc", files.ole_doc, "请在 Word 或 Excel 中另存为 .docx 或 .xlsx"),
    ("实施方案.docx", files.docx_with_ole_object, "OLE 对象"),
    ("实施方案.docx", files.docx_bomb, "疑似压缩炸弹"),
    ("照片.pdf", lambda: files.image("PNG"), "文件内容是 PNG 图片，与文件扩展名不符"),
    (
        "扫描件.pdf",
        lambda: files.pdf() + b"\0" * limits.MAX_ATTACHMENT_BYTES,
        "每个附件不能超过 5.0 MB",
    ),
]


@pytest.mark.parametrize(("name", "make", "message"), REFUSED)
def test_a_hostile_or_wrong_file_is_refused_with_a_chinese_message(
    client, personas, draft, name, make, message
):
    client.force_login(personas.filer)
    response = _upload(client, draft, name, make(), description="原始说明")
    assert response.status_code == 400
    page = response.content.decode()
    assert f"「{name}」未上传：" in page
    assert message in page
    assert 'value="原始说明"' in page  # what the filer typed is kept
    assert not Attachment.objects.exists()
    assert not [p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()]


def test_a_docm_is_refused_by_its_content_type_even_without_the_vba_part(client, personas, draft):
    parts = files._word_parts(main_type=files.DOCM_MAIN)
    client.force_login(personas.filer)
    response = _upload(client, draft, "实施方案.docx", files._package(parts))
    assert response.status_code == 400
    assert "文件含有宏" in response.content.decode()


def test_the_count_and_the_total_per_filing_are_bounded(client, personas, draft, monkeypatch):
    client.force_login(personas.filer)
    monkeypatch.setattr(limits, "MAX_ATTACHMENTS", 2)
    for number in range(2):
        # Two files of their own: the same bytes twice is refused on its own account.
        assert _upload(client, draft, f"附件{number}.pdf", files.pdf(number + 1)).status_code == 302
    response = _upload(client, draft, "第三个.pdf", files.pdf())
    assert response.status_code == 400
    assert "「第三个.pdf」未上传：每份申报最多 2 个附件" in response.content.decode()

    monkeypatch.setattr(limits, "MAX_ATTACHMENTS", 20)
    monkeypatch.setattr(limits, "MAX_ATTACHMENTS_BYTES", len(files.pdf()) * 2 + 10)
    response = _upload(client, draft, "大文件.pdf", files.pdf(3))
    assert response.status_code == 400
    assert "「大文件.pdf」未上传：每份申报的附件合计不能超过" in response.content.decode()
    assert Attachment.objects.filter(filing=draft).count() == 2


# --- who sees and who changes -----------------------------------------------------------


@pytest.fixture
def attached(client, personas, draft):
    client.force_login(personas.filer)
    assert _upload(client, draft, "立项依据（区发改委批复）.pdf", files.pdf()).status_code == 302
    client.logout()
    return Attachment.objects.get(filing=draft)


def _download_url(attachment):
    return reverse("attachments:download", args=[attachment.filing_id, attachment.key])


def test_the_download_is_an_attachment_with_the_chinese_name_and_no_sniffing(
    client, personas, attached
):
    client.force_login(personas.filer)
    response = client.get(_download_url(attached))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.pdf()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E7%AB%8B%E9%A1%B9" in disposition  # 立项… (RFC 5987)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_an_outsider_gets_404_for_the_list_and_the_download(client, personas, attached):
    client.force_login(personas.outsider)
    assert client.get(reverse("attachments:list", args=[attached.filing_id])).status_code == 404
    assert client.get(_download_url(attached)).status_code == 404


def test_a_filer_of_another_organisation_gets_404_on_upload_and_delete(client, personas, attached):
    client.force_login(personas.outsider)
    response = _upload(client, attached.filing, "x.pdf", files.pdf())
    assert response.status_code == 404
    remove = reverse("attachments:remove", args=[attached.filing_id, attached.key])
    assert client.post(remove).status_code == 404
    assert Attachment.objects.count() == 1


def test_a_reviewer_may_download_but_gets_403_on_upload_and_delete(client, personas, attached):
    client.force_login(personas.finance_reviewer)
    assert client.get(_download_url(attached)).status_code == 200
    assert _upload(client, attached.filing, "x.pdf", files.pdf()).status_code == 403
    remove = reverse("attachments:remove", args=[attached.filing_id, attached.key])
    assert client.post(remove).status_code == 403
    assert Attachment.objects.count() == 1


def test_get_on_upload_and_delete_is_405(client, personas, attached):
    client.force_login(personas.filer)
    assert client.get(reverse("attachments:upload", args=[attached.filing_id])).status_code == 405
    remove = reverse("attachments:remove", args=[attached.filing_id, attached.key])
    assert client.get(remove).status_code == 405


def test_an_attachment_of_another_filing_is_a_404(client, personas, attached, orgs):
    other = ready_filing(orgs.elderly_centre, name="另一个项目")
    client.force_login(personas.filer)
    url = reverse("attachments:download", args=[other.pk, attached.key])
    assert client.get(url).status_code == 404


def test_the_filer_deletes_a_draft_attachment(client, personas, attached):
    client.force_login(personas.filer)
    remove = reverse("attachments:remove", args=[attached.filing_id, attached.key])
    assert client.post(remove, {"back": "detail"}).status_code == 302
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTACHMENT_REMOVE).count() == 1
    assert "没有附件" in _page(client, attached.filing)


def test_the_file_of_a_deleted_draft_attachment_is_deleted_after_the_commit(
    client, personas, attached, django_capture_on_commit_callbacks
):
    stored = settings.PRIVATE_MEDIA_ROOT / attached.stored_name
    client.force_login(personas.filer)
    remove = reverse("attachments:remove", args=[attached.filing_id, attached.key])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remove)
    assert not stored.exists()


def test_deleting_a_never_submitted_draft_deletes_its_attachments_files(
    client, personas, attached, django_capture_on_commit_callbacks
):
    stored = settings.PRIVATE_MEDIA_ROOT / attached.stored_name
    client.force_login(personas.filer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("filings:delete", args=[attached.filing_id]))
    assert response.status_code == 302
    assert not Filing.objects.filter(pk=attached.filing_id).exists()
    assert not stored.exists()


# --- frozen with the filing, listed in its versions -------------------------------------


def test_a_submitted_filing_refuses_upload_and_delete(client, personas, attached):
    filing = bring_to("department_review", attached.filing, personas.filer, personas)
    client.force_login(personas.filer)
    assert _upload(client, filing, "新增.pdf", files.pdf()).status_code == 403
    remove = reverse("attachments:remove", args=[filing.pk, attached.key])
    assert client.post(remove).status_code == 403
    assert list(Attachment.objects.kept()) == [attached]
    page = _page(client, filing)
    assert "上传附件" not in page and remove not in page
    # And under the claim, should the filing have been submitted after the page was checked.
    with pytest.raises(StaleEdit):
        services.add(fresh(filing), personas.filer, files.upload("a.pdf", files.pdf()), "other")
    with pytest.raises(StaleEdit):
        services.remove(fresh(filing), personas.filer, attached)


def test_a_version_lists_its_attachments_with_their_hashes(client, personas, attached):
    filing = bring_to("department_review", attached.filing, personas.filer, personas)
    version = filing.versions.get()
    (listed,) = version.snapshot["attachments"]
    assert listed["name"] == "立项依据（区发改委批复）.pdf"
    assert listed["kind"] == "basis" and listed["size"] == len(files.pdf())
    assert listed["sha256"] == hashlib.sha256(files.pdf()).hexdigest()
    assert content_hash(version.snapshot) == version.content_hash
    client.force_login(personas.department_reviewer)
    review_page = client.get(reverse("review:review", args=[filing.pk])).content.decode()
    assert _download_url(attached) in review_page
    client.force_login(personas.filer)
    page = _page(client, filing)
    versions = page[page.index('data-testid="versions"') :]
    assert listed["sha256"] in versions and "附件 1 个" in versions


def test_a_version_without_attachments_hashes_as_before(personas, draft):
    filing = bring_to("department_review", draft, personas.filer, personas)
    version = filing.versions.get()
    assert "attachments" not in version.snapshot
    saved = filing_to_dict(export_queryset(Filing.objects.filter(pk=filing.pk)).get())
    saved["status"] = version.snapshot["status"]
    assert version.content_hash == content_hash(saved)


def test_removing_a_listed_attachment_keeps_its_file_for_the_version(client, personas, attached):
    filing = bring_to("returned", attached.filing, personas.filer, personas)
    client.force_login(personas.filer)
    remove = reverse("attachments:remove", args=[filing.pk, attached.key])
    assert client.post(remove).status_code == 302
    kept = Attachment.objects.get(pk=attached.pk)
    assert kept.removed_at is not None
    assert (settings.PRIVATE_MEDIA_ROOT / kept.stored_name).exists()
    assert "没有附件" in _page(client, filing)
    # Still downloadable from the version that lists it.
    assert client.get(_download_url(attached)).status_code == 200
    do("submit", filing, personas.filer)
    assert "attachments" not in fresh(filing).versions.order_by("number").last().snapshot


def test_withdrawing_an_adjustment_puts_the_approved_attachments_back(client, personas, attached):
    filing = bring_to("approved", attached.filing, personas.filer, personas)
    do("adjust", filing, personas.filer)
    client.force_login(personas.filer)
    client.post(reverse("attachments:remove", args=[filing.pk, attached.key]))
    _upload(client, filing, "调整后的方案.docx", files.docx())
    assert [a.name for a in Attachment.objects.kept()] == ["调整后的方案.docx"]
    response = client.post(reverse("review:adjustment_cancel", args=[filing.pk]))
    assert response.status_code == 302
    assert fresh(filing).status == Filing.Status.APPROVED
    assert [a.name for a in Attachment.objects.kept()] == [attached.name]
    assert Attachment.objects.count() == 1


# --- the admin site ---------------------------------------------------------------------


def test_the_admin_sees_attachments_but_changes_nothing(client, personas, attached):
    client.force_login(personas.admin)
    listing = client.get(reverse("admin:attachments_attachment_changelist"))
    assert listing.status_code == 200 and attached.name in listing.content.decode()
    change = reverse("admin:attachments_attachment_change", args=[attached.pk])
    page = client.get(change).content.decode()
    assert 'name="name"' not in page and attached.stored_name not in page
    assert client.post(change, {"name": "改名.pdf"}).status_code == 403
    delete = reverse("admin:attachments_attachment_delete", args=[attached.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Attachment.objects.get(pk=attached.pk).name == attached.name


def test_an_upload_waits_for_a_slot_shared_with_the_excel_import(
    client, personas, draft, monkeypatch
):
    monkeypatch.setattr(limits, "UPLOAD_WAIT_SECONDS", 0.01)
    client.force_login(personas.filer)
    with slots.upload_slot(), slots.upload_slot():  # every slot of the process is taken
        response = _upload(client, draft, "立项依据.pdf", files.pdf())
    assert response.status_code == 400
    assert "「立项依据.pdf」未上传：系统繁忙" in response.content.decode()
    assert _upload(client, draft, "立项依据.pdf", files.pdf()).status_code == 302


def test_a_listed_attachment_goes_with_its_filing_but_its_file_stays(
    personas, attached, django_capture_on_commit_callbacks
):
    filing = bring_to("department_review", attached.filing, personas.filer, personas)
    stored = settings.PRIVATE_MEDIA_ROOT / attached.stored_name
    with pytest.raises(RestrictedError):
        filing.versions.get().delete()  # a version is never deleted on its own
    with django_capture_on_commit_callbacks(execute=True):
        Filing.objects.get(pk=filing.pk).delete()  # wiping data takes the whole filing
    assert not Attachment.objects.exists()
    assert stored.exists()
