"""What changed: the side-by-side diff of two versions, and marking a comment resolved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from filings.access import RESOLVE, VIEW, requires
from filings.models import Filing, FilingVersion
from filings.visibility import comments_visible_to
from review import history
from review.diff import diff_versions
from review.models import Comment


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
    return render(request, "review/changes/diff.html", context)


def _back(request, filing):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("filings:detail", filing.pk)


@login_required
@require_POST
@requires(RESOLVE)
def resolve_comment(request, access, comment_id):
    """Mark a comment 已处理 (or, with ``reopen``, open it again)."""
    filing = access.filing
    # The filer must not learn that an internal comment exists: not found, as elsewhere.
    comments = comments_visible_to(request.user, Comment.objects.filter(filing=filing))
    comment = get_object_or_404(comments, pk=comment_id)
    reopen = request.POST.get("reopen") == "1"
    # A conditional update: two clicks (or two people) mark it once, the first time kept.
    if reopen:
        Comment.objects.filter(pk=comment.pk).update(resolved_at=None)
        messages.success(request, _("已将这条审核意见重新标为未处理。"))
    else:
        Comment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        messages.success(request, _("已将这条审核意见标为已处理。"))
    return _back(request, filing)
