"""A Permissions-Policy header on every response; the end of a session moved on activity.

Django sets the other security headers itself (SecurityMiddleware, XFrameOptionsMiddleware)
but has no setting for this one. perfgoals uses no camera, microphone, location, payment or
other device feature: the header says so, and a script injected into a page could not ask
the browser for them either. The policy is ``PERMISSIONS_POLICY`` in the settings.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view that needs a feature may set its own header.
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SessionActivityMiddleware:
    """Move the end of a signed-in session on activity, at most once a refresh interval.

    A session ends ``SESSION_COOKIE_AGE`` after it was last saved. Saving it on
    every request (``SESSION_SAVE_EVERY_REQUEST``) would cost a database write per
    page; saving it when its last save is older than ``SESSION_REFRESH_SECONDS``
    ends an idle session between AGE - REFRESH and AGE after its last request.
    The time of the last save is kept in the session itself; a session that has
    none yet (made without the login view) gets it with its next save.
    """

    SAVED_AT = "_saved_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.get(SESSION_KEY) is None:
            return response  # nobody signed in (or just signed out): nothing to keep alive
        now = int(time.time())
        saved_at = session.get(self.SAVED_AT)
        stale = saved_at is not None and now - saved_at >= settings.SESSION_REFRESH_SECONDS
        if stale or (saved_at is None and session.modified):
            session[self.SAVED_AT] = now  # marks the session modified: SessionMiddleware saves
        return response
