import hashlib
import json
import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from filings import fields as form_fields


def _pk(organisation):
    return organisation.pk if isinstance(organisation, models.Model) else organisation


class OrganisationQuerySet(models.QuerySet):
    def subtree(self, organisation):
        """``organisation`` and every organisation below it: THE subtree definition.

        The tree is three levels deep (财政局 → 主管部门 → 预算单位), so the
        subtree is the node, its children and its grandchildren. The
        grandchildren come through a subquery on ``parent_id`` rather than a
        join to the parent, so the query reads this table's parent index only.
        """
        org_id = _pk(organisation)
        children = self.model.objects.filter(parent_id=org_id).order_by().values("pk")
        return self.filter(Q(pk=org_id) | Q(parent_id=org_id) | Q(parent_id__in=children))

    def subtree_ids(self, organisation):
        """The ids of ``organisation`` and of everything below it, in one small query.

        For filters on big tables: ``organisation_id IN (<literal ids>)`` lets
        PostgreSQL estimate how many filings match (it cannot through an OR'd
        subquery, and then sorts all of a bureau's filings instead of walking
        the sort index). A bureau has a few hundred organisations at most.
        """
        return list(self.subtree(organisation).order_by("pk").values_list("pk", flat=True))


class Organisation(models.Model):
    """A node of the budget tree: 财政局 → 主管部门 → 预算单位.

    A finance bureau (city or district) has no parent; a supervising
    department hangs under its bureau; a budget unit under its department.
    Names are unique among siblings only: many districts have a unit called
    服务办, so an organisation is found by its path (or by 单位编码), never by
    its name alone.
    """

    class Level(models.TextChoices):
        BUREAU = "bureau", _("财政局")
        DEPARTMENT = "department", _("主管部门")
        UNIT = "unit", _("预算单位")

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(
        _("单位编码"), max_length=30, blank=True, help_text=_("如预算单位编码 510001，可不填")
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="unique_organisation_name_under_parent",
                violation_error_message=_("同一上级组织下已有同名组织。"),
            ),
            # NULL parents are distinct in a unique index: bureaus need their own rule.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="unique_bureau_name",
                violation_error_message=_("已有同名的财政局。"),
            ),
            models.UniqueConstraint(
                fields=["parent", "code"],
                condition=~Q(code=""),
                name="unique_organisation_code_under_parent",
                violation_error_message=_("同一上级组织下已有相同的单位编码。"),
            ),
        ]

    def __str__(self):
        return self.name

    # Which level of parent each level of node must have.
    PARENT_LEVEL = {
        Level.BUREAU: None,
        Level.DEPARTMENT: Level.BUREAU,
        Level.UNIT: Level.DEPARTMENT,
    }

    def clean(self):
        expected = self.PARENT_LEVEL.get(self.level)
        actual = self.parent.level if self.parent_id else None
        if expected != actual:
            if expected is None:
                raise ValidationError({"parent": _("财政局不能有上级组织。")})
            raise ValidationError(
                {
                    "parent": _("%(level)s的上级必须是%(parent)s。")
                    % {"level": self.get_level_display(), "parent": self.Level(expected).label}
                }
            )

    def path(self):
        """Names from the bureau down to this organisation."""
        names = []
        node = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return names[::-1]


class User(AbstractUser):
    """A person working for one organisation in one role."""

    class Role(models.TextChoices):
        FILER = "filer", _("填报人")
        DEPARTMENT_REVIEWER = "department_reviewer", _("主管部门审核人")
        FINANCE_REVIEWER = "finance_reviewer", _("财政审核人")
        ADMIN = "admin", _("管理员")

    # The organisation level each role works at; admins may belong anywhere.
    ROLE_ORG_LEVELS = {
        Role.FILER: (Organisation.Level.DEPARTMENT, Organisation.Level.UNIT),
        Role.DEPARTMENT_REVIEWER: (Organisation.Level.DEPARTMENT,),
        Role.FINANCE_REVIEWER: (Organisation.Level.BUREAU,),
    }

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.FILER)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def clean(self):
        super().clean()
        levels = self.ROLE_ORG_LEVELS.get(self.role)
        if levels is None:
            return
        if self.organisation_id is None or self.organisation.level not in levels:
            labels = "、".join(str(Organisation.Level(level).label) for level in levels)
            raise ValidationError(
                {
                    "organisation": _("%(role)s必须属于%(levels)s。")
                    % {"role": self.get_role_display(), "levels": labels}
                }
            )

    @property
    def is_admin(self):
        return self.is_superuser or self.role == self.Role.ADMIN

    def get_full_name(self):
        """The person's name as Chinese writes it: family name, then given name, no space.

        Django's own puts the given name first with a space (三 张); a name in Latin
        letters keeps that order. The demo and most accounts hold the whole name in
        ``first_name``, which this returns unchanged.
        """
        family, given = self.last_name.strip(), self.first_name.strip()
        if family and given and (family + given).isascii():
            return f"{given} {family}"
        return f"{family}{given}"

    @property
    def display_name(self):
        """Who this user is on every page, sheet, log and notice: the name, or the login name."""
        return self.get_full_name() or self.get_username()


# reach_of() answers with this for a user who sees the whole tree.
EVERYWHERE = "everywhere"


def reach_of(user):
    """Which part of the organisation tree ``user`` sees: THE rule, asked everywhere.

    ``EVERYWHERE`` for an admin; ``(organisation_id, below)`` for everyone
    else who sees something: a filer their own organisation (``below`` is
    False), a department or finance reviewer their department or bureau and
    everything under it (``below`` is True; the role's organisation level sets
    the depth); ``None`` for nobody (anonymous, inactive, no organisation).
    ``organisations_of`` and ``Filing.objects.visible_to`` turn it into queries;
    ``filings.access`` is where the views ask it.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_admin:
        return EVERYWHERE
    if user.organisation_id is None:
        return None
    if user.role == User.Role.FILER:
        return (user.organisation_id, False)
    if user.role in (User.Role.DEPARTMENT_REVIEWER, User.Role.FINANCE_REVIEWER):
        return (user.organisation_id, True)
    return None


def organisations_of(user):
    """The organisations whose filings (and rounds, users, jobs) ``user`` may see."""
    reach = reach_of(user)
    if reach is None:
        return Organisation.objects.none()
    if reach == EVERYWHERE:
        return Organisation.objects.all()
    org_id, below = reach
    return Organisation.objects.subtree(org_id) if below else Organisation.objects.filter(pk=org_id)


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
            has_history=models.Exists(Transition.objects.filter(filing=models.OuterRef("pk")))
            | models.Exists(FilingVersion.objects.filter(filing=models.OuterRef("pk")))
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
        return self.under(org_id) if below else self.filter(organisation_id=org_id)


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

    # The filer may change the filing only in these states.
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    class Variant(models.TextChoices):
        CITY = "city", _("市级版式（项目性质＋项目类别）")
        DISTRICT = "district", _("区级版式（项目类别勾选）")

    class MoneyUnit(models.TextChoices):
        YUAN = "元", _("元")
        WAN_YUAN = "万元", _("万元")

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


# --- Review: rounds, versions, transitions, comments, review sheets, notifications ---


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


def content_hash(data):
    """The SHA-256 (hex) of a filing's content, given in the JSON format of serialization.py.

    Equal contents, equal hashes, whatever the status: the status is left out, so
    a resubmission that changed nothing hashes the same. Every stored
    ``FilingVersion.content_hash`` was made by this rule and ``check_integrity``
    recomputes it, so the rule must never change; the PDF footer and the Excel
    round trip print and compare these same hashes.
    """
    content = {key: value for key, value in data.items() if key != "status"}
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
    severity = models.CharField(_("级别"), max_length=10)
    count = models.PositiveIntegerField(_("条数"))

    class Meta:
        verbose_name = _("版本检查结果")
        verbose_name_plural = _("版本检查结果")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="one_count_per_version_code")
        ]

    def __str__(self):
        return f"{self.code} × {self.count}"


class Transition(models.Model):
    """One step of a filing along the review path: who, from, to, when, why.

    Written by the functions of filings/workflow.py only; never edited. The
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
        ADJUST = "adjust", _("发起调整")

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
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回修改")

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
        DEADLINE = "deadline", _("截止提醒")

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


from filings.exports.models import ExportChunk, ExportJob  # noqa: E402, F401  (app "filings")
