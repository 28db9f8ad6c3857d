import hashlib
import json
import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import EVERYWHERE, Organisation, User, reach_of
from filings import fields as form_fields


class FilingQuerySet(models.QuerySet):
    def under(self, organisation):
        """Filings of the organisation and of every organisation below it.

        Reads the subtree's ids when called (one small query on the organisation
        table), not when the filings are read.
        """
        # The subtree's ids are read first (one small query) and passed as literals: with
        # them PostgreSQL estimates the matching filings and walks the sort index for a
        # page, where an OR'd subquery made it sort every filing of a bureau.
        return self.filter(organisation_id__in=Organisation.objects.subtree_ids(organisation))

    def with_history(self):
        """Annotate ``has_history`` (see ``Filing.has_history``) in the same query."""
        return self.annotate(
            # The review log's model, through the reverse relation: the review app's
            # models import this one, so it cannot be imported here.
            has_history=models.Exists(
                self.model.transitions.rel.related_model.objects.filter(
                    filing=models.OuterRef("pk")
                )
            )
            | models.Exists(FilingVersion.objects.filter(filing=models.OuterRef("pk")))
        )

    def official(self):
        """Filings that have an official (approved) version, during an adjustment too.

        What 「已批复」 means to an export: a filing under adjustment is still
        approved in its approved version (see ``Filing.official_version``).
        """
        return self.filter(
            models.Q(approved_version__isnull=False) | models.Q(status=Filing.Status.APPROVED)
        )

    def visible_to(self, user):
        """The filings ``user`` may see: those of ``organisations_of(user)``.

        Written from ``reach_of`` rather than as a subquery of ``organisations_of``
        so that an admin's list is not filtered at all, a filer's costs no query
        and a reviewer's reads the subtree's ids first (see ``under``).
        """
        reach = reach_of(user)
        if reach is None:
            return self.none()
        if reach == EVERYWHERE:
            return self
        org_id, below = reach
        if not below:
            return self.filter(organisation_id=org_id)
        if user.role == User.Role.DEPARTMENT_REVIEWER:
            # A unit's draft is the unit's until it is first submitted: from then on (its
            # first version) the department sees it, withdrawn or adjusted too.
            return self.under(org_id).exclude(
                ~Q(organisation_id=org_id),
                ~models.Exists(FilingVersion.objects.filter(filing=models.OuterRef("pk"))),
                status=self.model.Status.DRAFT,
            )
        return self.under(org_id)


def _money_field(label):
    # Six places so that a 万元 amount still holds every 分 of the 元 figure.
    return models.DecimalField(label, max_digits=20, decimal_places=6, null=True, blank=True)


def _other_forms_fields_empty(form):
    """A check that a filing of ``form`` leaves the fields of the other forms empty."""
    empty = Q()
    for field in form_fields.FORM_FIELDS:
        if form not in field.forms:
            blank = {f"{field.name}__isnull": True} if field.nullable else {field.name: ""}
            empty &= Q(**blank)
    return models.CheckConstraint(
        condition=~Q(form=form) | empty,
        name=f"{form}_leaves_other_forms_fields_empty",
        violation_error_message=_("填写了不属于本表式的栏目。"),
    )


class Filing(models.Model):
    """One performance-target filing of any of the three official forms.

    The three forms share most of their shape (a name, goals, an indicator
    tree, money), so they live in one table; ``form`` says which fields apply
    (``filings.fields`` lists them, and a check constraint keeps the others
    empty). Amounts are in ``money_unit`` as printed; None is a blank cell,
    distinct from 0.

    ``lock_version`` grows by one with every save of the filing or of its rows
    (see ``filings.editing``): a save made from a page that showed an older
    version is refused instead of silently overwriting someone else's work.
    """

    class Form(models.TextChoices):
        PROJECT = form_fields.PROJECT, _("财政项目支出绩效目标申报表")
        UNIT = form_fields.UNIT, _("单位整体支出绩效目标申报表")
        DEPARTMENT = form_fields.DEPARTMENT, _("部门（单位）整体支出绩效目标申报表")

    class Status(models.TextChoices):
        # Named by whose turn it is: a 主管部门's own filing goes straight to the bureau.
        DRAFT = "draft", _("草稿")
        DEPARTMENT_REVIEW = "department_review", _("待主管部门审核")
        FINANCE_REVIEW = "finance_review", _("待财政审核")
        APPROVED = "approved", _("已批复")
        RETURNED = "returned", _("已退回")
        # Graded 差: may not go on into the budget (88号 第二十五条); final for the round,
        # never resubmitted; only the finance bureau reopens it, with a reason.
        NOT_APPROVED = "not_approved", _("不予通过")

    # The filer may change the filing only in these states.
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    class Variant(models.TextChoices):
        CITY = "city", _("市级版式（项目性质＋项目类别）")
        DISTRICT = "district", _("区级版式（项目类别勾选）")

    class MoneyUnit(models.TextChoices):
        YUAN = "元", _("元")
        WAN_YUAN = "万元", _("万元")

    class ProjectLevel(models.TextChoices):
        # 88号 第二十七条: the bureau approves 一级项目, the department its 二级项目.
        FIRST = "一级", _("一级项目")
        SECOND = "二级", _("二级项目")

    class NondisclosureReason(models.TextChoices):
        SECRET = "涉密", _("涉密")
        OTHER = "其他", _("其他")

    class FundingMode(models.TextChoices):
        FULL = "全额", _("全额")
        PARTIAL = "差额", _("差额")
        SELF_FUNDED = "自收自支", _("自收自支")

    form = models.CharField(_("表式"), max_length=20, choices=Form.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="filings"
    )
    status = models.CharField(
        _("状态"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )
    name = models.CharField(_("名称"), max_length=200, help_text=_("项目名称、单位名称或部门名称"))
    lock_version = models.PositiveIntegerField(_("版本号"), default=0, editable=False)

    # 财政项目支出绩效目标申报表
    variant = models.CharField(_("版式"), max_length=20, choices=Variant.choices, blank=True)
    nature = models.CharField(_("项目性质"), max_length=50, blank=True)
    category = models.CharField(_("项目类别"), max_length=50, blank=True)
    department = models.CharField(_("主管部门"), max_length=100, blank=True)
    implementing_unit = models.CharField(_("实施单位"), max_length=100, blank=True)
    start_date = models.DateField(_("计划开始日期"), null=True, blank=True)
    end_date = models.DateField(_("计划完成日期"), null=True, blank=True)
    goal_start_year = models.PositiveSmallIntegerField(_("项目总目标起始年"), null=True, blank=True)
    goal_end_year = models.PositiveSmallIntegerField(_("项目总目标终止年"), null=True, blank=True)
    money_unit = models.CharField(
        _("金额单位"), max_length=4, choices=MoneyUnit.choices, default=MoneyUnit.YUAN
    )
    funds_total = _money_field(_("项目资金总额"))
    funds_fiscal = _money_field(_("其中：财政资金"))
    funds_other = _money_field(_("其他资金"))
    annual_total = _money_field(_("年度资金申请总额"))
    annual_appropriation = _money_field(_("其中：当年财政拨款"))
    annual_carryover = _money_field(_("上年结转资金"))
    annual_other = _money_field(_("其他资金（年度）"))
    overall_goal = models.TextField(_("项目总目标"), blank=True)
    # From the bureau's 项目库 (projects), as 一体化 systems keep them with the targets.
    project_code = models.CharField(_("项目编码"), max_length=21, blank=True)
    ex_ante_evaluation = models.CharField(
        _("是否开展事前绩效评估"),
        max_length=2,
        choices=[("是", _("是")), ("否", _("否"))],
        blank=True,
    )
    ex_ante_conclusion = models.CharField(
        _("事前绩效评估结论"), max_length=100, blank=True, help_text=_("如 通过、部分通过、不通过")
    )
    annual_goal = models.TextField(
        _("年度目标"), blank=True, help_text=_("项目：年度总体目标；整体支出：年度履职目标")
    )

    # 单位整体 / 部门（单位）整体支出绩效目标申报表
    funding_mode = models.CharField(
        _("财政资金拨款方式"), max_length=10, choices=FundingMode.choices, blank=True
    )
    duties = models.TextField(_("职责"), blank=True, help_text=_("单位职责或部门职责"))
    budget_total = _money_field(_("部门整体预算总额"))
    budget_fiscal = _money_field(_("资金来源：财政拨款"))
    budget_other = _money_field(_("资金来源：其他资金"))
    budget_basic = _money_field(_("资金结构：基本支出"))
    budget_project = _money_field(_("资金结构：项目支出"))
    staff_count = models.PositiveIntegerField(_("年末在职人数"), null=True, blank=True)
    internal_bodies = models.PositiveIntegerField(_("内设机构数"), null=True, blank=True)
    assets_total = _money_field(_("年末资产总额"))
    subordinate_units = models.PositiveIntegerField(_("下属预算单位个数"), null=True, blank=True)
    input_note = models.CharField(
        _("投入管理指标说明"),
        max_length=200,
        blank=True,
        help_text=_("如：根据沪财绩【2022】13号文的规定要求设置三级指标和指标值"),
    )

    value_heading = models.CharField(
        _("指标值列标题"), max_length=30, blank=True, help_text=_("如 年度指标值、指标目标值")
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        help_text=_("以往年度申报为底稿新建时，记下底稿"),
    )
    # Not content: the 项目库 row the filing was started from, which the checker compares
    # its money with. A project a later load drops stays while a filing cites it.
    library_project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目库项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filings",
        editable=False,
    )
    # The official approved version. It stays official and printable while an
    # adjustment (调整) of the filing goes through review again.
    approved_version = models.ForeignKey(
        "FilingVersion",
        verbose_name=_("批复版本"),
        null=True,
        blank=True,
        # RESTRICT, not PROTECT: a version cannot be deleted on its own, but goes with
        # its filing (deleting a draft, wiping data) together with everything that cites it.
        on_delete=models.RESTRICT,
        related_name="+",
        editable=False,
    )
    # Not content (not in the snapshot nor in the hash): the bureau marks it, and it says
    # whose approval is final (review.approvers). 一级 by default: the bureau keeps the last
    # word until it marks a project 二级.
    project_level = models.CharField(
        _("项目级次"),
        max_length=2,
        choices=ProjectLevel.choices,
        default=ProjectLevel.FIRST,
        help_text=_("仅项目支出：财政局标注为二级项目的，按申报批次的设置可由主管部门批复"),
    )
    # Content: which edition of the taxonomy the filing's rows follow (indicators.Framework),
    # chosen from its round when it is made; an imported form keeps what was printed.
    framework = models.ForeignKey(
        "indicators.Framework",
        verbose_name=_("指标体系"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filings",
    )
    execution_weight = models.DecimalField(
        _("预算执行率分值"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("留空时按指标体系的默认分值（10分）"),
    )
    # 绩效目标公开: whether the targets are published with the budget, and if not why. Not
    # form content: not printed on the form, left out of the content hash (content_hash).
    disclosed = models.BooleanField(_("是否公开"), default=True)
    nondisclosure_reason = models.CharField(
        _("非公开原因"), max_length=10, choices=NondisclosureReason.choices, blank=True
    )
    nondisclosure_note = models.CharField(_("非公开原因说明"), max_length=200, blank=True)
    import_warnings = models.JSONField(_("导入提示"), default=list, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("绩效目标申报")
        verbose_name_plural = _("绩效目标申报")
        # No join in the default order: every list sorts on an index of this table.
        ordering = ["-year", "-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["-year", "-updated_at", "-id"], name="filing_default_order"),
            models.Index(fields=["organisation", "-year", "-updated_at"], name="filing_org_year"),
            models.Index(fields=["status", "-year"], name="filing_status_year"),
        ]
        constraints = [
            # One overall filing per organisation, year and form; a project name once per
            # organisation and year: importing the same form twice finds the first.
            models.UniqueConstraint(
                fields=["organisation", "year", "form"],
                condition=Q(form__in=form_fields.OVERALL),
                name="one_overall_filing_per_year",
                violation_error_message=_("该单位本年度已有这一表式的整体支出申报。"),
            ),
            models.UniqueConstraint(
                fields=["organisation", "year", "name"],
                condition=Q(form=form_fields.PROJECT),
                name="unique_project_name_per_year",
                violation_error_message=_("该单位本年度已有同名项目的申报。"),
            ),
            *[_other_forms_fields_empty(form) for form in form_fields.FORMS],
        ]

    def __str__(self):
        return f"{self.year}年度 {self.name}"

    @property
    def is_project(self):
        return self.form == self.Form.PROJECT

    @property
    def is_department(self):
        return self.form == self.Form.DEPARTMENT

    @property
    def official_version(self):
        """The version every official output prints: the approved one, or None.

        The one answer to "what is the official content of this filing": while
        an adjustment (调整) is open the approved version stays official, so
        the PDF, the Excel, the 汇总表 and any other official export print it,
        never the draft being adjusted.
        """
        return self.approved_version if self.approved_version_id else None

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    @cached_property
    def has_history(self):
        """True once the filing was ever submitted (or imported): it has a version or a transition.

        Such a filing is never deleted, even back in draft after a withdrawal:
        its versions, 审核表 and comments are the record of its review.
        ``Filing.objects.with_history()`` reads it with the filing (no query here).
        """
        return (
            Filing.objects.filter(pk=self.pk)
            .with_history()
            .values_list("has_history", flat=True)
            .first()
            or False
        )

    @property
    def form_fields(self):
        """Names of this form's own fields (see ``filings.fields``)."""
        return form_fields.fields_of(self.form)

    @property
    def default_value_heading(self):
        return form_fields.default_value_heading(self.form, self.variant)

    @property
    def goal_span_label(self):
        """The span printed after 项目总目标, e.g. (2023年-2025年)."""
        if self.goal_start_year and self.goal_end_year:
            return f"({self.goal_start_year}年-{self.goal_end_year}年)"
        return ""


class Task(models.Model):
    """A row of 年度重点任务 on an overall filing.

    ``key`` names the row for good: comments, version diffs and the Excel round
    trip point at it, whatever its position.
    """

    filing = models.ForeignKey(
        Filing, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="tasks"
    )
    key = models.UUIDField(_("行标识"), default=uuid.uuid4, editable=False)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    name = models.CharField(_("任务名称"), max_length=200)
    content = models.TextField(_("主要内容（重点工作计划）"), blank=True)

    class Meta:
        verbose_name = _("年度重点任务")
        verbose_name_plural = _("年度重点任务")
        # Ordering on "filing" would join Filing (and its ordering) into every query.
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["filing", "order"], name="task_filing_order")]
        constraints = [
            models.UniqueConstraint(fields=["filing", "key"], name="unique_task_key_per_filing")
        ]

    def __str__(self):
        return self.name


# Keys of the JSON format that are not the form's content: the state, and whether the
# targets are published (a decision about them, printed nowhere on the form; snapshots
# taken before it existed hash as they did).
NOT_HASHED = ("status", "disclosure")


def content_hash(data):
    """The SHA-256 (hex) of a filing's content, given in the JSON format of serialization.py.

    Equal contents, equal hashes, whatever the status: the status (and 是否公开) is left out, so
    a resubmission that changed nothing hashes the same. Every stored
    ``FilingVersion.content_hash`` was made by this rule and ``check_integrity``
    recomputes it, so the rule must never change; the PDF footer and the Excel
    round trip print and compare these same hashes.
    """
    content = {key: value for key, value in data.items() if key not in NOT_HASHED}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FilingVersion(models.Model):
    """An immutable snapshot of a whole filing, in the JSON format of serialization.py.

    Taken at every submission (and at import of a published form); reviews,
    comments and diffs refer to it. The snapshot freezes the taxonomy labels as
    they were, so a version reads the same after the taxonomy changes.
    """

    class Reason(models.TextChoices):
        SUBMITTED = "submitted", _("提交审核")
        IMPORTED = "imported", _("导入已公开的申报表")

    filing = models.ForeignKey(
        Filing, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    snapshot = models.JSONField(_("内容"))
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    # The checker's findings on this version, counted once at submission: queues and
    # the dashboard read these instead of checking thousands of filings per request.
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warning_count = models.PositiveIntegerField(_("提示数"), default=0)
    created_by = models.ForeignKey(
        User, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("申报版本")
        verbose_name_plural = _("申报版本")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.filing} 第{self.number}版"

    @property
    def short_hash(self):
        return self.content_hash[:12]


class VersionFinding(models.Model):
    """How many findings of one checker code a version had (for the dashboard)."""

    version = models.ForeignKey(
        FilingVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="findings"
    )
    code = models.CharField(_("规则"), max_length=60)
    # The checker's two severities and their names: filings.checks.registry reads them here,
    # and the admin's list and filter show the names rather than the stored words.
    severity = models.CharField(
        _("级别"), max_length=10, choices=[("error", _("错误")), ("warning", _("提示"))]
    )
    count = models.PositiveIntegerField(_("条数"))

    class Meta:
        verbose_name = _("版本检查结果")
        verbose_name_plural = _("版本检查结果")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="one_count_per_version_code")
        ]

    def __str__(self):
        return f"{self.code} × {self.count}"


class CheckProfile(models.Model):
    """A finance bureau's rule profile (审核规则配置): which rules apply, at what severity.

    ``rules`` holds only what differs from the registered rules (the default
    profile): ``{"VALUE_BASIS_MISSING": {"enabled": true, "severity": "error"}}``.
    A code no longer registered is ignored; a rule registered later runs at its
    own severity. ``filings.checks.profiles`` reads it for every filing of the
    bureau's tree, from then on: submitted versions keep the counts they had.
    """

    bureau = models.OneToOneField(
        Organisation,
        verbose_name=_("财政局"),
        on_delete=models.CASCADE,
        related_name="check_profile",
        limit_choices_to={"level": Organisation.Level.BUREAU},
    )
    name = models.CharField(_("名称"), max_length=100)
    rules = models.JSONField(_("规则设置"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("审核规则配置")
        verbose_name_plural = _("审核规则配置")

    def __str__(self):
        return self.name
