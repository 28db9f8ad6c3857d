"""Rule profiles (审核规则配置): which rules a finance bureau applies, and at what severity.

The default profile is the registry itself: every rule on, at the severity it
was registered with. A bureau's ``filings.models.CheckProfile`` stores only
what it changed, ``{code: {"enabled": bool, "severity": "error" | "warning"}}``;
a filing is checked against the profile of the bureau at the top of its
organisation's tree (``profile_for``: one query, or none through a
``ProfileCache`` shared by the filings of one request or import).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import bureau_id_of
from audit import log
from filings.checks.registry import ERROR, SEVERITY_LABELS, WARNING, rule_of, rules
from filings.models import CheckProfile

DEFAULT_NAME = "默认规则"


@dataclass(frozen=True)
class Profile:
    """A profile as the checker reads it: a name and the settings that differ."""

    name: str
    settings: dict = field(default_factory=dict)
    bureau_id: int | None = None

    def severity_of(self, registered):
        """The severity ``registered`` (a Rule) runs at, or None when the profile turns it off."""
        setting = self.settings.get(registered.code) or {}
        if setting.get("enabled", True) is False:
            return None
        severity = setting.get("severity", registered.severity)
        return severity if severity in SEVERITY_LABELS else registered.severity

    def is_enabled(self, registered):
        return self.severity_of(registered) is not None


DEFAULT = Profile(DEFAULT_NAME)


def _from_row(row):
    if row is None:
        return DEFAULT
    return Profile(row.name, dict(row.rules or {}), row.bureau_id)


def profile_for(filing):
    """The profile of the bureau ``filing``'s organisation is under (one query; none unsaved)."""
    org_id = filing.organisation_id
    if org_id is None:
        return DEFAULT
    # The tree is three levels deep: the organisation is the bureau, a child or a grandchild.
    found = (
        CheckProfile.objects.filter(
            Q(bureau_id=org_id) | Q(bureau__children=org_id) | Q(bureau__children__children=org_id)
        )
        .only("name", "rules", "bureau_id")
        .order_by("pk")
        .first()
    )
    return _from_row(found)


class ProfileCache:
    """Profiles already read, by organisation: the filings of one request or import share them.

    One query per organisation met, at most (a bureau has a few hundred). With
    ``every`` all profiles are read at once (one per bureau: a handful), for a
    command over many organisations whose filings come with
    ``organisation__parent`` selected: then no query more.
    """

    def __init__(self, *, every=False):
        self._by_organisation = {}
        self._by_bureau = None
        if every:
            found = CheckProfile.objects.only("name", "rules", "bureau_id")
            self._by_bureau = {row.bureau_id: _from_row(row) for row in found}

    def for_filing(self, filing):
        if self._by_bureau is not None:
            return self._by_bureau.get(bureau_id_of(filing.organisation), DEFAULT)
        org_id = filing.organisation_id
        if org_id not in self._by_organisation:
            self._by_organisation[org_id] = profile_for(filing)
        return self._by_organisation[org_id]


def of_bureau(bureau):
    """The profile a bureau edits on its page (the default when it has none yet)."""
    return _from_row(CheckProfile.objects.filter(bureau=bureau).first())


def stored_settings(bureau):
    """What the bureau's stored profile changes from the registry ({} when it has none)."""
    return CheckProfile.objects.filter(bureau=bureau).values_list("rules", flat=True).first() or {}


def rows(profile):
    """Every registered rule with what the profile makes of it, for the profile page."""
    return [
        {
            "rule": registered,
            "enabled": profile.is_enabled(registered),
            "severity": profile.severity_of(registered) or registered.severity,
        }
        for registered in rules()
    ]


def settings_from(posted, stored=None):
    """The settings a posted form asks for: only the rules it changes from the registry.

    ``posted`` maps ``enabled-<code>`` ("on" when ticked) and ``severity-<code>``
    (error or warning). Only registered codes are read: the form's size is the
    registry's, whatever was posted. A rule whose ``severity-<code>`` is not posted
    was not on the page (a page opened before the rule was added, a post made by
    hand): it keeps its ``stored`` setting rather than being read as unticked.
    """
    stored = stored or {}
    settings = {}
    for registered in rules():
        code = registered.code
        if f"severity-{code}" not in posted:
            if code in stored:
                settings[code] = stored[code]
            continue
        enabled = posted.get(f"enabled-{code}") == "on"
        severity = posted.get(f"severity-{code}")
        if severity not in (ERROR, WARNING):
            severity = registered.severity
        if enabled and severity == registered.severity:
            continue
        settings[code] = {"enabled": enabled, "severity": severity}
    return settings


def _stale_message(profile, created):
    if created:  # the page showed a profile since deleted (in the admin site)
        return _(
            "审核规则在您打开页面后已被删除，恢复为默认规则。"
            "下面是您的选择，尚未保存：请核对后再保存。"
        )
    who = profile.updated_by.display_name if profile.updated_by else _("他人")
    when = timezone.localtime(profile.updated_at).strftime("%Y-%m-%d %H:%M")
    return _(
        "审核规则在您打开页面后已被 %(who)s 于 %(when)s 修改。"
        "下面是您刚才的选择，尚未保存：请核对后再保存。"
    ) % {"who": who, "when": when}


def describe(settings):
    """The changes from the default, in Chinese, for the audit log."""
    parts = []
    for code, setting in sorted(settings.items()):
        registered = rule_of(code)
        title = registered.title if registered else code
        if not setting["enabled"]:
            parts.append(f"{code}（{title}）：停用")
        else:
            parts.append(f"{code}（{title}）：{SEVERITY_LABELS[setting['severity']]}")
    return "；".join(parts) or "全部按默认规则"


class ProfileStale(Exception):
    """The profile was saved by someone else since the page was opened (a Chinese message)."""


def stamp(stored):
    """What the page records of the stored profile it shows, for ``save`` to compare."""
    return stored.updated_at.isoformat() if stored is not None else ""


def save(bureau, user, settings, *, seen=None, request=None):
    """Store the bureau's profile and write the audit row, in one transaction.

    ``seen`` is the ``stamp`` of the profile the page showed (None: not asked): a
    profile saved since then refuses the save with ``ProfileStale``, under the lock.
    """
    with transaction.atomic():
        profile, created = CheckProfile.objects.select_for_update().get_or_create(
            bureau=bureau, defaults={"name": f"{bureau.name}审核规则"}
        )
        if seen is not None and seen != ("" if created else stamp(profile)):
            raise ProfileStale(_stale_message(profile, created))
        before = dict(profile.rules or {})
        profile.rules = settings
        profile.updated_by = user
        profile.save()
        log.record(
            log.Action.CHECK_PROFILE,
            request=request,
            user=user,
            organisation=bureau.pk,
            description=f"修改「{profile.name}」：{describe(settings)}",
            details={"before": before, "after": settings},
        )
    return profile
