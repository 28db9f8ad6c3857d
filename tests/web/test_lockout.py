"""Login lockout (accounts/lockout.py): through the real login forms, as an attacker would."""

import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from filings import demo
from tests.conftest import PASSWORD

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
OFFICE = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


def _login(client, username, password, *, ip=OFFICE, url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _wrong(client, username, times, **kwargs):
    return [_login(client, username, "wrong-password", **kwargs).status_code for _ in range(times)]


def _signed_in(client):
    return SESSION_KEY in client.session


def _after_cool_off():
    """Move every failure back past the lockout, instead of waiting for it."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time")
        - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    )


def test_sixty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, personas):
    statuses = _wrong(client, personas.filer.username, 60)
    limit = settings.LOGIN_FAILURE_LIMIT
    # The form answers until the limit; the failure that reaches it gets the lockout page.
    assert statuses == [200] * (limit - 1) + [429] * (60 - limit + 1)
    response = _login(client, personas.filer.username, PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)
    html = response.content.decode()
    assert "登录已暂时锁定" in html
    assert f"账号 {personas.filer.username} 从您所在的网络地址（{OFFICE}）" in html
    assert "请在约 15 分钟后" in html
    assert "请联系本单位的系统管理员" in html
    assert int(response["Retry-After"]) == 15 * 60
    # Refused tries are not counted: the lockout still ends 15 minutes after the limit.
    assert AccessAttempt.objects.get().failures_since_start == limit


def test_the_wrong_password_before_the_last_warns_that_one_more_locks(client, personas):
    limit = settings.LOGIN_FAILURE_LIMIT
    _wrong(client, personas.filer.username, limit - 3)
    earlier = _login(client, personas.filer.username, "wrong-password")
    last_try = _login(client, personas.filer.username, "wrong-password")

    warning = "再输错一次密码，这个账号将被锁定 15 分钟"
    assert warning not in earlier.content.decode()
    assert last_try.status_code == 200
    assert warning in last_try.content.decode()
    # From another address the same account has all its tries.
    elsewhere = _login(client, personas.filer.username, "wrong-password", ip=ELSEWHERE)
    assert warning not in elsewhere.content.decode()


def test_a_username_with_a_nul_character_is_a_wrong_login_not_an_error(client, personas):
    # Found by the property test of the login form on PostgreSQL, which refuses NUL in a
    # query: the count of tries left is asked with the name as typed.
    response = _login(client, personas.filer.username + "\x00", "wrong-password")
    assert response.status_code == 200  # the login page again, with the form's message
    assert response.context["form"].errors and not _signed_in(client)


def test_the_lockout_is_of_the_account_from_that_address_only(client, personas):
    _wrong(client, personas.filer.username, settings.LOGIN_FAILURE_LIMIT)
    # The same user from their own office, another user from the attacker's address.
    assert _login(Client(), personas.filer.username, PASSWORD, ip=ELSEWHERE).status_code == 302
    other = Client()
    assert _login(other, personas.outsider.username, PASSWORD).status_code == 302
    assert _signed_in(other)


def test_an_address_spraying_many_usernames_is_locked_for_every_username(client, personas):
    per_user = settings.LOGIN_FAILURE_LIMIT - 1  # under the account's limit each time
    tried = 0
    while tried < settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
        _wrong(client, f"guess{tried}", per_user)
        tried += per_user
    response = _login(Client(), personas.department_reviewer.username, PASSWORD)
    assert response.status_code == 429
    assert f"从您所在的网络地址（{OFFICE}）登录失败的次数过多" in response.content.decode()
    assert (
        _login(Client(), personas.department_reviewer.username, PASSWORD, ip=ELSEWHERE).status_code
        == 302
    )


def test_after_the_cool_off_the_right_password_works_and_the_count_restarts(client, personas):
    _wrong(client, personas.filer.username, settings.LOGIN_FAILURE_LIMIT)
    _after_cool_off()
    assert _login(client, personas.filer.username, PASSWORD).status_code == 302
    assert _signed_in(client)
    assert not AccessAttempt.objects.exists()


def test_a_login_resets_only_its_own_count_not_the_address(client, personas):
    """An attacker with an account of their own cannot log in now and then to spray on."""
    _wrong(client, personas.filer.username, settings.LOGIN_FAILURE_LIMIT - 1)
    assert _login(Client(), personas.outsider.username, PASSWORD).status_code == 302
    assert _wrong(client, personas.filer.username, 1) == [429]


def test_the_admin_site_login_is_throttled_too(client, personas):
    statuses = _wrong(
        client, personas.admin.username, settings.LOGIN_FAILURE_LIMIT, url=ADMIN_LOGIN
    )
    assert statuses[-1] == 429
    response = _login(client, personas.admin.username, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert not _signed_in(client)


def test_a_lockout_is_an_audit_event_once_with_who_and_from_where(client, personas):
    _wrong(client, personas.filer.username, 20)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOCKOUT)
    assert event.username == personas.filer.username
    assert event.ip == OFFICE
    assert event.details["scope"] == "account"
    assert personas.filer.username in event.description
    # Every try is a failed login in the log, the refused ones too.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 20


def test_an_admin_sees_the_lockout_and_unlocks_it(client, personas):
    _wrong(Client(), personas.filer.username, settings.LOGIN_FAILURE_LIMIT)
    client.force_login(personas.admin)
    assert 'data-testid="nav-lockouts"' in client.get(reverse("home"), follow=True).content.decode()
    page = client.get(reverse("lockouts")).content.decode()
    assert personas.filer.username in page and OFFICE in page and "解除锁定" in page

    response = client.post(
        reverse("unlock"), {"username": personas.filer.username, "ip_address": OFFICE}
    )
    assert response.status_code == 302
    assert "目前没有被锁定的账号或地址" in client.get(reverse("lockouts")).content.decode()
    assert _login(Client(), personas.filer.username, PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNLOCK)
    assert event.user == personas.admin
    assert event.details == {"unlocked_username": personas.filer.username, "unlocked_ip": OFFICE}


def test_only_admins_see_or_clear_lockouts(client, personas):
    client.force_login(personas.finance_reviewer)
    assert client.get(reverse("lockouts")).status_code == 403
    assert client.post(reverse("unlock"), {"ip_address": OFFICE}).status_code == 403
    client.force_login(personas.admin)
    assert client.get(reverse("unlock")).status_code == 405
    assert Client().get(reverse("lockouts")).status_code == 302  # to the login page


def test_unlocking_something_that_is_not_an_address_changes_nothing(client, personas):
    _wrong(Client(), personas.filer.username, settings.LOGIN_FAILURE_LIMIT)
    client.force_login(personas.admin)
    response = client.post(reverse("unlock"), {"username": "", "ip_address": "not-an-ip"})
    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNLOCK).exists()


def test_a_password_change_is_an_audit_event(client, personas):
    client.force_login(personas.filer)
    new = "绩效目标-2025-申报"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        REMOTE_ADDR=OFFICE,
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_CHANGE)
    assert (event.user, event.ip) == (personas.filer, OFFICE)


def test_loading_the_demo_clears_lockouts_of_its_accounts(client, db):
    data = demo.read_demo()
    demo.load_organisations(data)
    username = demo.load_users(data)[0].username
    _wrong(client, username, settings.LOGIN_FAILURE_LIMIT)
    demo.load_users(data)
    assert _login(client, username, data["password"]).status_code == 302
    assert User.objects.get(username=username).pk == int(client.session[SESSION_KEY])
