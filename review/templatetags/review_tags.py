from django import template

from filings.access import is_reviewer
from review.confirmations import withdraw_warning
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


@register.simple_tag
def withdraw_question(filing):
    """The confirmation before 撤回修改 (review.confirmations, the home of these questions)."""
    return withdraw_warning(filing)
