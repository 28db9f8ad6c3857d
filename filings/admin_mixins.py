"""What every model admin of the site shares: who may change, what a staff user sees.

The admin site is held to the app's rules (``filings.access``): see the docstring
of ``filings/admin.py``. The other apps' admin modules build on these mixins.
"""

from django import forms
from django.contrib import admin

from filings import access, visibility
from filings.cleaning import CleanTextMixin
from filings.models import Filing


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


def frozen(filing):
    """A filing the admin site must not change: submitted, in review or approved."""
    return filing is not None and filing.status not in Filing.EDITABLE_STATUSES


class CleanTextAdminForm(CleanTextMixin, forms.ModelForm):
    """Admin forms of what is not a filing's content (rounds, organisations, the library).

    Their texts end up on the same pages, sheets and file names: the same cleaner.
    """


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
        if visibility.sees_everything(request.user):
            return queryset
        visible = Filing.objects.visible_to(request.user)
        return queryset.filter(**{f"{self.filing_path}__in": visible.values("pk")})

    def has_change_permission(self, request, obj=None):
        if frozen(self._filing_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if frozen(self._filing_of(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        # Inlines are asked with the parent filing; model admins without an object.
        if frozen(self._filing_of(obj)):
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
