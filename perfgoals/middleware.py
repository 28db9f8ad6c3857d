"""A Permissions-Policy header on every response.

Django sets the other security headers itself (SecurityMiddleware, XFrameOptionsMiddleware)
but has no setting for this one. perfgoals uses no camera, microphone, location, payment or
other device feature: the header says so, and a script injected into a page could not ask
the browser for them either. The policy is ``PERMISSIONS_POLICY`` in the settings.
"""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view that needs a feature may set its own header.
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
