"""What users get while the database cannot be reached: a Chinese 503, never a 500.

Django turns an exception into a response at every layer of middleware
(``convert_exception_to_response``), and each layer asks the ``handler500``
view. A database outage can surface in any of them: in the view, but also in
a middleware after it (the session is read lazily, e.g. by
``SessionActivityMiddleware`` when the response passes through), so a
middleware of our own at the top of MIDDLEWARE would only ever see a 500
response. ``server_error`` (``handler500`` in perfgoals/urls.py) looks at the
exception being handled instead and answers 503 with ``Retry-After`` when it
is the database's.

The page renders without a request context: the context processors would read
the session and the user (the database again). Autosaves and other JSON
requests get JSON their script shows; wizard.js and indicator-editor.js keep
the input on the page and in the browser and try again.

Nothing else is needed to recover: with ``CONN_HEALTH_CHECKS`` a worker's
persistent connection that died with the server is tested before the next
request uses it and replaced.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from perfgoals.jsonbody import answers_json

RETRY_AFTER_SECONDS = 30
BUSY_RETRY_AFTER_SECONDS = 5

# SQLite's "database is locked" / "database table is locked"; PostgreSQL's lock timeout
# (55P03), deadlock (40P01) and serialization failure (40001). The database is there, only
# another writer held what this request needed for longer than it would wait.
_BUSY_MESSAGES = ("database is locked", "database table is locked")
_BUSY_SQLSTATES = {"55P03", "40P01", "40001"}


def is_busy(exc):
    """Is ``exc`` a write that waited too long for another one, not an unreachable database?"""
    if not isinstance(exc, OperationalError):
        return False
    if any(message in str(exc) for message in _BUSY_MESSAGES):
        return True
    # psycopg2 names the SQLSTATE pgcode, psycopg 3 sqlstate.
    cause = exc.__cause__
    return (getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)) in _BUSY_SQLSTATES


def is_outage(exc):
    """Is ``exc`` the database being unreachable (down, restarting, connection cut)?"""
    # psycopg raises OperationalError when the server refuses or drops the connection, and
    # InterfaceError for a connection already closed; Django wraps both as its own.
    return isinstance(exc, (OperationalError, InterfaceError)) and not is_busy(exc)


def busy(request):
    """The answer when another user's save kept the database too long: try again shortly.

    A 503 with a short Retry-After, not the outage page: nothing is down, and the
    user should know that trying again in a moment is all it takes.
    """
    if answers_json(request):
        response = JsonResponse(
            {
                "ok": False,
                "error": _(
                    "系统繁忙（其他用户正在保存），本次操作未完成。请稍后重试；"
                    "您的输入仍保留在页面上。"
                ),
            },
            status=503,
        )
    else:
        html = loader.get_template("errors/busy.html").render(
            {"retry_after": BUSY_RETRY_AFTER_SECONDS}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def unavailable(request):
    """The 503 answer: JSON for scripts, otherwise the page, both in Chinese."""
    if answers_json(request):
        response = JsonResponse(
            {
                "ok": False,
                "error": _(
                    "保存失败，数据库暂时无法连接。您的输入已保留在页面上和本机浏览器中，"
                    "连接恢复后会自动重试。"
                ),
            },
            status=503,
        )
    else:
        html = loader.get_template("errors/503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never kept by a proxy or the browser: the next try must reach the app.
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """handler500: a database outage or a busy database is a 503; anything else a 500.

    Django has logged the exception (and told ``got_request_exception``'s
    receivers) before it calls this: answering a script in JSON hides nothing.
    """
    exc = sys.exc_info()[1]
    if is_busy(exc):
        return busy(request)
    if is_outage(exc):
        return unavailable(request)
    if answers_json(request):
        return JsonResponse(
            {
                "ok": False,
                "error": _(
                    "系统出错了，本次操作未完成。错误已记录，管理员会处理；"
                    "您的输入仍保留在页面上，请稍后重试。"
                ),
            },
            status=500,
        )
    return defaults.server_error(request, template_name)
