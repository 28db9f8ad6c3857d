"""The review path of a filing: one function per transition.

草稿 → 待主管部门审核 → 待财政审核 → 已批复, and 已退回 back to the filer; a
主管部门's own filing skips the department stage. The grade decides (GRADE_RULES):
优 goes on, 良 comes back to the same stage for a confirmation, 中 for a full new
review, 差 ends as 不予通过 (reopened only by the bureau). Whose approval is final
is ``review.approvers``'s: a department's, for what its round gives it, is final.
Every function locks the filing row (``select_for_update``), checks who may do what in which state
(``filings.access.actions_for``, asked again under the lock), changes the
state with a conditional UPDATE that also bumps ``lock_version`` (any page
still open on the filing becomes stale, see ``filings.editing``), writes a
``Transition`` and tells ``review.notifications`` once the transaction has
committed. A forbidden, repeated or stale transition raises
``TransitionRefused`` with a Chinese message for the user; so a double click
on 提交 or 审核通过 makes one transition and the second click is told why.

A version that becomes official is announced (``review.signals.version_approved``,
after the commit); the exports listen for it. This module imports no exports.
"""

import logging
from collections import Counter

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from attachments import services as attachments
from audit import log
from filings import access, cleaning, editing
from filings.checks import ERROR, run_checks
from filings.models import Filing, FilingVersion, VersionFinding, content_hash
from filings.serialization import export_queryset, filing_to_dict
from review import approvers, notifications, signals

# The grades that decide (88号) and the next step of each decision: their one home is
# review.grades; the workflow's callers ask them here.
from review.grades import (  # noqa: F401
    APPROVE,
    BUTTONS,
    CONFIRMING_RULES,
    GOES_ON,
    GRADE_RULES,
    GRADE_VALUES,
    GRADES_OF,
    REJECT,
    RETURN,
    SENDS_BACK,
    TransitionRefused,
    decision_for,
    next_step,
)
from review.models import AdjustmentRequest, Review, Transition

logger = logging.getLogger(__name__)


def _lock(filing, user):
    """The filing's row, locked until the transaction ends, as ``user`` may see it."""
    rows = Filing.objects.select_related("organisation__parent").select_for_update(of=("self",))
    if user is not None:
        rows = rows.visible_to(user)
    locked = rows.filter(pk=filing.pk).first()
    if locked is None:
        raise TransitionRefused(_("找不到这份申报，或您无权查看它。"))
    return locked


def _require(user, locked, action, wrong_state):
    """Refuse unless ``user`` may take ``action``; say whether role or state is wrong."""
    if action in access.actions_for(user, locked):
        return
    # Who would be allowed in a state where the action exists, to tell role from state.
    if access.has_role_for(user, locked, action):
        raise TransitionRefused(
            wrong_state % {"status": locked.get_status_display()}
            if "%(status)s" in wrong_state
            else wrong_state
        )
    raise TransitionRefused(access.refusal(action))


def _check_version(locked, seen_version):
    # The one stale-page check (filings.editing), told in the workflow's words.
    if not editing.is_fresh(locked, seen_version):
        raise TransitionRefused(
            _("这份申报在您打开页面后已有变动（当前状态：%(status)s）。请刷新页面，核对后再操作。")
            % {"status": locked.get_status_display()}
        )


def _move(filing, locked, action, to_status, user, *, comment="", version=None, **changes):
    """Change the state (and bump lock_version), write the log row, notify after commit."""
    from_status = locked.status
    updated = Filing.objects.filter(
        pk=locked.pk, status=from_status, lock_version=locked.lock_version
    ).update(
        status=to_status,
        lock_version=F("lock_version") + 1,
        updated_at=timezone.now(),
        **changes,
    )
    if updated != 1:
        # Only without a row lock (SQLite) can another transition get in between.
        raise TransitionRefused(_("这份申报刚刚被他人处理过，请刷新页面后再操作。"))
    transition = Transition.objects.create(
        filing=locked,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=user,
        actor_name=user.display_name if user else "",
        comment=(comment or "").strip(),
        version=version,
    )
    # In the transition's transaction: no transition without its audit row.
    log.record(
        log.Action.TRANSITION,
        user=user,
        filing=locked,
        description=_("《%(name)s》%(action)s：%(from)s → %(to)s")
        % {
            "name": locked.name,
            "action": transition.get_action_display(),
            "from": Filing.Status(from_status).label,
            "to": Filing.Status(to_status).label,
        },
        details={"transition": transition.pk, "from": from_status, "to": to_status},
    )
    # The caller's instance follows, so that a view can carry on with it.
    for target in {id(filing): filing, id(locked): locked}.values():
        target.status = to_status
        target.lock_version = locked.lock_version + 1
        for name, value in changes.items():
            setattr(target, name, value)
    transaction.on_commit(lambda: _notify(transition))
    return transition


def _notify(transition):
    """Tell the people concerned; a failing mail server must not undo a transition."""
    try:
        notifications.on_transition(transition)
    except Exception:
        logger.exception("notification of transition %s failed", transition.pk)


def current_version(filing):
    """The latest FilingVersion of ``filing``, or None."""
    return filing.versions.order_by("-number").first()


def _take_version(filing_id, reason, user, status):
    """Snapshot the saved filing as its next version, with the checker's counts."""
    saved = export_queryset(Filing.objects.filter(pk=filing_id)).get()
    findings = run_checks(saved)
    kept = attachments.kept_of(filing_id)
    snapshot = attachments.add_to_snapshot(filing_to_dict(saved), kept)
    snapshot["status"] = status
    last = FilingVersion.objects.filter(filing_id=filing_id).aggregate(n=Max("number"))["n"]
    errors = sum(1 for finding in findings if finding.severity == ERROR)
    version = FilingVersion.objects.create(
        filing_id=filing_id,
        number=(last or 0) + 1,
        reason=reason,
        snapshot=snapshot,
        content_hash=content_hash(snapshot),
        error_count=errors,
        warning_count=len(findings) - errors,
        created_by=user,
    )
    attachments.mark_listed(kept, version)
    by_code = Counter((finding.code, finding.severity) for finding in findings)
    VersionFinding.objects.bulk_create(
        VersionFinding(version=version, code=code, severity=severity, count=count)
        for (code, severity), count in by_code.items()
    )
    return version


def amendment_to_confirm(filing):
    """The review graded 良 whose amendments the next version answers, or None.

    That is the filing's last decision when it was 退回修改（修改后确认）: its
    stage confirms the amendments instead of reviewing the filing again.
    """
    last = (
        Review.objects.filter(filing_id=filing.pk, decided_at__isnull=False)
        .order_by("-decided_at", "-pk")
        .first()
    )
    return last if last is not None and last.decision == Review.Decision.AMEND else None


_STATUS_OF_STAGE = {
    Review.Stage.DEPARTMENT: Filing.Status.DEPARTMENT_REVIEW,
    Review.Stage.FINANCE: Filing.Status.FINANCE_REVIEW,
}


def confirming(filing):
    """The 良 review whose amendments the filing now waits to have confirmed, or None."""
    amended = amendment_to_confirm(filing)
    if amended is not None and _STATUS_OF_STAGE[amended.stage] == filing.status:
        return amended
    return None


def first_stage_status(filing):
    """Where a submission goes: back to the stage that asked for amendments (良), else
    to the department; a 主管部门's own filing goes straight to the bureau."""
    amended = amendment_to_confirm(filing)
    if amended is not None:
        return _STATUS_OF_STAGE[amended.stage]
    if filing.organisation.level == Organisation.Level.UNIT:
        return Filing.Status.DEPARTMENT_REVIEW
    return Filing.Status.FINANCE_REVIEW


@transaction.atomic
def submit(filing, user, *, seen_version, comment=""):
    """Send a draft or returned filing to review; returns the new FilingVersion.

    Refused while the checker finds an error, and when the page that asked
    was showing an older ``lock_version`` (a double click is one submission).
    """
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.SUBMIT,
        _("这份申报当前状态为「%(status)s」，不能提交（可能已经提交过了）。"),
    )
    _check_version(locked, seen_version)
    to_status = first_stage_status(locked)
    version = _take_version(locked.pk, FilingVersion.Reason.SUBMITTED, user, to_status)
    if version.error_count:
        # Rolls the version back with the transaction.
        raise TransitionRefused(
            _("检查发现 %(count)s 处错误，请修改后再提交审核。") % {"count": version.error_count}
        )
    _move(
        filing, locked, Transition.Action.SUBMIT, to_status, user, comment=comment, version=version
    )
    return version


@transaction.atomic
def withdraw(filing, user, *, comment=""):
    """Take a submission back to draft, while no reviewer has opened the 审核表 on it."""
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.WITHDRAW,
        _("这份申报当前状态为「%(status)s」，不在审核中，无需撤回。"),
    )
    version = current_version(locked)
    # Any review of this version (open or decided, e.g. the department's approval) has
    # begun a decision the filer may no longer pull the filing away from.
    if version is not None and Review.objects.filter(version=version).exists():
        raise TransitionRefused(
            _("审核人已开始审核这份申报，不能撤回。如需修改，请联系审核人退回。")
        )
    _move(
        filing,
        locked,
        Transition.Action.WITHDRAW,
        Filing.Status.DRAFT,
        user,
        comment=comment,
        version=version,
    )


@transaction.atomic
def delete_draft(filing, user, *, request=None):
    """Delete a filing that was never submitted, with an audit row; TransitionRefused if not.

    The caller has asked ``filings.access`` whether ``user`` may delete it; the
    filing's state is asked again here under the row lock, so a draft submitted
    since the page was opened keeps its history. Returns the deleted filing's name.
    """
    locked = (
        Filing.objects.select_for_update(of=("self",)).filter(pk=filing.pk).with_history().first()
    )
    if locked is None:
        raise TransitionRefused(_("这份申报已被删除。"))
    if not access.may_be_deleted(locked):
        raise TransitionRefused(access.refusal(access.DELETE))
    log.record(
        log.Action.DELETE,
        request=request,
        user=user,
        filing=locked,
        description=_("删除草稿《%(name)s》（%(year)s年度，%(form)s）")
        % {"name": locked.name, "year": locked.year, "form": locked.get_form_display()},
        details={"filing": locked.pk, "form": locked.form, "year": locked.year},
    )
    locked.delete()
    return locked.name


def _stage(filing):
    if filing.status == Filing.Status.DEPARTMENT_REVIEW:
        return Review.Stage.DEPARTMENT
    return Review.Stage.FINANCE


def _starting_sheet(locked, stage):
    """What a new 审核表 starts from: the stage's last opinions on the filing (the first
    round's, for the second); on a confirmation, also the grades of the 良 it confirms.
    Never the last 需补充完善事项: that was asked for and is answered by this version."""
    amended = amendment_to_confirm(locked)
    if amended is not None and amended.stage == stage:
        names = (*Review.OPINION_FIELDS, *Review.GRADE_FIELDS)
        return {"confirms": amended, **{name: getattr(amended, name) for name in names}}
    last = (
        Review.objects.filter(filing_id=locked.pk, stage=stage, decided_at__isnull=False)
        .order_by("-decided_at", "-pk")
        .first()
    )
    if last is None:
        return {}
    return {name: getattr(last, name) for name in Review.OPINION_FIELDS}


def _open(locked, user):
    version = current_version(locked)
    if version is None:
        raise TransitionRefused(_("这份申报没有提交的版本，无法审核。"))
    stage = _stage(locked)
    review = Review.objects.filter(version=version, stage=stage).first()
    if review is None:
        review = Review.objects.create(
            version=version,
            stage=stage,
            filing=locked,
            reviewer=user,
            reviewer_name=user.display_name,
            **_starting_sheet(locked, stage),
        )
    return review


@transaction.atomic
def open_review(filing, user):
    """The stage's reviewer starts the 审核表 on the current version (idempotent).

    From then on the filer can no longer withdraw the submission.
    """
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.REVIEW,
        _("这份申报当前状态为「%(status)s」，不在您的审核环节。"),
    )
    return _open(locked, user)


def _clean_sheet(sheet):
    """The 审核表 fields of ``sheet``; refuses unknown grades, naming the field."""
    cleaned = {}
    for name in Review.SHEET_FIELDS:
        value = (sheet or {}).get(name, "")
        value = "" if value is None else str(value).strip()
        label = Review._meta.get_field(name).verbose_name
        if name in Review.GRADE_FIELDS and value and value not in GRADE_VALUES:
            raise TransitionRefused(_("「%(field)s」只能评定为优、良、中或差。") % {"field": label})
        problem = cleaning.text_problem(value, multiline=True)  # the one cleaner
        if problem:
            raise TransitionRefused(f"「{label}」{problem}")
        cleaned[name] = cleaning.normalise_lines(value)
    return cleaned


@transaction.atomic
def decide(filing, user, *, seen_version, decision, sheet, comment=""):
    """Decide the filing at its current stage with the 审核表; returns the decided Review.

    ``decision`` is the button pressed (APPROVE, RETURN or REJECT); the grade
    decides what it becomes (``decision_for``) and ``review.approvers`` whether
    an approval is final (the version becomes official, ``approved_version``) or
    sends the filing on to the bureau.
    """
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.REVIEW,
        _("这份申报当前状态为「%(status)s」，不在您的审核环节（可能已被审核）。"),
    )
    _check_version(locked, seen_version)
    cleaned = _clean_sheet(sheet)
    review = _open(locked, user)
    outcome = decision_for(cleaned["grade"], decision, confirming=review.confirms_id is not None)
    if outcome in SENDS_BACK and not (cleaned["to_improve"] or comment.strip()):
        raise TransitionRefused(_("退回修改时请填写「需补充完善事项」，告诉填报人要修改什么。"))
    if outcome == Review.Decision.REJECT and not (cleaned["to_improve"] or comment.strip()):
        raise TransitionRefused(_("不予通过时请在「需补充完善事项」中写明理由。"))
    if outcome not in GOES_ON:
        # The filer is told why (notification, timeline): what to fix, or the reason.
        comment = comment or cleaned["to_improve"]

    for name, value in cleaned.items():
        setattr(review, name, value)
    review.decision = outcome
    review.decided_at = timezone.now()
    review.reviewer = user
    review.reviewer_name = user.display_name
    review.save()

    final = approvers.final_stage(locked) if outcome in GOES_ON else None
    action, to_status = next_step(review.stage, outcome, final)
    changes = {}
    if to_status == Filing.Status.APPROVED:
        changes["approved_version"] = review.version
        _announce_official(review.version_id)
    _move(
        filing,
        locked,
        action,
        to_status,
        user,
        comment=comment,
        version=review.version,
        **changes,
    )
    return review


@transaction.atomic
def reopen(filing, user, *, reason):
    """The bureau reopens a filing ended 不予通过: back to the filer, for a full new review."""
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.REOPEN,
        _("这份申报当前状态为「%(status)s」，只有「不予通过」的申报可以重新开放。"),
    )
    reason = cleaning.normalise_lines(str(reason or "").strip())
    if not reason:
        raise TransitionRefused(_("重新开放时请填写「理由」。"))
    problem = cleaning.text_problem(reason, multiline=True)
    if problem:
        raise TransitionRefused(f"「{_('理由')}」{problem}")
    _move(
        filing,
        locked,
        Transition.Action.REOPEN,
        Filing.Status.RETURNED,
        user,
        comment=reason,
        version=current_version(locked),
    )
    return filing


def _announce_official(version_id):
    """Tell the listeners (the exports print it ahead) once the approval has committed."""
    transaction.on_commit(
        # Robust: a listener's failure is logged (django.dispatch) and the approval, already
        # committed, stands without it.
        lambda: signals.version_approved.send_robust(sender=FilingVersion, version_id=version_id)
    )


@transaction.atomic
def start_adjustment(filing, user):
    """Open the adjustment (调整) an approver has granted: the approved filing becomes a draft.

    Only from a granted application (``review.adjustments``), which this uses
    up; the approved version stays official until the adjustment is approved.
    """
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.ADJUST,
        _("这份申报当前状态为「%(status)s」，只有已批复的申报才能发起调整。"),
    )
    granted = (
        AdjustmentRequest.objects.select_for_update()
        .filter(filing=locked, status=AdjustmentRequest.Status.GRANTED)
        .first()
    )
    if granted is None:
        raise TransitionRefused(
            _("调整须先申请：请填写调整理由提交「申请调整」，经批复人同意后才能发起调整。")
        )
    granted.status = AdjustmentRequest.Status.OPENED
    granted.closed_at = timezone.now()
    granted.save(update_fields=["status", "closed_at"])
    _move(
        filing,
        locked,
        Transition.Action.ADJUST,
        Filing.Status.DRAFT,
        user,
        comment=granted.reason,
        version=locked.approved_version,
    )
    return filing


@transaction.atomic
def record_import(filing, *, source):
    """Log that ``filing`` came from a published form (or another file): the IMPORT row.

    Takes a version of reason 导入 and, for an approved filing, makes it the
    official one. Does nothing for a filing whose import is already logged.
    """
    locked = _lock(filing, None)
    existing = locked.transitions.filter(action=Transition.Action.IMPORT).first()
    if existing is not None:
        return existing
    version = _take_version(locked.pk, FilingVersion.Reason.IMPORTED, None, locked.status)
    if locked.status == Filing.Status.APPROVED:
        Filing.objects.filter(pk=locked.pk).update(approved_version=version)
        filing.approved_version = version
        _announce_official(version.pk)
    log.record(
        log.Action.TRANSITION,
        user_display=_("系统导入"),
        filing=locked,
        description=_("《%(name)s》导入自 %(source)s（%(status)s）")
        % {"name": locked.name, "source": source, "status": locked.get_status_display()},
        details={"from": locked.status, "to": locked.status},
    )
    # The import does not move the filing: it arrives in the state it was published in.
    return Transition.objects.create(
        filing=locked,
        action=Transition.Action.IMPORT,
        from_status=locked.status,
        to_status=locked.status,
        actor=None,
        actor_name=_("系统导入"),
        comment=_("导入自 %(source)s") % {"source": source},
        version=version,
    )
