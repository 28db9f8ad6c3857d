"""Adding, removing and listing a filing's attachments; their place in its versions.

- ``add`` reads the upload within its bound, reads its type from the content
  (``attachments.filetypes``), checks the count and size of the filing's kept
  attachments (``filings.limits``), and stores it privately under a random name;
- ``remove`` takes one off a draft: deleted with its file while no version
  lists it, otherwise only marked removed, its file kept for the versions;
- both claim the filing through the content service (``claim_for_attachments``):
  a frozen filing (submitted, in review, approved) refuses them there, and an
  audit row records each;
- ``listing`` is what a version records of them (``review.workflow`` adds it to
  the snapshot when there are any); ``file_problems`` checks the files a version
  lists against their SHA-256 (``check_integrity``).
"""

import hashlib
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments.filetypes import AttachmentRefused, identify
from attachments.models import Attachment
from audit import log
from filings import cleaning, content, limits
from filings.money import echo
from importers.slots import Busy, upload_slot
from importers.xlsx_parts import mb

__all__ = [
    "AttachmentRefused",
    "add",
    "add_to_snapshot",
    "file_problems",
    "kept_of",
    "listing",
    "mark_listed",
    "remove",
    "restore",
]

CHUNK = 1024 * 1024
NAME_MAX = Attachment._meta.get_field("name").max_length


def storage():
    """The private storage (``PRIVATE_MEDIA_ROOT``), read when asked: tests move it."""
    return FileSystemStorage(
        location=settings.PRIVATE_MEDIA_ROOT,
        base_url=None,
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )


def clean_name(name):
    """The uploaded file's own name, without folders or control characters, within bounds."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = cleaning.strip_invisible(name).strip()
    # 「../.pdf」 leaves 「.pdf」: a hidden file once downloaded, and no name to read in a list.
    if not name or name.startswith("."):
        name = _("附件") + name
    if len(name) > NAME_MAX:
        _stem, dot, extension = name.rpartition(".")
        keep = NAME_MAX - len(extension) - 1 if dot and len(extension) <= 10 else NAME_MAX
        name = name[:keep] + (f".{extension}" if keep < NAME_MAX else "")
    return name


def _read(name, upload):
    """The upload's bytes, or AttachmentRefused past ``MAX_ATTACHMENT_BYTES`` (read no further)."""
    limit = limits.MAX_ATTACHMENT_BYTES
    too_big = _("「%(name)s」未上传：文件有 %(size)s，每个附件不能超过 %(limit)s。")
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise AttachmentRefused(
            too_big % {"name": echo(name), "size": mb(size), "limit": mb(limit)}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise AttachmentRefused(
            too_big % {"name": echo(name), "size": mb(len(data)), "limit": mb(limit)}
        )
    return data


def _room_problem(filing, name, size):
    """Why ``filing`` has no room for one more file of ``size`` bytes, or ""."""
    kept = Attachment.objects.filter(filing=filing).kept()
    totals = kept.aggregate(count=Count("pk"), size=Sum("size"))
    count, used = totals["count"] or 0, totals["size"] or 0
    if count >= limits.MAX_ATTACHMENTS:
        return _("「%(name)s」未上传：每份申报最多 %(count)s 个附件，已有 %(count)s 个。") % {
            "name": echo(name),
            "count": limits.MAX_ATTACHMENTS,
        }
    if used + size > limits.MAX_ATTACHMENTS_BYTES:
        return _(
            "「%(name)s」未上传：每份申报的附件合计不能超过 %(limit)s，已有 %(used)s，"
            "加上这个文件（%(size)s）将超出。"
        ) % {
            "name": echo(name),
            "limit": mb(limits.MAX_ATTACHMENTS_BYTES),
            "used": mb(used),
            "size": mb(size),
        }
    return ""


def _refuse_a_second_copy(filing, name, sha256):
    """AttachmentRefused if ``filing`` keeps a file of these bytes already.

    A double click on 上传 posts the same file twice; asked under the claim, the second
    of two such posts finds the first's row and adds nothing.
    """
    same = Attachment.objects.filter(filing=filing, sha256=sha256).kept().first()
    if same is not None:
        raise AttachmentRefused(
            _("「%(name)s」未上传：本申报已有内容完全相同的附件「%(existing)s」。")
            % {"name": echo(name), "existing": echo(same.name)}
        )


def add(filing, user, upload, kind, description="", *, request=None):
    """Attach ``upload`` (an UploadedFile) to ``filing``; the Attachment, or a refusal.

    Raises AttachmentRefused (type, size, count) or StaleEdit (a frozen filing).
    """
    name = clean_name(getattr(upload, "name", ""))
    try:
        # The same few slots per process as 导入Excel: reading is bounded, but a PDF walked
        # object by object takes a core while it lasts.
        with upload_slot():
            data = _read(name, upload)
            file_type = identify(name, data)
    except Busy:
        raise AttachmentRefused(
            _("「%(name)s」未上传：系统繁忙，服务器正在处理其他人上传的文件，请稍后再试。")
            % {"name": echo(name)}
        ) from None
    problem = _room_problem(filing, name, len(data))
    if problem:
        raise AttachmentRefused(problem)
    stored = f"{secrets.token_hex(1)}/{secrets.token_hex(24)}"
    files = storage()
    try:
        with transaction.atomic():
            content.claim_for_attachments(filing)
            # Again under the claim: two uploads at once must not both pass the bound.
            problem = _room_problem(filing, name, len(data))
            if problem:
                raise AttachmentRefused(problem)
            sha256 = hashlib.sha256(data).hexdigest()
            _refuse_a_second_copy(filing, name, sha256)
            stored = files.save(stored, ContentFile(data))
            attachment = Attachment.objects.create(
                filing=filing,
                kind=kind,
                description=(description or "")[: limits.MAX_ATTACHMENT_DESCRIPTION],
                name=name,
                file_type=file_type,
                size=len(data),
                sha256=sha256,
                stored_name=stored,
                uploaded_by=user,
            )
            _record(log.Action.ATTACHMENT_ADD, request, user, attachment, _("上传附件"))
    except BaseException:
        if files.exists(stored):
            files.delete(stored)
        raise
    return attachment


def remove(filing, user, attachment, *, request=None):
    """Take ``attachment`` off ``filing`` (a draft). StaleEdit when the filing is frozen.

    Its file is deleted only when no version lists it; a listed one stays, marked removed.
    """
    with transaction.atomic():
        content.claim_for_attachments(filing)
        _record(log.Action.ATTACHMENT_REMOVE, request, user, attachment, _("删除附件"))
        if attachment.first_version_id is None:
            attachment.delete()  # the file goes after the commit (attachments.signals)
        else:
            attachment.removed_at = timezone.now()
            attachment.save(update_fields=["removed_at"])


def restore(filing, snapshot):
    """Make ``filing``'s attachments those ``snapshot`` lists (an adjustment withdrawn).

    Inside the caller's transaction; the filing is claimed as for any change of them.
    Rows the snapshot lists come back; others are removed as ``remove`` does.
    """
    listed = {entry["key"] for entry in snapshot.get("attachments") or ()}
    content.claim_for_attachments(filing)
    rows = Attachment.objects.filter(filing=filing)
    rows.filter(key__in=listed).update(removed_at=None)
    extra = rows.kept().exclude(key__in=listed)
    extra.filter(first_version__isnull=False).update(removed_at=timezone.now())
    for attachment in extra.filter(first_version__isnull=True):
        attachment.delete()


def _record(action, request, user, attachment, verb):
    log.record(
        action,
        request=request,
        user=user,
        filing=attachment.filing,
        description=_("%(verb)s《%(filing)s》：%(kind)s「%(name)s」")
        % {
            "verb": verb,
            "filing": attachment.filing.name,
            "kind": attachment.get_kind_display(),
            "name": attachment.name,
        },
        details={"attachment": str(attachment.key), "sha256": attachment.sha256},
    )


def listing(attachments):
    """What a version records of ``attachments`` (the kept ones, in order)."""
    return [
        {
            "key": str(item.key),
            "kind": item.kind,
            "description": item.description,
            "name": item.name,
            "file_type": item.file_type,
            "size": item.size,
            "sha256": item.sha256,
        }
        for item in attachments
    ]


def kept_of(filing_id):
    return list(Attachment.objects.filter(filing_id=filing_id).kept())


def add_to_snapshot(snapshot, attachments):
    """Put the listing of ``attachments`` in ``snapshot`` (a filing's JSON), if there are any.

    The list is part of the version's hashed content: what was submitted and approved
    is the form with these files, and a list changed behind the app's back breaks the
    hash. Only when there are attachments, so that every version made before them,
    and every filing without them, hashes as before.
    """
    if attachments:
        snapshot["attachments"] = listing(attachments)
    return snapshot


def mark_listed(attachments, version):
    """Record that ``version`` lists ``attachments``: from now on, never deleted."""
    fresh = [item.pk for item in attachments if item.first_version_id is None]
    if fresh:
        Attachment.objects.filter(pk__in=fresh).update(first_version=version)


def sha256_of(stored_name):
    """The SHA-256 of a stored file, read in chunks; None when the file is missing."""
    files = storage()
    if not files.exists(stored_name):
        return None
    digest = hashlib.sha256()
    with files.open(stored_name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_problems(version, attachments_by_key):
    """Chinese messages for each attachment ``version`` lists whose file is not as listed."""
    problems = []
    for entry in version.snapshot.get("attachments") or ():
        attachment = attachments_by_key.get(entry.get("key"))
        words = {"n": version.number, "name": entry.get("name") or "—"}
        digest = sha256_of(attachment.stored_name) if attachment is not None else None
        if digest is None:
            problems.append(_("第%(n)s版列出的附件「%(name)s」的文件已不存在") % words)
        elif digest != entry.get("sha256"):
            problems.append(
                _("第%(n)s版列出的附件「%(name)s」的文件与其 SHA-256 不符：文件被改动过") % words
            )
    return problems
