"""Batch review from 待我审核 (review/batch.py): return several filings, or approve them.

What was done and what was left out (named, with why) come back as messages on
the queue; a wrong batch (no grade, no opinion, nothing ticked) changes nothing
and says which field to fill in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.access import QUEUE, requires
from filings.cleaning import strip_invisible
from review import batch
from review.workflow import TransitionRefused


def _seen(post):
    """{filing id: lock_version the list showed} of the ticked rows; junk ids are dropped."""
    seen = {}
    for value in post.getlist("filing")[: batch.MAX_FILINGS + 1]:
        if value.isascii() and value.isdigit():
            seen[int(value)] = post.get(f"lock_{value}", "")
    return seen


@login_required
@require_POST
@requires(QUEUE)
def batch_decide(request):
    opinion = strip_invisible(request.POST.get("opinion", ""), multiline=True)
    try:
        result = batch.decide_many(
            request.user,
            _seen(request.POST),
            decision=request.POST.get("decision", ""),
            grade=request.POST.get("grade", ""),
            opinion=opinion[: batch.OPINION_MAX + 1],
        )
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        # Nothing typed is lost: the queue puts it back in the batch form.
        request.session[batch.KEPT_FORM] = {
            "decision": request.POST.get("decision", "")[:10],
            "grade": request.POST.get("grade", "")[:1],
            "opinion": opinion[: batch.OPINION_MAX],
        }
        return redirect("review:queue")
    if result.done:
        what = _("退回修改") if request.POST.get("decision") == "return" else _("审核通过")
        messages.success(
            request,
            _("已%(what)s %(count)s 份：%(names)s")
            % {"what": what, "count": len(result.done), "names": "、".join(result.done)},
        )
    if result.left_out:
        messages.warning(
            request,
            _("以下 %(count)s 份未处理：%(items)s")
            % {
                "count": len(result.left_out),
                "items": "；".join(f"《{name}》{why}" for name, why in result.left_out),
            },
        )
    return redirect("review:queue")
