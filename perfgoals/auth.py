"""Login checks for views that scripts call.

An autosave or a suggestion request from a page whose session has expired must
not follow a redirect to the HTML login form as if it were an answer: it gets a
401 with a Chinese message, and the page's script keeps what the user typed and
tells them to log in again in another window.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _


def _expired():
    return JsonResponse(
        {
            "ok": False,
            "error": _(
                "登录已过期，本次修改尚未保存。请在新窗口重新登录后回到此页，"
                "您的输入仍保留在页面上，会再次自动保存。"
            ),
            "login_url": reverse("login"),
        },
        status=401,
    )


def wants_json(request):
    return request.headers.get("X-Autosave") == "1" or "application/json" in request.headers.get(
        "Accept", ""
    )


def login_required_json(view):
    """``login_required`` for an endpoint that only ever answers JSON."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _expired()
        return view(request, *args, **kwargs)

    return wrapped


def login_required_or_401(view):
    """``login_required`` for a page that also answers its own script in JSON."""
    html_view = login_required(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated and wants_json(request):
            return _expired()
        return html_view(request, *args, **kwargs)

    return wrapped
