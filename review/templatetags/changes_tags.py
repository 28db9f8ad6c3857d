"""Template tags of the changes pages: the filing's history and the filer's comments.

The inclusion tags read their own data (review.history), so that the filing
page and the wizard show them with one line of template and no change to
their views.
"""

from decimal import Decimal

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from filings import access as filing_actions
from filings.money import format_amount
from indicators.models import Indicator
from review import diff, history

register = template.Library()


@register.filter
def diff_value(value):
    """A field value as the diff shows it: a blank is a visible dash, not nothing."""
    if value in (None, ""):
        return "—"
    return value


@register.filter
def for_key(mapping, key):
    """``mapping[key]`` in a template (the comments of one row of the diff), or []."""
    return (mapping or {}).get(str(key), [])


@register.filter
def diff_money(value):
    return "—" if value is None else format_amount(value)


@register.filter
def signed_money(value):
    if not isinstance(value, Decimal):
        return ""
    return ("+" if value > 0 else "-") + format_amount(abs(value))


def _cell(side, hit, content, extra_class=""):
    classes = f"diff-{side}{extra_class}{' diff-hit' if hit else ''}"
    return format_html('<td class="{}">{}</td>', classes, content)


def _detail(label, value, hit):
    # An explanation or basis that was removed still shows, as a dash, where it was.
    if not value and not hit:
        return ""
    return format_html(
        '<div class="small text-muted{}">{}：{}</div>',
        " diff-mark" if hit else "",
        label,
        value or "—",
    )


# The parts of a row shown under its name, each with its label when set or changed.
DETAILS = ("explanation", "basis", "basis_text", "direction", "period_value", "weight", "core")
_DIRECTIONS = dict(Indicator.Direction.choices)


def _shown(part, row):
    value = row.get(part)
    if part == "direction" and value:
        return _DIRECTIONS.get(value, value)
    if part == "core":
        return _("是") if value else ""
    return value


@register.simple_tag
def row_cells(change, side, what):
    """The cells of one side of a row of the diff: built here, not by an include per row,
    because a 100-row diff would otherwise spend most of its time in the template engine."""
    row = change.old if side == "old" else change.new
    hit = change.changed_fields
    if what == "indicators":
        if row is None:
            return mark_safe('<td class="diff-empty" colspan="4"></td>')
        details = format_html_join(
            "",
            "{}",
            ((_detail(diff.ROW_LABELS[part], _shown(part, row), part in hit),) for part in DETAILS),
        )
        name = format_html(
            '<span class="{}">{}</span>{}',
            "diff-mark" if "name" in hit else "",
            row.get("name") or "—",
            details,
        )
        name_hit = bool({"name", *DETAILS} & set(hit))
        return format_html(
            "{}{}{}{}",
            _cell(side, "level1" in hit, row.get("level1") or "—"),
            _cell(side, "level2" in hit, row.get("level2") or "—"),
            _cell(side, name_hit, name),
            _cell(side, "value" in hit, row.get("value") or "—"),
        )
    if row is None:
        return mark_safe('<td class="diff-empty" colspan="2"></td>')
    return format_html(
        "{}{}",
        _cell(side, "name" in hit, row.get("name") or "—"),
        _cell(side, "content" in hit, linebreaksbr(row.get("content") or "—"), " diff-text"),
    )


@register.inclusion_tag("review/changes/_history.html", takes_context=True)
def filing_history(context, access):
    """The versions list and the timeline of the filing page."""
    request = context["request"]
    filing = access.filing
    internal = history.sees_internal(access)
    versions = history.versions(filing)
    return {
        "filing": filing,
        "versions": versions,
        "timeline": history.timeline(filing, internal, version_entries=versions),
        "user": request.user,
        "sees_internal": internal,
        "can_resolve": access.can(filing_actions.RESOLVE),
        "can_reply": access.can(filing_actions.REPLY),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("review/changes/_step_comments.html", takes_context=True)
def filer_comments(context, filing, step):
    """The comments addressed to the filer for this wizard step, and what to fix."""
    request = context["request"]
    open_, resolved, opinions = history.step_comments(filing, step.slug)
    rows = [
        {"key": str(comment.row_key), "body": comment.body, "label": comment.row_label}
        for comment in open_
        if comment.row_key
    ]
    access = context.get("access")
    return {
        "filing": filing,
        "step": step,
        "open": open_,
        "resolved": resolved,
        "opinions": opinions,
        "row_comments": rows,
        "row_hint": _("审核意见"),
        "next_url": request.get_full_path(),
        "user": request.user,  # the reply box asks a filer how they dealt with the comment
        "can_reply": access is not None and access.can(filing_actions.REPLY),
        "can_resolve": access is not None and access.can(filing_actions.RESOLVE),
        "csrf_token": context.get("csrf_token"),
    }
