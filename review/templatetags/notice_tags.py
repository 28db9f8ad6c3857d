"""The 批复 panel of the filing page: the 批复 that list the filing, and where to issue one.

Reads its own data (review.notices) so that the filing page shows it with one
line of template; a filing never approved costs no query.
"""

from django import template

from filings import access
from review import notices

register = template.Library()


@register.inclusion_tag("review/notices/_panel.html", takes_context=True)
def approval_notices(context, filing_access):
    filing = filing_access.filing
    if not filing.approved_version_id:
        return {"show": False}
    user = context["request"].user
    items = notices.notices_of_filing(filing)
    issues = access.may(user, access.ISSUE_APPROVAL) and access.is_final_approver_of(user, filing)
    listed = any(item.version_id == filing.approved_version_id for item in items)
    return {
        "show": bool(items) or issues,
        "filing": filing,
        "items": items,
        "issue_link": issues,
        "awaiting": issues and not listed,
    }
