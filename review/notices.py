"""批复: issuing the approved targets of an organisation and year (88号 第二十七条).

谁批复预算，谁批复目标: the reviewers whose approval of a filing is final
(``filings.access.is_final_approver_of``, which asks ``review.final_stage``)
issue its 批复; a supervising department and the bureau each issue their
own. A 批复 lists each approved filing of the organisation and year that no
批复 lists yet, in its official version (``Filing.official_version``): a filing
under adjustment is listed in its approved version, and once the adjusted
version is approved a new 批复 lists that one, labelled 调整.

A 批复 is frozen once issued (``ApprovalNotice``): its number, date, issuer and,
per filing, the version, grade, date of approval and approver as they were.
Each issue writes one audit row per filing; the filers of the organisation are
told (in the app and by e-mail) after the commit. The PDF is ``exports.approval``.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, bureau_id_of
from audit import log
from filings import access
from filings.models import Filing
from review import notifications
from review.final_stage import final_stage, round_of
from review.grades import GOES_ON
from review.models import (
    ApprovalNotice,
    ApprovalNoticeItem,
    Notification,
    Review,
    Transition,
)

logger = logging.getLogger(__name__)

# The most filings one 批复 lists: an organisation files a few dozen a year; the rest, if
# ever more, go in the next 批复 (and the PDF of one stays a bounded piece of work).
MAX_FILINGS = 100
# The approvals that make a version official, and whose stage they are.
_APPROVING = {
    Transition.Action.DEPARTMENT_FINAL_APPROVE: Review.Stage.DEPARTMENT,
    Transition.Action.FINANCE_APPROVE: Review.Stage.FINANCE,
}


class NoticeRefused(Exception):
    """A 批复 that cannot be issued now; str() says why, in Chinese."""


def awaiting(user, organisation, year, limit=MAX_FILINGS):
    """The filings of ``organisation`` and ``year`` whose 批复 ``user`` issues and no 批复 lists.

    Each in its official version (``approved_version``, selected), overall
    filings first, then projects in the order they were filed; at most ``limit``.
    """
    filings = (
        Filing.objects.visible_to(user)
        .official()
        .filter(organisation=organisation, year=year)
        .exclude(approved_version__in=ApprovalNoticeItem.objects.values("version_id"))
        .select_related("organisation__parent__parent", "approved_version")
        .order_by("pk")
    )
    round_ = False
    chosen = []
    # Bounded: an organisation's filings of a year, read once.
    for filing in filings[: limit * 4]:
        if round_ is False:
            round_ = round_of(filing)
        if access.is_final_approver_of(user, filing, round_):
            chosen.append(filing)
    chosen.sort(key=lambda f: (f.form == Filing.Form.PROJECT, f.pk))
    return chosen[:limit]


def awaiting_groups(user, limit=MAX_FILINGS * 5):
    """[(organisation, year, count)] with filings waiting for ``user``'s 批复, newest year first.

    Reads at most ``limit`` approved filings not yet in a 批复 (the oldest
    first): a bounded list, the page of each organisation has the rest.
    """
    filings = (
        Filing.objects.visible_to(user)
        .official()
        .exclude(approved_version__in=ApprovalNoticeItem.objects.values("version_id"))
        .select_related("organisation__parent__parent")
        .order_by("pk")[:limit]
    )
    rounds, groups = {}, {}
    for filing in filings:
        key = (bureau_id_of(filing.organisation), filing.year)
        if key not in rounds:
            rounds[key] = round_of(filing)
        if access.is_final_approver_of(user, filing, rounds[key]):
            key = (filing.organisation_id, filing.year)
            groups.setdefault(key, [filing.organisation, 0])[1] += 1
    rows = [(org, year, count) for (_org_id, year), (org, count) in groups.items()]
    return sorted(rows, key=lambda row: (-row[1], row[0].name))


def approval_of(filing):
    """(stage, grade, approved_at) of the approval that made ``filing``'s version official.

    An imported approved filing has no review: its stage is the final stage
    that applies now, its grade blank, its date the import's.
    """
    version = filing.approved_version
    transition = (
        Transition.objects.filter(filing=filing, version=version)
        .filter(to_status=Filing.Status.APPROVED)
        .order_by("-at", "-pk")
        .first()
    )
    stage = _APPROVING.get(transition.action) if transition else None
    stage = stage or final_stage(filing)
    review = (
        Review.objects.filter(version=version, stage=stage, decision__in=GOES_ON)
        .order_by("-decided_at", "-pk")
        .first()
    )
    at = transition.at if transition else version.created_at
    return stage, (review.grade if review else ""), at


def describe(filing):
    """What the approver checks of an awaiting filing before issuing (the page's row)."""
    stage, grade, approved_at = approval_of(filing)
    return {
        "filing": filing,
        "version": filing.approved_version,
        "grade": grade,
        "approved_at": approved_at,
        "approver": _approver_name(filing, stage),
        "adjusted": _is_adjusted(filing),
    }


def _approver_name(filing, stage):
    if stage == Review.Stage.DEPARTMENT:
        return filing.organisation.parent.name
    bureau_id = bureau_id_of(filing.organisation)
    return Organisation.objects.filter(pk=bureau_id).values_list("name", flat=True).first()


def _is_adjusted(filing):
    """Whether the official version approves an adjustment (调整) of targets approved before."""
    return filing.transitions.filter(
        action=Transition.Action.ADJUST, at__lt=filing.approved_version.created_at
    ).exists()


def number_of(issuer, year, sequence):
    """The printed number of a 批复, e.g. 上海市闵行区财政局绩批〔2024〕3号."""
    return _("%(issuer)s绩批〔%(year)s〕%(sequence)s号") % {
        "issuer": issuer.name,
        "year": year,
        "sequence": sequence,
    }


def issue(user, organisation, year):
    """Issue the 批复 of what ``user`` approves finally of ``organisation`` and ``year``.

    Returns the new ``ApprovalNotice``; ``NoticeRefused`` when there is nothing
    to issue or another 批复 was issued at the same moment.
    """
    try:
        with transaction.atomic():
            notice = _issue(user, organisation, year)
    except IntegrityError as exc:
        # The same number or the same version taken by a 批复 issued at the same moment.
        raise NoticeRefused(_("刚刚有人签发了批复，请刷新页面后再看还有哪些申报待批复。")) from exc
    transaction.on_commit(lambda: _tell(notice))
    return notice


def _issue(user, organisation, year):
    # Locks the issuer's row: two 批复 of one issuer are numbered one after the other.
    issuer = Organisation.objects.select_for_update().get(pk=user.organisation_id)
    filings = awaiting(user, organisation, year)
    if not filings:
        raise NoticeRefused(
            _("%(organisation)s%(year)s年度没有待您批复的申报：已批复的申报都已列入批复。")
            % {"organisation": organisation.name, "year": year}
        )
    last = ApprovalNotice.objects.filter(issuer=issuer, year=year).aggregate(Max("sequence"))
    sequence = (last["sequence__max"] or 0) + 1
    notice = ApprovalNotice.objects.create(
        organisation=organisation,
        year=year,
        issuer=issuer,
        sequence=sequence,
        number=number_of(issuer, year, sequence),
        issued_by=user,
        issued_by_name=user.display_name,
        issued_at=timezone.now(),
    )
    items = []
    for order, filing in enumerate(filings, start=1):
        stage, grade, approved_at = approval_of(filing)
        items.append(
            ApprovalNoticeItem(
                notice=notice,
                filing=filing,
                version=filing.approved_version,
                order=order,
                grade=grade,
                approved_at=approved_at,
                approver_stage=stage,
                approver_name=_approver_name(filing, stage) or "",
                adjusted=_is_adjusted(filing),
            )
        )
        log.record(
            log.Action.TRANSITION,
            user=user,
            filing=filing,
            description=_("《%(name)s》第%(version)s版列入批复 %(number)s")
            % {"name": filing.name, "version": filing.approved_version.number, "number": notice},
            details={"approval_notice": notice.pk, "version": filing.approved_version.number},
        )
    ApprovalNoticeItem.objects.bulk_create(items)
    return notice


def _tell(notice):
    """The filers of the organisation learn that the 批复 is out; mail failures are logged."""
    try:
        first = notice.items.order_by("order").values_list("filing_id", flat=True).first()
        count = notice.items.count()
        notifications.notify(
            list(notifications.filers_of(notice.organisation_id)),
            kind=Notification.Kind.APPROVAL_NOTICE,
            message=_(
                "%(year)s年度绩效目标批复（%(number)s）已下达，列入 %(count)s 份申报，"
                "可在申报页面下载。"
            )
            % {"year": notice.year, "number": notice.number, "count": count},
            url=reverse("filings:detail", args=[first]) if first else "",
        )
    except Exception:
        logger.exception("notification of approval notice %s failed", notice.pk)


def notices_of_filing(filing):
    """The 批复 that list ``filing``, newest first, each with its item for the filing."""
    return list(
        ApprovalNoticeItem.objects.filter(filing=filing)
        .select_related("notice", "version")
        .order_by("-notice__issued_at", "-pk")
    )


def notices_of(organisation, year):
    """The 批复 issued to ``organisation`` for ``year``, newest first, with their issuer."""
    return list(
        ApprovalNotice.objects.filter(organisation=organisation, year=year).select_related("issuer")
    )


def latest_notice(organisation, year):
    """The newest 批复 of ``organisation`` and ``year``, or None."""
    return (
        ApprovalNotice.objects.filter(organisation=organisation, year=year)
        .select_related("issuer", "organisation")
        .first()
    )
