from django import template

from filings.money import format_amount

register = template.Library()


@register.filter
def money(value):
    """An amount as the forms print it (``2,013,200.00``); blank stays blank."""
    return format_amount(value)
