"""Adjustments that are asked for (调整申请): apply, withdraw, grant or refuse.

The filer applies and may withdraw on the filing page; the filing's final
approver answers there too. Opening the granted adjustment is the 发起调整
button (review/views/workflow.py). A refused step (a double click, an
application already answered) comes back as a message on the filing page,
with what was typed kept in the message's form; only a wrong role gets a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.access import APPLY_ADJUSTMENT, CANCEL_ADJUSTMENT, DECIDE_ADJUSTMENT, requires
from review import adjustments
from review.workflow import TransitionRefused

# The buttons of the approver's form (templates/review/adjustments/_panel.html).
DECISIONS = {"grant": True, "refuse": False}


def _back(request, filing, kept=None):
    if kept:
        request.session[adjustments.KEPT_FORM] = {"filing": filing.pk, **kept}
    return redirect("filings:detail", filing.pk)


@login_required
@require_POST
@requires(APPLY_ADJUSTMENT, role_only=True)
def apply(request, access):
    filing = access.filing
    typed = {
        "reason": request.POST.get("reason", "")[: adjustments.REASON_MAX * 2],
        "budget_adjustment": request.POST.get("budget_adjustment", "")[
            : adjustments.BUDGET_ADJUSTMENT_MAX * 2
        ],
    }
    try:
        adjustments.apply(filing, request.user, **typed)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return _back(request, filing, typed)
    messages.success(request, _("已提交调整申请，等待批复人审批。审批前，原批复版本不变。"))
    return _back(request, filing)


@login_required
@require_POST
@requires(APPLY_ADJUSTMENT, role_only=True)
def withdraw(request, access):
    try:
        adjustments.withdraw(access.filing, request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return _back(request, access.filing)
    messages.success(request, _("已撤回调整申请，原批复版本不变。"))
    return _back(request, access.filing)


@login_required
@require_POST
@requires(DECIDE_ADJUSTMENT, role_only=True)
def decide(request, access):
    answer = request.POST.get("answer", "")[: adjustments.REASON_MAX * 2]
    decision = request.POST.get("decision")
    if decision not in DECISIONS:
        # A post without the button (a script, a form re-sent by hand) must not be read
        # as 不同意: that answer closes the application for good.
        messages.error(request, _("请点击「同意调整」或「不同意调整」。"))
        return _back(request, access.filing, {"answer": answer})
    grant = DECISIONS[decision]
    try:
        adjustments.decide(access.filing, request.user, grant=grant, answer=answer)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return _back(request, access.filing, {"answer": answer})
    if grant:
        messages.success(request, _("已同意调整申请；填报单位可以发起调整。"))
    else:
        messages.success(request, _("已不同意调整申请，原批复版本继续有效。"))
    return _back(request, access.filing)


@login_required
@require_POST
@requires(CANCEL_ADJUSTMENT, role_only=True)
def cancel(request, access):
    try:
        adjustments.cancel(access.filing, request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return _back(request, access.filing)
    messages.success(request, _("已撤回调整：申报恢复为批复时的内容，状态为已批复。"))
    return _back(request, access.filing)
