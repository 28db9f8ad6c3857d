"""``user|may:"queue"``: templates ask the access module which links to show."""

from django import template

from filings import access

register = template.Library()


@register.filter
def may(user, permission):
    """Whether ``user`` holds the named permission (``filings.access``)."""
    return access.may(user, permission)
