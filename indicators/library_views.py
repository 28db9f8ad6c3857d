"""The indicator library's page and its two JSON endpoints (suggest, 纳入指标库)."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from filings.access import (
    CURATE_LIBRARY,
    LIBRARY_ADD,
    SIGNED_IN,
    VIEW,
    filing_access,
    json_refusal,
    may,
    requires,
)
from filings.cleaning import strip_invisible
from indicators.library import add_from_row, suggest
from indicators.models import Indicator, Level1, Level2, LibraryEntry
from perfgoals import jsonbody
from perfgoals.auth import login_required_json

PER_PAGE = 30
SUGGESTIONS = 10


def _id(text):
    """A positive integer id from a query parameter, or None."""
    text = (text or "").strip()
    # isdigit() alone says yes to "²" and "٣", which int() refuses.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


@login_required
@require_GET
@requires(SIGNED_IN)
def library(request):
    """The library, searchable and filterable by 一级, 二级 and 类别."""
    q = strip_invisible(request.GET.get("q", "")).strip()[:100]
    level1_id = _id(request.GET.get("level1"))
    level2_id = _id(request.GET.get("level2"))
    scope = request.GET.get("scope", "")
    if scope not in LibraryEntry.Scope.values:
        scope = ""

    level2s = list(Level2.objects.select_related("level1"))
    entries = LibraryEntry.objects.visible_to(request.user)
    if q:
        entries = entries.filter(Q(name__icontains=q) | Q(explanation__icontains=q))
    if level2_id:
        entries = entries.filter(level2_id=level2_id)
    elif level1_id:
        # Ids from the taxonomy already in hand: the page's count must not join Level2.
        entries = entries.filter(
            level2_id__in=[level2.pk for level2 in level2s if level2.level1_id == level1_id]
        )
    if scope:
        entries = entries.filter(scope=scope)

    # The paginator's count drops select_related: only the rows shown are joined.
    entries = entries.select_related("level2__level1", "organisation")
    page = Paginator(entries.order_by("-uses", "name", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "indicators/library.html",
        {
            "page": page,
            "q": q,
            "level1s": Level1.objects.all(),
            "level2s": level2s,
            "level1_id": level1_id,
            "level2_id": level2_id,
            "scope": scope,
            "scopes": LibraryEntry.Scope.choices,
            "filtered": bool(q or level1_id or level2_id or scope),
            "filter_query": filters.urlencode(),
            "can_curate": may(request.user, CURATE_LIBRARY),
        },
    )


def _entry_json(entry):
    return {
        "id": entry.pk,
        "name": entry.name,
        "level1": entry.level2.level1.name,
        "level2": entry.level2.name,
        "level2_id": entry.level2_id,
        "unit": entry.unit,
        "direction": entry.direction,
        "explanation": entry.explanation,
        "example_value": entry.example_value,
        "uses": entry.uses,
        "scope": entry.scope,
    }


@login_required_json
@require_GET
@requires(SIGNED_IN, json=True)
@jsonbody.endpoint
def library_suggest(request):
    """Entries for the name being typed in the editor, as JSON.

    With ``filing``, the user must be able to see that filing, and its
    organisation's own entries rank first (a reviewer looking at a unit's
    filing sees the unit's entries first, not the department's).
    """
    organisation_id = None
    filing_param = request.GET.get("filing")
    if filing_param:
        filing_id = _id(filing_param)
        if filing_id is None:
            return json_refusal(Http404())
        try:
            organisation_id = filing_access(request.user, filing_id, VIEW).filing.organisation_id
        except Http404 as exc:
            return json_refusal(exc)
    # PostgreSQL refuses NUL in a query; no name holds a control character anyway.
    typed = strip_invisible(request.GET.get("q", ""))
    entries = suggest(
        request.user,
        typed[:100],
        level2_id=_id(request.GET.get("level2")),
        limit=SUGGESTIONS,
        organisation_id=organisation_id,
    )
    return JsonResponse({"results": [_entry_json(entry) for entry in entries]})


@login_required_json
@require_POST
@requires(SIGNED_IN, json=True)
@jsonbody.endpoint
def library_add(request):
    """纳入指标库: save one row of a filing as a 个性 entry of the filer's organisation.

    ``LIBRARY_ADD`` (the filer of that organisation), not EDIT: adding a row to
    the library does not change the filing, and the rows of last year's
    approved filing (no longer editable) are the ones most worth keeping.
    """
    filing_id = _id(request.POST.get("filing"))
    try:
        key = uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        key = None
    if filing_id is None or key is None:
        return JsonResponse(
            {"ok": False, "error": _("请求缺少申报或指标行，请刷新页面后重试。")}, status=400
        )
    try:
        filing = filing_access(request.user, filing_id, LIBRARY_ADD).filing
    except (Http404, PermissionDenied) as exc:
        return json_refusal(exc)
    indicator = Indicator.objects.filter(filing=filing, key=key).first()
    if indicator is None:
        return JsonResponse(
            {"ok": False, "error": _("找不到这一行指标：它可能已被删除或尚未保存。")}, status=404
        )
    if not indicator.name.strip():
        return JsonResponse(
            {"ok": False, "error": _("这一行没有填写三级指标名称，无法纳入指标库。")}, status=400
        )
    entry, created = add_from_row(request.user, indicator)
    if created:
        message = _("已将「%(name)s」纳入本单位指标库。") % {"name": entry.name}
    elif entry.scope == LibraryEntry.Scope.COMMON:
        message = _("「%(name)s」已是共性指标，无需重复纳入。") % {"name": entry.name}
    else:
        message = _("「%(name)s」已在本单位指标库中。") % {"name": entry.name}
    return JsonResponse(
        {"ok": True, "created": created, "message": message, "entry": {"id": entry.pk}}
    )
