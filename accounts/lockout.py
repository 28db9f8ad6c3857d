"""Login throttling and lockout (django-axes), the lockouts page, the password change view.

The policy (settings ``AXES_*``, ``LOGIN_*``): a username tried from one address
is locked after ``LOGIN_FAILURE_LIMIT`` failures, an address alone after
``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` failures over all usernames (password
spraying), each for ``LOGIN_LOCKOUT_MINUTES`` after the last failure counted.
Axes compares one limit with the largest of its counts; ``LockoutHandler``
gives the address its own, larger limit, and resets only the pair's count on a
successful login: axes' own reset would clear the address's count too, so an
attacker with one account of their own could log in now and then and spray on.

Attempts while locked are refused without being counted
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``): a user who tries
again does not lengthen their own wait, and the page can say when it ends.
"""

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from audit import log


def client_ip(request):
    """AXES_CLIENT_IP_CALLABLE: the address the audit log records, by the same rule."""
    return log.client_ip(request.META)


def username_of(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the username tried, cut to what axes' column holds.

    Django's login form learns the username's length limit after building the field, so a
    longer name reaches authenticate() whole; no real account has one, and a 500 from the
    database (varchar(255) on PostgreSQL) must not be the answer to it. NUL characters go
    too: no username may hold one, and PostgreSQL refuses them in any query (the login
    page's count of tries left asks with this name).
    """
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get(settings.AXES_USERNAME_FORM_FIELD) if source else None
    if not isinstance(username, str):
        return username
    return username.replace("\x00", "")[:USERNAME_MAX]


USERNAME_MAX = AccessAttempt._meta.get_field("username").max_length


def _window_start():
    return timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _count(attempts):
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def lockout_of(username, ip):
    """The lockout that refuses ``username`` from ``ip`` now, or None.

    A dict: ``scope`` ("account": this username from this address, "address":
    every username from it) and ``until``, when it ends at the latest.
    """
    recent = AccessAttempt.objects.filter(attempt_time__gte=_window_start(), ip_address=ip)
    cool_off = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    pair = recent.filter(username=username)
    if username and _count(pair) >= settings.AXES_FAILURE_LIMIT:
        last = pair.aggregate(last=Max("attempt_time"))["last"]
        return {"scope": "account", "until": last + cool_off}
    if _count(recent) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
        last = recent.aggregate(last=Max("attempt_time"))["last"]
        return {"scope": "address", "until": last + cool_off}
    return None


def attempts_left(username, ip):
    """How many more wrong passwords lock ``username`` out from ``ip`` (0: locked now)."""
    recent = AccessAttempt.objects.filter(
        attempt_time__gte=_window_start(), ip_address=ip, username=username
    )
    return max(settings.AXES_FAILURE_LIMIT - _count(recent), 0)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for an address (see the module)."""

    def get_failures(self, request, credentials=None):
        # AXES_LOCKOUT_PARAMETERS: [username and address, address]
        pair, address = (
            _count(attempts) for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # While locked, the backend marks the request before this runs: a refusal, not a lockout.
        already_locked = getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and request.axes_locked_out and not already_locked:
            username = get_client_username(request, credentials) or ""
            log.locked_out(request, username, lockout_of(username, request.axes_ip_address))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page of a refused login (429), on our and the admin's login."""
    username = get_client_username(request, credentials) or ""
    lockout = lockout_of(username, request.axes_ip_address)
    if lockout is None:  # a lockout that ended in between: the page still refuses this once
        cool_off = get_cool_off(request) or datetime.timedelta()
        lockout = {"scope": "account", "until": timezone.now() + cool_off}
    minutes = max(1, -(-int((lockout["until"] - timezone.now()).total_seconds()) // 60))
    context = {
        "username": username,
        "ip": request.axes_ip_address,
        "scope": lockout["scope"],
        "until": lockout["until"],
        "minutes": minutes,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def current_lockouts():
    """Locked usernames (per address) and locked addresses, latest first."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=_window_start())
    cool_off = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    rows = []
    pairs = recent.values("username", "ip_address").annotate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    for row in pairs.filter(failures__gte=settings.AXES_FAILURE_LIMIT):
        rows.append({**row, "scope": "account", "until": row["last"] + cool_off})
    addresses = recent.values("ip_address").annotate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    for row in addresses.filter(failures__gte=settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS):
        rows.append({**row, "username": "", "scope": "address", "until": row["last"] + cool_off})
    return sorted(rows, key=lambda row: row["last"], reverse=True)


def clear_lockouts(usernames):
    """Forget the failed logins of these usernames (the demo's accounts, on loading it)."""
    AccessAttempt.objects.filter(username__in=list(usernames)).delete()
