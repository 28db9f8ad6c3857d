"""The admin site, held to the app's rules.

A staff user who is not an admin sees only what the app shows them (the
filings ``Filing.objects.visible_to`` lets them see and what hangs off them,
their own organisations, users, notifications and jobs) and changes nothing
(``StaffLookOnlyMixin``; tests/test_admin_matrix.py); a filing that has
left the filer's hands (in review or approved) is read-only here for
everyone, superusers included, with its rows; status and the review log
are never edited by hand: they change through ``filings.workflow`` only.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from filings import access, checks, content, workflow
from filings.cleaning import CleanTextMixin
from filings.fields import COMMON_FIELDS, DEPARTMENT, PROJECT, fields_of
from filings.models import (
    Comment,
    ExportChunk,
    ExportJob,
    Filing,
    FilingVersion,
    Notification,
    Organisation,
    Review,
    Round,
    Task,
    Transition,
    User,
    VersionFinding,
)
from indicators.models import Indicator
from indicators.values import parse_value


class StaffLookOnlyMixin:
    """Every model admin of the site: a staff user who is not an admin looks, never changes.

    ``is_staff`` with model permissions may be ticked for a reviewer or a filer;
    the app's pages check roles (only the filer edits a draft, only admins manage
    users and organisations), the admin's forms do not: they would let such a user
    set a filing's organisation, another user's password or their own
    ``is_superuser``. So only admins add, change or delete here; the others may
    view what ``get_queryset`` leaves them, which is what the app shows them.
    """

    def has_add_permission(self, request, *args):
        return access.may(request.user, access.ADMINISTER) and super().has_add_permission(
            request, *args
        )

    def has_change_permission(self, request, obj=None):
        return access.may(request.user, access.ADMINISTER) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return access.may(request.user, access.ADMINISTER) and super().has_delete_permission(
            request, obj
        )


def _frozen(filing):
    """A filing the admin site must not change: submitted, in review or approved."""
    return filing is not None and filing.status not in Filing.EDITABLE_STATUSES


class ContentAdminForm(forms.ModelForm):
    """The admin's form of a filing or of one of its rows: the content service's rules.

    Every value passes ``content.field_problems`` (the one text cleaner, the bounds
    on amounts, years and dates, the choices), and a row may not be added to or
    moved into a filing that has left the filer's hands: each problem is shown
    beside its field, as on every other admin form.
    """

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        own = {f.name for f in model._meta.concrete_fields if not f.is_relation}
        values = {name: cleaned[name] for name in cleaned if name in own}
        unit = cleaned.get("money_unit") or getattr(self.instance, "money_unit", None)
        problems = content.field_problems(model, values, unit=unit)
        if model is Indicator and "value" in values and not problems:
            problem = content.number_problem(parse_value(values["value"]).number)
            if problem:
                problems.append(content.Problem("value", problem, _("「指标值」")))
        if model is not Filing:
            filing = cleaned.get("filing") or getattr(self.instance, "filing", None)
            if filing is not None and not filing.is_editable:
                problems.append(content.frozen_problem(filing))
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
            values.pop(problem.field, None)
        cleaned.update(values)
        return cleaned


class CleanTextAdminForm(CleanTextMixin, forms.ModelForm):
    """Admin forms of what is not a filing's content (rounds, organisations, the library).

    Their texts end up on the same pages, sheets and file names: the same cleaner.
    """


def _refused(exc):
    """An admin write the content service refused after the form passed (a race): 403."""
    return PermissionDenied(str(exc))


class FilingRowAdminMixin(StaffLookOnlyMixin):
    """For the admin of a model hanging off a filing (``filing_path`` leads to it).

    Shows only rows of visible filings; rows of a frozen filing are read-only.
    Works for inlines (``obj`` is then the filing) and for model admins.
    """

    filing_path = "filing"

    def _filing_of(self, obj):
        if obj is None or isinstance(obj, Filing):
            return obj
        for name in self.filing_path.split("__"):
            obj = getattr(obj, name)
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.sees_everything(request.user):
            return queryset
        visible = Filing.objects.visible_to(request.user)
        return queryset.filter(**{f"{self.filing_path}__in": visible.values("pk")})

    def has_change_permission(self, request, obj=None):
        if _frozen(self._filing_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if _frozen(self._filing_of(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        # Inlines are asked with the parent filing; model admins without an object.
        if _frozen(self._filing_of(obj)):
            return False
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj)
        return super().has_add_permission(request)


class ReadOnlyAdminMixin:
    """The review log and what it refers to: written by the workflow, only read here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(StaffLookOnlyMixin, DjangoGroupAdmin):
    pass


@admin.register(Organisation)
class OrganisationAdmin(StaffLookOnlyMixin, admin.ModelAdmin):
    form = CleanTextAdminForm
    list_display = ["name", "level", "parent", "code"]
    list_filter = ["level"]
    search_fields = ["name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.sees_everything(request.user):
            return queryset
        return queryset.filter(pk__in=access.organisations_of(request.user).values("pk"))


@admin.register(User)
class UserAdmin(StaffLookOnlyMixin, DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("组织与角色"), {"fields": ["organisation", "role"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("组织与角色"), {"fields": ["organisation", "role"]}),
    ]

    def get_queryset(self, request):
        return access.users_visible_to(request.user, super().get_queryset(request))


class ContentRowAdmin(FilingRowAdminMixin, admin.ModelAdmin):
    """The admin page of one kind of row: every write through the content service."""

    form = ContentAdminForm

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("filing") if change else None
        previous = getattr(previous, "pk", previous)
        try:
            content.save_row(obj, previous_filing_id=previous)
        except (content.ContentRefused, content.StaleEdit) as exc:
            raise _refused(exc) from None

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        # 删除所选 asks no object's permission: the service refuses frozen filings itself.
        try:
            content.delete_rows(queryset)
        except content.StaleEdit as exc:
            raise _refused(exc) from None


@admin.register(Task)
class TaskAdmin(ContentRowAdmin):
    list_display = ["name", "filing", "order"]
    search_fields = ["name", "content", "filing__name"]
    list_select_related = ["filing"]
    autocomplete_fields = ["filing"]


class TaskInline(FilingRowAdminMixin, admin.TabularInline):
    model = Task
    form = ContentAdminForm
    extra = 0


class IndicatorInline(FilingRowAdminMixin, admin.TabularInline):
    model = Indicator
    form = ContentAdminForm
    extra = 0
    fields = [
        "order",
        "level2",
        "name",
        "value",
        "value_type",
        "operator",
        "number",
        "unit",
        "basis",
    ]
    # Parsed from the value; editing them apart from it would let them disagree.
    readonly_fields = ["value_type", "operator", "number", "unit"]
    autocomplete_fields = ["level2"]


@admin.register(Filing)
class FilingAdmin(StaffLookOnlyMixin, admin.ModelAdmin):
    form = ContentAdminForm
    list_display = ["name", "year", "form", "organisation", "status", "updated_at"]
    list_filter = ["year", "form", "status"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    # Status changes go through the review workflow, never through a form field.
    readonly_fields = ["status", "import_warnings", "source", "created_at", "updated_at"]
    inlines = [IndicatorInline, TaskInline]
    # Set by the workflow only; an admin form must never write them.
    _NEVER_FROM_FORM = {"id", "status", "lock_version", "approved_version", "created_at"}
    fieldsets = [
        (None, {"fields": ["form", "year", "organisation", "status", *COMMON_FIELDS]}),
        (_("财政项目支出"), {"classes": ["collapse"], "fields": fields_of(PROJECT)}),
        (_("单位/部门整体支出"), {"classes": ["collapse"], "fields": fields_of(DEPARTMENT)}),
        (_("来源"), {"fields": ["source", "import_warnings", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # An invisible filing is not found at all (the change page redirects as for a
        # deleted object), exactly as filings.access answers outsiders with a 404.
        # with_history: whether each may be deleted, read with it.
        return super().get_queryset(request).visible_to(request.user).with_history()

    def has_change_permission(self, request, obj=None):
        if _frozen(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # The app's rule: only a filing that was never submitted is ever deleted.
        if obj is not None and not access.may_be_deleted(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # A bulk delete from the list must not take a filing with a history with it.
        if any(not access.may_be_deleted(obj) for obj in objs):
            raise access.refuse(request.user, access.DELETE)
        return super().get_deleted_objects(objs, request)

    def delete_model(self, request, obj):
        # Through the one deletion: asked again under the row lock, and audited.
        try:
            workflow.delete_draft(obj, request.user, request=request)
        except workflow.TransitionRefused as refused:
            raise access.refuse(
                request.user, access.DELETE, filing=obj, message=str(refused)
            ) from refused

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_model(self, request, obj, form, change):
        # Through the content service: cleaned, bounded, and (for a change) claimed, which
        # outdates any wizard page open on this filing and refuses a filing submitted
        # since the form was opened.
        try:
            if not change:
                content.create_filing(obj)
                return
            fields = [
                f.name for f in Filing._meta.concrete_fields if f.name not in self._NEVER_FROM_FORM
            ]
            content.save_fields(obj, content.UNGUARDED, fields)
        except content.StaleEdit:
            raise PermissionDenied(
                _("这份申报已提交、审核中或已批复，不能在管理后台修改。")
            ) from None
        except content.ContentRefused as exc:
            raise _refused(exc) from None

    def save_formset(self, request, form, formset, change):
        try:
            content.save_rows_of(form.instance, formset.save(commit=False), formset.deleted_objects)
        except (content.ContentRefused, content.StaleEdit) as exc:
            raise _refused(exc) from None
        formset.save_m2m()


@admin.register(Round)
class RoundAdmin(StaffLookOnlyMixin, admin.ModelAdmin):
    form = CleanTextAdminForm
    list_display = ["year", "bureau", "title", "opens_on", "deadline"]
    list_filter = ["year"]
    list_select_related = ["bureau"]

    def get_queryset(self, request):
        return access.rounds_visible_to(request.user, super().get_queryset(request))


@admin.register(FilingVersion)
class FilingVersionAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    list_display = ["filing", "number", "reason", "error_count", "warning_count", "created_at"]
    list_filter = ["reason"]
    list_select_related = ["filing"]
    search_fields = ["filing__name"]
    exclude = ["snapshot"]
    readonly_fields = ["short_hash"]


@admin.register(VersionFinding)
class VersionFindingAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    filing_path = "version__filing"
    list_display = ["version", "rule", "code", "severity", "count"]
    list_filter = ["severity"]
    list_select_related = ["version__filing"]

    @admin.display(description=_("规则"), ordering="code")
    def rule(self, obj):
        return checks.title_of(obj.code)


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
        (None, {"fields": ["decision", "opened_at", "decided_at"]}),
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


# --- Export jobs (filings/exports/jobs.py): written by the jobs, only read here. ---


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "created_by", "organisation", "year", "kind", "status", "done"]
    list_filter = ["status", "kind", "year"]
    list_select_related = ["created_by", "organisation"]
    exclude = ["filing_ids"]

    def get_queryset(self, request):
        # A job holds what its creator may see: other staff see only their own.
        queryset = super().get_queryset(request)
        if access.sees_everything(request.user):
            return queryset
        return queryset.filter(created_by=request.user)


@admin.register(ExportChunk)
class ExportChunkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["job", "index", "start", "size", "attempts", "done_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.sees_everything(request.user):
            return queryset
        return queryset.filter(job__created_by=request.user)
