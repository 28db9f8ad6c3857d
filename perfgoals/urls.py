from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from filings.wizard import views as wizard_views

# The admin site's pages of models that moved to an app of their own keep working as
# bookmarks: /admin/filings/<model>/… answers with a permanent redirect to the new app.
MOVED_IN_ADMIN = {
    "auditevent": "audit",
    "user": "accounts",
    "organisation": "accounts",
    "round": "review",
    "transition": "review",
    "comment": "review",
    "review": "review",
    "notification": "review",
    "exportjob": "exports",
    "exportchunk": "exports",
}

# The admin site in the house's words rather than Django's 「Django 站点管理员」.
admin.site.site_header = _("perfgoals 管理")
admin.site.site_title = _("perfgoals 管理")
admin.site.index_title = _("管理首页")

urlpatterns = [
    path("", wizard_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    # The audit log kept the address it had when it was part of the filings app.
    path("filings/audit/", include("audit.urls")),
    # Every page of a filing's life is under /filings/, whichever app serves it.
    path("filings/", include("filings.urls")),
    path("filings/", include("review.urls")),
    path("filings/", include("exports.urls")),
    path("filings/", include("importers.urls")),
    path("filings/", include("attachments.urls")),
    path("indicators/", include("indicators.urls")),
    path("projects/", include("projects.urls")),
    *(
        re_path(
            rf"^admin/filings/{model}/(?P<rest>.*)$",
            RedirectView.as_view(
                url=f"/admin/{app}/{model}/%(rest)s", permanent=True, query_string=True
            ),
        )
        for model, app in MOVED_IN_ADMIN.items()
    ),
    path("admin/", admin.site.urls),
]

# Every refusal that reaches the 403 page is recorded in the audit log (filings/access.py).
handler400 = "perfgoals.jsonbody.bad_request"
handler403 = "filings.access.permission_denied"
# A database outage is a Chinese 503 with Retry-After; anything else the 500 page.
handler500 = "perfgoals.outage.server_error"
