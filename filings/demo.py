"""The demo organisations and accounts of ``fixtures/demo.json``."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.lockout import clear_lockouts
from accounts.models import Organisation, User
from filings import content
from filings.fields import MONEY_FIELDS
from filings.models import Filing, FilingVersion
from filings.wizard.copying import copy_filing
from review import workflow
from review.models import Comment, Review, Round, Transition

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
PUBLISHED_DIR = Path(settings.BASE_DIR) / "fixtures" / "published"


def read_demo():
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def load_organisations(demo):
    """Create or update the demo organisation tree."""

    def add(node, parent):
        org, _ = Organisation.objects.update_or_create(
            name=node["name"], parent=parent, defaults={"level": node["level"]}
        )
        for child in node["children"]:
            add(child, org)

    for node in demo["organisations"]:
        add(node, None)


@transaction.atomic
def load_users(demo):
    """Create the demo accounts (or reset them), all with the demo password."""
    users = []
    for account in demo["users"]:
        org = None
        if account["organisation"]:
            org = Organisation.objects.get(name=account["organisation"])
        is_admin = account["role"] == User.Role.ADMIN
        user, _ = User.objects.update_or_create(
            username=account["username"],
            defaults={
                "first_name": account["first_name"],
                # The demo prints its e-mail notifications on the console.
                "email": f"{account['username']}@demo.perfgoals.example",
                "role": account["role"],
                "organisation": org,
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        user.set_password(demo["password"])
        user.save()
        users.append(user)
    # Lockouts from earlier tries would refuse the printed password (accounts/lockout.py).
    clear_lockouts(user.username for user in users)
    return users


@transaction.atomic
def create_drafts(demo):
    """Drafts started from last year's filings, so that the filers have work waiting."""
    drafts = []
    for spec in demo.get("drafts", []):
        user = User.objects.get(username=spec["user"])
        source = Filing.objects.get(
            organisation=user.organisation, year=spec["from_year"], name=spec["copy"]
        )
        drafts.append(copy_filing(source, spec["year"], user))
    return drafts


@transaction.atomic
def load_rounds(demo, today=None):
    """One round per demo bureau, its deadline counted from today (idempotent)."""
    today = today or timezone.localdate()
    rounds = []
    for spec in demo.get("rounds", []):
        bureau = Organisation.objects.get(name=spec["bureau"], parent=None)
        round_, _ = Round.objects.update_or_create(
            bureau=bureau,
            year=spec["year"],
            defaults={
                "opens_on": today - datetime.timedelta(days=spec["opened_days_ago"]),
                "deadline": today + datetime.timedelta(days=spec["deadline_in_days"]),
            },
        )
        rounds.append(round_)
    return rounds


def _backdate(transition, days_ago):
    """Move a demo transition (and what it made) into the past, so that ages read real."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    Transition.objects.filter(pk=transition.pk).update(at=at)
    if transition.action == Transition.Action.SUBMIT:
        FilingVersion.objects.filter(pk=transition.version_id).update(created_at=at)
    else:
        Review.objects.filter(version_id=transition.version_id).update(opened_at=at, decided_at=at)
        Comment.objects.filter(version_id=transition.version_id).update(created_at=at)


def _demo_step(filing, filer, spec):
    """Run one step of a review scenario through the workflow, as its user."""
    if spec["do"] == "submit":
        workflow.submit(
            filing, filer, seen_version=filing.lock_version, comment=spec.get("comment", "")
        )
        return
    reviewer = User.objects.get(username=spec["user"])
    review = workflow.open_review(filing, reviewer)
    if "row_comment" in spec:
        row = filing.indicators.get(name=spec["row_comment"]["row"])
        Comment.objects.create(
            filing=filing,
            version=review.version,
            part=Comment.Part.INDICATORS,
            row_key=row.key,
            body=spec["row_comment"]["body"],
            author=reviewer,
            author_name=reviewer.display_name,
        )
    workflow.decide(
        filing,
        reviewer,
        seen_version=filing.lock_version,
        decision=spec["do"],  # the button: approve, return or reject
        sheet={name: spec[name] for name in Review.SHEET_FIELDS if name in spec},
        comment=spec.get("comment", ""),
    )


@transaction.atomic
def run_review_scenarios(demo):
    """Send some drafts along the review path, so that every queue has work waiting.

    The amounts come back from last year's filing (a copy starts with them
    cleared) so that the checker lets the draft be submitted.
    """
    moved = []
    for spec in demo.get("review", []):
        filer = User.objects.get(username=spec["user"])
        filing = Filing.objects.get(
            organisation=filer.organisation, year=spec["year"], name=spec["name"]
        )
        if spec.get("money_from_source") and filing.copied_from_id:
            source = filing.copied_from
            for name in MONEY_FIELDS:
                setattr(filing, name, getattr(source, name))
            content.save_fields(filing, filing.lock_version, MONEY_FIELDS)
        for step in spec["steps"]:
            _demo_step(filing, filer, step)
            transition = filing.transitions.order_by("-pk").first()
            if "days_ago" in step:
                _backdate(transition, step["days_ago"])
        moved.append(filing)
    return moved
