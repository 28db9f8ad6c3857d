"""A filing's history as its pages show it: versions, the timeline, comments for the filer.

Each function reads what one page shows in a fixed number of queries, whatever
the number of versions, transitions, comments or rows. Internal comments
(``Comment.internal``) are for reviewers only: every function here that
returns comments takes ``sees_internal`` and leaves them out unless it is true.
"""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.fields.json import KeyTransform

from filings import access as filing_actions
from filings.models import FilingVersion
from review.comment_rows import comment_row_label, row_labels
from review.models import AdjustmentRequest, Comment, Review, Transition
from review.replies import with_replies

RETURNS = (Transition.Action.DEPARTMENT_RETURN, Transition.Action.FINANCE_RETURN)
REJECTS = (Transition.Action.DEPARTMENT_REJECT, Transition.Action.FINANCE_REJECT)

# The comment parts each wizard step shows, by step slug (filings.wizard.steps).
STEP_PARTS = {
    "basic": (Comment.Part.BASIC,),
    "funds": (Comment.Part.FUNDS,),
    "budget": (Comment.Part.FUNDS,),
    "goals": (Comment.Part.GOALS,),
    "duties": (Comment.Part.GOALS,),
    "tasks": (Comment.Part.TASKS,),
    "indicators": (Comment.Part.INDICATORS,),
    # The last step gathers everything still open before the filer resubmits.
    "review": tuple(Comment.Part.values),
}
# The opinions of the 绩效目标审核表 each step answers to: the reviewer's "what to fix".
STEP_OPINIONS = {
    "basic": ("to_improve",),
    "funds": ("opinion_funds",),
    "budget": ("opinion_funds",),
    "goals": ("opinion_goals",),
    "duties": ("opinion_goals",),
    "indicators": ("opinion_outputs", "opinion_outcomes", "opinion_satisfaction"),
    "review": ("to_improve", *Review.OPINION_FIELDS),
}


def sees_internal(access):
    """Whether the user of ``access`` may read internal comments: the filing's reviewers."""
    return access.can(filing_actions.COMMENT_INTERNAL)


def visible_comments(filing, sees_internal_):
    """The comments of ``filing`` the reader may see, with their versions and replies."""
    comments = Comment.objects.filter(filing=filing)
    if not sees_internal_:
        comments = comments.filter(internal=False)
    return with_replies(comments.select_related("version"))


# Versions -------------------------------------------------------------------


@dataclass
class VersionEntry:
    version: FilingVersion
    previous_number: int | None
    reviews: list
    is_approved: bool

    @property
    def author(self):
        user = self.version.created_by
        return user.display_name if user else ""


def versions(filing):
    """The filing's versions, newest first, each with its reviews: two queries.

    The snapshots are left out (``defer``): a list does not need them and a
    60-indicator snapshot is tens of kilobytes. Only their list of attachments is
    read (``listed_attachments``), in the same query.
    """
    rows = list(
        FilingVersion.objects.filter(filing=filing)
        .defer("snapshot")
        .annotate(listed_attachments=KeyTransform("attachments", "snapshot"))
        .select_related("created_by")
        .order_by("number")
    )
    reviews = {}
    if rows:
        for review in Review.objects.filter(filing=filing).order_by("opened_at", "pk"):
            reviews.setdefault(review.version_id, []).append(review)
    entries = []
    previous = None
    for version in rows:
        entries.append(
            VersionEntry(
                version,
                previous,
                reviews.get(version.pk, []),
                version.pk == filing.approved_version_id,
            )
        )
        previous = version.number
    entries.reverse()
    return entries


# The timeline ---------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: object
    # "transition", "comment", or a step of an adjustment application: "adjustment_applied",
    # "adjustment_decided", "adjustment_withdrawn"
    kind: str
    item: object  # the Transition, the Comment or the AdjustmentRequest
    row_label: str = ""
    review: Review | None = None  # the 审核表 a decision filled in


# The review stage whose 审核表 a decision transition completed.
DECISION_STAGES = {
    Transition.Action.DEPARTMENT_APPROVE: Review.Stage.DEPARTMENT,
    Transition.Action.DEPARTMENT_RETURN: Review.Stage.DEPARTMENT,
    Transition.Action.FINANCE_APPROVE: Review.Stage.FINANCE,
    Transition.Action.FINANCE_RETURN: Review.Stage.FINANCE,
    Transition.Action.DEPARTMENT_FINAL_APPROVE: Review.Stage.DEPARTMENT,
    Transition.Action.DEPARTMENT_REJECT: Review.Stage.DEPARTMENT,
    Transition.Action.FINANCE_REJECT: Review.Stage.FINANCE,
}


def timeline(filing, sees_internal_, labels=None, version_entries=None):
    """Transitions and the comments ``sees_internal_`` allows, oldest first.

    Two queries, and one or two more for the row names when a comment is about a row.
    ``version_entries`` (from ``versions()``) lets a decision show its 审核表
    (需补充完善事项, grade) without another query.
    """
    sheets = {
        (review.version_id, review.stage): review
        for entry in version_entries or ()
        for review in entry.reviews
    }
    comments = list(visible_comments(filing, sees_internal_))
    if labels is None and any(comment.row_key for comment in comments):
        labels = row_labels(filing)
    entries = [
        TimelineEntry(
            transition.at,
            "transition",
            transition,
            review=sheets.get((transition.version_id, DECISION_STAGES.get(transition.action))),
        )
        for transition in Transition.objects.filter(filing=filing).select_related("version")
    ]
    entries += [
        TimelineEntry(
            comment.created_at, "comment", comment, comment_row_label(comment, labels or {})
        )
        for comment in comments
    ]
    entries += adjustment_entries(filing)
    # A reviewer writes comments and then returns the filing: at the same instant, the
    # comments come first, as they were written first.
    entries.sort(key=lambda entry: (entry.at, entry.kind == "transition", entry.item.pk))
    return entries


def adjustment_entries(filing):
    """The steps of the filing's adjustment applications (调整申请), for the timeline; one query."""
    entries = []
    for request_ in AdjustmentRequest.objects.filter(filing=filing):
        entries.append(TimelineEntry(request_.applied_at, "adjustment_applied", request_))
        if request_.decided_at:
            entries.append(TimelineEntry(request_.decided_at, "adjustment_decided", request_))
        if request_.status == AdjustmentRequest.Status.WITHDRAWN and request_.closed_at:
            entries.append(TimelineEntry(request_.closed_at, "adjustment_withdrawn", request_))
    return entries


# Default versions of the diff -----------------------------------------------


def default_pair(numbers, returned_number, approved_number=None):
    """(from, to) version numbers the diff page opens with, or None.

    The version last returned against the latest submission: what the filer
    changed since the reviewer sent it back. For an adjustment (调整) with no
    return since, the approved version against the latest. Otherwise the two
    latest versions.
    """
    if len(numbers) < 2:
        return None
    latest = max(numbers)
    baselines = [n for n in (returned_number, approved_number) if n is not None and n < latest]
    if baselines:
        return max(baselines), latest
    earlier = [number for number in numbers if number < latest]
    return max(earlier), latest


def last_returned_number(filing):
    """The number of the version last returned to the filer, or None: one query."""
    return (
        Transition.objects.filter(filing=filing, action__in=RETURNS, version__isnull=False)
        .order_by("-at", "-pk")
        .values_list("version__number", flat=True)
        .first()
    )


def last_rejection(filing):
    """The transition that ended ``filing`` 不予通过 (its comment is the reason), or None."""
    return (
        Transition.objects.filter(filing=filing, action__in=REJECTS)
        .order_by("-at", "-pk")
        .only("action", "comment", "actor_name", "at")
        .first()
    )


def why_returned(filing):
    """(the transition that sent ``filing`` back, its decided 审核表 or None): a return's
    sheet says the grade and what to amend; a reopening (REOPEN) has its reason only."""
    last = (
        Transition.objects.filter(filing=filing, action__in=(*RETURNS, Transition.Action.REOPEN))
        .order_by("-at", "-pk")
        .only("action", "comment", "actor_name", "at", "version_id")
        .first()
    )
    if last is None or last.action == Transition.Action.REOPEN:
        return last, None
    review = (
        Review.objects.filter(
            version_id=last.version_id,
            stage=DECISION_STAGES[last.action],
            decided_at__isnull=False,
        )
        .only("decision", "grade", "to_improve", "stage")
        .first()
    )
    return last, review


# The filer's view of comments -----------------------------------------------


def step_comments(filing, step_slug, labels=None):
    """What the filer sees on one wizard step: comments to fix, and the review's opinions.

    Returns (open comments, resolved comments, opinions) where opinions are
    (label, text) of the latest return's 绩效目标审核表 for this step.
    Filers never see internal comments.
    """
    parts = STEP_PARTS.get(step_slug, ())
    comments = list(visible_comments(filing, False).filter(part__in=parts)) if parts else []
    if comments and labels is None and any(c.row_key for c in comments):
        labels = row_labels(filing)
    for comment in comments:
        comment.row_label = comment_row_label(comment, labels or {})
    open_ = [comment for comment in comments if comment.resolved_at is None]
    resolved = [comment for comment in comments if comment.resolved_at is not None]
    return open_, resolved, returned_opinions(filing, STEP_OPINIONS.get(step_slug, ()))


def open_counts(filing, step_slugs):
    """{step slug: how many comments on its parts the filer has not yet marked 已处理}.

    For the step bar: one query, grouped by part. The last step gathers every part
    (``STEP_PARTS["review"]``) and is left out, so that each comment is counted once,
    on the step where it is fixed.
    """
    by_part = dict(
        Comment.objects.filter(filing=filing, internal=False, resolved_at__isnull=True)
        .values_list("part")
        .annotate(count=Count("pk"))
        .order_by()
    )
    if not by_part:
        return {}
    return {
        slug: sum(by_part.get(part, 0) for part in STEP_PARTS.get(slug, ()))
        for slug in step_slugs
        if slug != "review"
    }


def returned_opinions(filing, names):
    """(label, text) of ``names`` on the latest review, while it is a return to fix."""
    if not names or not filing.is_editable:
        return []
    review = (
        Review.objects.filter(filing=filing, decided_at__isnull=False)
        .order_by("-decided_at", "-pk")
        .first()
    )
    if review is None or review.decision not in (Review.Decision.RETURN, Review.Decision.AMEND):
        return []
    return [
        (Review._meta.get_field(name).verbose_name, getattr(review, name))
        for name in names
        if getattr(review, name).strip()
    ]
