"""Telling people that it is their turn: in the app (Notification rows) and by e-mail.

Two sources of news:

- ``on_transition(transition)``, called by ``review.workflow`` once the
  transition is committed: a filing reaching a review queue tells the
  reviewers of that stage; a return or an approval tells the filers of the
  filing's organisation; a department's 不予通过 tells the filers and the
  bureau's finance reviewers, who alone may reopen it.
- ``on_reply(reply)``, called by ``review.replies`` once a reply under a
  comment is committed: the reviewer who wrote the comment is told, and a
  reviewer's reply under a comment the filer sees tells the filing's filers.
- ``send_deadline_reminders(today, days)``, run daily by the management
  command of the same name: everyone with work not yet passed on, a few days
  before their bureau's round closes. Once a day per person, however often
  it runs.

E-mail goes through Django's mail backend (``EMAIL_BACKEND``); a mail server
that is down must not undo or break a transition that already happened, so
sending failures are logged, never raised. The in-app rows are the record.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, bureau_id_of
from filings import access
from filings.models import Filing
from review.comment_rows import comment_place
from review.models import Notification, Reply, Review, Round, Transition

logger = logging.getLogger(__name__)

# Filings whose filer still has to act before the deadline.
NOT_SUBMITTED = (Filing.Status.DRAFT, Filing.Status.RETURNED)
DEFAULT_REMINDER_DAYS = 7
MESSAGE_LENGTH = Notification._meta.get_field("message").max_length


def _active(users):
    return users.filter(is_active=True).order_by("pk")


def filers_of(organisation_id):
    return _active(User.objects.filter(role=User.Role.FILER, organisation_id=organisation_id))


def reviewers_for(filing, status):
    """Who acts on ``filing`` when it is in ``status``: the reviewers of that stage."""
    organisation = filing.organisation
    if status == Filing.Status.DEPARTMENT_REVIEW:
        return _active(
            User.objects.filter(
                role=User.Role.DEPARTMENT_REVIEWER, organisation_id=organisation.parent_id
            )
        )
    if status == Filing.Status.FINANCE_REVIEW:
        return _active(
            User.objects.filter(
                role=User.Role.FINANCE_REVIEWER, organisation_id=bureau_id_of(organisation)
            )
        )
    return User.objects.none()


def final_approvers_of(filing):
    """The active users whose approval is final for ``filing`` (``access.is_final_approver_of``)."""
    candidates = reviewers_for(filing, Filing.Status.DEPARTMENT_REVIEW) | reviewers_for(
        filing, Filing.Status.FINANCE_REVIEW
    )
    return [user for user in candidates if access.is_final_approver_of(user, filing)]


def _url(name, *args, fallback=None):
    # The review pages are built beside this module; until their route exists
    # a reviewer is sent to the filing page instead of to a broken link.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return reverse(fallback, args=args) if fallback else ""


def _clip(text):
    return text if len(text) <= MESSAGE_LENGTH else text[: MESSAGE_LENGTH - 1] + "…"


# The transitions that concern someone besides their actor.
_TOLD = {
    Transition.Action.SUBMIT,
    Transition.Action.DEPARTMENT_APPROVE,
    Transition.Action.DEPARTMENT_RETURN,
    Transition.Action.FINANCE_RETURN,
    Transition.Action.FINANCE_APPROVE,
    Transition.Action.DEPARTMENT_FINAL_APPROVE,
    Transition.Action.DEPARTMENT_REJECT,
    Transition.Action.FINANCE_REJECT,
    Transition.Action.REOPEN,
}


def _label(filing, transition):
    """The filing's name in a message; an adjustment (调整) goes through the same review,
    and its messages say so."""
    if filing.transitions.filter(action=Transition.Action.ADJUST, at__lte=transition.at).exists():
        return _("%(filing)s（调整）") % {"filing": filing}
    return str(filing)


def _ended_or_reopened(transition, filing_label):
    """(kind, message) of a 不予通过, or of the bureau's reopening of one, for the filers."""
    rejected = transition.action != Transition.Action.REOPEN
    kind = Notification.Kind.NOT_APPROVED if rejected else Notification.Kind.RETURNED
    message = (
        _("「%(filing)s」审核不予通过（%(who)s）。")
        if rejected
        else _("「%(filing)s」已由财政局重新开放，可以修改后重新提交（%(who)s）。")
    ) % {"filing": filing_label, "who": Transition.Action(transition.action).label}
    if transition.comment:
        message += _("说明：%(comment)s") % {"comment": transition.comment}
    return kind, message


def on_transition(transition):
    """Notify whoever the committed ``transition`` concerns; returns the new Notifications.

    An import, a withdrawal or the start of an adjustment concern nobody but
    the person who did it, so they notify no one.
    """
    filing = Filing.objects.select_related("organisation__parent").get(pk=transition.filing_id)
    action = transition.action
    Action = Transition.Action
    if action not in _TOLD:
        return []
    filing_label = _label(filing, transition)
    if action in (Action.SUBMIT, Action.DEPARTMENT_APPROVE):
        kind = Notification.Kind.QUEUED
        recipients = reviewers_for(filing, transition.to_status)
        message = _("「%(filing)s」%(what)s，等待您审核（%(status)s）。") % {
            "filing": filing_label,
            "what": _("已通过主管部门审核") if action == Action.DEPARTMENT_APPROVE else _("已提交"),
            "status": Filing.Status(transition.to_status).label,
        }
        url = _url("review:review", filing.pk, fallback="filings:detail")
    elif action in (Action.DEPARTMENT_RETURN, Action.FINANCE_RETURN):
        kind = Notification.Kind.RETURNED
        recipients = filers_of(filing.organisation_id)
        message = _("「%(filing)s」被退回修改（%(who)s）。") % {
            "filing": filing_label,
            "who": Transition.Action(action).label,
        }
        if transition.comment:
            message += _("说明：%(comment)s") % {"comment": transition.comment}
        url = _url("filings:detail", filing.pk)
    elif action in (Action.FINANCE_APPROVE, Action.DEPARTMENT_FINAL_APPROVE):
        kind = Notification.Kind.APPROVED
        recipients = filers_of(filing.organisation_id)
        if action == Action.FINANCE_APPROVE:
            message = _("「%(filing)s」已获财政批复。") % {"filing": filing_label}
        else:
            message = _("「%(filing)s」已获主管部门批复。") % {"filing": filing_label}
        url = _url("filings:detail", filing.pk)
    elif action in (Action.DEPARTMENT_REJECT, Action.FINANCE_REJECT, Action.REOPEN):
        kind, message = _ended_or_reopened(transition, filing_label)
        recipients = filers_of(filing.organisation_id)
        url = _url("filings:detail", filing.pk)
    else:
        return []
    # The actor learns nothing new from their own action.
    recipients = list(
        recipients.exclude(pk=transition.actor_id) if transition.actor_id else recipients
    )
    created = notify(recipients, kind=kind, message=message, url=url, filing=filing)
    if action == Action.DEPARTMENT_REJECT:
        created += _tell_bureau_of_rejection(filing, transition, filing_label)
    return created


def _tell_bureau_of_rejection(filing, transition, filing_label):
    """A department's 不予通过 ends the filing and only the bureau may reopen it
    (``access.REOPEN``): its finance reviewers are told, rather than finding it in 申报列表.

    The same reviewers as would review the organisation's filings at the finance stage.
    """
    grade = (
        Review.objects.filter(
            version_id=transition.version_id,
            stage=Review.Stage.DEPARTMENT,
            decision=Review.Decision.REJECT,
        )
        .order_by("-decided_at", "-pk")
        .values_list("grade", flat=True)
        .first()
    )
    message = _(
        "%(department)s将「%(filing)s」（%(unit)s）评为「%(grade)s」，审核不予通过；"
        "如需重新开放，请在申报页面办理。"
    ) % {
        "department": filing.organisation.parent.name,
        "filing": filing_label,
        "unit": filing.organisation.name,
        # 差 is the one grade that rejects (review.grades.GRADE_RULES).
        "grade": grade or "差",
    }
    if transition.comment:
        message += _("理由：%(reason)s") % {"reason": transition.comment}
    recipients = reviewers_for(filing, Filing.Status.FINANCE_REVIEW)
    if transition.actor_id:
        recipients = recipients.exclude(pk=transition.actor_id)
    url = _url("filings:detail", filing.pk)
    return notify(
        list(recipients),
        kind=Notification.Kind.NOT_APPROVED,
        message=message,
        url=url,
        filing=filing,
    )


def on_reply(reply):
    """Tell whoever ``reply`` answers; returns the new Notifications.

    The reviewer who wrote the comment, when someone else replies; and, when a
    reviewer replies under a comment the filer sees, the filing's filers, as a
    return or an approval tells them. The reply's author is never told of it.
    """
    reply = Reply.objects.select_related(
        "author", "comment__author", "comment__filing__organisation"
    ).get(pk=reply.pk)
    return _tell_comment_author(reply) + _tell_filers(reply)


def _tell_comment_author(reply):
    """Only a reviewer's comment is announced: a filer's remark on their own filing has
    nobody to wait for an answer. An internal comment's author is a reviewer too."""
    comment, author = reply.comment, reply.comment.author
    if (
        author is None
        or not author.is_active
        or author.pk == reply.author_id
        or author.role == User.Role.FILER
    ):
        return []
    filing = comment.filing
    message = _("「%(filing)s」：%(who)s回复了您的意见「%(comment)s」：%(reply)s") % {
        "filing": filing,
        "who": reply.author_name or _("填报人"),
        "comment": _clip_short(comment.body),
        "reply": reply.body,
    }
    url = _url("review:review", filing.pk, fallback="filings:detail") + f"#comment-{comment.pk}"
    return notify([author], kind=Notification.Kind.REPLY, message=message, url=url, filing=filing)


def _tell_filers(reply):
    """A reviewer's answer in a thread the filer reads reaches the organisation's filers.

    Never for an internal comment: the filer must not learn that it exists.
    """
    comment = reply.comment
    if comment.internal or reply.author is None or not access.is_reviewer(reply.author):
        return []
    filing = comment.filing
    recipients = list(filers_of(filing.organisation_id).exclude(pk=reply.author_id))
    if not recipients:
        return []
    message = _("「%(filing)s」：%(who)s回复了审核意见（%(place)s）「%(comment)s」：%(reply)s") % {
        "filing": filing,
        "who": reply.author_name or _("审核人"),
        "place": comment_place(comment),
        "comment": _clip_short(comment.body),
        "reply": reply.body,
    }
    # The filing page: its timeline holds every comment the filer sees, with the reply
    # form while they may answer, whatever state the filing is in by the time they look.
    url = _url("filings:detail", filing.pk) + f"#comment-{comment.pk}"
    return notify(recipients, kind=Notification.Kind.REPLY, message=message, url=url, filing=filing)


def _clip_short(text, length=20):
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def notify(recipients, *, kind, message, url="", filing=None):
    """Store one Notification per recipient and e-mail those with an address."""
    message = _clip(message)
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, kind=kind, filing=filing, message=message, url=url, created_at=now
            )
            for user in recipients
        ]
    )
    send_emails(recipients, subject=Notification.Kind(kind).label, body=message, url=url)
    return notifications


def send_emails(recipients, *, subject, body, url=""):
    """E-mail ``body`` to each recipient that has an address; failures are logged."""
    link = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{url}" if url else ""
    text = body + (f"\n\n{_('查看：')}{link}" if link else "")
    text += "\n\n" + _("——预算绩效目标申报系统（本邮件由系统自动发送，请勿回复）")
    messages = [
        EmailMessage(
            subject=_("[绩效目标申报] %(subject)s") % {"subject": subject},
            body=text,
            to=[user.email],
        )
        for user in recipients
        if user.email
    ]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:  # any mail failure: the in-app row already exists
        logger.exception("sending %d notification e-mails failed", len(messages))
        return 0


def round_label(round_):
    """「2025年度绩效目标申报」: the year before the title, without saying 年度 twice."""
    title = str(round_.title)
    return f"{round_.year}{title}" if title.startswith("年度") else f"{round_.year}年度{title}"


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def send_deadline_reminders(today=None, days=DEFAULT_REMINDER_DAYS):
    """Remind everyone with work not yet passed on, when a round closes within ``days``.

    Filers are reminded of their organisation's drafts and returned filings of
    the round's year; department reviewers of the filings still waiting in
    their queue (they too must pass them on to the bureau before the deadline).
    One reminder per person per day: a person already reminded today is
    skipped, so the command may run as often as cron likes. Returns the new
    Notifications.
    """
    # "Once a day" is the real day the reminders are sent on, also when ``today``
    # pretends otherwise (the command's --date, to catch up on a missed run).
    sent_on = timezone.localdate()
    today = today or sent_on
    rounds = Round.objects.filter(deadline__gte=today, deadline__lte=today + timedelta(days=days))
    already = set(
        Notification.objects.filter(
            kind=Notification.Kind.DEADLINE,
            created_at__gte=_start_of(sent_on),
            created_at__lt=_start_of(sent_on + timedelta(days=1)),
        ).values_list("recipient_id", flat=True)
    )
    created = []
    for round_ in rounds.select_related("bureau"):
        filer_work, reviewer_work = _work_owed(round_)
        users = _active(
            User.objects.filter(role=User.Role.FILER, organisation_id__in=filer_work)
            | User.objects.filter(
                role=User.Role.DEPARTMENT_REVIEWER, organisation_id__in=reviewer_work
            )
        ).exclude(pk__in=already)
        for user in users:
            if user.role == User.Role.FILER:
                count, url = filer_work[user.organisation_id], _url("filings:mine")
                owed = _("您单位有 %(count)d 份申报尚未提交") % {"count": count}
            else:
                count = reviewer_work[user.organisation_id]
                url = _url("review:queue", fallback="filings:list")
                owed = _("有 %(count)d 份申报等待您审核") % {"count": count}
            message = _reminder(round_, today, owed)
            created += notify([user], kind=Notification.Kind.DEADLINE, message=message, url=url)
            already.add(user.pk)
    return created


def _work_owed(round_):
    """Who owes how many filings of ``round_``: filers per organisation, reviewers per department.

    Two dicts, organisation id -> count: the drafts and returned filings of each
    organisation, and the filings waiting in each department's queue.
    """
    pending = (
        Filing.objects.under(round_.bureau_id)
        .filter(year=round_.year, status__in=(*NOT_SUBMITTED, Filing.Status.DEPARTMENT_REVIEW))
        .values("organisation_id", "organisation__parent_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    filer_work, reviewer_work = {}, {}
    for row in pending:
        if row["status"] == Filing.Status.DEPARTMENT_REVIEW:
            key = row["organisation__parent_id"]
            reviewer_work[key] = reviewer_work.get(key, 0) + row["n"]
        else:
            key = row["organisation_id"]
            filer_work[key] = filer_work.get(key, 0) + row["n"]
    return filer_work, reviewer_work


def _reminder(round_, today, owed):
    """The reminder's text: the round, its deadline, the days left and what is ``owed``."""
    left = (round_.deadline - today).days
    when = _("今天") if left == 0 else _("还有 %(days)d 天") % {"days": left}
    return _("%(round)s将于 %(deadline)s 截止（%(when)s），%(owed)s。") % {
        "round": round_label(round_),
        "deadline": round_.deadline.strftime("%Y-%m-%d"),
        "when": when,
        "owed": owed,
    }
