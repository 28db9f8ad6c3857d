"""What changed: the side-by-side diff of two versions (comments: review/views/comments.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from filings.access import VIEW, requires
from filings.models import Filing, FilingVersion
from review import history
from review.diff import diff_versions


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
@requires(VIEW)
def diff(request, access):
    """Two versions side by side: by default the one last returned against the latest.

    Queries: the filing, the version numbers, the last return, the two
    snapshots — the same for 3 indicators as for 100, for 2 versions as for 20.
    """
    filing = access.filing
    rows = list(
        FilingVersion.objects.filter(filing=filing)
        .order_by("number")
        .values_list("pk", "number", "reason", "created_at")
    )
    numbers = [(number, reason, at) for _pk, number, reason, at in rows]
    known = [number for number, _reason, _at in numbers]
    approved = next((n for pk, n, *_rest in rows if pk == filing.approved_version_id), None)
    returned = history.last_returned_number(filing) if len(known) > 1 else None
    pair = history.default_pair(known, returned, approved)
    asked_from, asked_to = _number(request.GET.get("from")), _number(request.GET.get("to"))
    problem = ""
    if asked_from is not None or asked_to is not None:
        if asked_from not in known or asked_to not in known:
            problem = _("没有所选的版本，已改为显示默认比较的两个版本。")
        elif asked_from == asked_to:
            problem = _("请选择两个不同的版本进行比较。")
        else:
            pair = (asked_from, asked_to)
    context = {
        "access": access,
        "filing": filing,
        "numbers": numbers,
        "returned": returned,
        "approved": approved,
        "problem": problem,
        "pair": pair,
    }
    if pair is not None:
        snapshots = dict(
            FilingVersion.objects.filter(filing=filing, number__in=pair).values_list(
                "number", "snapshot"
            )
        )
        old, new = snapshots[pair[0]], snapshots[pair[1]]
        context["diff"] = diff_versions(old, new)
        context["old_number"], context["new_number"] = pair
        context["is_project"] = (new.get("form") or old.get("form")) == Filing.Form.PROJECT
        context["old_unit"], context["new_unit"] = old.get("money_unit"), new.get("money_unit")
        context.update(_earlier_comments(access, rows, pair[1]))
    return render(request, "review/changes/diff.html", context)


def _earlier_comments(access, rows, new_number):
    """The comments written before version ``new_number``, with their replies, by row.

    Beside the diff the reviewer of the next round reads what was asked, what the filer
    answered and whether it was marked 已处理, next to the row it was about. Two queries.
    """
    numbers = {pk: number for pk, number, *_rest in rows}
    by_row, by_part = {}, []
    comments = history.visible_comments(access.filing, history.sees_internal(access))
    for comment in comments.filter(version__number__lt=new_number):
        comment.version_number = numbers.get(comment.version_id)
        if comment.row_key:
            by_row.setdefault(str(comment.row_key), []).append(comment)
        else:
            by_part.append(comment)
    return {"row_threads": by_row, "part_threads": by_part}
