"""The demo organisations and accounts of ``fixtures/demo.json``."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from weasyprint import HTML

from accounts.lockout import clear_lockouts
from accounts.models import Organisation, User
from attachments import services as attachments
from filings import access, content
from filings.fields import MONEY_FIELDS
from filings.models import Filing, FilingVersion
from filings.wizard.copying import copy_filing
from indicators import editor
from indicators.models import Framework
from review import notices, replies, workflow
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


def _demo_reply(filing, filer, spec):
    """The filer answers the reviewer's remark on a row, as from under the row."""
    wanted = {access.REPLY, access.RESOLVE} if spec.get("resolve") else {access.REPLY}
    if not wanted <= access.actions_for(filer, filing):
        raise ValueError(f"demo: {filer} may not reply on {filing}")
    row = filing.indicators.get(name=spec["row"])
    comment = Comment.objects.get(filing=filing, row_key=row.key)
    replies.add_reply(comment, filer, spec["body"], resolve=spec.get("resolve", False))


def _demo_step(filing, filer, spec):
    """Run one step of a review scenario through the workflow, as its user."""
    if spec["do"] == "submit":
        workflow.submit(
            filing, filer, seen_version=filing.lock_version, comment=spec.get("comment", "")
        )
        return
    if spec["do"] == "reply":
        _demo_reply(filing, filer, spec)
        return
    reviewer = User.objects.get(username=spec["user"])
    review = workflow.open_review(filing, reviewer)
    for remark in spec.get("row_comments", []):
        row = filing.indicators.get(name=remark["row"])
        Comment.objects.create(
            filing=filing,
            version=review.version,
            part=Comment.Part.INDICATORS,
            row_key=row.key,
            body=remark["body"],
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


@transaction.atomic
def create_project_2021(demo):
    """A project draft written to the 2021 edition, with its 2021 fields and 分值 on each row.

    Created as the wizard creates one (``content.create_filing``), its rows saved
    through the indicator editor's save (validated as if posted), then its 立项依据
    uploaded through the attachments service. Returns the filing, or None.
    """
    spec = demo.get("project_2021")
    if not spec:
        return None
    filer = User.objects.get(username=spec["user"])
    filing = Filing(
        organisation=filer.organisation,
        form=Filing.Form.PROJECT,
        year=spec["year"],
        name=spec["name"],
        framework=Framework.objects.get(code=Framework.EDITION_2021),
    )
    for name, value in spec["fields"].items():
        setattr(filing, name, _field_value(name, value))
    if filing.form not in access.creatable_forms(filer):
        raise ValueError(f"demo: {filer} may not start a {filing.form} filing")
    content.create_filing(filing)
    rows = [{**row, "level1_name": row["level1"]} for row in spec["rows"]]
    result = editor.save_rows(filing, filing.lock_version, rows)
    if not result.ok:
        raise ValueError(f"demo: the rows of {filing} were refused: {result.errors}")
    if "attachment" in spec:
        attach_pdf(filing, filer, spec["attachment"])
    return filing


def _field_value(name, value):
    """A field of the demo file as the model holds it: dates, and money as Decimal."""
    if name in MONEY_FIELDS:
        return Decimal(value)
    if name.endswith("_date"):
        return datetime.date.fromisoformat(value)
    return value


def attach_pdf(filing, user, spec):
    """Attach a small PDF made now (its title and paragraphs) through the attachments service."""
    if access.EDIT not in access.actions_for(user, filing):
        raise ValueError(f"demo: {user} may not attach files to {filing}")
    paragraphs = "".join(f"<p>{escape(text)}</p>" for text in spec["paragraphs"])
    # One face of one font: each CJK face embedded adds 100 KB or more to the file.
    html = (
        '<html lang="zh-CN"><head><meta charset="utf-8"><style>'
        "@page { size: A4; margin: 25mm }"
        'body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 12pt;'
        " line-height: 1.8 } h1 { font-size: 16pt; font-weight: normal; text-align: center }"
        f"</style></head><body><h1>{escape(spec['title'])}</h1>{paragraphs}</body></html>"
    )
    upload = SimpleUploadedFile(
        spec["name"], HTML(string=html).write_pdf(), content_type="application/pdf"
    )
    return attachments.add(filing, user, upload, spec["kind"], spec.get("description", ""))


def issue_approvals(demo):
    """批复 issued by their reviewers for organisations whose filings are approved."""
    issued = []
    for spec in demo.get("approvals", []):
        user = User.objects.get(username=spec["user"])
        organisation = Organisation.objects.get(name=spec["organisation"])
        issued.append(notices.issue(user, organisation, spec["year"]))
    return issued
