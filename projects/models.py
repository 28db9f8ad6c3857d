"""The 项目库: the projects a finance bureau's budget system (预算管理一体化) holds for a year.

A bureau's finance reviewers load the year's export (``projects.loading``); a
filer starts a project filing from one of their organisation's projects, and the
checker compares the filing's money with it (``filings.checks.library``).
"""

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User

# 一体化 systems give a project a code of up to 21 characters.
CODE_LENGTH = 21


def _money_field(label):
    # As Filing's amounts: six places, so that a 万元 figure keeps every 分.
    return models.DecimalField(label, max_digits=20, decimal_places=6, null=True, blank=True)


class LibraryLoad(models.Model):
    """One load of a bureau's 项目库 for a year: who loaded which file, and what it did."""

    bureau = models.ForeignKey(
        Organisation, verbose_name=_("财政局"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    file_name = models.CharField(_("文件名"), max_length=200)
    loaded_by = models.ForeignKey(
        User, verbose_name=_("导入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created = models.PositiveIntegerField(_("新增项目数"), default=0)
    updated = models.PositiveIntegerField(_("更新项目数"), default=0)
    removed = models.PositiveIntegerField(_("移除项目数"), default=0)
    unmatched = models.PositiveIntegerField(_("单位未匹配的项目数"), default=0)

    class Meta:
        verbose_name = _("项目库导入记录")
        verbose_name_plural = _("项目库导入记录")
        ordering = ["-loaded_at", "-pk"]
        indexes = [models.Index(fields=["bureau", "-year", "-loaded_at"], name="load_bureau_year")]

    def __str__(self):
        return f"{self.year}年度项目库 {self.file_name}"

    @property
    def total(self):
        return self.created + self.updated


class ProjectQuerySet(models.QuerySet):
    def of_filing(self, filing, code):
        """The project ``code`` of the 项目库 of ``filing``'s bureau and year, or None.

        One query: the bureau is found in a subquery from the filing's organisation
        (the tree is three levels deep), not by walking up it.
        """
        org_id = filing.organisation_id
        bureaus = Organisation.objects.filter(
            Q(pk=org_id) | Q(children=org_id) | Q(children__children=org_id),
            level=Organisation.Level.BUREAU,
        ).values("pk")
        return self.filter(bureau__in=bureaus, year=filing.year, code=code).first()

    def unfiled(self):
        """Projects no filing of their organisation and year started from or names by code."""
        filings = self.model.filings.rel.related_model.objects.filter(
            organisation_id=OuterRef("organisation_id"), year=OuterRef("year")
        )
        return self.exclude(
            Exists(
                filings.filter(Q(library_project=OuterRef("pk")) | Q(project_code=OuterRef("code")))
            )
        )

    def with_filing(self):
        """Annotate ``filed``: whether a filing started from the project (for a page of them)."""
        filings = self.model.filings.rel.related_model.objects.filter(
            library_project=OuterRef("pk")
        )
        return self.annotate(filed=Exists(filings))


class Project(models.Model):
    """A project of a bureau's 项目库 for one year, as its budget system exported it.

    ``organisation`` is the unit the file names, matched in the bureau's tree
    (``projects.loading``); None when no organisation of the bureau matches, and
    ``organisation_name`` keeps what the file said. Amounts are in ``money_unit``
    as the file gives them. ``load`` is the last load whose file held the project:
    a project a later export dropped stays only while a filing cites it.
    """

    class ExAnte(models.TextChoices):
        DONE = "是", _("是")
        NOT_DONE = "否", _("否")

    bureau = models.ForeignKey(
        Organisation,
        verbose_name=_("财政局"),
        on_delete=models.PROTECT,
        related_name="library_projects",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("项目编码"), max_length=CODE_LENGTH)
    name = models.CharField(_("项目名称"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("预算单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    organisation_name = models.CharField(_("单位名称（导入文件）"), max_length=100, blank=True)
    organisation_code = models.CharField(_("单位编码（导入文件）"), max_length=30, blank=True)
    money_unit = models.CharField(
        _("金额单位"), max_length=4, choices=[("元", _("元")), ("万元", _("万元"))], default="元"
    )
    funds_total = _money_field(_("项目资金总额"))
    annual_total = _money_field(_("年度资金"))
    annual_appropriation = _money_field(_("当年财政拨款"))
    ex_ante_evaluation = models.CharField(
        _("是否开展事前绩效评估"), max_length=2, choices=ExAnte.choices, blank=True
    )
    ex_ante_conclusion = models.CharField(_("事前绩效评估结论"), max_length=100, blank=True)
    load = models.ForeignKey(
        LibraryLoad, verbose_name=_("导入记录"), on_delete=models.PROTECT, related_name="projects"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目库项目")
        verbose_name_plural = _("项目库项目")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "year", "code"],
                name="unique_project_code_per_bureau_year",
                violation_error_message=_("本年度项目库中已有这一项目编码。"),
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "year", "code"], name="project_org_year"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def filing_values(self):
        """What a project filing started from this project takes from it (Filing fields).

        A project whose total is more than this year's money runs for several years: the
        filing's 项目总目标 end year is left for the filer to give, rather than the one-year
        span a new draft gets (which would make its money look wrong).
        """
        amounts = (self.funds_total, self.annual_total)
        several_years = {}
        if None not in amounts and amounts[0] > amounts[1]:
            several_years = {"goal_end_year": None}
        return {
            **several_years,
            "library_project": self,
            "project_code": self.code,
            "money_unit": self.money_unit,
            "funds_total": self.funds_total,
            "annual_total": self.annual_total,
            "annual_appropriation": self.annual_appropriation,
            "ex_ante_evaluation": self.ex_ante_evaluation,
            "ex_ante_conclusion": self.ex_ante_conclusion,
        }
