"""What a user may do with a filing: the one place every view asks.

``filing_access(user, pk, action)`` returns the filing and the set of actions
the user may take on it. A filing the user may not see is a 404 (outsiders
learn nothing, not even that it exists); a visible filing and an action the
user's role or the filing's state does not allow is a 403 that says why.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from filings.models import Filing, Organisation, User

VIEW = "view"
EDIT = "edit"  # change the filing and its rows (wizard, indicator editor)
DELETE = "delete"  # throw away a draft
COPY = "copy"  # start a new filing from this one (从以往年度复制)

# Which forms a filer may start, by the level of the filer's organisation.
FORMS_BY_LEVEL = {
    Organisation.Level.UNIT: (Filing.Form.PROJECT, Filing.Form.UNIT),
    Organisation.Level.DEPARTMENT: (Filing.Form.PROJECT, Filing.Form.DEPARTMENT),
}


@dataclass(frozen=True)
class FilingAccess:
    """A filing together with what the current user may do with it."""

    filing: Filing
    actions: frozenset

    def can(self, action):
        return action in self.actions

    # For templates, which cannot call can() with an argument.
    @property
    def can_edit(self):
        return EDIT in self.actions

    @property
    def can_delete(self):
        return DELETE in self.actions

    @property
    def can_copy(self):
        return COPY in self.actions


def is_filer_of(user, organisation_id):
    return (
        user.is_authenticated
        and user.role == User.Role.FILER
        and user.organisation_id is not None
        and user.organisation_id == organisation_id
    )


def actions_for(user, filing):
    """The actions ``user`` may take on ``filing``, which they can already see."""
    actions = {VIEW}
    if is_filer_of(user, filing.organisation_id):
        actions.add(COPY)
        if filing.is_editable:
            actions.add(EDIT)
        if filing.status == Filing.Status.DRAFT:
            actions.add(DELETE)
    return frozenset(actions)


# Why an action is refused, for the 403 page.
_REFUSALS = {
    EDIT: _("只有本单位的填报人可以修改草稿或已退回的申报；已提交、审核中或已批复的申报不能修改。"),
    DELETE: _("只有本单位的填报人可以删除草稿。"),
    COPY: _("只有本单位的填报人可以复制本单位的申报。"),
}


def filing_access(user, pk, action=VIEW, *, queryset=None):
    """The filing ``pk`` and what ``user`` may do with it; 404 or 403 as above.

    ``queryset`` lets a view add its own select_related; visibility is always
    applied on top of it.
    """
    base = queryset if queryset is not None else Filing.objects.select_related("organisation")
    filing = get_object_or_404(base.visible_to(user), pk=pk)
    access = FilingAccess(filing, actions_for(user, filing))
    if not access.can(action):
        raise PermissionDenied(_REFUSALS.get(action, _("您没有权限进行这项操作。")))
    return access


def creatable_forms(user):
    """The forms ``user`` may start a new filing of (none for reviewers and admins)."""
    if not user.is_authenticated or user.role != User.Role.FILER or user.organisation is None:
        return ()
    return FORMS_BY_LEVEL.get(user.organisation.level, ())


def require_creatable(user, form):
    """Raise PermissionDenied unless ``user`` may start a filing of ``form``."""
    if form not in creatable_forms(user):
        raise PermissionDenied(_("只有填报人可以为本单位新建申报，且只能新建本单位适用的表式。"))
