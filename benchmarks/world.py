"""The load run's world: versions for the seeded filings, accounts, the plan of who edits
and reviews what (``benchmarks.traffic`` reads it), and the SQL queries of each page.

Built by ``benchmarks.loadrun`` after seeding 10,000 filings (``benchmarks.seed``).
"""

import json
import random
from collections import defaultdict

PASSWORD_SALT = "load"
FILER_ACCOUNTS = 60
DEPARTMENT_ACCOUNTS = 20
DRAFTS_PER_FILER = 4


# --- The world -------------------------------------------------------------------------


def take_versions():
    """A version (and for approved filings the official one) of every seeded filing past draft.

    Seeding inserts rows in bulk, without the versions a submission takes; a
    reviewer could not open them and the integrity check would rightly object.
    """
    from filings.models import Filing, FilingVersion, content_hash
    from filings.serialization import export_queryset, filing_to_dict

    ids = list(
        Filing.objects.filter(source="benchmark", versions__isnull=True)
        .exclude(status=Filing.Status.DRAFT)
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 500):
        versions = []
        for filing in export_queryset(Filing.objects.filter(pk__in=ids[start : start + 500])):
            snapshot = filing_to_dict(filing)
            snapshot["status"] = filing.status
            versions.append(
                FilingVersion(
                    filing=filing,
                    number=1,
                    reason=FilingVersion.Reason.SUBMITTED,
                    snapshot=snapshot,
                    content_hash=content_hash(snapshot),
                )
            )
        FilingVersion.objects.bulk_create(versions)
    from django.db.models import OuterRef, Subquery

    # seed.py's clones start without an official version: an approved one gets its own.
    seeded = Filing.objects.filter(source="benchmark")
    seeded.filter(status=Filing.Status.APPROVED).update(
        approved_version=Subquery(
            FilingVersion.objects.filter(filing=OuterRef("pk")).values("pk")[:1]
        )
    )
    return len(ids)


def _text_fields(filing):
    """(step slug, posted fields, the two fields that carry the marker) of a draft."""
    if filing.is_project:
        fields = {
            "goal_start_year": str(filing.goal_start_year or ""),
            "goal_end_year": str(filing.goal_end_year or ""),
            "overall_goal": filing.overall_goal,
            "annual_goal": filing.annual_goal,
        }
        return "goals", fields, ["overall_goal", "annual_goal"]
    return (
        "duties",
        {"duties": filing.duties, "annual_goal": filing.annual_goal},
        [
            "duties",
            "annual_goal",
        ],
    )


def _draft_plan(filing):
    step, fields, marked = _text_fields(filing)
    rows = [
        {
            "key": str(indicator.key),
            "level2": indicator.level2_id,
            "name": indicator.name,
            "value": indicator.value,
            "explanation": indicator.explanation[:1900],
            "basis": indicator.basis,
        }
        for indicator in filing.indicators.all()
    ]
    return {"pk": filing.pk, "step": step, "fields": fields, "marked": marked, "rows": rows}


def _account(username, role, organisation, password_hash):
    from accounts.models import User

    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"role": role, "organisation": organisation, "password": password_hash},
    )
    return user


def _session(user):
    """A signed-in session of ``user``: the run starts with people already at work.

    Logging 30 users in at once would spend the first half minute on password
    hashing (PBKDF2 is slow on purpose); the login page is measured apart.
    """
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _visible(user, rng):
    from filings.models import Filing

    visible = list(Filing.objects.visible_to(user).order_by("pk").values_list("pk", "status"))
    sample = rng.sample(visible, min(40, len(visible)))
    approved = [pk for pk, status in visible if status == Filing.Status.APPROVED]
    return {
        "visible": [pk for pk, _status in sample],
        "approved": rng.sample(approved, min(10, len(approved))),
    }


def make_plan(password):
    """Accounts with work waiting, and what each of them may open; the plan traffic.py reads."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Organisation, User
    from benchmarks import seed
    from filings.models import Filing

    rng = random.Random(9)
    password_hash = make_password(password)  # one hash for all: hashing is slow on purpose
    this_year = seed.YEARS[0]
    bureaus = list(Organisation.objects.filter(name__in=seed.BUREAUS, parent=None).order_by("pk"))
    plan = {"password": password, "filers": [], "department": [], "finance": []}
    for number, bureau in enumerate(bureaus):
        user = _account(f"load_finance_{number}", User.Role.FINANCE_REVIEWER, bureau, password_hash)
        plan["finance"].append(
            {"username": user.username, "session": _session(user), **_visible(user, rng)}
        )
    waiting = (
        Filing.objects.filter(status=Filing.Status.DEPARTMENT_REVIEW)
        .values_list("organisation__parent_id", flat=True)
        .distinct()
    )
    departments = Organisation.objects.filter(
        level=Organisation.Level.DEPARTMENT, pk__in=waiting
    ).order_by("pk")[:DEPARTMENT_ACCOUNTS]
    for number, department in enumerate(departments):
        user = _account(
            f"load_department_{number}", User.Role.DEPARTMENT_REVIEWER, department, password_hash
        )
        plan["department"].append(
            {"username": user.username, "session": _session(user), **_visible(user, rng)}
        )
    drafts = defaultdict(list)
    for filing in (
        Filing.objects.filter(source="benchmark", year=this_year, status=Filing.Status.DRAFT)
        .select_related("organisation")
        .prefetch_related("indicators")
        .order_by("pk")
    ):
        if len(drafts[filing.organisation]) < DRAFTS_PER_FILER:
            drafts[filing.organisation].append(filing)
    organisations = list(drafts)
    for number, organisation in enumerate(organisations[:FILER_ACCOUNTS]):
        user = _account(f"load_filer_{number}", User.Role.FILER, organisation, password_hash)
        plan["filers"].append(
            {
                "username": user.username,
                "session": _session(user),
                "drafts": [_draft_plan(filing) for filing in drafts[organisation]],
                **_visible(user, rng),
            }
        )
    return plan


def database_size(dbname):
    from django.db import connection

    from filings.models import Filing, FilingVersion
    from indicators.models import Indicator

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(%s))", [dbname])
        size = cursor.fetchone()[0]
    return (
        f"{Filing.objects.count()} filings, {Indicator.objects.count()} indicators, "
        f"{FilingVersion.objects.count()} versions, {size} on disk"
    )


# --- Queries per page (in this process, django.test.Client) -----------------------------


def measure(username, method, path, **kwargs):
    """The SQL queries of one request of ``username`` (and its status if refused)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    if method == "GET":
        client.get(path)  # the first request of a session reads the session; count the next
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method.lower())(path, **kwargs)
    return f"{len(queries)}" + (
        "" if response.status_code < 400 else f" (HTTP {response.status_code})"
    )


def count_queries(plan):
    """The SQL queries of each page of the traffic, by the page's name."""
    from accounts.models import User
    from filings.models import Filing

    filer = plan["filers"][0]
    draft = filer["drafts"][0]
    department = plan["department"][0]
    pending = (
        Filing.objects.visible_to(User.objects.get(username=department["username"]))
        .filter(status=Filing.Status.DEPARTMENT_REVIEW)
        .first()
    )

    def version():
        return Filing.objects.get(pk=draft["pk"]).lock_version

    counts = {
        "我的申报": measure(filer["username"], "GET", "/filings/mine/"),
        "向导步骤": measure(
            filer["username"], "GET", f"/filings/{draft['pk']}/edit/{draft['step']}/"
        ),
        "自动保存（步骤）": measure(
            filer["username"],
            "POST",
            f"/filings/{draft['pk']}/edit/{draft['step']}/",
            data={"lock_version": version(), "nav": "autosave", **draft["fields"]},
            headers={"X-Autosave": "1"},
        ),
        "自动保存（指标表）": measure(
            filer["username"],
            "POST",
            f"/indicators/filing/{draft['pk']}/rows/",
            data=json.dumps({"lock_version": version(), "rows": draft["rows"]}),
            content_type="application/json",
        ),
        "检查与提交（预览）": measure(
            filer["username"], "GET", f"/filings/{draft['pk']}/edit/review/"
        ),
        "申报列表": measure(department["username"], "GET", "/filings/"),
        "申报列表（筛选）": measure(
            department["username"], "GET", "/filings/?year=2024&form=project"
        ),
        "申报详情": measure(department["username"], "GET", f"/filings/{department['visible'][0]}/"),
        "审核队列": measure(department["username"], "GET", "/filings/queue/"),
        "下载Excel": measure(
            department["username"], "GET", f"/filings/{department['visible'][0]}/excel/"
        ),
    }
    if pending is not None:
        counts["审核页"] = measure(department["username"], "GET", f"/filings/{pending.pk}/review/")
    return counts
