from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from filings.wizard import views as wizard_views
from perfgoals import identity

# The admin site in the house's words rather than Django's 「Django 站点管理员」.
admin.site.site_header = _("perfgoals 管理")
admin.site.site_title = _("perfgoals 管理")
admin.site.index_title = _("管理首页")

urlpatterns = [
    path("", wizard_views.home, name="home"),
    path("accounts/login/", identity.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's views keep this session logged in after the change (update_session_auth_hash).
    path("accounts/password/", identity.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/lockouts/", identity.lockouts, name="lockouts"),
    path("accounts/lockouts/unlock/", identity.unlock, name="unlock"),
    # The audit log kept the address it had when it was part of the filings app.
    path("filings/audit/", include("audit.urls")),
    path("filings/", include("filings.urls")),
    path("indicators/", include("indicators.urls")),
    # The admin site's pages of the audit log, bookmarked before it had an app of its own.
    re_path(
        r"^admin/filings/auditevent/(?P<rest>.*)$",
        RedirectView.as_view(
            url="/admin/audit/auditevent/%(rest)s", permanent=True, query_string=True
        ),
    ),
    path("admin/", admin.site.urls),
]

# Every refusal that reaches the 403 page is recorded in the audit log (filings/access.py).
handler400 = "perfgoals.jsonbody.bad_request"
handler403 = "filings.access.permission_denied"
# A database outage is a Chinese 503 with Retry-After; anything else the 500 page.
handler500 = "perfgoals.outage.server_error"
