"""``user|may:"queue"``, ``filing|source_for:user``: templates ask the access module."""

from django import template

from filings import access

register = template.Library()


@register.filter
def may(user, permission):
    """Whether ``user`` holds the named permission (``filings.access``)."""
    return access.may(user, permission)


@register.filter
def source_for(filing, user):
    """The 来源 of ``filing`` that ``user`` may read (``filings.access.source_shown_to``)."""
    return access.source_shown_to(user, filing)


@register.filter
def note_for(transition, user):
    """The note of a log row that ``user`` may read (``filings.access.transition_note_for``)."""
    return access.transition_note_for(user, transition)
