"""The review queue 待我审核: which filings wait for a reviewer, and how long.

A reviewer's queue is the filings at their stage that they may see: a
department reviewer gets its units' filings waiting for 主管部门审核 (a
department's own filing goes straight to the bureau), a finance reviewer
everything under the bureau waiting for 财政审核. What a row prints (the
current version, the round's deadline, who opened the review) is fetched for
the page's rows only, in one query each, so the page costs the same at
10,000 filings as at 15.
"""

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User, organisations_of
from filings.access import bureau_id_of, is_reviewer
from filings.models import Filing, FilingVersion
from review.models import Review, Round

# The filing status whose turn it is for each reviewer role.
STAGE_STATUS = {
    User.Role.DEPARTMENT_REVIEWER: Filing.Status.DEPARTMENT_REVIEW,
    User.Role.FINANCE_REVIEWER: Filing.Status.FINANCE_REVIEW,
}


def queue_for(user):
    """The filings waiting for ``user``'s decision, longest waiting first (unpaged)."""
    if not is_reviewer(user):
        return Filing.objects.none()
    filings = Filing.objects.visible_to(user).filter(status=STAGE_STATUS[user.role])
    if user.role == User.Role.DEPARTMENT_REVIEWER:
        # Defensive: a department's own filing is the bureau's to review, never its own.
        filings = filings.exclude(organisation_id=user.organisation_id)
    # Every transition saves the filing, so updated_at is when it reached this queue.
    return filings.order_by("updated_at", "pk")


def queue_count(user):
    """How many filings wait for ``user`` (the nav link on every page); 0 for non-reviewers.

    One query: the reviewer's organisations (``organisations_of``, the rule
    ``visible_to`` applies) go in as a subquery instead of being read first, which
    the queue page does to let PostgreSQL plan its sort. Must count exactly what
    ``queue_for`` lists (tests/test_review_pages.py checks it).
    """
    if not is_reviewer(user):
        return 0
    subtree = organisations_of(user).order_by().values("pk")
    filings = Filing.objects.filter(status=STAGE_STATUS[user.role], organisation_id__in=subtree)
    if user.role == User.Role.DEPARTMENT_REVIEWER:
        filings = filings.exclude(organisation_id=user.organisation_id)
    return filings.count()


@dataclass
class Lateness:
    """Where a submission stands against its round's deadline."""

    deadline: object  # datetime.date, or None without a round
    days: int = 0
    state: str = "none"  # none | late | due | on_time

    @property
    def label(self):
        if self.state == "late":
            return f"逾期 {self.days} 天提交"
        if self.state == "due":
            return "今天截止" if self.days == 0 else f"距截止还有 {self.days} 天"
        if self.state == "on_time":
            return "按期提交"
        return "未设申报批次"


def lateness(deadline, submitted_on, today):
    """Late when submitted after the deadline; otherwise days left, or on time."""
    if deadline is None:
        return Lateness(None)
    if submitted_on is not None and submitted_on > deadline:
        return Lateness(deadline, (submitted_on - deadline).days, "late")
    if today <= deadline:
        return Lateness(deadline, (deadline - today).days, "due")
    return Lateness(deadline, 0, "on_time")


@dataclass
class QueueRow:
    filing: Filing
    version: object  # the current FilingVersion (a values() dict), or None
    lateness: Lateness
    waiting_days: int
    opened_by: str  # who opened the 审核表 at this stage, "" if nobody yet
    confirming: bool = False  # back after a 良: the stage confirms the amendments only

    @property
    def submitted_at(self):
        return self.version["created_at"] if self.version else None


# The stage of each status that waits for a review.
_STAGE_OF = {
    Filing.Status.DEPARTMENT_REVIEW: Review.Stage.DEPARTMENT,
    Filing.Status.FINANCE_REVIEW: Review.Stage.FINANCE,
}


def _last_decisions(filings):
    """{filing id: (decision, stage)} of the last decided review: a 良 (AMEND) means the
    filing's amendments wait to be confirmed (``workflow.amendment_to_confirm``)."""
    last = {}
    for review in (
        Review.objects.filter(filing_id__in=[f.pk for f in filings], decided_at__isnull=False)
        .order_by("decided_at", "pk")
        .values("filing_id", "decision", "stage")
    ):
        last[review["filing_id"]] = (review["decision"], review["stage"])
    return last


def queue_rows(filings, now=None):
    """The rows of one page of the queue (``filings`` a list, organisation.parent loaded).

    Four queries whatever the page size: the page's versions, the rounds of
    their bureaus, the reviews already opened on the current versions, and the
    last decision on each (a 良 to confirm, ``workflow.amendment_to_confirm``).
    """
    if not filings:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    latest = {}
    # values(): the snapshot column holds the whole filing and the queue prints none of it.
    for version in FilingVersion.objects.filter(filing_id__in=[f.pk for f in filings]).values(
        "id", "filing_id", "number", "created_at", "error_count", "warning_count"
    ):
        current = latest.get(version["filing_id"])
        if current is None or version["number"] > current["number"]:
            latest[version["filing_id"]] = version

    bureaus = {f.pk: bureau_id_of(f.organisation) for f in filings}
    rounds = {
        (r.bureau_id, r.year): r
        for r in Round.objects.filter(
            bureau_id__in=set(bureaus.values()), year__in={f.year for f in filings}
        )
    }
    opened = {
        (review.version_id, review.stage): review.reviewer_name or "审核人"
        for review in Review.objects.filter(
            version_id__in=[v["id"] for v in latest.values()], decided_at__isnull=True
        ).only("version_id", "stage", "reviewer_name")
    }

    last_decision = _last_decisions(filings)

    rows = []
    for filing in filings:
        version = latest.get(filing.pk)
        submitted_at = version["created_at"] if version else None
        round_ = rounds.get((bureaus[filing.pk], filing.year))
        rows.append(
            QueueRow(
                filing=filing,
                version=version,
                lateness=lateness(
                    round_.deadline if round_ else None,
                    timezone.localdate(submitted_at) if submitted_at else None,
                    today,
                ),
                waiting_days=(now - submitted_at).days if submitted_at else 0,
                opened_by=(
                    opened.get((version["id"], _STAGE_OF.get(filing.status)), "") if version else ""
                ),
                confirming=last_decision.get(filing.pk)
                == (Review.Decision.AMEND, _STAGE_OF.get(filing.status)),
            )
        )
    return rows
