"""Secrets stay out of error reports and logs.

Django's error reports (the debug page, mail to ADMINS) hide settings and request variables
whose names contain KEY, PASS, SECRET, TOKEN…; ``DATABASE_URL`` and ``CELERY_BROKER_URL``
carry passwords under other names, and the development server puts the whole environment
into ``request.META``. Logs are the other way out: an exception's message may quote a
connection URL, so the log handler blanks every known secret value before it writes.
"""

import logging
import os
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

HIDDEN = "********************"  # what Django's filter shows for a hidden value


class SecretsHiddenFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|BROKER_URL|DSN",
        flags=re.IGNORECASE,
    )


def _password(url):
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def secret_values():
    """The values no log line may contain, longest first (a URL before its password)."""
    urls = [settings.CELERY_BROKER_URL, os.environ.get("DATABASE_URL", "")]
    # A URL without a password is no secret (sqlite:///…, redis://127.0.0.1…).
    values = {settings.SECRET_KEY, getattr(settings, "EMAIL_HOST_PASSWORD", "")}
    values.update(part for url in urls if _password(url) for part in (url, _password(url)))
    values.update(str(db.get("PASSWORD") or "") for db in settings.DATABASES.values())
    # Blanking a password of one to three characters would blank half the log instead.
    values = {value for value in values if len(value) >= 4}
    return sorted(values, key=len, reverse=True)


def hide_secrets(text):
    for value in secret_values():
        text = text.replace(value, HIDDEN)
    return text


class HideSecretsInLogs(logging.Filter):
    """A logging filter that rewrites a record's message and traceback without secrets."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken format string: logging reports it as it always does
        if record.exc_info and not record.exc_text:
            # Formatted once here; the handler's formatter uses exc_text as it is.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = hide_secrets(message), None
        if record.exc_text:
            record.exc_text = hide_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = hide_secrets(record.stack_info)
        return True
