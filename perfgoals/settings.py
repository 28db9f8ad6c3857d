"""Settings for perfgoals, read from the environment.

Defaults are safe anywhere: a SQLite file in the project folder, DEBUG off
(a debug page shows the URL patterns and settings to anyone who meets an
error), localhost only, cookies over HTTPS only. Production sets
``DATABASE_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``; the demo turns
``SECURE_COOKIES`` off because it serves plain HTTP on localhost.
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default):
    return os.environ.get(name, default)


def env_bool(name, default):
    # Unset or empty (``DEBUG=``) is the default, never "on"; anything unclear fails.
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


# Placeholders of examples and demos ("change-me…", Django's "django-insecure-…"): a key a
# reader could guess lets anyone sign a session cookie. The demo never sets SECRET_KEY (it
# uses this checkout's own random key), so such keys are refused everywhere.
PLACEHOLDER_WORDS = ("change", "demo", "example", "insecure", "secret", "perfgoals")


def secret_key():
    """SECRET_KEY from the environment, or this checkout's own random key.

    There is no shared default key: without SECRET_KEY, a key is made once for
    this checkout and kept in ``.secret_key`` (not in git). Several web servers
    behind a load balancer must all be given the same SECRET_KEY.
    """
    value = os.environ.get("SECRET_KEY", "")
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        lowered = value.lower()
        if any(word in lowered for word in PLACEHOLDER_WORDS) or len(set(value)) < 5:
            raise ImproperlyConfigured(
                "SECRET_KEY looks like an example or demo key: make a random one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
            )
        return value
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    # The project's apps, each named by its job (README: "Where the code is").
    "accounts",
    "filings",
    "review",
    "exports",
    "importers",
    "indicators",
    "projects",
    "audit",
    "attachments",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "perfgoals.middleware.PermissionsPolicyMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below); before WhiteNoise, so that
    # static files carry it too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "perfgoals.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a login refused by the lockout into the 429 page (accounts/lockout.py); last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "perfgoals.urls"
WSGI_APPLICATION = "perfgoals.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default so that the demo needs no server; PostgreSQL in
# production and in CI through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        # A persistent connection that died with the server (a restart, a failover) is
        # tested before a request uses it and replaced: the app recovers by itself. While the
        # database is down, pages answer 503 (perfgoals/outage.py).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one writer in at a time. A transaction that starts by reading and then
    # writes (every workflow transition) is refused at once with "database is locked" when
    # another writer got in first, without waiting: the second click on 审核通过 got an
    # error page. BEGIN IMMEDIATE takes the write lock at the start instead, so the second
    # writer waits its turn (up to SQLITE_TIMEOUT seconds) and then finds the filing as the
    # first one left it, and is told so by the workflow's own message.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20),
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.OrganisationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's, with its message in Chinese (accounts/passwords.py).
    {"NAME": "accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# "home" sends filers to 我的申报 and everybody else to the list.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
# Our Chinese for the few strings Django's zh_Hans catalogue leaves in English (the admin's).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Served at the site's root by WhiteNoise: browsers and feed readers ask for /favicon.ico
# whatever the pages link to.
WHITENOISE_ROOT = BASE_DIR / "static" / "favicon"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "perfgoals.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS (README, "Production"). SECURE_COOKIES is the one switch: on, the default, the site
# is served over HTTPS: cookies travel over HTTPS only, browsers are told to refuse plain
# HTTP (HSTS) and, behind a proxy that says so, http:// is redirected to https://. Off only
# for plain HTTP on localhost (scripts/demo.sh, the benchmarks): `check --deploy` then warns
# about every part that is off.
SECURE_COOKIES = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: pages carry the token themselves (wizard.js, the editor).
CSRF_COOKIE_HTTPONLY = True
# A reverse proxy that ends HTTPS passes plain HTTP on: Django knows the request came over
# HTTPS only from a header the proxy sets, e.g. PROXY_SSL_HEADER=X-Forwarded-Proto. Set it only
# when the proxy overwrites that header on every request, or any client could claim HTTPS.
PROXY_SSL_HEADER = env_str("PROXY_SSL_HEADER", "").strip()
if PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
# On behind such a proxy; SECURE_SSL_REDIRECT=1 when the app server holds the certificate
# itself. Off otherwise: behind a proxy that does not say so, every request looks like plain
# HTTP and would be redirected to itself forever.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", bool(PROXY_SSL_HEADER))
# HSTS for a year. includeSubDomains: the site has a host of its own, and nothing below it
# should ever be plain HTTP; set SECURE_HSTS_INCLUDE_SUBDOMAINS=0 when it shares a host whose
# subdomains serve plain HTTP (an intranet site under the bureau's name). No preload: the
# preload list takes a whole registrable domain (example.gov.cn), which is its owner's
# decision and hard to undo, so check --deploy's reminder (security.W021) is silenced.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SECURE_COOKIES else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if not SECURE_COOKIES and (PROXY_SSL_HEADER or SECURE_SSL_REDIRECT or SECURE_HSTS_SECONDS):
    raise ImproperlyConfigured(
        "SECURE_COOKIES=0 means plain HTTP: PROXY_SSL_HEADER, SECURE_SSL_REDIRECT and "
        "SECURE_HSTS_SECONDS are for HTTPS."
    )
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Other sites never learn the addresses of filings a user came from.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Camera, microphone, location and the like: perfgoals uses none (perfgoals/middleware.py).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)
# Content-Security-Policy (django-csp), enforced on every response: a script or style
# injected into a page (a filer's text that slipped past escaping) does not run, and could
# not send anything away if it did. No page has an inline script, inline style, on…= handler
# or javascript: URL (tests/test_csp.py scans the templates), so no nonce is needed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        # Anything not named below (frames, media, workers, manifests): this site only.
        "default-src": ["'self'"],
        # Scripts only from our static files: no inline <script>, no on…= attributes, no
        # javascript: URLs, no eval.
        "script-src": ["'self'"],
        # Stylesheets only from our static files: no <style> and no style= attributes, which
        # could restyle a page or read the CSRF token out with attribute selectors. Scripts
        # may still size things through the CSSOM (element.style), which the policy allows.
        "style-src": ["'self'"],
        # Bootstrap's stylesheet draws its small icons (select arrows, checks) as data: SVGs.
        "img-src": ["'self'", "data:"],
        # No web fonts from elsewhere (the pages use the system's fonts).
        "font-src": ["'self'"],
        # fetch() (autosave, suggestions, export progress) talks to this site only.
        "connect-src": ["'self'"],
        # No plugins (<object>, <embed>).
        "object-src": ["'none'"],
        # An injected <base href> cannot move the pages' relative URLs to another site.
        "base-uri": ["'none'"],
        # Forms post to this site only: an injected form cannot send a password elsewhere.
        "form-action": ["'self'"],
        # No site may show our pages in a frame (clickjacking); X_FRAME_OPTIONS says the same
        # to browsers that predate this directive.
        "frame-ancestors": ["'none'"],
    },
}

# Sessions end after SESSION_COOKIE_AGE seconds without a request, and when the browser
# closes: offices share computers. A request moves the end by saving the session, at most
# once every SESSION_REFRESH_SECONDS (perfgoals/middleware.py): saving on every request
# would be a database write per page. Expired sessions stay in the table until
# `manage.py clearsessions` (daily, README "Production").
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 2 * 3600)
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Error reports (the debug page, mail to admins) hide DATABASE_URL and the broker URL too,
# not only names with KEY, PASS, SECRET or TOKEN in them (perfgoals/reporting.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "perfgoals.reporting.SecretsHiddenFilter"

# Notifications go by e-mail too; the console backend prints them (the demo, development).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "perfgoals@localhost")
# Links in e-mails are absolute: e.g. https://perfgoals.example.gov.cn
SITE_URL = env_str("SITE_URL", "").rstrip("/")

# One handler, and it blanks secrets (SECRET_KEY, passwords in DATABASE_URL and the broker
# URL) out of messages and tracebacks. Django's own "django" handlers (a console one in
# DEBUG, mail to ADMINS, which is empty) are replaced: its records go to that handler too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_secrets": {"()": "perfgoals.reporting.HideSecretsInLogs"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["hide_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"django": {"handlers": [], "level": env_str("LOG_LEVEL", "WARNING")}},
}

# Exports (exports/jobs.py). Files of export jobs live in EXPORT_ROOT: private (never
# served as static or media, only through the download view that checks the user), and shared
# storage when Celery workers run on other machines. Files are deleted after EXPORT_KEEP_HOURS.
EXPORT_ROOT = Path(env_str("EXPORT_ROOT", str(BASE_DIR / "var" / "exports")))
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
# A version never changes, so its PDF is rendered once and kept in EXPORT_ROOT/forms; one not
# printed for this many days is deleted (it is rendered again when needed).
EXPORT_KEEP_FORMS_DAYS = env_int("EXPORT_KEEP_FORMS_DAYS", 30)
# The largest JSON body a page's script may post (perfgoals/jsonbody.py). The largest real
# save, the 62-indicator table of a published form, is about 10 KB; 1 MB is a hundred times
# that and holds the editor's limit of 500 rows with long explanations (≈2 KB a row).
JSON_BODY_MAX_BYTES = env_int("JSON_BODY_MAX_BYTES", 1024 * 1024)
# Attachments of filings (attachments/): private like EXPORT_ROOT, outside STATIC_ROOT and
# never served by whitenoise or nginx, only through the download view that asks
# filings/access.py. Back it up with the database: a version's attachments are part of it.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "attachments")))
# The largest workbook 导入Excel accepts (importers/xlsx_upload.py).
EXCEL_UPLOAD_MAX_BYTES = env_int("EXCEL_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
EXPORT_CHUNK_SIZE = env_int("EXPORT_CHUNK_SIZE", 25)
# A job with no progress for this long is marked failed (a lost worker, a restarted server).
EXPORT_STALL_MINUTES = env_int("EXPORT_STALL_MINUTES", 60)

# Celery (perfgoals/celery.py). Without CELERY_BROKER_URL export jobs run inline, in a thread
# of the web process (the demo). With it, e.g. redis://127.0.0.1:6379/0, they go to workers:
#   CELERY_BROKER_URL=redis://… celery -A perfgoals worker
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "perfgoals")
# A task is acknowledged when it ends, not when it starts, and given back to the queue when
# its worker dies: a chunk survives a worker restart (chunks are idempotent, see jobs.py).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress is in the database: no result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# WeasyPrint's memory grows with the forms it has laid out: a fresh child past 300 MiB.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 300 * 1024  # KiB
# Redis gives an unacknowledged task to another worker after the visibility timeout: it must
# be longer than any task runs (a chunk takes seconds, assembling 1,000 forms about a minute),
# or a task still running would be run twice. Tasks of a worker that died are given back
# that long after they were taken.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
# Each worker looks for such tasks this often, under a lock in Redis. A worker killed while
# holding the lock would keep every other from giving tasks back for as long as the lock lives
# (kombu's default: 5 minutes), so it lives one interval. A short lock is safe: a task is given
# back in a Redis transaction, never twice, even by two workers at once.
CELERY_UNACKED_RESTORE_INTERVAL = max(1, min(60, CELERY_VISIBILITY_TIMEOUT // 10))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": CELERY_UNACKED_RESTORE_INTERVAL,
    "unacked_restore_throttle": 1,
    "unacked_mutex_expire": CELERY_UNACKED_RESTORE_INTERVAL,
}
# A prefix for every Redis key (queues, unacknowledged tasks): several installations, or test
# runs, can then share one Redis database without taking or restoring each other's tasks.
if env_str("CELERY_KEY_PREFIX", ""):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env_str("CELERY_KEY_PREFIX", "")

# The audit log (audit/log.py). Behind a reverse proxy, the header it puts the client's
# address in (e.g. X-Forwarded-For); empty: no proxy, REMOTE_ADDR is the client. Never set
# it without such a proxy: anyone could then write the header and choose the address logged.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "").strip()
# How long `prune_audit` keeps audit events by default; 等保 asks for at least 6 months.
AUDIT_KEEP_DAYS = env_int("AUDIT_KEEP_DAYS", 365)

# Login lockout (django-axes, accounts/lockout.py; README "Lockout"). A username tried from
# one address is locked after LOGIN_FAILURE_LIMIT wrong passwords, for LOGIN_LOCKOUT_MINUTES
# after the last one: guessing gets 5 tries a quarter of an hour, and a user who mistyped
# waits 15 minutes, not for an admin. The pair, not the username alone: an attacker cannot
# lock a real user out from the user's own office. An address alone is locked after
# LOGIN_FAILURE_LIMIT_PER_ADDRESS failures over all usernames (a few tries at each of many
# accounts); larger, because a bureau's offices may reach the site through one address.
# Attempts are kept in the database, so the counts hold across gunicorn workers; the address
# is the audit log's (CLIENT_IP_HEADER). Admins unlock on 登录锁定 or `manage.py axes_reset`.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 50)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# Tries while locked are refused without being counted: the lockout ends when the page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # the pair's count only (LockoutHandler)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The audit log records logins, and 登录锁定 replaces axes' admin pages (English only).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
