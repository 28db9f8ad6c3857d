"""The demo organisations and accounts of ``fixtures/demo.json``."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from filings.models import Organisation, User

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
                "role": account["role"],
                "organisation": org,
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        user.set_password(demo["password"])
        user.save()
        users.append(user)
    return users
