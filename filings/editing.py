"""Saving a filing without losing anybody's update: the one stale-page check.

Every page that edits a filing carries the ``lock_version`` it was shown. A
save first claims the next version with a conditional UPDATE: when someone
else saved in between (another tab, a colleague, a reviewer's transition, an
admin), no row matches and the save is refused with ``StaleEdit``; the page
keeps what the user typed so that it can be applied again.

Call these inside ``transaction.atomic()`` together with the writes they
guard, so that a refused or failed save changes nothing. The writes of a
filing's content go through ``filings.content``, which calls ``claim``; the
workflow and the pages that only look ask ``is_fresh`` / ``check_fresh``.
"""

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.models import Filing


class StaleEdit(Exception):
    """The filing changed since the page was loaded, or may no longer be edited."""

    def __init__(self, filing, seen_version):
        current = Filing.objects.filter(pk=filing.pk).values("lock_version", "status").first()
        if current is None:
            message = _("这份申报已被删除。")
        elif current["status"] not in Filing.EDITABLE_STATUSES:
            message = _("这份申报已提交或已在审核中，不能再修改。您输入的内容仍保留在页面上。")
        else:
            message = _(
                "这份申报在您打开页面后已被修改（可能在另一个窗口或由他人修改）。"
                "您输入的内容仍保留在页面上：请刷新后重新填入，或复制保存后再刷新。"
            )
        super().__init__(message)
        self.current_version = current["lock_version"] if current else None
        self.seen_version = seen_version
        # The filing is gone or out of the filer's hands, not merely saved by someone else.
        self.frozen = current is None or current["status"] not in Filing.EDITABLE_STATUSES


def _version(seen_version):
    """The page's version as an int, or None for anything else (1e309, "abc", True)."""
    if isinstance(seen_version, bool):
        return None
    try:
        return int(seen_version)
    except (TypeError, ValueError, OverflowError):
        return None


def is_fresh(filing, seen_version):
    """Whether a page showing ``seen_version`` shows the filing as it is now."""
    return _version(seen_version) == filing.lock_version


def check_fresh(filing, seen_version):
    """Refuse a page that was showing an older version, without claiming a new one."""
    if not (is_fresh(filing, seen_version) and filing.is_editable):
        raise StaleEdit(filing, seen_version)


def claim(filing, seen_version, *, editable_only=True):
    """Take the next version of ``filing`` for a save, or raise StaleEdit.

    ``seen_version`` is the version the user's page was showing. With
    ``editable_only`` the claim also fails when the filing has left the
    states in which a filer may change it (under review, approved).
    """
    seen = _version(seen_version)
    if seen is None:
        raise StaleEdit(filing, seen_version)
    seen_version = seen
    rows = Filing.objects.filter(pk=filing.pk, lock_version=seen_version)
    if editable_only:
        rows = rows.filter(status__in=Filing.EDITABLE_STATUSES)
    updated = rows.update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
    if not updated:
        raise StaleEdit(filing, seen_version)
    filing.lock_version = seen_version + 1
    return filing.lock_version


def claim_current(filing):
    """Take the next version of ``filing`` for a write that no page version guards.

    For the admin site, whose forms carry no ``lock_version``: the write still
    outdates every page open on the filing, and is refused (StaleEdit, with
    ``frozen`` set) once the filing has left the filer's hands.
    """
    rows = Filing.objects.filter(pk=filing.pk, status__in=Filing.EDITABLE_STATUSES)
    if not rows.update(lock_version=F("lock_version") + 1, updated_at=timezone.now()):
        raise StaleEdit(filing, None)
    filing.lock_version = Filing.objects.values_list("lock_version", flat=True).get(pk=filing.pk)
    return filing.lock_version
