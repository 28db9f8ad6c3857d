"""What a user may do with a filing: the one place every view asks.

``filing_access(user, pk, action)`` returns the filing and the set of actions
the user may take on it. A filing the user may not see is a 404 (outsiders
learn nothing, not even that it exists); a visible filing and an action the
user's role or the filing's state does not allow is a 403 that says why.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from filings import audit
from filings.models import Filing, Organisation, User

VIEW = "view"
EDIT = "edit"  # change the filing and its rows (wizard, indicator editor)
DELETE = "delete"  # throw away a draft
COPY = "copy"  # start a new filing from this one (从以往年度复制)
# The review path (filings/workflow.py checks these again, under the row lock).
SUBMIT = "submit"  # the filer sends a draft or a returned filing to review
WITHDRAW = "withdraw"  # the filer takes a submission back before a reviewer opens it
REVIEW = "review"  # the reviewer of the current stage opens and decides the 审核表
ADJUST = "adjust"  # the filer starts an adjustment (调整) of an approved filing
COMMENT = "comment"  # remarks addressed to the filer
COMMENT_INTERNAL = "comment_internal"  # remarks among reviewers only

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

    @property
    def can_submit(self):
        return SUBMIT in self.actions

    @property
    def can_withdraw(self):
        return WITHDRAW in self.actions

    @property
    def can_review(self):
        return REVIEW in self.actions

    @property
    def can_adjust(self):
        return ADJUST in self.actions

    @property
    def can_comment(self):
        return COMMENT in self.actions

    @property
    def can_comment_internal(self):
        return COMMENT_INTERNAL in self.actions


def is_filer_of(user, organisation_id):
    return (
        user.is_authenticated
        and user.role == User.Role.FILER
        and user.organisation_id is not None
        and user.organisation_id == organisation_id
    )


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


def is_department_reviewer_of(user, filing):
    """The supervising department's reviewer of a unit's filing.

    A 主管部门's own filing has no department stage (it goes straight to the
    bureau), so its own reviewers do not review it.
    """
    organisation = filing.organisation
    return (
        user.is_authenticated
        and user.role == User.Role.DEPARTMENT_REVIEWER
        and user.organisation_id is not None
        and organisation.level == Organisation.Level.UNIT
        and organisation.parent_id == user.organisation_id
    )


def is_finance_reviewer_of(user, filing):
    """A reviewer of the finance bureau the filing is under."""
    return (
        user.is_authenticated
        and user.role == User.Role.FINANCE_REVIEWER
        and user.organisation_id is not None
        and bureau_id_of(filing.organisation) == user.organisation_id
    )


def is_stage_reviewer(user, filing):
    """True when it is ``user``'s turn to review ``filing`` (its current stage)."""
    if filing.status == Filing.Status.DEPARTMENT_REVIEW:
        return is_department_reviewer_of(user, filing)
    if filing.status == Filing.Status.FINANCE_REVIEW:
        return is_finance_reviewer_of(user, filing)
    return False


# The filer's submission is in review: who may take it back is settled by the
# workflow (only while no reviewer has opened the 审核表 on it).
IN_REVIEW = (Filing.Status.DEPARTMENT_REVIEW, Filing.Status.FINANCE_REVIEW)


def actions_for(user, filing):
    """The actions ``user`` may take on ``filing``, which they can already see.

    Admins are not reviewers: they may view, nothing of the review path.
    """
    actions = {VIEW}
    if is_filer_of(user, filing.organisation_id):
        actions.update((COPY, COMMENT))
        if filing.is_editable:
            actions.update((EDIT, SUBMIT))
        # An adjustment in progress is a draft too, but its approved version is official.
        if filing.status == Filing.Status.DRAFT and filing.approved_version_id is None:
            actions.add(DELETE)
        if filing.status in IN_REVIEW:
            actions.add(WITHDRAW)
        if filing.status == Filing.Status.APPROVED:
            actions.add(ADJUST)
    elif is_department_reviewer_of(user, filing) or is_finance_reviewer_of(user, filing):
        actions.update((COMMENT, COMMENT_INTERNAL))
        if is_stage_reviewer(user, filing):
            actions.add(REVIEW)
    return frozenset(actions)


# Why an action is refused, for the 403 page.
_REFUSALS = {
    EDIT: _("只有本单位的填报人可以修改草稿或已退回的申报；已提交、审核中或已批复的申报不能修改。"),
    DELETE: _("只有本单位的填报人可以删除草稿；已批复后发起调整的申报不能删除。"),
    COPY: _("只有本单位的填报人可以复制本单位的申报。"),
    SUBMIT: _("只有本单位的填报人可以提交草稿或已退回的申报。"),
    WITHDRAW: _("只有本单位的填报人可以撤回审核中的申报。"),
    REVIEW: _(
        "只有当前审核环节的审核人可以审核这份申报（主管部门审核本部门所属单位的申报，财政审核本局所辖的申报）。"
    ),
    ADJUST: _("只有本单位的填报人可以对已批复的申报发起调整。"),
    COMMENT: _("只有本单位的填报人和负责审核的审核人可以发表意见。"),
    COMMENT_INTERNAL: _("只有负责审核的审核人可以发表内部意见。"),
}


def refusal(action):
    """Why ``action`` is refused to a user whose role does not allow it (Chinese)."""
    return str(_REFUSALS.get(action, _("您没有权限进行这项操作。")))


def filing_access(user, pk, action=VIEW, *, queryset=None):
    """The filing ``pk`` and what ``user`` may do with it; 404 or 403 as above.

    ``queryset`` lets a view add its own select_related; visibility is always
    applied on top of it.
    """
    # organisation__parent: who reviews a unit's filing depends on its department's bureau.
    base = (
        queryset if queryset is not None else Filing.objects.select_related("organisation__parent")
    )
    try:
        filing = get_object_or_404(base.visible_to(user), pk=pk)
    except Http404:
        # Refusals go to the audit log, the hidden ones too (an outsider trying ids).
        audit.hidden_filing(user, pk)
        raise
    access = FilingAccess(filing, actions_for(user, filing))
    if not access.can(action):
        raise audit.refused(user, PermissionDenied(refusal(action)), filing=filing)
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
