"""Saving a filing without losing anybody's update.

Every page that edits a filing carries the ``lock_version`` it was shown. A
save first claims the next version with a conditional UPDATE: when someone
else saved in between (another tab, a colleague, a reviewer's transition, an
admin), no row matches and the save is refused with ``StaleEdit``; the page
keeps what the user typed so that it can be applied again.

Call these inside ``transaction.atomic()`` together with the writes they
guard, so that a refused or failed save changes nothing.
"""

from django.db import transaction
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


def claim(filing, seen_version, *, editable_only=True):
    """Take the next version of ``filing`` for a save, or raise StaleEdit.

    ``seen_version`` is the version the user's page was showing. With
    ``editable_only`` the claim also fails when the filing has left the
    states in which a filer may change it (under review, approved).
    """
    try:
        seen_version = int(seen_version)
    except (TypeError, ValueError):
        raise StaleEdit(filing, seen_version) from None
    rows = Filing.objects.filter(pk=filing.pk, lock_version=seen_version)
    if editable_only:
        rows = rows.filter(status__in=Filing.EDITABLE_STATUSES)
    updated = rows.update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
    if not updated:
        raise StaleEdit(filing, seen_version)
    filing.lock_version = seen_version + 1
    return filing.lock_version


def save_fields(filing, seen_version, field_names):
    """Save the named fields of ``filing`` as the next version, or raise StaleEdit."""
    with transaction.atomic():
        claim(filing, seen_version)
        filing.save(update_fields=[*field_names, "lock_version", "updated_at"])
    return filing.lock_version
