"""Who may see and do what: the one place every view, form and admin page asks.

- ``organisations_of(user)``: the organisations whose filings a user sees (the
  rule itself, ``reach_of``, lives beside the querysets that apply it:
  ``Filing.objects.visible_to``, ``LibraryEntry.objects.visible_to``);
- ``filing_access(user, pk, action)`` returns the filing and the set of
  actions the user may take on it. A filing the user may not see is a 404
  (outsiders learn nothing, not even that it exists); a visible filing and an
  action the user's role or the filing's state does not allow is a 403 that
  says why;
- named permissions of the pages that are not about one filing (the queue,
  rounds, the dashboard, exports, the audit log…), asked with ``may`` and
  ``require``;
- ``requires(permission)``: the decorator by which each view declares what
  it needs, filing action or named permission (as pretix views declare
  ``permission =``). No view decides on its own (tests/test_access_rules.py);
- what lists and the admin site show a user (``comments_visible_to``,
  ``rounds_visible_to``…) is ``filings.visibility``, built on the rules here;
- the 403 handler ``permission_denied``: every refusal is in the audit log.
"""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults

# organisations_of: the one rule of who sees which organisations lives beside the querysets
# that apply it (filings.models); views and the admin site ask it here.
from accounts.models import (
    Organisation,
    User,
    bureau_id_of,
    organisations_of,
    reach_of,
)
from audit import log
from filings.models import Filing
from projects.models import Project
from review.final_stage import final_stage
from review.models import Review

VIEW = "view"
EDIT = "edit"  # change the filing and its rows (wizard, indicator editor)
DELETE = "delete"  # throw away a draft
COPY = "copy"  # start a new filing from this one (从以往年度复制)
# The review path (review/workflow.py checks these again, under the row lock).
SUBMIT = "submit"  # the filer sends a draft or a returned filing to review
WITHDRAW = "withdraw"  # the filer takes a submission back before a reviewer opens it
REVIEW = "review"  # the reviewer of the current stage opens and decides the 审核表
ADJUST = "adjust"  # the filer opens the adjustment (调整) an approver has granted
APPLY_ADJUSTMENT = "apply_adjustment"  # the filer applies (申请调整), or withdraws the application
DECIDE_ADJUSTMENT = "decide_adjustment"  # the final approver grants or refuses an application
CANCEL_ADJUSTMENT = "cancel_adjustment"  # the filer withdraws an open adjustment (back to 已批复)
REOPEN = "reopen"  # the bureau reopens a filing ended 不予通过, with a reason
MARK_LEVEL = "mark_level"  # the bureau marks a project 一级 or 二级 (who approves it)
COMMENT = "comment"  # remarks addressed to the filer
COMMENT_INTERNAL = "comment_internal"  # remarks among reviewers only
REVIEWER = "reviewer"  # one of the filing's reviewers, at any stage: the review page
LIBRARY_ADD = "library_add"  # keep a row of the filing in the organisation's 指标库
RESOLVE = "resolve"  # mark a comment 已处理 (or open it again) until the filing is approved
REPLY = "reply"  # answer a comment under it: the filer while it is theirs to amend, reviewers

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
    def can_apply_adjustment(self):
        return APPLY_ADJUSTMENT in self.actions

    @property
    def can_cancel_adjustment(self):
        return CANCEL_ADJUSTMENT in self.actions

    @property
    def can_decide_adjustment(self):
        return DECIDE_ADJUSTMENT in self.actions

    @property
    def can_reopen(self):
        return REOPEN in self.actions

    @property
    def can_mark_level(self):
        return MARK_LEVEL in self.actions

    @property
    def can_comment(self):
        return COMMENT in self.actions

    @property
    def can_comment_internal(self):
        return COMMENT_INTERNAL in self.actions

    @property
    def can_reply(self):
        return REPLY in self.actions

    @property
    def can_resolve(self):
        return RESOLVE in self.actions

    @property
    def can_add_to_library(self):
        return LIBRARY_ADD in self.actions


def is_filer_of(user, organisation_id):
    return (
        user.is_authenticated
        and user.role == User.Role.FILER
        and user.organisation_id is not None
        and user.organisation_id == organisation_id
    )


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


def is_final_approver_of(user, filing, round_=False):
    """Whose approval makes ``filing``'s version official (谁批复预算，谁批复目标).

    The one question for whoever approves a filing finally: who grants or
    refuses its adjustment applications, who issues its 批复 (``review.notices``).
    The reviewers of the stage the round makes final (``review.final_stage``): the
    supervising department for a unit's 单位整体 filing and its 二级 projects by
    default, the bureau otherwise. ``round_``: as ``final_stage`` takes it.
    """
    if final_stage(filing, round_) == Review.Stage.DEPARTMENT:
        return is_department_reviewer_of(user, filing)
    return is_finance_reviewer_of(user, filing)


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


def may_be_deleted(filing):
    """A filing may be deleted only while it was never submitted (nor imported).

    A draft back from a withdrawal or a return keeps its versions, 审核表 and
    comments: they are the record of its review, and deleting the filing would
    take them along. An adjustment in progress is a draft too, but its approved
    version is official. The filing's own filer is asked in ``actions_for``;
    the admin site asks this too.
    """
    return (
        filing.status == Filing.Status.DRAFT
        and filing.approved_version_id is None
        and not filing.has_history
    )


def has_role_for(user, filing, action):
    """Whether ``user``'s role allows ``action`` on ``filing`` in some state.

    For the transitions, whose state the workflow checks under the row lock and
    answers with a message rather than an error page.
    """
    if action in (SUBMIT, WITHDRAW, ADJUST, APPLY_ADJUSTMENT, CANCEL_ADJUSTMENT):
        return is_filer_of(user, filing.organisation_id)
    if action == DECIDE_ADJUSTMENT:
        return is_final_approver_of(user, filing)
    if action == REVIEW:
        return is_department_reviewer_of(user, filing) or is_finance_reviewer_of(user, filing)
    if action == REOPEN:
        return is_finance_reviewer_of(user, filing)
    return action in actions_for(user, filing)


def actions_for(user, filing):
    """The actions ``user`` may take on ``filing``, which they can already see.

    Admins are not reviewers: they may view, nothing of the review path.
    """
    actions = {VIEW}
    if is_filer_of(user, filing.organisation_id):
        actions.update((COPY, COMMENT, LIBRARY_ADD))
        if filing.status != Filing.Status.APPROVED:
            actions.add(RESOLVE)
        if filing.is_editable:
            # A reply says what was done about a comment: while the filer can still do it.
            actions.update((EDIT, SUBMIT, REPLY))
        if may_be_deleted(filing):
            actions.add(DELETE)
        if filing.status in IN_REVIEW:
            actions.add(WITHDRAW)
        if filing.status == Filing.Status.APPROVED:
            # Whether an application is pending or granted is the workflow's to say
            # (review.adjustments), under the row lock.
            actions.update((ADJUST, APPLY_ADJUSTMENT))
        if filing.approved_version_id and filing.is_editable:
            # An adjustment being worked on (a submitted one is withdrawn first).
            actions.add(CANCEL_ADJUSTMENT)
    elif is_department_reviewer_of(user, filing) or is_finance_reviewer_of(user, filing):
        actions.update((REVIEWER, COMMENT, COMMENT_INTERNAL))
        if filing.status != Filing.Status.APPROVED:
            actions.update((RESOLVE, REPLY))
        if is_stage_reviewer(user, filing):
            actions.add(REVIEW)
        if filing.status == Filing.Status.APPROVED and is_final_approver_of(user, filing):
            actions.add(DECIDE_ADJUSTMENT)
        if filing.status == Filing.Status.NOT_APPROVED and is_finance_reviewer_of(user, filing):
            actions.add(REOPEN)
        # Until it is decided for good: the level says whose approval is final.
        if (
            filing.is_project
            and filing.status not in (Filing.Status.APPROVED, Filing.Status.NOT_APPROVED)
            and is_finance_reviewer_of(user, filing)
        ):
            actions.add(MARK_LEVEL)
    return frozenset(actions)


# Why an action is refused, for the 403 page.
_REFUSALS = {
    EDIT: _("只有本单位的填报人可以修改草稿或已退回的申报；已提交、审核中或已批复的申报不能修改。"),
    DELETE: _(
        "只有本单位的填报人可以删除从未提交过的草稿；提交过的申报（包括已撤回或已退回的）"
        "保留审核记录，不能删除。"
    ),
    COPY: _("只有本单位的填报人可以复制本单位的申报。"),
    SUBMIT: _("只有本单位的填报人可以提交草稿或已退回的申报。"),
    WITHDRAW: _("只有本单位的填报人可以撤回审核中的申报。"),
    REVIEW: _(
        "只有当前审核环节的审核人可以审核这份申报（主管部门审核本部门所属单位的申报，财政审核本局所辖的申报）。"
    ),
    ADJUST: _("只有本单位的填报人可以对已批复的申报发起调整，且须先经批复人同意调整申请。"),
    APPLY_ADJUSTMENT: _("只有本单位的填报人可以对已批复的申报申请调整或撤回调整申请。"),
    DECIDE_ADJUSTMENT: _("只有这份申报的批复人可以审批它的调整申请。"),
    CANCEL_ADJUSTMENT: _("只有本单位的填报人可以撤回调整中的申报（已提交审核的，请先撤回提交）。"),
    REOPEN: _("只有财政局的审核人可以重新开放「不予通过」的申报。"),
    MARK_LEVEL: _("只有财政局的审核人可以标注项目的一级、二级，且已批复或不予通过的项目不能再改。"),
    COMMENT: _("只有本单位的填报人和负责审核的审核人可以发表意见。"),
    COMMENT_INTERNAL: _("只有负责审核的审核人可以发表内部意见。"),
    REVIEWER: _(
        "只有负责审核的主管部门或财政局审核人可以打开审核页面；填报单位请在申报页面查看审核意见。"
    ),
    LIBRARY_ADD: _("只有本单位的填报人可以把指标纳入本单位的指标库。"),
    RESOLVE: _(
        "只有本单位的填报人或该申报的审核人可以处理审核意见；申报已批复后，审核意见不能再更改处理状态。"
    ),
    REPLY: _(
        "只有本单位的填报人（申报为草稿或已退回时）和该申报的审核人（批复前）可以回复审核意见。"
    ),
}


def refusal(action):
    """Why ``action`` is refused to a user whose role does not allow it (Chinese)."""
    return str(_REFUSALS.get(action, _("您没有权限进行这项操作。")))


def filing_access(user, pk, action=VIEW, *, queryset=None, role_only=False):
    """The filing ``pk`` and what ``user`` may do with it; 404 or 403 as above.

    ``queryset`` lets a view add its own select_related; visibility is always
    applied on top of it. With ``role_only`` only the role ``action`` needs is
    required, not the state (see ``has_role_for``).
    """
    # organisation__parent: who reviews a unit's filing depends on its department's bureau,
    # and who approves it finally is its department or that bureau (review.approvers).
    # framework: the edition the editor offers and the checker holds the rows to.
    base = (
        queryset
        if queryset is not None
        else Filing.objects.select_related("organisation__parent__parent", "framework")
    )
    try:
        # with_history: whether it may be deleted, read in the same query.
        filing = get_object_or_404(base.visible_to(user).with_history(), pk=pk)
    except Http404:
        # Refusals go to the audit log, the hidden ones too (an outsider trying ids). An id
        # that exists nowhere is a typo or a stale link, not a refusal.
        hidden = _filing_named(pk)
        if hidden is not None and user.is_authenticated:
            log.hidden_filing(user, hidden)
        raise
    access = FilingAccess(filing, actions_for(user, filing))
    allowed = has_role_for(user, filing, action) if role_only else access.can(action)
    if not allowed:
        raise log.refused(user, PermissionDenied(refusal(action)), filing=filing)
    return access


def creatable_forms(user):
    """The forms ``user`` may start a new filing of (none for reviewers and admins)."""
    if not user.is_authenticated or user.role != User.Role.FILER or user.organisation is None:
        return ()
    return FORMS_BY_LEVEL.get(user.organisation.level, ())


def require_creatable(user, form):
    """Raise PermissionDenied unless ``user`` may start a filing of ``form``."""
    if form not in creatable_forms(user):
        raise PermissionDenied(_REFUSALS[START_FILING])


def require_sheet(user, access, review):
    """Raise the audited 403 unless the user of ``access`` may read ``review`` (a 审核表).

    A decided one is for everyone who sees the filing; one still being filled
    in is its reviewers' alone (``COMMENT_INTERNAL``), as in the admin site
    (``reviews_visible_to``).
    """
    if review.decided_at is None and not access.can(COMMENT_INTERNAL):
        raise refuse(
            user,
            VIEW,
            filing=access.filing,
            message=_("审核尚未完成；审核完成后，填报单位可以查看和下载审核表。"),
        )


# --- Named permissions of the pages that are not about one filing ---------------------

START_FILING = "start_filing"  # 新建申报, copy from last year
IMPORT_EXCEL = "import_excel"  # 导入Excel as a new draft
IMPORT_PUBLISHED = "import_published"  # 导入已公开的申报表 (PDF, Excel, text), admins
QUEUE = "queue"  # 待我审核
MANAGE_ROUNDS = "manage_rounds"  # 申报批次
DASHBOARD = "dashboard"  # 统计
ISSUE_APPROVAL = "issue_approval"  # 批复: a reviewer issues those of what they approve finally
NONDISCLOSED_LIST = "nondisclosed_list"  # the 公开版's list of what it leaves out, by reason
EXPORT = "export"  # 批量导出
READ_AUDIT = "read_audit"  # 审计日志
MANAGE_LOCKOUTS = "manage_lockouts"  # 登录锁定
CURATE_LIBRARY = "curate_library"  # the 共性 entries of the 指标库, in the admin site
CHECK_PROFILE = "check_profile"  # 审核规则: a bureau's rule profile (filings.checks.profiles)
PROJECT_LIBRARY = "project_library"  # 项目库: read and load the bureau's (library_bureau)
ADMINISTER = "administer"  # add, change or delete in the admin site
SIGNED_IN = "signed_in"  # any signed-in user (lists, 我的申报, notifications, the library)
ANYONE = "anyone"  # the landing page, which sends each visitor on


def is_reviewer(user):
    """A department or finance reviewer with an organisation to review under."""
    return (
        user.is_authenticated
        and user.role in (User.Role.DEPARTMENT_REVIEWER, User.Role.FINANCE_REVIEWER)
        and user.organisation_id is not None
    )


def is_finance_reviewer(user):
    """A finance bureau's reviewer (their organisation is the bureau)."""
    return (
        user.is_authenticated
        and user.role == User.Role.FINANCE_REVIEWER
        and user.organisation_id is not None
    )


def _is_admin(user):
    return user.is_authenticated and user.is_active and user.is_admin


_PERMISSIONS = {
    START_FILING: lambda user: bool(creatable_forms(user)),
    IMPORT_EXCEL: lambda user: bool(creatable_forms(user)),
    IMPORT_PUBLISHED: _is_admin,
    QUEUE: is_reviewer,
    MANAGE_ROUNDS: lambda user: _is_admin(user) or is_finance_reviewer(user),
    DASHBOARD: lambda user: _is_admin(user) or is_finance_reviewer(user),
    # organisations_of(user) is not empty: no query, for the nav of every page.
    EXPORT: lambda user: reach_of(user) is not None,
    # Which filings a reviewer's 批复 lists: those they approve finally (review.notices).
    ISSUE_APPROVAL: is_reviewer,
    NONDISCLOSED_LIST: lambda user: is_reviewer(user) or _is_admin(user),
    READ_AUDIT: _is_admin,
    MANAGE_LOCKOUTS: _is_admin,
    CURATE_LIBRARY: _is_admin,
    # Which bureau's profile: their own, or any for admins (filings.visibility.bureaus_managed_by).
    CHECK_PROFILE: lambda user: _is_admin(user) or is_finance_reviewer(user),
    PROJECT_LIBRARY: lambda user: _is_admin(user) or is_finance_reviewer(user),
    ADMINISTER: _is_admin,
    SIGNED_IN: lambda user: user.is_authenticated,
    ANYONE: lambda user: True,
}

_REFUSALS.update(
    {
        START_FILING: _("只有填报人可以为本单位新建申报，且只能新建本单位适用的表式。"),
        IMPORT_EXCEL: _("只有填报人可以为本单位导入申报。"),
        IMPORT_PUBLISHED: _("只有管理员可以导入已公开的申报表。"),
        QUEUE: _("“待我审核”是主管部门和财政局审核人的工作台，您的账号不审核申报。"),
        MANAGE_ROUNDS: _("只有财政局的审核人和管理员可以管理申报批次。"),
        DASHBOARD: _("统计页面只对财政局审核人和管理员开放。"),
        EXPORT: _("您的账号没有可以导出的组织。"),
        ISSUE_APPROVAL: _(
            "只有主管部门和财政局的审核人可以签发绩效目标批复，各自批复本级终审的申报。"
        ),
        NONDISCLOSED_LIST: _("未公开申报的清单只提供给审核人员和管理员。"),
        READ_AUDIT: _("只有管理员可以查看审计日志。"),
        MANAGE_LOCKOUTS: _("只有系统管理员可以查看和解除登录锁定"),
        CURATE_LIBRARY: _("只有管理员可以维护共性指标。"),
        CHECK_PROFILE: _("只有财政局的审核人和管理员可以设置本局的审核规则。"),
        PROJECT_LIBRARY: _("只有财政局的审核人和管理员可以查看和导入项目库。"),
        ADMINISTER: _("只有管理员可以在管理后台新增、修改或删除。"),
    }
)


def may(user, permission):
    """Whether ``user`` holds the named ``permission`` (not one about a filing)."""
    return _PERMISSIONS[permission](user)


def require(user, permission):
    """Raise the audited 403 unless ``user`` holds ``permission``."""
    if not may(user, permission):
        raise log.refused(user, PermissionDenied(refusal(permission)))


def library_bureaus(user):
    """The finance bureaus whose 项目库 ``user`` (holding PROJECT_LIBRARY) opens.

    A finance reviewer's own bureau (the only bureau they see); every bureau for an admin.
    """
    return organisations_of(user).filter(level=Organisation.Level.BUREAU)


def library_bureau(user, bureau_id):
    """The bureau ``bureau_id`` if its 项目库 is one of ``library_bureaus(user)``, else 404."""
    return get_object_or_404(library_bureaus(user), pk=bureau_id)


def library_projects_for(user):
    """The 项目库 projects ``user`` may start a project filing from, not yet filed.

    A filer's own organisation's, as for every filing they start; nobody else's.
    """
    if Filing.Form.PROJECT not in creatable_forms(user):
        return Project.objects.none()
    return Project.objects.filter(organisation_id=user.organisation_id).unfiled()


def refuse(user, action, *, filing=None, message=None):
    """The audited 403 of a refusal that depends on more than the role or the state.

    For an answer that depends on an object the caller reads (an undecided
    审核表, a filing the admin site is asked to delete): the caller asks a rule
    of this module, the words and the record are here.
    """
    return log.refused(user, PermissionDenied(message or refusal(action)), filing=filing)


def json_refusal(exc):
    """A refusal (Http404 or PermissionDenied) as the JSON a page's script shows."""
    if isinstance(exc, Http404):
        return JsonResponse(
            {"ok": False, "error": gettext("找不到这份申报，或您无权查看。")}, status=404
        )
    return JsonResponse({"ok": False, "error": str(exc)}, status=403)


def requires(permission, *, role_only=False, json=False):
    """Declare what a view needs; the access module decides.

    ``permission`` is a filing action (``VIEW``, ``EDIT``…) for a view of one
    filing, whose URL has ``pk``: the view is then called as
    ``view(request, access, **rest)`` with the ``FilingAccess``. Or it is a
    named permission (``QUEUE``, ``EXPORT``…): the view is called as usual.
    ``role_only``: see ``filing_access``. ``json``: refusals as JSON (404/403
    with ``error``), for endpoints only a script calls; a callable of the
    request decides per request (the wizard's autosave).
    """
    about_filing = permission not in _PERMISSIONS

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                if about_filing:
                    pk = kwargs.pop("pk")
                    access = filing_access(request.user, pk, permission, role_only=role_only)
                    return view(request, access, *args, **kwargs)
                require(request.user, permission)
            except (Http404, PermissionDenied) as exc:
                if json is True or (callable(json) and json(request)):
                    return json_refusal(exc)
                raise
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


# --- The 403 page -------------------------------------------------------------------


def permission_denied(request, exception, template_name="403.html"):
    """The 403 handler (``handler403`` in perfgoals/urls.py): record, then Django's page.

    The refusals of this module are recorded where they are raised (``audited``);
    any other ``PermissionDenied`` is recorded here, with the filing of the URL.
    """
    if not getattr(exception, "audited", False):
        log.refused_request(request, exception, filing=_filing_of(request))
    return defaults.permission_denied(request, exception, template_name=template_name)


def _filing_of(request):
    """The filing a refused URL is about (``filings/<pk>/…``), or None. One query, on refusal."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route.startswith("filings/<int:pk>/"):
        return None
    return _filing_named(match.kwargs["pk"])


def _filing_named(pk):
    """Just what an audit row says of a filing (its name, its organisation), or None."""
    return Filing.objects.filter(pk=pk).only("pk", "name", "organisation_id").first()
