"""Users, organisations and groups in the admin site: only admins change them."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from filings import access, visibility
from filings.admin_mixins import CleanTextAdminForm, StaffLookOnlyMixin

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
        if visibility.sees_everything(request.user):
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
        return visibility.users_visible_to(request.user, super().get_queryset(request))
