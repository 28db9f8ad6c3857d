from django.urls import path

from filings import views
from filings.wizard import views as wizard_views

# Under /filings/, with the review, exports and importers apps' pages (perfgoals/urls.py).
app_name = "filings"
urlpatterns = [
    path("", views.filing_list, name="list"),
    path("<int:pk>/", views.filing_detail, name="detail"),
    # The filer's pages and the wizard (filings/wizard/views.py).
    path("mine/", wizard_views.mine, name="mine"),
    path("new/", wizard_views.new, name="new"),
    path(
        "new/library/<int:project>/", wizard_views.create_from_library, name="create_from_library"
    ),
    path("new/<str:form>/", wizard_views.create, name="create"),
    path("<int:pk>/copy/", wizard_views.copy, name="copy"),
    path("<int:pk>/delete/", wizard_views.delete, name="delete"),
    path("<int:pk>/edit/<slug:step>/", wizard_views.wizard, name="wizard"),
    # 审核规则: a bureau's rule profile (finance reviewers of the bureau, admins).
    path("checks/", views.check_profiles, name="check_profiles"),
    path("checks/<int:bureau>/", views.check_profile, name="check_profile"),
    path("checks/<int:bureau>/save/", views.check_profile_save, name="check_profile_save"),
]
