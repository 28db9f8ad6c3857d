"""The adjustment panel of the filing page (调整申请) and the 调整 label of lists.

The inclusion tag reads its own data (review.adjustments), so the filing page
shows it with one line of template and no change to its view.
"""

from django import template

from review import adjustments
from review.models import AdjustmentRequest

register = template.Library()


@register.filter
def is_adjustment(filing):
    """True for a filing approved once and now worked on again: lists label it 调整."""
    return adjustments.is_adjustment(filing)


@register.inclusion_tag("review/adjustments/_panel.html", takes_context=True)
def adjustment_panel(context, access):
    """What the filer or the approver sees and may do about adjusting the filing."""
    request = context["request"]
    filing = access.filing
    show = access.can_apply_adjustment or access.can_decide_adjustment
    if access.can_cancel_adjustment:
        # An adjustment being worked on: the panel offers to withdraw it, nothing else.
        return {"access": access, "filing": filing, "show": False, "cancel": True}
    open_request = adjustments.open_request(filing) if show else None
    last = None
    if show and open_request is None:
        last = (
            AdjustmentRequest.objects.filter(filing=filing)
            .exclude(status=AdjustmentRequest.Status.OPENED)
            .first()
        )
    kept = request.session.pop(adjustments.KEPT_FORM, None) if show else None
    if kept and kept.get("filing") != filing.pk:
        kept = None
    return {
        "access": access,
        "filing": filing,
        "show": show,
        "cancel": False,
        "open_request": open_request,
        "last": last,
        "kept": kept or {},
        "window_problem": adjustments.window_problem(filing) if show else None,
        "reason_max": adjustments.REASON_MAX,
        "budget_max": adjustments.BUDGET_ADJUSTMENT_MAX,
    }
