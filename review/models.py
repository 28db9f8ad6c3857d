"""The review path's records: rounds, transitions, comments, 审核表 and notifications.

Written by ``review.workflow`` (and the round and comment pages); the filing
and its versions are the filings app's. See regulations.md for the rules.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from filings.models import Filing, FilingVersion

# The two stages of review (Review.Stage has the same values), as a round's choice of
# which one approves finally.
FINAL_STAGES = [("department", _("主管部门批复")), ("finance", _("财政局批复"))]


class Round(models.Model):
    """A finance bureau's yearly round (年度绩效目标申报) and its deadline.

    Queues and the dashboard measure age and lateness of the bureau's filings
    of that year against it.
    """

    bureau = models.ForeignKey(
        Organisation,
        verbose_name=_("财政局"),
        on_delete=models.PROTECT,
        related_name="rounds",
        limit_choices_to={"level": Organisation.Level.BUREAU},
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100, default=_("年度绩效目标申报"))
    opens_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    # When filers may apply to adjust approved targets (调整申请); empty: any time.
    adjustments_open_on = models.DateField(_("调整申请开始日期"), null=True, blank=True)
    adjustments_close_on = models.DateField(_("调整申请截止日期"), null=True, blank=True)
    # 谁批复预算，谁批复目标 (88号 第二十七条): whose approval is final for a unit's filings.
    # A department's own filings have no department stage: the bureau always approves them.
    final_unit_overall = models.CharField(
        _("单位整体支出：批复环节"),
        max_length=20,
        choices=FINAL_STAGES,
        default="department",
    )
    final_second_level_project = models.CharField(
        _("二级项目：批复环节"), max_length=20, choices=FINAL_STAGES, default="department"
    )
    final_first_level_project = models.CharField(
        _("一级项目：批复环节"), max_length=20, choices=FINAL_STAGES, default="finance"
    )
    framework = models.ForeignKey(
        "indicators.Framework",
        verbose_name=_("指标体系"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("本批次新建的申报所用的指标体系；留空为传统体系（成本指标属产出指标）"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        ordering = ["-year", "bureau_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "year"],
                name="one_round_per_bureau_year",
                violation_error_message=_("该财政局本年度已有申报批次。"),
            ),
            models.CheckConstraint(
                condition=Q(opens_on__lte=F("deadline")),
                name="round_opens_before_deadline",
                violation_error_message=_("开始日期不能晚于截止日期。"),
            ),
        ]

    def __str__(self):
        # The default title already begins with 年度 (年度绩效目标申报).
        year = f"{self.year}" if str(self.title).startswith("年度") else f"{self.year}年度"
        return f"{self.bureau} {year}{self.title}"


class Transition(models.Model):
    """One step of a filing along the review path: who, from, to, when, why.

    Written by the functions of review/workflow.py only; never edited. The
    actor's name is kept as text too, so the log survives the user's deletion.
    """

    class Action(models.TextChoices):
        IMPORT = "import", _("导入")
        SUBMIT = "submit", _("提交")
        WITHDRAW = "withdraw", _("撤回")
        DEPARTMENT_APPROVE = "department_approve", _("主管部门审核通过")
        DEPARTMENT_RETURN = "department_return", _("主管部门退回修改")
        FINANCE_APPROVE = "finance_approve", _("财政批复")
        FINANCE_RETURN = "finance_return", _("财政退回修改")
        # The department's approval where it is final (review.approvers).
        DEPARTMENT_FINAL_APPROVE = "department_final_approve", _("主管部门批复")
        DEPARTMENT_REJECT = "department_reject", _("主管部门审核不予通过")
        FINANCE_REJECT = "finance_reject", _("财政审核不予通过")
        REOPEN = "reopen", _("财政局重新开放")
        ADJUST = "adjust", _("发起调整")
        CANCEL_ADJUSTMENT = "cancel_adjustment", _("撤回调整")

    filing = models.ForeignKey(
        Filing, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=30, choices=Filing.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=30, choices=Filing.Status.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("说明"), blank=True)
    version = models.ForeignKey(
        FilingVersion,
        verbose_name=_("版本"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="transitions",
    )
    # How long the filing stayed in from_status: since its previous transition, or
    # since it was created for the first. Written with the row so that the dashboard
    # sums a column instead of pairing every transition with the one before it.
    spent = models.DurationField(_("停留时长"), null=True, blank=True)

    class Meta:
        verbose_name = _("状态变更记录")
        verbose_name_plural = _("状态变更记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["filing", "at"], name="transition_filing_at")]

    def __str__(self):
        return f"{self.filing} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        # Derived data, recorded here rather than in workflow.py so that every writer of
        # the log (transitions, imports, the demo) fills it: the dashboard's step times
        # are then one grouped query instead of a window over all transitions.
        if self._state.adding and self.spent is None:
            self.spent = self._time_since_previous()
        super().save(*args, **kwargs)

    def _time_since_previous(self):
        # One query: the filing's latest transition up to this one, else its creation
        # (read from the row, as the caller's instance may be stale).
        previous = (
            Transition.objects.filter(filing_id=models.OuterRef("pk"), at__lte=self.at)
            .order_by("-at", "-pk")
            .values("at")[:1]
        )
        row = (
            Filing.objects.filter(pk=self.filing_id)
            .annotate(previous=models.Subquery(previous))
            .values_list("previous", "created_at")
            .first()
        )
        if row is None:
            return None
        return self.at - (row[0] or row[1])


class Comment(models.Model):
    """A remark on one part of a filing, or on one of its rows (by the row's key).

    ``internal`` remarks are for reviewers only and never shown to the filer.
    """

    class Part(models.TextChoices):
        GENERAL = "general", _("总体")
        BASIC = "basic", _("基本信息")
        FUNDS = "funds", _("资金")
        GOALS = "goals", _("绩效目标")
        TASKS = "tasks", _("年度重点任务")
        INDICATORS = "indicators", _("绩效指标")

    filing = models.ForeignKey(
        Filing, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="comments"
    )
    version = models.ForeignKey(
        FilingVersion,
        verbose_name=_("针对版本"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="comments",
    )
    part = models.CharField(_("部分"), max_length=20, choices=Part.choices, default=Part.GENERAL)
    row_key = models.UUIDField(_("指标行"), null=True, blank=True)
    body = models.TextField(_("意见"))
    internal = models.BooleanField(_("仅审核人可见"), default=False)
    author = models.ForeignKey(
        User, verbose_name=_("提出人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    author_name = models.CharField(_("提出人姓名"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["filing", "created_at"], name="comment_filing_at")]

    def __str__(self):
        return self.body[:30]


class Reply(models.Model):
    """An answer under one comment: the filer's (what was done about it) or a reviewer's.

    A model of its own rather than a ``Comment`` with a parent: a reply has no part,
    row, version or 已处理 of its own and is as internal as its comment, and every
    count and list of comments (open comments on the step bar, the timeline, the
    admin, the diff) would otherwise have to leave replies out, one filter each.
    Written by ``review.replies`` only.
    """

    comment = models.ForeignKey(
        Comment, verbose_name=_("审核意见"), on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(_("回复"))
    author = models.ForeignKey(
        User, verbose_name=_("回复人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    author_name = models.CharField(_("回复人姓名"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    # The reply with which its author marked the comment 已处理 (a mark needs a reply).
    resolves = models.BooleanField(_("同时标为已处理"), default=False)

    class Meta:
        verbose_name = _("意见回复")
        verbose_name_plural = _("意见回复")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["comment", "created_at"], name="reply_comment_at")]

    def __str__(self):
        return self.body[:30]


GRADES = [("优", _("优")), ("良", _("良")), ("中", _("中")), ("差", _("差"))]


class Review(models.Model):
    """The 绩效目标审核表 of one stage of review of one version.

    A review row exists from the moment a reviewer opens a decision (which
    ends the filer's right to withdraw) until it is decided; a decided review
    is kept with the version it judged.
    """

    class Stage(models.TextChoices):
        DEPARTMENT = "department", _("主管部门审核")
        FINANCE = "finance", _("财政审核")

    class Decision(models.TextChoices):
        # Which one follows from which grade: review.workflow.GRADE_RULES, the one table.
        APPROVE = "approve", _("审核通过")
        AMEND = "amend", _("退回修改（修改后确认）")
        RETURN = "return", _("退回修改（重新审核）")
        REJECT = "reject", _("不予通过")
        CONFIRM = "confirm", _("确认修改，审核通过")

    # The fields of the 审核表 a reviewer fills in, in the order of the printed sheet:
    # the form, the workflow (``decide``'s ``sheet``), the sheet's page and PDF, the
    # history and the admin all read these.
    OPINION_FIELDS = (
        "opinion_goals",
        "opinion_outputs",
        "opinion_outcomes",
        "opinion_satisfaction",
        "opinion_funds",
    )
    CRITERIA_FIELDS = ("completeness", "relevance", "appropriateness", "feasibility")
    # Graded 优/良/中/差.
    GRADE_FIELDS = ("grade", *CRITERIA_FIELDS)
    SHEET_FIELDS = (*OPINION_FIELDS, "to_improve", *GRADE_FIELDS)

    filing = models.ForeignKey(
        Filing, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="reviews"
    )
    version = models.ForeignKey(
        FilingVersion, verbose_name=_("审核版本"), on_delete=models.RESTRICT, related_name="reviews"
    )
    stage = models.CharField(_("审核环节"), max_length=20, choices=Stage.choices)
    reviewer = models.ForeignKey(
        User, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewer_name = models.CharField(_("审核人姓名"), max_length=150, blank=True)
    opinion_goals = models.TextField(_("总体目标"), blank=True)
    opinion_outputs = models.TextField(_("产出指标"), blank=True)
    opinion_outcomes = models.TextField(_("效益指标"), blank=True)
    opinion_satisfaction = models.TextField(_("满意度指标"), blank=True)
    opinion_funds = models.TextField(_("资金"), blank=True)
    to_improve = models.TextField(_("需补充完善事项"), blank=True)
    grade = models.CharField(_("审核等级"), max_length=1, choices=GRADES, blank=True)
    completeness = models.CharField(_("完整性"), max_length=1, choices=GRADES, blank=True)
    relevance = models.CharField(_("相关性"), max_length=1, choices=GRADES, blank=True)
    appropriateness = models.CharField(_("适当性"), max_length=1, choices=GRADES, blank=True)
    feasibility = models.CharField(_("可行性"), max_length=1, choices=GRADES, blank=True)
    decision = models.CharField(_("审核结论"), max_length=10, choices=Decision.choices, blank=True)
    # A confirmation (确认修改) of the amendments a review graded 良 asked for: a short step
    # on the next version, by the same stage, instead of a full review.
    confirms = models.ForeignKey(
        "self",
        verbose_name=_("确认的审核"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="confirmations",
    )
    # Decided before the grade decided (data migration review 0003): an approval with any
    # grade stands as it was made.
    before_grade_rules = models.BooleanField(_("按等级规则之前的办法审核"), default=False)
    opened_at = models.DateTimeField(_("开始审核"), default=timezone.now)
    decided_at = models.DateTimeField(_("审核完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("绩效目标审核表")
        verbose_name_plural = _("绩效目标审核表")
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "stage"], name="one_review_per_version_and_stage"
            ),
            # An approval carries a grade; a return does not need one.
            models.CheckConstraint(
                condition=~Q(decision="approve") | ~Q(grade=""),
                name="approval_has_a_grade",
                violation_error_message=_("审核通过时须评定等级（优/良/中/差）。"),
            ),
        ]

    def __str__(self):
        return f"{self.filing} {self.get_stage_display()}"


class Notification(models.Model):
    """A message to one user: in the app (badge and list) and by e-mail."""

    class Kind(models.TextChoices):
        QUEUED = "queued", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已批复")
        NOT_APPROVED = "not_approved", _("不予通过")
        DEADLINE = "deadline", _("截止提醒")
        ADJUSTMENT = "adjustment", _("调整申请")
        REPLY = "reply", _("意见回复")
        APPROVAL_NOTICE = "approval_notice", _("批复下达")

    recipient = models.ForeignKey(
        User, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    filing = models.ForeignKey(
        Filing,
        verbose_name=_("申报"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")
        ]

    def __str__(self):
        return self.message


class AdjustmentRequest(models.Model):
    """A filer's application (申请调整) to adjust an approved filing, and its answer.

    88号 第二十八条: approved targets are in principle not adjusted; a change
    follows the budget adjustment and is reviewed again. So an adjustment
    opens only from a granted application (``review.adjustments``), one
    application at a time per filing; the approved version stays official
    until the adjustment is approved in its turn.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("未同意")
        WITHDRAWN = "withdrawn", _("已撤回")
        # Granted, and used: the draft it allowed has been opened (the filing is then
        # 调整 until its adjusted version is approved).
        OPENED = "opened", _("已发起调整")
        # Opened, then withdrawn by the filer: the approved version stands, unchanged.
        CANCELLED = "cancelled", _("已撤回调整")

    # An application not yet answered or not yet used: no second one beside it.
    OPEN_STATUSES = (Status.PENDING, Status.GRANTED)

    filing = models.ForeignKey(
        Filing, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="adjustment_requests"
    )
    approved_version = models.ForeignKey(
        FilingVersion,
        verbose_name=_("调整的批复版本"),
        on_delete=models.RESTRICT,
        related_name="adjustment_requests",
    )
    reason = models.TextField(_("调整理由"))
    budget_adjustment = models.CharField(
        _("依据的预算调整"),
        max_length=200,
        blank=True,
        help_text=_("预算调整文件的文号或名称（如有）"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    applicant = models.ForeignKey(
        User,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applicant_name = models.CharField(_("申请人姓名"), max_length=150, blank=True)
    applied_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by_name = models.CharField(_("审批人姓名"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    answer = models.TextField(_("审批意见"), blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调整申请")
        verbose_name_plural = _("调整申请")
        ordering = ["-applied_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing"],
                condition=Q(status__in=["pending", "granted"]),
                name="one_open_adjustment_request_per_filing",
                violation_error_message=_("这份申报已有一份未办结的调整申请。"),
            ),
        ]

    def __str__(self):
        return f"{self.filing} {self.get_status_display()}"


class ApprovalNotice(models.Model):
    """A 批复: the approved targets of one organisation and year, issued by their approver.

    谁批复预算，谁批复目标 (88号 第二十七条): a supervising department issues the 批复
    of what it approves finally, the finance bureau the 批复 of what it does
    (``review.final_stage``). Numbered per issuer and year (``sequence``, printed
    as ``number``), dated, and frozen once issued: its items name the version of
    each filing, with the grade, date and approver as they were. A later 批复
    covers the filings approved since, an adjusted version (调整) included; a
    version is in one 批复 only. Written by ``review.notices`` only.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("批复对象"),
        on_delete=models.PROTECT,
        related_name="approval_notices",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("批复单位"),
        on_delete=models.PROTECT,
        related_name="issued_approval_notices",
    )
    sequence = models.PositiveIntegerField(_("序号"))
    # The number as printed, kept as issued (an organisation renamed later does not renumber).
    number = models.CharField(_("文号"), max_length=150)
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by_name = models.CharField(_("签发人姓名"), max_length=150, blank=True)
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)

    class Meta:
        verbose_name = _("绩效目标批复")
        verbose_name_plural = _("绩效目标批复")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "year"], name="notice_organisation_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "sequence"],
                name="one_notice_number_per_issuer_year",
                violation_error_message=_("该单位本年度已有同一序号的批复。"),
            ),
        ]

    def __str__(self):
        return self.number


class ApprovalNoticeItem(models.Model):
    """One approved filing listed in a 批复, in the version it approves, as it was then."""

    notice = models.ForeignKey(
        ApprovalNotice, verbose_name=_("批复"), on_delete=models.CASCADE, related_name="items"
    )
    filing = models.ForeignKey(
        Filing, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="notice_items"
    )
    version = models.ForeignKey(
        FilingVersion, verbose_name=_("批复版本"), on_delete=models.RESTRICT, related_name="+"
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)
    grade = models.CharField(_("审核等级"), max_length=1, choices=GRADES, blank=True)
    approved_at = models.DateTimeField(_("批复日期"), null=True, blank=True)
    approver_stage = models.CharField(_("批复环节"), max_length=20, choices=FINAL_STAGES)
    approver_name = models.CharField(_("批复单位"), max_length=100)
    # The version approves an adjustment (调整) of targets approved before.
    adjusted = models.BooleanField(_("调整"), default=False)

    class Meta:
        verbose_name = _("批复所列申报")
        verbose_name_plural = _("批复所列申报")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="one_notice_per_version"),
        ]

    def __str__(self):
        return f"{self.notice} {self.filing}"
