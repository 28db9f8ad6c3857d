"""Adjustments that are asked for (调整申请), 88号 第二十八条.

Approved targets are in principle not adjusted; where they must be, the
change follows the budget adjustment and is reviewed again. So:

    已批复 ──申请调整──▶ 待审批 ──同意──▶ 已同意 ──发起调整──▶ 已发起调整 (the filing: 草稿, 调整)
                            │   └─不同意─▶ 未同意         │
                            └─撤回申请─▶ 已撤回 ◀──撤回申请─┘

While the adjustment is a draft (or returned), the filer may withdraw it
(``cancel``): its content is put back as approved and the filing is 已批复
again, with the same approved version.

The filer applies with a reason and, where there is one, the budget
adjustment it follows; the filing's final approver
(``filings.access.is_final_approver_of``) grants or refuses it with a
reason; only a granted application lets ``review.workflow.start_adjustment``
open the draft, by any path. The filing itself does not move until the
adjustment is opened: its approved version stays official throughout, and
until the adjusted version is approved in its turn (``exports`` print it).

Each step locks the filing row as the workflow does and is written to the
audit log; the people concerned are told after the commit.
"""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments import services as attachments
from audit import log
from filings import access, cleaning, content
from filings.fields import FORM_FIELDS
from filings.models import Filing
from filings.serialization import ImportProblem, field_from_json
from indicators.editor import validate_rows
from indicators.taxonomy import Taxonomy
from review import notifications
from review.models import AdjustmentRequest, Notification, Round, Transition
from review.workflow import TransitionRefused, _lock, _move, _require

logger = logging.getLogger(__name__)

REASON_MAX = 2000
BUDGET_ADJUSTMENT_MAX = 200
# The session key under which a refused form's text waits for the filing page (nothing typed
# is lost): review/views/adjustments.py keeps it, the adjustment panel puts it back.
KEPT_FORM = "adjustment_form"
Status = AdjustmentRequest.Status


def open_request(filing):
    """The filing's application not yet answered or used (待审批 or 已同意), or None."""
    return (
        AdjustmentRequest.objects.filter(filing=filing, status__in=AdjustmentRequest.OPEN_STATUSES)
        .select_related("approved_version")
        .first()
    )


def pending_for(user, limit=50):
    """Applications waiting for ``user``'s answer (they are the filing's final approver).

    For 待我审核: a bounded list, oldest first; the rule of who answers is
    ``access.is_final_approver_of``, asked of each.
    """
    requests = (
        AdjustmentRequest.objects.filter(
            status=Status.PENDING,
            # As a subquery: the queue has read the subtree's ids once already.
            filing__organisation__in=access.organisations_of(user).values("pk"),
        )
        .select_related("filing__organisation__parent")
        .order_by("applied_at", "pk")[:limit]
    )
    return [r for r in requests if access.is_final_approver_of(user, r.filing)]


def is_adjustment(filing):
    """Whether ``filing`` is being adjusted: approved once, now worked on again (调整)."""
    return bool(filing.approved_version_id) and filing.status != Filing.Status.APPROVED


def _text(value, label, *, required, limit, multiline):
    value = cleaning.strip_invisible(value or "", multiline=multiline).strip()
    if required and cleaning.is_blank(value):  # zero-width characters are no reason
        raise TransitionRefused(_("请填写「%(field)s」。") % {"field": label})
    if len(value) > limit:
        raise TransitionRefused(
            _("「%(field)s」不能超过 %(limit)s 个字。") % {"field": label, "limit": limit}
        )
    problem = cleaning.text_problem(value, multiline=multiline)
    if problem:
        raise TransitionRefused(f"「{label}」{problem}")
    return value


def window_problem(filing, today=None):
    """Why applications for ``filing`` are closed today (the round's window), or None."""
    round_ = Round.objects.filter(
        bureau_id=access.bureau_id_of(filing.organisation), year=filing.year
    ).first()
    if round_ is None:
        return None
    today = today or timezone.localdate()
    opens, closes = round_.adjustments_open_on, round_.adjustments_close_on
    if (opens and today < opens) or (closes and today > closes):
        return _("%(round)s的调整申请期为 %(opens)s 至 %(closes)s，今天不能申请调整。") % {
            "round": round_,
            "opens": opens or _("不限"),
            "closes": closes or _("不限"),
        }
    return None


def _record(user, filing, description, request_):
    log.record(
        log.Action.TRANSITION,
        user=user,
        filing=filing,
        description=description,
        details={"adjustment_request": request_.pk, "status": request_.status},
    )


def _tell(recipients, filing, message):
    def send():
        try:
            notifications.notify(
                recipients,
                kind=Notification.Kind.ADJUSTMENT,
                message=message,
                url=reverse("filings:detail", args=[filing.pk]),
                filing=filing,
            )
        except Exception:
            logger.exception("notification of adjustment request on filing %s failed", filing.pk)

    transaction.on_commit(send)


@transaction.atomic
def apply(filing, user, *, reason, budget_adjustment=""):
    """While the adjustment is a draft (or returned), the filer may withdraw it
    (``cancel``): its content is put back as approved and the filing is 已批复
    again, with the same approved version.

    The filer applies to adjust an approved filing; returns the AdjustmentRequest."""
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.APPLY_ADJUSTMENT,
        _("这份申报当前状态为「%(status)s」，只有已批复的申报才能申请调整。"),
    )
    reason = _text(reason, _("调整理由"), required=True, limit=REASON_MAX, multiline=True)
    budget_adjustment = _text(
        budget_adjustment,
        _("依据的预算调整"),
        required=False,
        limit=BUDGET_ADJUSTMENT_MAX,
        multiline=False,
    )
    if locked.approved_version_id is None:
        raise TransitionRefused(_("这份申报没有批复版本，无法申请调整，请联系管理员。"))
    if open_request(locked) is not None:
        raise TransitionRefused(_("这份申报已有一份未办结的调整申请，请等待审批结果。"))
    closed = window_problem(locked)
    if closed:
        raise TransitionRefused(closed)
    request_ = AdjustmentRequest.objects.create(
        filing=locked,
        approved_version=locked.approved_version,
        reason=reason,
        budget_adjustment=budget_adjustment,
        applicant=user,
        applicant_name=user.display_name,
    )
    _record(user, locked, _("《%(name)s》申请调整") % {"name": locked.name}, request_)
    approvers = notifications.final_approvers_of(locked)
    _tell(
        approvers,
        locked,
        _("「%(filing)s」（已批复）申请调整，等待您审批。理由：%(reason)s")
        % {"filing": locked, "reason": reason},
    )
    return request_


def _pending(locked):
    request_ = open_request(locked)
    if request_ is None or request_.status != Status.PENDING:
        raise TransitionRefused(_("这份申报没有待审批的调整申请（可能已被处理或撤回）。"))
    return request_


@transaction.atomic
def decide(filing, user, *, grant, answer):
    """The final approver grants or refuses the pending application, with a reason."""
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.DECIDE_ADJUSTMENT,
        _("这份申报当前状态为「%(status)s」，没有可审批的调整申请。"),
    )
    answer = _text(answer, _("审批意见"), required=True, limit=REASON_MAX, multiline=True)
    request_ = _pending(locked)
    request_.status = Status.GRANTED if grant else Status.REFUSED
    request_.decided_by, request_.decided_by_name = user, user.display_name
    request_.decided_at = timezone.now()
    request_.answer = answer
    if not grant:
        request_.closed_at = request_.decided_at
    request_.save()
    what = _("同意调整") if grant else _("不同意调整")
    description = _("《%(name)s》调整申请：%(what)s") % {"name": locked.name, "what": what}
    _record(user, locked, description, request_)
    _tell(
        notifications.filers_of(locked.organisation_id),
        locked,
        _("「%(filing)s」的调整申请%(what)s。意见：%(answer)s")
        % {
            "filing": locked,
            "what": _("已获同意，可以发起调整") if grant else _("未获同意"),
            "answer": answer,
        },
    )
    return request_


@transaction.atomic
def withdraw(filing, user):
    """The filer withdraws an application not yet used (待审批 or 已同意)."""
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.APPLY_ADJUSTMENT,
        _("这份申报当前状态为「%(status)s」，调整已经开始，不能再撤回申请。"),
    )
    request_ = open_request(locked)
    if request_ is None:
        raise TransitionRefused(_("这份申报没有可撤回的调整申请。"))
    request_.status = Status.WITHDRAWN
    request_.closed_at = timezone.now()
    request_.save(update_fields=["status", "closed_at"])
    _record(user, locked, _("《%(name)s》撤回调整申请") % {"name": locked.name}, request_)
    return request_


def _value_at(data, path):
    for key in path[:-1]:
        data = data.get(key) or {}
    return data.get(path[-1])


def _restore(locked, snapshot):
    """Put the approved snapshot back as the filing's content, through the content service."""
    names = ["name", "money_unit", "annual_goal", "value_heading"]
    for name in names:
        setattr(locked, name, snapshot.get(name) or "")
    for form_field in FORM_FIELDS:
        if locked.form in form_field.forms:
            value = field_from_json(locked, form_field, _value_at(snapshot, form_field.json))
            setattr(locked, form_field.name, value)
            names.append(form_field.name)
    keys = ("key", "level1", "level2", "name", "value", "explanation", "basis")
    rows, errors = validate_rows(
        [{k: row.get(k) for k in keys} for row in snapshot.get("indicators") or []],
        Taxonomy.load(),
    )
    if errors:
        raise TransitionRefused(_("批复版本的指标无法恢复，请联系管理员。"))
    tasks = None if locked.is_project else snapshot.get("tasks") or []
    content.replace_content(locked, locked.lock_version, names=names, tasks=tasks, indicators=rows)
    attachments.restore(locked, snapshot)


@transaction.atomic
def cancel(filing, user):
    """The filer withdraws the open adjustment: content as approved, 已批复 again.

    The approved version is untouched (it was official all along); what the
    adjustment changed is put back from it. A submitted adjustment is withdrawn
    from review first (``workflow.withdraw``).
    """
    locked = _lock(filing, user)
    _require(
        user,
        locked,
        access.CANCEL_ADJUSTMENT,
        _("这份申报当前状态为「%(status)s」，不是可撤回的调整（已提交审核的，请先撤回提交）。"),
    )
    official = locked.approved_version
    try:
        _restore(locked, official.snapshot)
    except (ImportProblem, content.ContentRefused) as exc:
        logger.warning("restoring filing %s from version %s: %s", locked.pk, official.pk, exc)
        raise TransitionRefused(_("批复版本的内容无法恢复，请联系管理员。")) from None
    AdjustmentRequest.objects.filter(filing=locked, status=Status.OPENED).update(
        status=Status.CANCELLED, closed_at=timezone.now()
    )
    _move(
        filing,
        locked,
        Transition.Action.CANCEL_ADJUSTMENT,
        Filing.Status.APPROVED,
        user,
        version=official,
    )
    return filing
