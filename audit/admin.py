"""The audit log in the admin site: read-only for everyone, superusers included.

Also replaces the site's
「删除所选」 action: Django logs a deletion of several objects with one
``bulk_create`` of LogEntry rows, which sends no ``post_save``, so the
deletions would escape ``audit.log``; the wrapper records them in the
deletion's transaction.
"""

from django.contrib import admin
from django.contrib.admin import actions
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from audit import log
from audit.models import AuditEvent
from filings import access


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "username", "user_display", "ip", "action", "description"]
    list_filter = ["action"]
    search_fields = ["username", "user_display", "description"]
    date_hierarchy = "created_at"
    # No foreign key is followed: the page shows the copies kept on the row.
    raw_id_fields = ["user", "filing", "organisation"]
    actions = None

    def has_view_permission(self, request, obj=None):
        return access.may(request.user, access.READ_AUDIT)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(
    permissions=["delete"],
    description=actions.delete_selected.short_description,
)
def delete_selected(modeladmin, request, queryset):
    """Django's 删除所选, with one audit row per object deleted when there are several."""
    if not request.POST.get("post"):  # the confirmation page: nothing is deleted yet
        return actions.delete_selected(modeladmin, request, queryset)
    with transaction.atomic():
        doomed = [(obj.pk, str(obj)) for obj in queryset]
        response = actions.delete_selected(modeladmin, request, queryset)
        # None: deleted. One object was logged with save(), so post_save recorded it.
        if response is None and len(doomed) > 1:
            content_type = ContentType.objects.get_for_model(
                modeladmin.model, for_concrete_model=False
            )
            for pk, text in doomed:
                log.admin_change(request.user, content_type, pk, text, 3)
    return response


admin.site.add_action(delete_selected, "delete_selected")
