"""Recording the audit log (``audit.models.AuditEvent``): one INSERT per event.

Who records what:

- logins, logouts and failed logins: Django's auth signals, connected in
  ``connect()`` (from ``AuditConfig.ready``). A failed login keeps the
  username that was tried, never the password;
- lockouts (too many failed logins), unlocks by an admin and password
  changes: ``accounts.lockout`` (the axes handler, the 登录锁定 page, the
  password change view);
- downloads, export jobs and 导入Excel: their views (``exports.views``,
  ``importers.views``);
- transitions: ``review.workflow._move``, in the transition's transaction;
- deletions of filings (only ever of a draft never submitted):
  ``review.workflow.delete_draft``, from the app and the admin site alike;
- refusals: ``filings.access`` (``filing_access``: 403, and the 404 of a
  filing that exists but is not the user's to see; ``require`` and
  ``refuse``: the named permissions), and every other ``PermissionDenied``
  in its 403 handler ``permission_denied``;
- admin changes: a ``LogEntry`` saved by the admin site (``post_save``), and
  deletions of many objects at once (``audit.admin``).

The rule when recording fails: record or refuse. The INSERT runs before the
user gets what they asked for and, where the action writes, in its
transaction; an exception is not caught, so the action is undone or the
download not sent, and the user sees the error page. An audit log with silent
gaps cannot be trusted for anything (等保 asks that actions be audited, not
that they be audited when convenient), and the row goes to the same database
as the action's own: when it cannot be written the action could hardly have
been either.

From where: a view passes its request. Code deep in the domain
(``filing_access``, the workflow) has no request; it reads the WSGI environ
of the request this thread is serving, kept by the ``request_started``
signal. Outside a request (commands, workers) there is none, and the row has
no IP.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.handlers.wsgi import get_path_info
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_save
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import DESCRIPTION_MAX, PATH_MAX, USER_AGENT_MAX, AuditEvent

Action = AuditEvent.Action

# The WSGI environ of the request being served in this thread (or None).
_environ = ContextVar("audit_environ", default=None)


def client_ip(meta):
    """The client's address: REMOTE_ADDR, or the proxy's header when settings trust one.

    ``CLIENT_IP_HEADER`` (e.g. ``X-Forwarded-For``) is set only when the app
    runs behind a reverse proxy that writes it; otherwise anyone could write
    the header and choose the address we record. Of a list, the last address
    is the one our proxy added. An address that does not parse is not kept.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        forwarded = meta.get(key, "").split(",")[-1].strip()
        if _valid_ip(forwarded):
            return forwarded
    remote = meta.get("REMOTE_ADDR", "")
    return remote if _valid_ip(remote) else None


def _valid_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _where(request):
    """(ip, user agent, path) of ``request``, or of the request this thread serves."""
    if request is not None:
        meta, path = request.META, request.path
    else:
        meta = _environ.get()
        if meta is None:
            return None, "", ""
        path = meta.get("SCRIPT_NAME", "") + get_path_info(meta)
    return client_ip(meta), meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX], path[:PATH_MAX]


def record(
    action,
    *,
    request=None,
    user=None,
    username=None,
    user_display=None,
    filing=None,
    filing_id=None,
    organisation=None,
    description="",
    details=None,
):
    """Write one AuditEvent (one INSERT); returns it.

    ``user`` defaults to the request's user. The organisation is, unless given
    (an instance or an id), the filing's, or else the user's: "what did the
    people of this unit do" is one filter. ``filing_id`` stands for a filing
    not at hand (no query to fetch it).
    """
    request_user = getattr(request, "user", None)
    if user is None and request_user is not None and request_user.is_authenticated:
        user = request_user
    ip, user_agent, path = _where(request)
    if organisation is None and filing is not None:
        organisation = filing.organisation_id
    if organisation is None and user is not None:
        organisation = user.organisation_id
    if hasattr(organisation, "pk"):
        organisation = organisation.pk
    if user_display is None:
        user_display = user.display_name if user else ""
    return AuditEvent.objects.create(
        user=user,
        username=username if username is not None else (user.get_username() if user else ""),
        user_display=user_display,
        ip=ip,
        user_agent=user_agent,
        path=path,
        action=action,
        filing_id=filing.pk if filing is not None else filing_id,
        organisation_id=organisation,
        description=str(description)[:DESCRIPTION_MAX],
        details=details or {},
    )


# --- Refusals ------------------------------------------------------------------------


def refused(user, exception, *, filing=None):
    """Record a PermissionDenied about to be raised; returns it, marked as recorded."""
    record(
        Action.DENIED,
        user=user if user.is_authenticated else None,
        filing=filing,
        description=_refusal_text(exception, filing),
        details={"status": 403},
    )
    exception.audited = True
    return exception


def hidden_filing(user, filing):
    """A user asked for a filing that exists but they may not see (a 404 to them)."""
    record(
        Action.DENIED,
        user=user,
        filing=filing,
        description=_("访问无权查看的申报《%(name)s》") % {"name": filing.name},
        details={"status": 404},
    )


def _refusal_text(exception, filing):
    reason = str(exception) or _("无权进行此操作")
    if filing is None:
        return reason
    return _("《%(name)s》：%(reason)s") % {"name": filing.name, "reason": reason}


def refused_request(request, exception, *, filing=None):
    """Record a PermissionDenied that reached the 403 page without being recorded."""
    record(
        Action.DENIED,
        request=request,
        filing=filing,
        description=_refusal_text(exception, filing),
        details={"status": 403},
    )


# --- Signals -------------------------------------------------------------------------


def _request_started(sender, environ=None, **kwargs):
    _environ.set(environ)


def _request_finished(sender, **kwargs):
    _environ.set(None)


def _logged_in(sender, request, user, **kwargs):
    record(Action.LOGIN, request=request, user=user, description=_("登录成功"))


def _logged_out(sender, request, user, **kwargs):
    if user is None:  # a logout without a session: nothing happened
        return
    record(Action.LOGOUT, request=request, user=user, description=_("退出登录"))


def _login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` has the password masked already; only the username is kept anyway.
    tried = str(credentials.get("username", ""))[:150]
    record(
        Action.LOGIN_FAILED,
        request=request,
        username=tried,
        user_display="",
        description=_("登录失败（用户名：%(username)s）") % {"username": tried},
    )


def locked_out(request, username, lockout):
    """A login was locked out: who was tried, from where (the request), which lockout."""
    scope = lockout["scope"] if lockout else "account"
    if scope == "address":
        description = _("登录锁定：该地址登录失败次数过多（最后尝试的用户名：%(username)s）")
    else:
        description = _("登录锁定：用户名 %(username)s 在该地址登录失败次数过多")
    details = {"scope": scope}
    if lockout:
        details["until"] = lockout["until"].isoformat()
    record(
        Action.LOCKOUT,
        request=request,
        username=username[:150],
        user_display="",
        description=description % {"username": username},
        details=details,
    )


def unlocked(request, username, ip):
    """An admin cleared the failed logins of a username from an address, or of an address."""
    if username:
        description = _("解除登录锁定：用户名 %(username)s，地址 %(ip)s")
    else:
        description = _("解除登录锁定：地址 %(ip)s 的全部用户名")
    record(
        Action.UNLOCK,
        request=request,
        description=description % {"username": username, "ip": ip},
        details={"unlocked_username": username, "unlocked_ip": ip},
    )


def password_changed(request):
    record(Action.PASSWORD_CHANGE, request=request, description=_("修改了自己的密码"))


# LogEntry's ADDITION, CHANGE, DELETION.
ADMIN_VERBS = {1: gettext_lazy("新增"), 2: gettext_lazy("修改"), 3: gettext_lazy("删除")}


def admin_change(user, content_type, object_id, object_repr, flag, message=""):
    """Record one change made in the admin site."""
    model = content_type.model_class()
    label = model._meta.verbose_name if model is not None else content_type.model
    filing_id = None
    if content_type.app_label == "filings" and content_type.model == "filing":
        filing_id = int(object_id)
    return record(
        Action.ADMIN,
        user=user,
        filing_id=filing_id,
        description=_("%(verb)s%(model)s「%(object)s」")
        % {"verb": ADMIN_VERBS.get(flag, ADMIN_VERBS[2]), "model": label, "object": object_repr},
        details={
            "model": f"{content_type.app_label}.{content_type.model}",
            "object_id": str(object_id),
            "change": str(message)[:500],
        },
    )


def _log_entry_saved(sender, instance, created, raw=False, **kwargs):
    """The admin site logged a change (add, change, delete of one object): record it too.

    Runs inside the admin view's transaction: if the audit row cannot be
    written, the change is undone.
    """
    if not created or raw:
        return
    admin_change(
        instance.user,
        instance.content_type,
        instance.object_id,
        instance.object_repr,
        instance.action_flag,
        instance.get_change_message(),
    )


def connect():
    """Connect the receivers (AuditConfig.ready)."""
    request_started.connect(_request_started, dispatch_uid="audit_request_started")
    request_finished.connect(_request_finished, dispatch_uid="audit_request_finished")
    user_logged_in.connect(_logged_in, dispatch_uid="audit_logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    post_save.connect(_log_entry_saved, sender=LogEntry, dispatch_uid="audit_log_entry")
