"""The indicator editor's page and its JSON endpoints.

The endpoints answer JSON in every case the editor's script must handle
(saved, invalid, stale, logged out, refused), so that the page can say what
happened in Chinese and keep everything the filer typed on screen.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from filings.access import EDIT, SIGNED_IN, requires
from filings.editing import StaleEdit
from indicators import editor
from indicators.values import format_value, parse_value
from perfgoals.auth import login_required_json

# Big enough for editor.MAX_ROWS rows with explanations of a few hundred characters, small
# enough to refuse abuse early (and under Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB).
MAX_BODY = 2_000_000


def _read_json(request):
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _bad_request(message):
    return JsonResponse({"ok": False, "error": message, "errors": []}, status=400)


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
def save_rows(request, access):
    """Autosave of the whole indicator table: ``{lock_version, rows: [...]}``."""
    data = _read_json(request)
    if data is None:
        return _bad_request(_("提交的指标数据格式不正确，请刷新页面后重试。"))
    filing = access.filing
    taxonomy = editor.Taxonomy.load()
    try:
        result = editor.save_rows(
            filing, data.get("lock_version"), data.get("rows"), taxonomy=taxonomy
        )
    except StaleEdit as stale:
        return JsonResponse(
            {"ok": False, "error": str(stale), "lock_version": stale.current_version},
            status=409,
        )
    if not result.ok:
        first = result.errors[0]["message"]
        return JsonResponse({"ok": False, "error": first, "errors": result.errors}, status=400)
    findings = result.findings(filing, taxonomy=taxonomy.level2s)
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
def parse_paste(request, access):
    """Rows read from text pasted from Excel, and the lines that could not be read.

    Nothing is saved: the editor shows the preview, inserts the rows the filer
    accepts, and its autosave stores them.
    """
    data = _read_json(request)
    if data is None or not isinstance(data.get("text", ""), str):
        return _bad_request(_("粘贴的内容格式不正确。"))
    level2 = data.get("level2")
    # isdigit() alone says yes to "²" and "٣", which int() refuses.
    digits = isinstance(level2, int | str) and str(level2).isascii() and str(level2).isdigit()
    level2 = int(level2) if digits else None
    result = editor.parse_pasted(
        data.get("text", ""), editor.Taxonomy.load(), access.filing, level2_id=level2
    )
    if len(result.rows) > editor.MAX_ROWS:
        return _bad_request(_("一次最多粘贴 %(max)s 行指标。") % {"max": editor.MAX_ROWS})
    return JsonResponse({"rows": result.rows, "problems": result.problems})
