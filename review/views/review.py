"""The reviewer's pages: the queue 待我审核, the review page and the printable 审核表.

The review page shows the filing as its official form with the checker's
findings beside it, the comments on it, and — when it is the reader's turn —
the 绩效目标审核表 whose buttons call ``workflow.decide``. Who may do what is
asked of ``filings.access`` (the one place); the state changes are
``review.workflow``'s, which refuses a stale or repeated decision with a
message the page shows while keeping what the reviewer wrote.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from exports.document import page_document
from filings.access import (
    COMMENT,
    COMMENT_INTERNAL,
    MARK_LEVEL,
    QUEUE,
    REOPEN,
    REVIEW,
    REVIEWER,
    VIEW,
    require_sheet,
    requires,
)
from filings.checks import ERROR, run_checks
from filings.listing import paginate
from filings.models import Filing
from review import adjustments, approvers, batch, grades, replies, workflow
from review.anchors import anchor_of_comment, mark_anchors
from review.confirmations import decision_warnings
from review.forms import CommentForm, ReviewSheetForm, indicator_label, task_label
from review.models import Comment, Review
from review.queue import queue_for, queue_rows
from review.sheet import review_sheet_context

PAGE_SIZE = 20

# What each decision did, for the message after it (by the status it led to).
DONE = {
    Filing.Status.FINANCE_REVIEW: gettext_lazy("已审核通过，申报已转财政局审核。"),
    Filing.Status.APPROVED: gettext_lazy(
        "已审核通过，申报已由 %(approver)s 批复，第 %(number)s 版为正式版本。"
    ),
    Filing.Status.NOT_APPROVED: gettext_lazy(
        "已审核为「不予通过」：申报不能再提交，财政局可以说明理由后重新开放。"
    ),
}
RETURNED = {
    Review.Decision.AMEND: gettext_lazy(
        "已退回填报单位修改（良）：重新提交后由本环节确认修改，不再全面审核。"
    ),
    Review.Decision.RETURN: gettext_lazy("已退回填报单位修改（中）：重新提交后将重新审核。"),
}


@login_required
@requires(QUEUE)
def queue(request):
    """待我审核: the filings at the reviewer's stage, longest waiting first."""
    # organisation__parent: the bureau of a unit's filing, whose round sets the deadline.
    page = paginate(
        request, queue_for(request.user).select_related("organisation__parent"), PAGE_SIZE
    )
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "rows": queue_rows(page.object_list),
            "queue_total": page.paginator.count,
            "batch_form": request.session.pop(batch.KEPT_FORM, {}),
            "adjustment_requests": adjustments.pending_for(request.user),
        },
    )


def _rows_of(filing):
    indicators = list(filing.indicators.select_related("level2__level1"))
    tasks = [] if filing.is_project else list(filing.tasks.all())
    return indicators, tasks


def _row_labels(indicators, tasks):
    labels = {
        str(indicator.key): indicator_label(number, indicator)
        for number, indicator in enumerate(indicators, start=1)
    }
    labels.update(
        {str(task.key): task_label(number, task) for number, task in enumerate(tasks, start=1)}
    )
    return labels


# The tables a finding may point at as a whole.
_TABLES = {"indicators": gettext_lazy("绩效指标"), "tasks": gettext_lazy("年度重点任务")}


def _where(finding, labels):
    """Where a finding points, in the reviewer's words: a row, a field or a table."""
    if finding.indicator:
        return labels.get(finding.indicator, "")
    if finding.field in _TABLES:
        return _TABLES[finding.field]
    if finding.field:
        try:
            return str(Filing._meta.get_field(finding.field).verbose_name)
        except FieldDoesNotExist:
            return ""
    return ""


# The Review stage of each filing status that is someone's turn to review.
_STAGE_OF = {
    Filing.Status.DEPARTMENT_REVIEW: Review.Stage.DEPARTMENT,
    Filing.Status.FINANCE_REVIEW: Review.Stage.FINANCE,
}


def _stage_review(user, filing, version, reviews, open_sheet):
    """The 审核表 of this stage on ``version`` and why it could not be opened ("" if it could).

    With ``open_sheet`` a missing one is opened (and added to ``reviews``): only the
    first visit writes, and from then on the filer can no longer withdraw.
    """
    stage = _STAGE_OF.get(filing.status)
    review = next((r for r in reviews if r.version_id == version.pk and r.stage == stage), None)
    if review is None and open_sheet:
        try:
            review = workflow.open_review(filing, user)
        except workflow.TransitionRefused as refused:
            return None, str(refused)
        reviews.append(review)
    return review, ""


def _threads(filing, labels, numbers, document):
    """The filing's comments with their replies, in the order of the rows they are about.

    Each carries its anchor (``review.anchors``): the page puts it level with its row
    and lights the row up. A remark on the whole filing comes first; one on a row since
    deleted comes last. Within a row, oldest first.
    """
    first_row = {}
    for index, row in enumerate(document.rows):
        first_row.setdefault(row.anchor, index)
    threads = []
    for comment in replies.with_replies(filing.comments.all()):
        anchor = anchor_of_comment(comment)
        position = -1 if comment.part == Comment.Part.GENERAL else len(document.rows)
        threads.append(
            {
                "comment": comment,
                "anchor": anchor,
                "position": first_row.get(anchor, position),
                "row": labels.get(str(comment.row_key), _("（该行已删除）"))
                if comment.row_key
                else "",
                "version_number": numbers.get(comment.version_id),
            }
        )
    threads.sort(key=lambda thread: thread["position"])
    return threads


def _review_page(
    request, access, *, open_sheet=False, comment_form=None, sheet_form=None, banner="", status=200
):
    """The review page; with ``open_sheet`` the stage's reviewer starts the 审核表."""
    filing = access.filing
    indicators, tasks = _rows_of(filing)
    versions = list(filing.versions.defer("snapshot").order_by("number"))
    version = versions[-1] if versions else None
    numbers = {v.pk: v.number for v in versions}
    reviews = list(filing.reviews.all())
    review = None
    if access.can(REVIEW) and version is not None:
        review, refused = _stage_review(request.user, filing, version, reviews, open_sheet)
        banner = banner or refused
    labels = _row_labels(indicators, tasks)
    findings = [
        {"finding": finding, "where": _where(finding, labels)}
        for finding in run_checks(filing, indicators, tasks)
    ]
    if comment_form is None:
        comment_form = CommentForm(
            filing=filing,
            indicators=indicators,
            tasks=tasks,
            allow_internal=access.can(COMMENT_INTERNAL),
        )
    document = mark_anchors(
        page_document(filing, indicators, tasks), comment_form.fields["target"].choices
    )
    if sheet_form is None and access.can(REVIEW):
        sheet_form = ReviewSheetForm(instance=review)
    confirms = review.confirms if review is not None and review.confirms_id else None
    round_ = approvers.round_of(filing)
    context = {
        "access": access,
        "filing": filing,
        "form_document": document,
        "commentable": access.can(COMMENT),
        "version": version,
        "versions": versions,
        "findings": findings,
        "error_count": sum(1 for f in findings if f["finding"].severity == ERROR),
        "warning_count": sum(1 for f in findings if f["finding"].severity != ERROR),
        "comments": _threads(filing, labels, numbers, document),
        "comment_form": comment_form,
        "reviews": [{"review": r, "version_number": numbers.get(r.version_id)} for r in reviews],
        "sheet_form": sheet_form,
        "opinion_fields": [sheet_form[name] for name in Review.OPINION_FIELDS if sheet_form],
        "grade_fields": [sheet_form[name] for name in Review.GRADE_FIELDS if sheet_form],
        "banner": banner,
        "confirms": confirms,
        "approver": approvers.approver_of(filing, round_),
        "warnings": decision_warnings(filing, confirms, round_) if access.can(REVIEW) else {},
        "button_grades": _button_grades(confirms),
    }
    return render(request, "review/review.html", context, status=status)


def _button_grades(confirms):
    """The grades each decision button allows, for review.js: it disables a button the chosen
    grade does not allow, whose dialog would promise what the workflow then refuses (中 and
    审核通过: 「将转财政局审核」)."""
    return {
        button: " ".join(grades.grades_allowing(button, confirming=confirms is not None))
        for button in grades.BUTTONS
    }


@login_required
@requires(REVIEWER)
def review(request, access):
    """The review page; the stage's reviewer opening it starts the 审核表 (no more 撤回)."""
    return _review_page(request, access, open_sheet=True)


@login_required
@require_POST
@requires(COMMENT)
def add_comment(request, access):
    """A comment anchored to a part or a row (by key), for the filer or internal."""
    filing = access.filing
    reviewer = access.can(COMMENT_INTERNAL)
    indicators, tasks = _rows_of(filing)
    form = CommentForm(
        request.POST, filing=filing, indicators=indicators, tasks=tasks, allow_internal=reviewer
    )
    if not form.is_valid():
        if reviewer:
            return _review_page(request, access, comment_form=form, status=400)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("filings:detail", pk=filing.pk)
    part, row_key = form.anchor()
    internal = form.cleaned_data.get("internal", False)
    comment = Comment.objects.create(
        filing=filing,
        version=filing.versions.order_by("-number").only("pk").first(),
        part=part,
        row_key=row_key,
        body=form.cleaned_data["body"].strip(),
        internal=internal,
        author=request.user,
        author_name=request.user.display_name,
    )
    if internal:
        messages.success(request, _("内部意见已保存，仅审核人可见。"))
    else:
        messages.success(request, _("意见已保存，填报单位可以看到。"))
    if reviewer:
        return redirect(reverse("review:review", args=[filing.pk]) + f"#comment-{comment.pk}")
    return redirect("filings:detail", pk=filing.pk)


@login_required
@require_POST
@requires(REVIEWER)
def decide(request, access):
    """审核通过 or 退回修改, with the 审核表; a refused decision keeps what was written."""
    filing = access.filing
    decision = request.POST.get("decision", "")
    if not access.can(REVIEW):
        # Another reviewer decided first, or the filer withdrew it: say so, and show what
        # was written (unbound: no field errors for a sheet that can no longer be sent).
        banner = _(
            "这份申报当前状态为「%(status)s」，已不在您的审核环节（可能已被其他审核人处理）。"
        ) % {"status": filing.get_status_display()}
        kept = ReviewSheetForm(
            initial={name: request.POST.get(name, "") for name in Review.SHEET_FIELDS}
        )
        return _review_page(request, access, sheet_form=kept, banner=banner, status=409)
    form = ReviewSheetForm(
        request.POST, decision=decision, confirming=workflow.confirming(filing) is not None
    )
    if not form.is_valid():
        banner = _("审核表还有未填写完整的地方，请按提示补充后再提交。")
        return _review_page(request, access, sheet_form=form, banner=banner, status=400)
    try:
        decided = workflow.decide(
            filing,
            request.user,
            seen_version=request.POST.get("seen_version"),
            decision=decision,
            sheet=form.sheet(),
            # The transition's comment on the timeline: what to fix, for a return.
            comment=form.cleaned_data["to_improve"] if decision == Review.Decision.RETURN else "",
        )
    except workflow.TransitionRefused as refused:
        return _review_page(request, access, sheet_form=form, banner=str(refused), status=409)
    if filing.status == Filing.Status.RETURNED:
        done = RETURNED[decided.decision]
    else:
        done = DONE[filing.status] % {
            "approver": approvers.approver_of(filing),
            "number": decided.version.number,
        }
    messages.success(request, done)
    return redirect("review:queue")


@login_required
@require_POST
@requires(REOPEN, role_only=True)
def reopen(request, access):
    """The bureau reopens a filing ended 不予通过, with a reason; the filer may amend it."""
    filing = access.filing
    try:
        workflow.reopen(filing, request.user, reason=request.POST.get("reason", "")[:2000])
    except workflow.TransitionRefused as refused:
        messages.error(request, str(refused))
        return redirect("filings:detail", pk=filing.pk)
    messages.success(request, _("已重新开放：申报退回填报单位修改，重新提交后将重新审核。"))
    # The filing page, whichever page the form was on: it offers the form again after a
    # refusal, and once reopened the filing is the filer's, no longer the bureau's to review.
    return redirect("filings:detail", pk=filing.pk)


@login_required
@requires(VIEW)
def review_sheet(request, access, review_id):
    """The printable 绩效目标审核表 of one review, as kept with the version it judged."""
    sheet = get_object_or_404(
        Review.objects.select_related("version", "reviewer__organisation"),
        pk=review_id,
        filing_id=access.filing.pk,
    )
    require_sheet(request.user, access, sheet)
    sheet.filing = access.filing  # already loaded: no second query
    return render(
        request,
        "review/sheet.html",
        {
            "filing": access.filing,
            **review_sheet_context(sheet),
            "reviewer": access.can(COMMENT_INTERNAL),
        },
    )


@login_required
@require_POST
@requires(MARK_LEVEL)
def mark_level(request, access):
    """The bureau marks a project 一级 or 二级: whose approval of it is final."""
    filing = access.filing
    try:
        approvers.mark_project_level(filing, request.user, request.POST.get("project_level", ""))
    except approvers.LevelRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("已标注为%(level)s，由 %(approver)s 批复。")
            % {
                "level": filing.get_project_level_display(),
                "approver": approvers.approver_of(filing),
            },
        )
    return redirect("review:review", filing.pk)
