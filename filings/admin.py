"""The admin site, held to the app's rules.

A staff user who is not an admin sees only what the app shows them (the
filings ``Filing.objects.visible_to`` lets them see and what hangs off them,
their own organisations, users, notifications and jobs) and changes nothing
(``StaffLookOnlyMixin``; tests/test_admin_matrix.py); a filing that has
left the filer's hands (in review or approved) is read-only here for
everyone, superusers included, with its rows; status and the review log
are never edited by hand: they change through ``review.workflow`` only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from filings import access, checks, content, visibility
from filings.admin_mixins import (
    FilingRowAdminMixin,
    ReadOnlyAdminMixin,
    StaffLookOnlyMixin,
    frozen,
)
from filings.fields import COMMON_FIELDS, DEPARTMENT, DISCLOSURE_FIELDS, PROJECT, fields_of
from filings.models import CheckProfile, Filing, FilingVersion, Task, VersionFinding
from indicators.models import Indicator
from indicators.values import parse_value
from review import workflow


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


def _refused(exc):
    """An admin write the content service refused after the form passed (a race): 403."""
    return PermissionDenied(str(exc))


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
        (_("绩效目标公开"), {"fields": DISCLOSURE_FIELDS}),
        (_("来源"), {"fields": ["source", "import_warnings", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # An invisible filing is not found at all (the change page redirects as for a
        # deleted object), exactly as filings.access answers outsiders with a 404.
        # with_history: whether each may be deleted, read with it.
        return super().get_queryset(request).visible_to(request.user).with_history()

    def has_change_permission(self, request, obj=None):
        if frozen(obj):
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


@admin.register(CheckProfile)
class CheckProfileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A bureau's rule profile, to read: it is changed on its own page (审核规则), which
    audits each save and asks first."""

    list_display = ["bureau", "name", "updated_by", "updated_at"]
    list_select_related = ["bureau", "updated_by"]

    def get_queryset(self, request):
        managed = visibility.bureaus_managed_by(request.user).values("pk")
        return super().get_queryset(request).filter(bureau__in=managed)
