import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import EVERYWHERE, organisations_of, reach_of
from indicators import values


class Level1Manager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Level1(models.Model):
    """一级指标 of the taxonomy (产出指标, 效益指标, …); data, not code."""

    class Scope(models.TextChoices):
        ALL = "all", _("所有表式")
        OVERALL = "overall", _("仅整体支出")

    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    scope = models.CharField(_("适用范围"), max_length=10, choices=Scope.choices, default=Scope.ALL)

    objects = Level1Manager()

    class Meta:
        verbose_name = _("一级指标")
        verbose_name_plural = _("一级指标")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class Level2Manager(models.Manager):
    def get_by_natural_key(self, level1_name, name):
        return self.get(level1__name=level1_name, name=name)


class Level2(models.Model):
    """二级指标, always under one 一级指标."""

    level1 = models.ForeignKey(
        Level1, verbose_name=_("一级指标"), on_delete=models.PROTECT, related_name="level2s"
    )
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveIntegerField(_("顺序"), default=0)

    objects = Level2Manager()

    class Meta:
        verbose_name = _("二级指标")
        verbose_name_plural = _("二级指标")
        ordering = ["level1__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["level1", "name"], name="unique_level2_per_level1")
        ]

    def __str__(self):
        return f"{self.level1.name} / {self.name}"

    def natural_key(self):
        return (self.level1.name, self.name)

    natural_key.dependencies = ["indicators.level1"]


class FrameworkManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def default(self):
        """The edition a filing uses when nothing chose one: the classic taxonomy."""
        return self.get(code=Framework.CLASSIC)


class Framework(models.Model):
    """An edition of the indicator taxonomy (指标体系): which 二级 a filing may use.

    The classic edition has 成本指标 as a 二级 of 产出指标; the 2021 edition
    (财预〔2021〕101号) has 成本指标 as an 一级 of its own, with 经济/社会/生态环境成本.
    Both share the Level1/Level2 rows, so a row's 二级 means the same in either;
    ``level2s`` says which of them the edition offers. ``default_weights`` is
    the 分值 each 一级 shares among its rows when the filer sets none, and
    ``execution_weight`` what 预算执行率 is worth (财预〔2020〕10号: 产出 50,
    效益 30, 满意度 10, 预算执行率 10); they are what the year-end
    self-evaluation scores against.
    """

    CLASSIC = "classic"
    EDITION_2021 = "2021"

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    level2s = models.ManyToManyField(Level2, verbose_name=_("二级指标"), related_name="frameworks")
    default_weights = models.JSONField(
        _("一级指标默认分值"), default=dict, blank=True, help_text=_('如 {"产出指标": 50}')
    )
    execution_weight = models.DecimalField(
        _("预算执行率分值"), max_digits=5, decimal_places=2, default=Decimal("10")
    )

    objects = FrameworkManager()

    class Meta:
        verbose_name = _("指标体系")
        verbose_name_plural = _("指标体系")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Indicator(models.Model):
    """A third-level indicator (三级指标) of one filing, with its target value.

    ``value`` is the target as the filer wrote it; ``value_type``, ``operator``,
    ``number`` and ``unit`` are parsed from it by ``set_value``. A row with an
    empty name is a placeholder that keeps a 二级 row printed on the form
    (the seven 投入管理指标 rows of an overall filing). ``key`` names the row for
    good: comments, version diffs and the Excel round trip point at it.
    """

    class ValueType(models.TextChoices):
        QUANTITATIVE = values.QUANTITATIVE, _("定量")
        QUALITATIVE = values.QUALITATIVE, _("定性")

    class Basis(models.TextChoices):
        PLAN = "计划标准", _("计划标准")
        HISTORY = "历史标准", _("历史标准")
        INDUSTRY = "行业标准", _("行业标准")
        BUDGET = "预算支出标准", _("预算支出标准")
        OTHER = "其他标准", _("其他标准")

    class Direction(models.TextChoices):
        """指标方向: more is better, less is better, or judged in words."""

        POSITIVE = "positive", _("正向")
        NEGATIVE = "negative", _("反向")
        QUALITATIVE = "qualitative", _("定性")

    filing = models.ForeignKey(
        "filings.Filing",
        verbose_name=_("申报"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    key = models.UUIDField(_("行标识"), default=uuid.uuid4, editable=False)
    level2 = models.ForeignKey(
        Level2, verbose_name=_("二级指标"), on_delete=models.PROTECT, related_name="indicators"
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)
    name = models.CharField(_("三级指标"), max_length=200, blank=True)
    value = models.CharField(_("指标值"), max_length=200, blank=True)
    value_type = models.CharField(
        _("指标性质"), max_length=20, choices=ValueType.choices, blank=True
    )
    operator = models.CharField(_("运算符"), max_length=2, blank=True)
    number = models.DecimalField(_("数值"), max_digits=20, decimal_places=6, null=True, blank=True)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    explanation = models.TextField(_("指标解释"), blank=True)
    basis = models.CharField(_("设定依据"), max_length=20, choices=Basis.choices, blank=True)
    # The 2021 rules' fields (财预〔2021〕101号); blank on rows written before them.
    basis_text = models.TextField(
        _("设定依据说明"), blank=True, help_text=_("所依据的文件、标准或数据")
    )
    core = models.BooleanField(_("核心指标"), default=False)
    direction = models.CharField(
        _("指标方向"),
        max_length=12,
        choices=Direction.choices,
        blank=True,
        help_text=_("留空时按运算符判断"),
    )
    period_value = models.CharField(
        _("全周期指标值"),
        max_length=200,
        blank=True,
        help_text=_("跨年度项目的中长期（实施期）目标值；年度指标值填在「指标值」"),
    )
    weight = models.DecimalField(
        _("分值"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("留空时按指标体系的默认分值平均分配"),
    )

    class Meta:
        verbose_name = _("三级指标")
        verbose_name_plural = _("三级指标")
        # Ordering on "filing" would join Filing (and its ordering) into every query.
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["filing", "order"], name="indicator_filing_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "key"], name="unique_indicator_key_per_filing"
            )
        ]

    def __str__(self):
        return self.name or str(self.level2)

    def set_value(self, text):
        """Store the value as written and what it says (type, operator, number, unit)."""
        parsed = values.parse_value(text)
        self.value = values.clean_value(text)
        self.value_type = parsed.value_type
        self.operator = parsed.operator
        self.number = parsed.number
        self.unit = parsed.unit

    @property
    def effective_direction(self):
        """The direction set by the filer, else the one the value implies (≥ > 正向, ≤ < 反向)."""
        if self.direction:
            return self.direction
        if self.value_type == values.QUALITATIVE:
            return self.Direction.QUALITATIVE
        return values.ParsedValue(self.value_type, self.operator, self.number, self.unit).direction


class LibraryEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The library entries ``user`` may see.

        Everyone sees the 共性 entries; the 个性 entries of the organisations
        whose filings the user sees (``filings.models.reach_of``, the one rule:
        a filer their own, a reviewer every organisation under them, admins
        all). Organisations come in as a subquery, so a count never joins.
        """
        reach = reach_of(user)
        if reach == EVERYWHERE:
            return self
        if not user.is_authenticated or not user.is_active:
            return self.none()
        common = models.Q(scope=LibraryEntry.Scope.COMMON)
        if reach is None:
            return self.filter(common)
        below = organisations_of(user).order_by().values("pk")
        return self.filter(common | models.Q(organisation_id__in=below))


class LibraryEntry(models.Model):
    """A reusable third-level indicator of the indicator library (指标库).

    共性 entries are for everyone and curated by admins; 个性 entries belong to
    one organisation. ``uses`` is how many approved filings use the indicator
    (``indicators.library.seed_from_filings`` recounts it); ``unit``,
    ``direction`` and ``example_value`` are what those filings usually wrote,
    so the editor can fill them in when a filer picks the entry.
    """

    class Scope(models.TextChoices):
        COMMON = "common", _("共性")
        OWN = "own", _("个性")

    class Direction(models.TextChoices):
        POSITIVE = "positive", _("正向")
        NEGATIVE = "negative", _("反向")

    level2 = models.ForeignKey(
        Level2, verbose_name=_("二级指标"), on_delete=models.PROTECT, related_name="library_entries"
    )
    name = models.CharField(_("三级指标"), max_length=200)
    unit = models.CharField(_("常用计量单位"), max_length=20, blank=True)
    direction = models.CharField(
        _("指标方向"), max_length=10, choices=Direction.choices, blank=True
    )
    explanation = models.TextField(_("指标解释"), blank=True)
    example_value = models.CharField(
        _("常见指标值"), max_length=200, blank=True, help_text=_("如 ≥90%")
    )
    scope = models.CharField(_("类别"), max_length=10, choices=Scope.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_entries",
        help_text=_("个性指标必填；共性指标留空"),
    )
    uses = models.PositiveIntegerField(_("使用次数"), default=0)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = LibraryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标库条目")
        verbose_name_plural = _("指标库")
        ordering = ["-uses", "name", "pk"]
        indexes = [
            # The library page's default order, and its order within one 二级.
            models.Index(fields=["-uses", "name"], name="library_uses_name"),
            models.Index(fields=["level2", "-uses"], name="library_level2_uses"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="common", organisation__isnull=True)
                    | models.Q(scope="own", organisation__isnull=False)
                ),
                name="library_own_entries_have_an_organisation",
                violation_error_message=_("个性指标必须指定所属单位，共性指标不属于任何单位。"),
            ),
            # NULL organisations are distinct in a unique index: common entries need their own.
            models.UniqueConstraint(
                fields=["level2", "name"],
                condition=models.Q(scope="common"),
                name="unique_common_library_entry",
                violation_error_message=_("该二级指标下已有同名的共性指标。"),
            ),
            models.UniqueConstraint(
                fields=["organisation", "level2", "name"],
                condition=models.Q(scope="own"),
                name="unique_own_library_entry",
                violation_error_message=_("该单位在该二级指标下已有同名的个性指标。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.scope == self.Scope.OWN and self.organisation_id is None:
            raise ValidationError({"organisation": _("个性指标必须指定所属单位。")})
        if self.scope == self.Scope.COMMON and self.organisation_id is not None:
            raise ValidationError({"organisation": _("共性指标供所有单位使用，请清空所属单位。")})
