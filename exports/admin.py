"""Export jobs in the admin site."""

from django.contrib import admin

from exports.models import ExportChunk, ExportJob
from filings import visibility
from filings.admin_mixins import ReadOnlyAdminMixin

# --- Export jobs (exports/jobs.py): written by the jobs, only read here. ---


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "created_by", "organisation", "year", "kind", "status", "done"]
    list_filter = ["status", "kind", "year"]
    list_select_related = ["created_by", "organisation"]
    exclude = ["filing_ids"]

    def get_queryset(self, request):
        # A job holds what its creator may see: other staff see only their own.
        queryset = super().get_queryset(request)
        if visibility.sees_everything(request.user):
            return queryset
        return queryset.filter(created_by=request.user)


@admin.register(ExportChunk)
class ExportChunkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["job", "index", "start", "size", "attempts", "done_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if visibility.sees_everything(request.user):
            return queryset
        return queryset.filter(job__created_by=request.user)
