"""The 项目库 in the admin site: read only (a load is the one way in), by the bureaus one sees."""

from django.contrib import admin

from filings import access, visibility
from filings.admin_mixins import ReadOnlyAdminMixin, StaffLookOnlyMixin
from projects.models import LibraryLoad, Project


class BureauScopedAdmin(ReadOnlyAdminMixin, StaffLookOnlyMixin, admin.ModelAdmin):
    """Rows of the bureaus ``filings.access`` lets the user open, as the 项目库 page does."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if visibility.sees_everything(request.user):
            return queryset
        return queryset.filter(bureau__in=access.organisations_of(request.user).values("pk"))


@admin.register(Project)
class ProjectAdmin(BureauScopedAdmin):
    list_display = ["code", "name", "year", "organisation", "organisation_name", "annual_total"]
    list_display += ["money_unit", "bureau"]
    # Only the bureaus of the rows shown: a list of every organisation would name A's to B.
    list_filter = ["year", ("bureau", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "organisation_name"]
    list_select_related = ["organisation", "bureau"]


@admin.register(LibraryLoad)
class LibraryLoadAdmin(BureauScopedAdmin):
    list_display = ["year", "bureau", "file_name", "loaded_by", "loaded_at", "created", "updated"]
    list_display += ["removed", "unmatched"]
    # Only the bureaus of the rows shown: a list of every organisation would name A's to B.
    list_filter = ["year", ("bureau", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["bureau", "loaded_by"]
