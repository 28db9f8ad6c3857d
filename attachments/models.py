import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from filings.models import Filing, FilingVersion


class AttachmentQuerySet(models.QuerySet):
    def kept(self):
        """The attachments a filing holds now (not those only its older versions list)."""
        return self.filter(removed_at__isnull=True)


class Attachment(models.Model):
    """A file attached to a filing (立项依据, 实施方案, 测算明细, 其他), stored privately.

    The file lives in ``PRIVATE_MEDIA_ROOT`` under a random name; its type was
    read from its content (``attachments.filetypes``). Once a version lists it
    (``first_version``), the row and the file are kept for good: removing it from
    a draft only sets ``removed_at``, so every version can still be downloaded
    and checked against its SHA-256.
    """

    class Kind(models.TextChoices):
        BASIS = "basis", _("立项依据")
        PLAN = "plan", _("实施方案")
        CALCULATION = "calculation", _("测算明细")
        OTHER = "other", _("其他")

    class FileType(models.TextChoices):
        PDF = "pdf", _("PDF")
        DOCX = "docx", _("Word（.docx）")
        XLSX = "xlsx", _("Excel（.xlsx）")
        PNG = "png", _("PNG 图片")
        JPEG = "jpeg", _("JPEG 图片")

    filing = models.ForeignKey(
        Filing, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="attachments"
    )
    key = models.UUIDField(_("标识"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("附件类别"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    name = models.CharField(_("文件名"), max_length=200)
    file_type = models.CharField(_("文件类型"), max_length=10, choices=FileType.choices)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_name = models.CharField(_("存储名"), max_length=80, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    # RESTRICT, as for the review log: the version cannot be deleted on its own, but goes
    # with the filing (and this row with it; its file stays, see attachments.signals).
    first_version = models.ForeignKey(
        FilingVersion,
        verbose_name=_("首次列入的版本"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("移除时间"), null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["filing", "removed_at"], name="attachment_kept")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.name}"

    @property
    def short_hash(self):
        return self.sha256[:12]
