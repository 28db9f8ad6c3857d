"""Deployment hardening: check --deploy is clean, settings fail loudly, secrets stay hidden.

Settings are read once per process, so what depends on the environment is checked in a
fresh Python process given that environment (``_django``), the way a server starts.
"""

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.debug import get_default_exception_reporter_filter, technical_500_response

from perfgoals import settings as settings_module
from perfgoals.middleware import SessionActivityMiddleware
from tests.conftest import PASSWORD, ROOT

DB_PASSWORD = "db-pw-Zq81xK"
BROKER_PASSWORD = "broker-pw-Lm42vT"
DATABASE_URL = f"postgres://perfgoals:{DB_PASSWORD}@db.internal:5432/perfgoals"
BROKER_URL = f"redis://:{BROKER_PASSWORD}@redis.internal:6379/0"

# A new process gets only these from the test run's environment: the rest (DEBUG, the
# browser tests' DJANGO_ALLOW_ASYNC_UNSAFE…) would not be in a server's environment.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL", "VIRTUAL_ENV")


def _base_env():
    return {name: os.environ[name] for name in KEPT if name in os.environ}


def production_env(**changes):
    """What an operator sets behind nginx, as the README's "Production" says."""
    env = _base_env()
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="perfgoals.example.gov.cn,testserver",
        PROXY_SSL_HEADER="X-Forwarded-Proto",
        DJANGO_SETTINGS_MODULE="perfgoals.settings",
    )
    env.update(changes)
    return {name: value for name, value in env.items() if value is not None}


def demo_env(**changes):
    """scripts/demo.sh: plain HTTP on localhost, SECURE_COOKIES=0 and nothing else."""
    env = _base_env()
    env.update(
        DJANGO_SETTINGS_MODULE="perfgoals.settings",
        SECURE_COOKIES="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    )
    env.update(changes)
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _django(env, code):
    """Run ``code`` after django.setup() in a new process; it prints one JSON value."""
    prelude = (
        "import django, json, os; django.setup(); from django.conf import settings\n"
        # No collectstatic here: plain static storage, as tests/conftest.py does.
        "settings.STORAGES = {**settings.STORAGES, 'staticfiles': {'BACKEND':\n"
        "  'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )
    done = _run(["-c", prelude + code], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# check --deploy


def test_production_settings_pass_check_deploy_without_a_warning():
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        ({"SECURE_COOKIES": "0", "PROXY_SSL_HEADER": None}, "security.W012"),  # the demo
        ({"PROXY_SSL_HEADER": None}, "security.W008"),  # no proxy header: no redirect
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "0"}, "security.W005"),
        ({"DEBUG": "1"}, "security.W018"),
    ],
)
def test_check_deploy_names_what_is_switched_off(changes, warning):
    done = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(**changes)
    )
    assert done.returncode != 0
    assert warning in done.stdout + done.stderr


def test_production_redirects_plain_http_and_sends_hsts_over_https():
    seen = _django(
        production_env(),
        "from django.test import Client\n"
        "client = Client()\n"
        "plain = client.get('/accounts/login/')\n"
        "proxied = client.get('/accounts/login/', headers={'X-Forwarded-Proto': 'https'})\n"
        "print(json.dumps({'plain': [plain.status_code, plain.get('Location')],\n"
        "  'proxied': proxied.status_code, 'hsts': proxied.get('Strict-Transport-Security'),\n"
        "  'csrf': proxied.cookies['csrftoken'].output()}))",
    )
    assert seen["plain"] == [301, "https://testserver/accounts/login/"]
    assert seen["proxied"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert "Secure" in seen["csrf"] and "HttpOnly" in seen["csrf"]


def test_the_demo_settings_still_serve_over_plain_http(tmp_path):
    """scripts/demo.sh: migrate, a demo account, and a login over http:// that sticks."""
    env = demo_env(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}")
    migrated = _run(["manage.py", "migrate", "-v0"], env)
    assert migrated.returncode == 0, migrated.stderr
    seen = _django(
        env,
        "from django.test import Client\n"
        "from filings.models import User\n"
        "user = User(username='filer', role='filer'); user.set_password('perfgoals-demo')\n"
        "user.save()\n"
        "client = Client(enforce_csrf_checks=True)\n"
        "page = client.get('/accounts/login/')\n"
        "token = page.cookies['csrftoken'].value\n"
        "login = client.post('/accounts/login/', {'username': 'filer',\n"
        "  'password': 'perfgoals-demo', 'csrfmiddlewaretoken': token})\n"
        "home = client.get('/filings/mine/')\n"
        "print(json.dumps({'page': page.status_code,\n"
        "  'hsts': page.get('Strict-Transport-Security'),\n"
        "  'cookie': login.cookies['sessionid'].output(), 'login': login.status_code,\n"
        "  'home': home.status_code}))",
    )
    assert seen["page"] == 200  # no redirect to https://
    assert seen["hsts"] is None
    assert seen["login"] == 302
    # A browser keeps a cookie without Secure over http://, so the next page is the user's.
    assert "Secure" not in seen["cookie"] and "HttpOnly" in seen["cookie"]
    assert seen["home"] == 200


def test_https_settings_with_the_demo_switch_are_refused():
    done = _run(["manage.py", "check"], demo_env(PROXY_SSL_HEADER="X-Forwarded-Proto"))
    assert done.returncode != 0
    assert "SECURE_COOKIES=0 means plain HTTP" in done.stderr


# Settings that fail loudly


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_debug_is_off(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    assert settings_module.env_bool("DEBUG", False) is False
    assert _django(demo_env(DEBUG=value), "print(json.dumps(settings.DEBUG))") is False


def test_an_unclear_debug_stops_the_start():
    done = _run(["manage.py", "check"], demo_env(DEBUG="perhaps"))
    assert done.returncode != 0
    assert "DEBUG must be a boolean" in done.stderr


@pytest.mark.parametrize(
    "key",
    [
        "too-short-a-key-0123456789",
        "django-insecure-" + "k3x9v" * 10,  # what startproject writes
        "change-me-please-" + "q7w2e" * 8,
        "perfgoals-demo-key-" + "r5t8y" * 8,
        "ab" * 30,  # long, but two characters
    ],
)
def test_a_weak_or_example_secret_key_is_refused(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ImproperlyConfigured):
        settings_module.secret_key()


def test_a_demo_key_stops_the_server_from_starting():
    done = _run(["manage.py", "check"], production_env(SECRET_KEY="django-insecure-" + "x1" * 30))
    assert done.returncode != 0
    assert "SECRET_KEY looks like an example or demo key" in done.stderr


def test_a_random_key_is_accepted(monkeypatch):
    key = secrets.token_urlsafe(50)
    monkeypatch.setenv("SECRET_KEY", key)
    assert settings_module.secret_key() == key


# Secrets in error reports and logs


@pytest.fixture
def secret_settings(settings):
    settings.CELERY_BROKER_URL = BROKER_URL
    settings.DATABASE_URL = DATABASE_URL  # as if a project had kept the URL as a setting
    return settings


def test_error_reports_hide_database_and_broker_urls(secret_settings):
    safe = get_default_exception_reporter_filter().get_safe_settings()
    text = repr(safe)
    assert DB_PASSWORD not in text and BROKER_PASSWORD not in text
    assert settings.SECRET_KEY not in text
    assert safe["DATABASE_URL"] == safe["CELERY_BROKER_URL"] == "********************"
    databases = get_default_exception_reporter_filter().cleanse_setting(
        "DATABASES", {"default": {"NAME": "perfgoals", "PASSWORD": DB_PASSWORD}}
    )
    assert databases == {"default": {"NAME": "perfgoals", "PASSWORD": "********************"}}
    # The filter hides secrets, not everything: an operator still sees the rest.
    assert safe["TIME_ZONE"] == "Asia/Shanghai"


def test_the_debug_page_hides_the_environment_runserver_passes(secret_settings):
    # runserver copies the whole environment into request.META.
    request = RequestFactory().get("/", DATABASE_URL=DATABASE_URL, CELERY_BROKER_URL=BROKER_URL)
    try:
        raise RuntimeError("the report of an error")
    except RuntimeError:
        response = technical_500_response(request, *sys.exc_info())
    html = response.content.decode()
    assert "the report of an error" in html  # it is the debug page
    assert "DATABASE_URL" in html  # the variable is listed…
    assert DB_PASSWORD not in html and BROKER_PASSWORD not in html  # …its value is not
    assert settings.SECRET_KEY not in html


def test_logs_never_write_the_database_url_or_secret_key():
    """An error whose message quotes secrets, logged as a request's 500 in a real process."""
    env = production_env(DATABASE_URL=DATABASE_URL, CELERY_BROKER_URL=BROKER_URL)
    code = (
        "import django, os; django.setup()\n"
        "from django.conf import settings\n"
        "settings.STORAGES = {**settings.STORAGES, 'staticfiles': {'BACKEND':\n"
        "  'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
        "from django.core.handlers.exception import response_for_exception\n"
        "from django.test import RequestFactory\n"
        "request = RequestFactory().get('/filings/')\n"
        "try:\n"
        "    raise RuntimeError('cannot reach ' + os.environ['DATABASE_URL'] + ' via '\n"
        "        + settings.CELERY_BROKER_URL + ' key ' + settings.SECRET_KEY)\n"
        "except RuntimeError as exc:\n"
        "    response = response_for_exception(request, exc)\n"
        "    print(response.status_code, response.content.decode())\n"
    )
    done = _run(["-c", code], env)
    assert done.returncode == 0, done.stderr
    # The user sees the app's own 500 page, and nothing of the error.
    assert done.stdout.startswith("500 ") and "系统出错了" in done.stdout
    assert "cannot reach" not in done.stdout
    log = done.stderr
    assert "Internal Server Error: /filings/" in log and "RuntimeError: cannot reach" in log
    assert DB_PASSWORD not in log and BROKER_PASSWORD not in log
    assert env["SECRET_KEY"] not in log


# Headers and cookies


def test_security_headers_on_every_page(client, personas):
    client.force_login(personas.filer)
    for url in (reverse("login"), reverse("filings:mine"), "/no-such-page/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy
        assert "microphone=()" in policy


def test_session_and_csrf_cookies_are_secure_and_httponly(client, personas):
    # The suite runs with the default SECURE_COOKIES=1, as production does.
    page = client.get(reverse("login"))
    client.post(reverse("login"), {"username": personas.filer.username, "password": PASSWORD})
    session = client.cookies["sessionid"]
    csrf = page.cookies["csrftoken"]
    assert session["secure"] and session["httponly"]
    assert csrf["secure"] and csrf["httponly"]
    # Ends with the browser: no expiry date on the cookie.
    assert session["expires"] == "" and session["max-age"] == ""


# Session expiry after inactivity


def _session(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_session_idle_longer_than_its_age_is_logged_out(client, personas):
    client.post(reverse("login"), {"username": personas.filer.username, "password": PASSWORD})
    assert client.get(reverse("filings:mine")).status_code == 200
    # Two hours and a minute without a request.
    Session.objects.filter(pk=_session(client).pk).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(reverse("filings:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _age_the_last_save(client, seconds):
    """Pretend the session was last saved ``seconds`` ago, with ten minutes left."""
    store = SessionStore(session_key=client.cookies["sessionid"].value)
    store[SessionActivityMiddleware.SAVED_AT] -= seconds
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=10)
    )


def test_a_request_after_the_refresh_interval_moves_the_end_of_the_session(client, personas):
    assert settings.SESSION_COOKIE_AGE == 2 * 3600
    client.post(reverse("login"), {"username": personas.filer.username, "password": PASSWORD})
    # Ten minutes left, the last save six minutes ago…
    _age_the_last_save(client, 6 * 60)
    assert client.get(reverse("filings:mine")).status_code == 200
    # …and a request later, two hours again.
    left = _session(client).expire_date - timezone.now()
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)


def test_a_request_soon_after_the_last_save_writes_nothing(client, personas):
    # Saving the session on every page would be a database write per request.
    client.post(reverse("login"), {"username": personas.filer.username, "password": PASSWORD})
    _age_the_last_save(client, 60)
    assert client.get(reverse("filings:mine")).status_code == 200
    left = _session(client).expire_date - timezone.now()
    assert left <= timedelta(minutes=10)
