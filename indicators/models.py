import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

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
    def direction(self):
        return values.ParsedValue(self.value_type, self.operator, self.number, self.unit).direction
