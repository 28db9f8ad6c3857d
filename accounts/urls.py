from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# Under /accounts/, Django's own place for them; no namespace: Django's auth views ask
# for these names as they are (``password_change_done``).
urlpatterns = [
    # Django's page, warning before the wrong password that would lock the account.
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's views keep this session logged in after the change (update_session_auth_hash).
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/unlock/", views.unlock, name="unlock"),
]
