"""Who works in perfgoals: the organisation tree (财政局 → 主管部门 → 预算单位) and its users.

``reach_of`` is the one rule of which part of the tree a user sees; the
access module (``filings.access``) and ``Filing.objects.visible_to`` turn it
into permissions and queries. The tables keep the names of the filings app
they came from until ``accounts.0002`` renames them.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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


def bureau_id_of(organisation):
    """The id of the finance bureau an organisation's filings go to.

    Reads ``organisation.parent`` for a unit: select ``organisation__parent``
    with the filing to keep this free of queries.
    """
    if organisation.level == Organisation.Level.BUREAU:
        return organisation.pk
    if organisation.level == Organisation.Level.DEPARTMENT:
        return organisation.parent_id
    return organisation.parent.parent_id if organisation.parent_id else None
