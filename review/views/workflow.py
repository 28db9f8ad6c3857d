"""The filer's buttons on the review path: 提交审核, 撤回, 发起调整.

The reviewers' decisions are made on the review page (review/views/review.py).
A refused transition (a double click, a page left open while a reviewer acted,
an error the checker found) comes back as a message on the page the user is
sent to, never as an error page: only a user who may never take the action on
this filing (wrong role) gets a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.access import ADJUST, SUBMIT, WITHDRAW, requires
from filings.cleaning import strip_invisible
from filings.wizard import steps
from review import workflow

_COMMENT_MAX = 2000


def _comment(request):
    # A note on the timeline: what no text may hold is dropped (filings.cleaning).
    comment = strip_invisible(request.POST.get("comment", ""), multiline=True)
    return comment.strip()[:_COMMENT_MAX]


def _review_step(filing):
    return redirect("filings:wizard", filing.pk, steps.steps_for(filing.form)[-1].slug)


# role_only: 404 outsiders, 403 anyone but the filing's filer; the state is left to the
# workflow, which answers a wrong state with a message rather than an error page.


@login_required
@require_POST
@requires(SUBMIT, role_only=True)
def submit(request, access):
    filing = access.filing
    try:
        version = workflow.submit(
            filing,
            request.user,
            seen_version=request.POST.get("lock_version"),
            comment=_comment(request),
        )
    except workflow.TransitionRefused as exc:
        messages.error(request, str(exc))
        # Back to the checked preview while it can still be fixed there.
        if filing.is_editable:
            return _review_step(filing)
        return redirect("filings:detail", filing.pk)
    messages.success(
        request,
        _("已提交第 %(number)s 版，现为「%(status)s」。审核人开始审核前，您可以撤回。")
        % {"number": version.number, "status": filing.get_status_display()},
    )
    return redirect("filings:detail", filing.pk)


@login_required
@require_POST
@requires(WITHDRAW, role_only=True)
def withdraw(request, access):
    filing = access.filing
    try:
        workflow.withdraw(filing, request.user, comment=_comment(request))
    except workflow.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("filings:detail", filing.pk)
    messages.success(request, _("已撤回，申报回到草稿状态，可以继续修改后再提交。"))
    return _review_step(filing)


@login_required
@require_POST
@requires(ADJUST, role_only=True)
def adjust(request, access):
    filing = access.filing
    try:
        workflow.start_adjustment(filing, request.user)
    except workflow.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("filings:detail", filing.pk)
    messages.success(
        request,
        _("已发起调整：申报回到草稿状态，修改后须重新提交审核。调整批复前，原批复版本仍然有效。"),
    )
    return redirect("filings:wizard", filing.pk, steps.steps_for(filing.form)[0].slug)
