from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    # Included at filings/audit/, the address of the audit log before it had an app.
    path("", views.audit_log, name="log"),
]
