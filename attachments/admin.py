"""Attachments in the admin site: looked at, never changed.

Rows of the filings the user may see (``FilingRowAdminMixin``), read-only for
everyone: a file's bytes, type and hash come from the upload's checks, and a
frozen filing's attachments belong to its versions. Filers add and remove them
on the filing's pages, through ``attachments.services``.
"""

from django.contrib import admin

from attachments.models import Attachment
from filings.admin_mixins import FilingRowAdminMixin, ReadOnlyAdminMixin


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, FilingRowAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "filing", "file_type", "size", "uploaded_at", "removed_at"]
    list_filter = ["kind", "file_type"]
    list_select_related = ["filing"]
    search_fields = ["name", "filing__name"]
    exclude = ["stored_name"]
    raw_id_fields = ["filing", "uploaded_by", "first_version"]
