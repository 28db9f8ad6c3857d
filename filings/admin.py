from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from filings.fields import COMMON_FIELDS, DEPARTMENT, PROJECT, fields_of
from filings.models import Filing, Organisation, Task, User
from indicators.models import Indicator


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "code"]
    list_filter = ["level"]
    search_fields = ["name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["name", "filing", "order"]
    search_fields = ["name", "content", "filing__name"]
    list_select_related = ["filing"]
    autocomplete_fields = ["filing"]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
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
class FilingAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "form", "organisation", "status", "updated_at"]
    list_filter = ["year", "form", "status"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    # Status changes go through the review workflow, never through a form field.
    readonly_fields = ["status", "import_warnings", "source", "created_at", "updated_at"]
    inlines = [IndicatorInline, TaskInline]
    fieldsets = [
        (None, {"fields": ["form", "year", "organisation", "status", *COMMON_FIELDS]}),
        (_("财政项目支出"), {"classes": ["collapse"], "fields": fields_of(PROJECT)}),
        (_("单位/部门整体支出"), {"classes": ["collapse"], "fields": fields_of(DEPARTMENT)}),
        (_("来源"), {"fields": ["source", "import_warnings", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        # An edit here outdates any wizard page open on this filing (see filings.editing).
        obj.lock_version = F("lock_version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["lock_version"])

    def save_formset(self, request, form, formset, change):
        # The parsed fields of an indicator follow its value.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            if isinstance(instance, Indicator):
                instance.set_value(instance.value)
            instance.save()
        formset.save_m2m()
