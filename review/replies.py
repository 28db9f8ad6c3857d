"""Replies under comments: writing one, and marking its comment 已处理 with it.

The filer answers each comment with what was done about it, and may mark the comment
已处理 with that answer; a mark needs a reply, so a reviewer reading 已处理 always reads
how. Who may reply, and when, is ``filings.access`` (``REPLY``); which comments a user
reaches at all is ``filings.visibility`` (a filer never reaches an internal one). The
reviewer who wrote the comment is told, and a reviewer's reply tells the filers
(``review.notifications.on_reply``).
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import cleaning
from review import notifications
from review.models import Comment, Reply

logger = logging.getLogger(__name__)

# As a comment's own body (review.forms.CommentForm): a reply is an answer, not a document.
REPLY_MAX = 2000
# A second post of the same reply this soon is the same click twice, not a new answer: the same
# words may well be the right answer again later (「已按意见修改」 in the next round).
DOUBLE_POST = datetime.timedelta(minutes=1)


class ReplyRefused(Exception):
    """A reply that cannot be written, with a Chinese message for the user."""


@transaction.atomic
def add_reply(comment, user, body, *, resolve=False):
    """Write ``user``'s reply under ``comment``; with ``resolve``, mark the comment 已处理.

    The caller has asked ``filings.access`` (REPLY, and RESOLVE for ``resolve``) and
    cleaned ``body``. A comment already marked keeps the time it was first marked.
    """
    body = body.strip()
    if cleaning.is_blank(body):
        # 已处理 needs an answer the reviewer can read: zero-width characters are none.
        raise ReplyRefused(_("请填写「回复」：说明已如何处理这条意见。"))
    # The comment's row lock orders two posts of one reply (a double click on 回复): the
    # second finds the first and writes nothing, nor tells anyone again.
    Comment.objects.select_for_update().filter(pk=comment.pk).first()
    last = (
        Reply.objects.filter(comment=comment, created_at__gte=timezone.now() - DOUBLE_POST)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is not None and last.author_id == user.pk and last.body == body[:REPLY_MAX]:
        if resolve:
            Reply.objects.filter(pk=last.pk).update(resolves=True)
            _mark_resolved(comment, last.created_at)
        return last
    reply = Reply.objects.create(
        comment=comment,
        body=body[:REPLY_MAX],
        author=user,
        author_name=user.display_name,
        resolves=resolve,
    )
    if resolve:
        _mark_resolved(comment, reply.created_at)
    transaction.on_commit(lambda: _notify(reply))
    return reply


def _mark_resolved(comment, when):
    # Conditional: a comment already marked keeps the time it was first marked.
    Comment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(resolved_at=when)


def _notify(reply):
    # A mail server that is down must not undo a reply already written.
    try:
        notifications.on_reply(reply)
    except Exception:
        logger.exception("notification of reply %s failed", reply.pk)


def has_reply(comment):
    """Whether ``comment`` has been answered: what marking it 已处理 needs."""
    return Reply.objects.filter(comment=comment).exists()


def with_replies(comments):
    """``comments`` (a queryset) with their replies, oldest first: one query more."""
    return comments.prefetch_related(
        Prefetch("replies", queryset=Reply.objects.order_by("created_at", "pk"))
    )
