"""The review log in the admin site: written by the workflow, only read here (rounds aside)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from filings import access
from filings.admin_mixins import (
    CleanTextAdminForm,
    FilingRowAdminMixin,
    ReadOnlyAdminMixin,
    StaffLookOnlyMixin,
)
from review.models import Comment, Notification, Review, Round, Transition


@admin.register(Round)
class RoundAdmin(StaffLookOnlyMixin, admin.ModelAdmin):
    form = CleanTextAdminForm
    list_display = [
        "year",
        "bureau",
        "title",
        "opens_on",
        "deadline",
        "final_unit_overall",
        "final_second_level_project",
        "final_first_level_project",
    ]
    list_filter = ["year"]
    list_select_related = ["bureau"]

    def get_queryset(self, request):
        return access.rounds_visible_to(request.user, super().get_queryset(request))


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    list_display = ["at", "filing", "action", "from_status", "to_status", "actor_name"]
    list_filter = ["action"]
    list_select_related = ["filing"]
    search_fields = ["filing__name", "actor_name"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "filing", "part", "author_name", "internal", "resolved_at"]
    list_filter = ["part", "internal"]
    list_select_related = ["filing"]
    search_fields = ["filing__name", "body"]

    def get_queryset(self, request):
        # Internal comments are the reviewers' alone, here as on the filing's pages.
        return access.comments_visible_to(request.user, super().get_queryset(request))


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
        return access.reviews_visible_to(request.user, super().get_queryset(request))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "message", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.sees_everything(request.user):
            return queryset
        return queryset.filter(recipient=request.user)
