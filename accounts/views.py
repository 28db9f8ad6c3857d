"""The account pages: login (warning before the try that locks), 登录锁定, password change."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from accounts.lockout import attempts_left, client_ip, current_lockouts, username_of
from audit import log
from filings.access import ANYONE, MANAGE_LOCKOUTS, SIGNED_IN, requires


@login_required
@requires(MANAGE_LOCKOUTS)
def lockouts(request):
    """登录锁定: who is locked out now, from where, until when; a button to unlock each."""
    context = {
        "lockouts": current_lockouts(),
        "limit": settings.AXES_FAILURE_LIMIT,
        "per_address": settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS,
        "minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    return render(request, "registration/lockouts.html", context)


@login_required
@require_POST
@requires(MANAGE_LOCKOUTS)
def unlock(request):
    """Clear the failures of a username from an address, or of an address (no username)."""
    username = request.POST.get("username", "")
    ip = request.POST.get("ip_address", "")
    if ip and log.client_ip({"REMOTE_ADDR": ip}) is None:
        return redirect("lockouts")  # not an address: a tampered form (PostgreSQL would fail)
    attempts = AccessAttempt.objects.filter(ip_address=ip or None)
    if username:
        attempts = attempts.filter(username=username)
    with transaction.atomic():
        count, _ = attempts.delete()
        if count:
            log.unlocked(request, username, ip)
    return redirect("lockouts")


# Declared like every view (filings.access); logged-in first, so a visitor is sent to log in.
@method_decorator([login_required, requires(SIGNED_IN)], name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, with the change recorded in the audit log."""

    def form_valid(self, form):
        with transaction.atomic():  # record or refuse (audit/log.py)
            response = super().form_valid(form)
            log.password_changed(self.request)
        return response


@method_decorator(requires(ANYONE), name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's login page, which warns before the wrong password that would lock the account.

    Axes has counted the failure (the user_login_failed signal) by the time the form is
    found invalid, so the count read here includes this attempt.
    """

    def form_invalid(self, form):
        username = username_of(self.request)
        left = attempts_left(username, client_ip(self.request)) if username else None
        context = self.get_context_data(
            form=form, last_try=left == 1, lockout_minutes=settings.LOGIN_LOCKOUT_MINUTES
        )
        return self.render_to_response(context)
