"""The indicator editor's page and its JSON endpoints.

The endpoints answer JSON in every case the editor's script must handle
(saved, invalid, stale, logged out, refused), so that the page can say what
happened in Chinese and keep everything the filer typed on screen.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from filings.access import EDIT, SIGNED_IN, requires
from filings.editing import StaleEdit
from indicators import editor
from indicators.taxonomy import Taxonomy
from indicators.values import format_value, parse_value
from perfgoals import jsonbody
from perfgoals.auth import login_required_json


@login_required
@require_GET
@requires(EDIT)
def editor_page(request, access):
    """The editor on a page of its own (the wizard's 绩效指标 step includes the same)."""
    context = editor.editor_context(access.filing, access)
    context["filing"] = access.filing
    return render(request, "indicators/editor_page.html", context)


@login_required_json
@require_POST
@requires(EDIT, json=True)
@jsonbody.endpoint
def save_rows(request, access):
    """Autosave of the whole indicator table: ``{lock_version, rows: [...], execution_weight}``.

    ``execution_weight`` (预算执行率分值, text; blank for the edition's default) is
    optional: a page that does not post it leaves the filing's as it is.
    """
    data = jsonbody.read(request)
    lock_version = jsonbody.integer(data, "lock_version")
    filing = access.filing
    taxonomy = Taxonomy.load()
    try:
        result = editor.save_rows(
            filing,
            lock_version,
            data.get("rows"),
            taxonomy=taxonomy,
            execution_weight=data.get("execution_weight", editor.NOT_POSTED),
        )
    except StaleEdit as stale:
        return JsonResponse(
            {"ok": False, "error": str(stale), "lock_version": stale.current_version},
            status=409,
        )
    if not result.ok:
        first = result.errors[0]["message"]
        return JsonResponse({"ok": False, "error": first, "errors": result.errors}, status=400)
    findings = result.findings(filing, taxonomy=taxonomy)
    return JsonResponse(
        {
            "ok": True,
            "lock_version": result.lock_version,
            "rows": [
                {
                    "key": str(indicator.key),
                    "value": indicator.value,
                    **editor.parsed_json(indicator),
                }
                for indicator in result.indicators
            ],
            "weights": editor.weights_json(filing, result.indicators),
            "findings": [
                {
                    "code": finding.code,
                    "severity": finding.severity,
                    "message": finding.message,
                    "indicator": finding.indicator,
                    "row": finding.row,
                }
                for finding in findings
            ],
            "saved_at": timezone.localtime(result.saved_at).strftime("%H:%M:%S"),
        }
    )


@login_required_json
@require_GET
@requires(SIGNED_IN, json=True)
@jsonbody.endpoint
def parse_value_view(request):
    """The live preview of a value as typed: its parsed parts and the system's display."""
    text = request.GET.get("value", "")[: editor.VALUE_MAX * 2]
    parsed = parse_value(text)
    return JsonResponse(
        {
            "value_type": parsed.value_type,
            "operator": parsed.operator,
            "number": format(parsed.number, "f") if parsed.number is not None else None,
            "unit": parsed.unit,
            "direction": parsed.direction,
            "display": format_value(parsed.operator, parsed.number, parsed.unit),
        }
    )


@login_required_json
@require_POST
@requires(EDIT, json=True)
@jsonbody.endpoint
def parse_paste(request, access):
    """Rows read from text pasted from Excel, and the lines that could not be read.

    Nothing is saved: the editor shows the preview, inserts the rows the filer
    accepts, and its autosave stores them.
    """
    data = jsonbody.read(request)
    if not isinstance(data.get("text", ""), str):
        return jsonbody.refusal(_("粘贴的内容格式不正确：text 必须是文本。"))
    level2 = data.get("level2")
    # isdigit() alone says yes to "²" and "٣", which int() refuses.
    digits = isinstance(level2, int | str) and str(level2).isascii() and str(level2).isdigit()
    level2 = int(level2) if digits else None
    result = editor.parse_pasted(
        data.get("text", ""), Taxonomy.load(), access.filing, level2_id=level2
    )
    if len(result.rows) > editor.MAX_ROWS:
        return jsonbody.refusal(_("一次最多粘贴 %(max)s 行指标。") % {"max": editor.MAX_ROWS})
    return JsonResponse({"rows": result.rows, "problems": result.problems})
