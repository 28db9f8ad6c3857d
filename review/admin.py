"""The review log in the admin site: written by the workflow, only read here (rounds aside)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from filings import visibility
from filings.admin_mixins import (
    CleanTextAdminForm,
    FilingRowAdminMixin,
    ReadOnlyAdminMixin,
    StaffLookOnlyMixin,
)
from review.models import (
    AdjustmentRequest,
    ApprovalNotice,
    ApprovalNoticeItem,
    Comment,
    Notification,
    Reply,
    Review,
    Round,
    Transition,
)


@admin.register(Round)
class RoundAdmin(StaffLookOnlyMixin, admin.ModelAdmin):
    form = CleanTextAdminForm
    list_display = [
        "year",
        "bureau",
        "title",
        "opens_on",
        "deadline",
        "adjustments_open_on",
        "adjustments_close_on",
        "final_unit_overall",
        "final_second_level_project",
        "final_first_level_project",
    ]
    list_filter = ["year"]
    list_select_related = ["bureau"]

    def get_queryset(self, request):
        return visibility.rounds_visible_to(request.user, super().get_queryset(request))


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    list_display = ["at", "filing", "action", "from_status", "to_status", "actor_name"]
    list_filter = ["action"]
    list_select_related = ["filing"]
    search_fields = ["filing__name", "actor_name"]


@admin.register(AdjustmentRequest)
class AdjustmentRequestAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    """Read only: an application is made, granted or refused on the filing page
    (review.adjustments), so that no path opens an adjustment without one."""

    list_display = ["applied_at", "filing", "status", "applicant_name", "decided_by_name"]
    list_filter = ["status"]
    list_select_related = ["filing"]
    search_fields = ["filing__name", "reason", "budget_adjustment"]


class ReplyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The replies under a comment: as visible as their comment, written by review.replies."""

    model = Reply
    fields = ["created_at", "author_name", "body", "resolves"]
    readonly_fields = fields
    extra = 0


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    inlines = [ReplyInline]
    list_display = ["created_at", "filing", "part", "author_name", "internal", "resolved_at"]
    list_filter = ["part", "internal"]
    list_select_related = ["filing"]
    search_fields = ["filing__name", "body"]

    def get_queryset(self, request):
        # Internal comments are the reviewers' alone, here as on the filing's pages.
        return visibility.comments_visible_to(request.user, super().get_queryset(request))


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    filing_path = "comment__filing"
    list_display = ["created_at", "comment", "author_name", "resolves"]
    list_select_related = ["comment"]
    search_fields = ["comment__filing__name", "body"]

    def get_queryset(self, request):
        # As visible as their comment: an internal comment's replies are the reviewers'.
        comments = visibility.comments_visible_to(request.user, Comment.objects.all())
        return super().get_queryset(request).filter(comment__in=comments.values("pk"))


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    list_display = ["filing", "version", "stage", "reviewer_name", "decision", "grade"]
    list_filter = ["stage", "decision", "grade"]
    list_select_related = ["filing", "version__filing"]
    search_fields = ["filing__name", "reviewer_name"]
    fieldsets = [
        (None, {"fields": ["filing", "version", "stage", "reviewer", "reviewer_name"]}),
        (_("绩效目标审核表"), {"fields": Review.SHEET_FIELDS}),
        (
            None,
            {"fields": ["decision", "confirms", "before_grade_rules", "opened_at", "decided_at"]},
        ),
    ]

    def get_queryset(self, request):
        # An undecided 审核表 is its reviewers' alone, here as on the filing's pages.
        return visibility.reviews_visible_to(request.user, super().get_queryset(request))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "message", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if visibility.sees_everything(request.user):
            return queryset
        return queryset.filter(recipient=request.user)


@admin.register(ApprovalNotice)
class ApprovalNoticeAdmin(ReadOnlyAdminMixin, StaffLookOnlyMixin, admin.ModelAdmin):
    """Read only: a 批复 is issued from its page (review.notices) and frozen once issued."""

    list_display = ["number", "organisation", "year", "issuer", "issued_at", "issued_by_name"]
    list_filter = ["year"]
    list_select_related = ["organisation", "issuer"]
    search_fields = ["number", "organisation__name"]

    def get_queryset(self, request):
        return visibility.notices_visible_to(request.user, super().get_queryset(request))


@admin.register(ApprovalNoticeItem)
class ApprovalNoticeItemAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    list_display = ["notice", "filing", "version", "grade", "approved_at", "adjusted"]
    list_select_related = ["notice", "filing", "version__filing"]
    search_fields = ["filing__name", "notice__number"]
