"""Export jobs: many filings printed in the background, then downloaded once done.

A job is split into chunks of filings (``ExportChunk``); each chunk is one task
for a Celery worker (or one step of the demo's background thread), and the job
is assembled when its last chunk is done. A chunk's row records that it is
done, so a chunk that runs twice (a worker killed and the task delivered
again) counts once. See ``exports.jobs`` for the life of a job.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings import fields as form_fields


class ExportJob(models.Model):
    """One export of many filings of an organisation (and those below it) for a year.

    The id is a random UUID: it is in the job's URLs, which must not be
    guessable. Only the user who started a job sees it (``jobs.jobs_of``).
    ``filing_ids`` are chosen once, when the job is created, from the filings
    the user may see, in the order they are printed.
    """

    class Kind(models.TextChoices):
        PROJECT_BUNDLE = "project_bundle", _("项目绩效目标汇总表（PDF）")
        OVERALL_BUNDLE = "overall_bundle", _("整体支出绩效目标汇总表（PDF）")
        PDF_ZIP = "pdf_zip", _("每份申报一个PDF（ZIP压缩包）")
        FORM_WORKBOOK = "form_workbook", _("申报表（Excel，每份一个工作表）")
        FLAT_WORKBOOK = "flat_workbook", _("分析用明细（Excel）")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # Kinds that print PDFs: their chunks render, the others only read the filings.
    PDF_KINDS = (Kind.PROJECT_BUNDLE, Kind.OVERALL_BUNDLE, Kind.PDF_ZIP)
    FINISHED = (Status.DONE, Status.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="export_jobs",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("组织"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("导出内容"), max_length=20, choices=Kind.choices)
    form = models.CharField(
        _("表式"),
        max_length=20,
        blank=True,
        choices=[
            (form_fields.PROJECT, _("财政项目支出绩效目标申报表")),
            (form_fields.UNIT, _("单位整体支出绩效目标申报表")),
            (form_fields.DEPARTMENT, _("部门（单位）整体支出绩效目标申报表")),
        ],
        help_text=_("只导出这一表式；空为全部"),
    )
    filing_status = models.CharField(
        _("申报状态"), max_length=30, blank=True, help_text=_("只导出这一状态的申报；空为全部")
    )
    filing_ids = models.JSONField(_("申报"), default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("已完成份数"), default=0)
    total = models.PositiveIntegerField(_("总份数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    # How often assembling the output started: a step that keeps killing its worker is failed.
    assemble_attempts = models.PositiveIntegerField(_("合并次数"), default=0)
    # Relative to settings.EXPORT_ROOT, which may be mounted elsewhere on a worker.
    output_path = models.CharField(_("文件位置"), max_length=300, blank=True)
    output_name = models.CharField(_("文件名"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Moves with every step: a job whose heartbeat stops is failed, never left running.
    updated_at = models.DateTimeField(_("最后进展"), default=timezone.now)
    expires_at = models.DateTimeField(_("文件保留至"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="exportjob_user_created"),
            models.Index(fields=["expires_at"], name="exportjob_expires"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} {self.id}"

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        # 99 at most until the file is assembled: 100 % means "ready to download".
        return min(99, self.done * 100 // self.total)


class ExportChunk(models.Model):
    """A slice of a job's filings: one task, done once however often it runs."""

    job = models.ForeignKey(
        ExportJob, verbose_name=_("导出任务"), on_delete=models.CASCADE, related_name="chunks"
    )
    index = models.PositiveIntegerField(_("序号"))
    # Where the chunk's filings start in the job's list: their part files are numbered so.
    start = models.PositiveIntegerField(_("起始位置"))
    size = models.PositiveIntegerField(_("份数"))
    attempts = models.PositiveIntegerField(_("运行次数"), default=0)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出分批")
        verbose_name_plural = _("导出分批")
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="one_chunk_per_job_index")
        ]

    def __str__(self):
        return f"{self.job_id} #{self.index}"
