"""Comments after they are written: replies under them, and marking them 已处理.

The filer answers a comment where they work (the wizard's step, the indicator
editor, the filing page) and reviewers answer on the review page; every form
posts here with ``next``, the page to go back to. A refused reply comes back as
a page of its own, with the comment, the message naming the field and the text
as it was typed. Who may reply or mark is ``filings.access``; which comments a
user reaches at all is ``filings.visibility`` (a filer never an internal one).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.access import REPLY, RESOLVE, requires
from filings.visibility import comments_visible_to
from review import comment_rows, replies
from review.forms import ReplyForm
from review.models import Comment


def _next(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request, filing, comment=None):
    target = _next(request)
    if not target:
        return redirect("filings:detail", filing.pk)
    if comment is not None and "#" not in target:
        target += f"#comment-{comment.pk}"
    return redirect(target)


def _comment_of(request, filing, comment_id):
    # The filer must not learn that an internal comment exists: not found, as elsewhere.
    comments = comments_visible_to(request.user, Comment.objects.filter(filing=filing))
    return get_object_or_404(replies.with_replies(comments), pk=comment_id)


@login_required
@require_POST
@requires(REPLY)
def reply(request, access, comment_id):
    """A reply under a comment, and with ``resolve`` the comment marked 已处理."""
    filing = access.filing
    comment = _comment_of(request, filing, comment_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            replies.add_reply(
                comment,
                request.user,
                form.cleaned_data["body"],
                resolve=form.cleaned_data["resolve"],
            )
        except replies.ReplyRefused as refused:
            form.add_error("body", str(refused))
    if not form.is_valid():
        labels = comment_rows.row_labels(filing) if comment.row_key else {}
        context = {
            "filing": filing,
            "comment": comment,
            "row_label": comment_rows.comment_row_label(comment, labels),
            "form": form,
            "next": _next(request),
        }
        return render(request, "review/comments/reply.html", context, status=400)
    if form.cleaned_data["resolve"]:
        messages.success(request, _("已回复，并将这条审核意见标为已处理。"))
    else:
        messages.success(request, _("已回复这条审核意见。"))
    return _back(request, filing, comment)


@login_required
@require_POST
@requires(RESOLVE)
def resolve_comment(request, access, comment_id):
    """Mark a comment 已处理 (it must have a reply) or, with ``reopen``, open it again."""
    filing = access.filing
    comment = _comment_of(request, filing, comment_id)
    if request.POST.get("reopen") == "1":
        Comment.objects.filter(pk=comment.pk).update(resolved_at=None)
        messages.success(request, _("已将这条审核意见重新标为未处理。"))
    elif not comment.replies.all():
        # 已处理 says how: the reviewer reads the answer, not a bare tick.
        messages.error(request, _("请先在这条审核意见下回复，说明如何处理，再标为已处理。"))
    else:
        # A conditional update: two clicks (or two people) mark it once, the first time kept.
        Comment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        messages.success(request, _("已将这条审核意见标为已处理。"))
    return _back(request, filing, comment)
