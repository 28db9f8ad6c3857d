from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from filings.admin import ContentRowAdmin
from filings.admin_mixins import CleanTextAdminForm, StaffLookOnlyMixin
from indicators.models import Framework, Indicator, Level1, Level2, LibraryEntry


class Level2Inline(StaffLookOnlyMixin, admin.TabularInline):
    model = Level2
    extra = 0


@admin.register(Level1)
class Level1Admin(StaffLookOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "order", "scope"]
    list_editable = ["order"]
    inlines = [Level2Inline]

    def get_changelist_form(self, request, **kwargs):
        # The list's 排序 inputs have no <label> of their own (axe: label): name each one.
        kwargs.setdefault("widgets", {"order": forms.NumberInput(attrs={"aria-label": _("排序")})})
        return super().get_changelist_form(request, **kwargs)


@admin.register(Level2)
class Level2Admin(StaffLookOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "level1", "order"]
    list_filter = ["level1"]
    search_fields = ["name", "level1__name"]
    list_select_related = ["level1"]


@admin.register(Indicator)
class IndicatorAdmin(ContentRowAdmin):
    list_display = ["name", "value", "value_type", "level2", "filing"]
    list_filter = ["value_type", "level2__level1"]
    search_fields = ["name", "value", "filing__name"]
    list_select_related = ["level2__level1", "filing"]
    autocomplete_fields = ["filing", "level2"]
    # Parsed from the value by the content service; editing them apart would let them disagree.
    readonly_fields = ["value_type", "operator", "number", "unit"]


@admin.register(LibraryEntry)
class LibraryEntryAdmin(StaffLookOnlyMixin, admin.ModelAdmin):
    """Admins curate the 共性 entries here (and may correct any 个性 entry)."""

    form = CleanTextAdminForm

    list_display = ["name", "level2", "unit", "direction", "example_value", "uses", "scope"]
    list_display += ["organisation", "updated_at"]
    list_filter = ["scope", "level2__level1", "level2", "direction"]
    search_fields = ["name", "explanation", "organisation__name"]
    list_select_related = ["level2__level1", "organisation"]
    autocomplete_fields = ["level2", "organisation"]
    # uses is recounted by seed_library; the rest record who and when.
    readonly_fields = ["uses", "created_by", "created_at", "updated_at"]
    fields = ["scope", "organisation", "level2", "name", "unit", "direction"]
    fields += ["example_value", "explanation", *readonly_fields]

    def get_queryset(self, request):
        # 个性 entries are their organisation's: the library page's own rule.
        return super().get_queryset(request).visible_to(request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Framework)
class FrameworkAdmin(StaffLookOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "code", "order", "execution_weight"]
    filter_horizontal = ["level2s"]
