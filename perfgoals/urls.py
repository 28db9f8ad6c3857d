from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from filings.wizard import views as wizard_views

urlpatterns = [
    path("", wizard_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("filings/", include("filings.urls")),
    path("indicators/", include("indicators.urls")),
    path("admin/", admin.site.urls),
]
