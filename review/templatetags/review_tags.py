from django import template

from filings.access import is_reviewer
from filings.models import Filing
from review.confirmations import withdraw_warning
from review.history import last_rejection, why_returned
from review.queue import queue_count

register = template.Library()


@register.simple_tag(takes_context=True)
def review_queue_count(context):
    """How many filings wait for the current reviewer (the 待我审核 nav link).

    The queue page already counted its filings: it passes ``queue_total`` so
    that the nav does not count them twice.
    """
    if "queue_total" in context:
        return context["queue_total"]
    user = context.get("user")
    if user is None or not is_reviewer(user):
        return 0
    return queue_count(user)


@register.inclusion_tag("review/workflow/_not_approved.html")
def not_approved_panel(access):
    """What a 不予通过 filing's page says: final, who ended it and why; and, for the bureau's
    reviewer, the form that reopens it (the filing is in no queue, so its page is where the
    bureau finds it)."""
    filing = access.filing
    if filing.status != Filing.Status.NOT_APPROVED:
        return {"show": False}
    return {"show": True, "access": access, "filing": filing, "ended": last_rejection(filing)}


@register.inclusion_tag("review/workflow/_returned.html")
def returned_panel(access):
    """Why a returned filing is back with its filer, at the top of its page: the grade, what
    happens once resubmitted (良: the same stage confirms; 中: a full new review) and what to
    amend, or the bureau's reason for reopening a 不予通过 (the timeline has it far below)."""
    filing = access.filing
    if filing.status != Filing.Status.RETURNED:
        return {"show": False}
    transition, review = why_returned(filing)
    return {"show": transition is not None, "transition": transition, "review": review}


@register.simple_tag
def withdraw_question(filing):
    """The confirmation before 撤回修改 (review.confirmations, the home of these questions)."""
    return withdraw_warning(filing)
