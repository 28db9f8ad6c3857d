"""Every URL of the admin site, requested by every persona: no byte of A's data to outsiders.

The admin site is the real risk of the access matrix: ``is_staff`` may be ticked
for a reviewer or a filer, with every model permission, and the admin's pages do
not ask ``filings.access``. So each URL of the admin site (taken from the URL
configuration: a new model admin fails ``test_every_admin_url_is_in_the_matrix``
until its object of A is listed in ``A_OBJECTS``) is requested, GET and POST, as

- anonymous and the app's personas without ``is_staff``: sent to the admin login;
- staff users with every permission outside A's tree (a filer of B, a finance
  reviewer of another bureau): refused A's objects, no byte of A's data anywhere;
- staff users with every permission inside A's tree: they may look, not change;
- the global admin: may.

A staff user who is not an admin changes nothing through the admin site (the
app's pages check roles, the admin's forms do not): after each POST of theirs the
database is as before. Each request runs in a savepoint rolled back afterwards,
so the admin's deletions do not take A's objects away from the next request.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.forms.models import _get_foreign_key, model_to_dict
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Organisation, User
from attachments.models import Attachment
from audit.models import AuditEvent
from exports.models import ExportChunk, ExportJob
from filings.models import CheckProfile, Filing, FilingVersion, Task, VersionFinding
from indicators.models import Framework, Indicator, Level1, Level2, LibraryEntry
from projects.models import LibraryLoad, Project
from review.models import (
    AdjustmentRequest,
    ApprovalNotice,
    ApprovalNoticeItem,
    Comment,
    Notification,
    Reply,
    Review,
    Round,
    Transition,
)
from tests.conftest import PASSWORD, make_filing

SECRET = "甲单位机密项目"
SECRET_ROW = "甲单位机密指标"
SECRET_PERSON = "甲单位张机密"  # the name of A's users
SECRET_LOGIN = "jia_secret"  # in the user names and e-mail addresses of A's users
# What the search box is given: a part of every secret above but none of them whole, so
# the echo of the query in the page is not mistaken for a leak.
PROBE = "机密"

NOT_STAFF = (
    "anonymous",
    "filer_a",
    "department_reviewer_a",
    "finance_reviewer_a",
    "filer_b",
    "finance_reviewer_b",
)
STAFF_OUTSIDERS = ("staff_filer_b", "staff_finance_reviewer_b")
STAFF_INSIDERS = ("staff_filer_a", "staff_department_reviewer_a", "staff_finance_reviewer_a")
PERSONAS = (*NOT_STAFF, "admin", *STAFF_OUTSIDERS, *STAFF_INSIDERS)
OUTSIDE = ("anonymous", "filer_b", "finance_reviewer_b", *STAFF_OUTSIDERS)
REFUSED = {302, 403, 404}  # the admin answers an object it cannot find with a redirect

# Admin URLs that are not a model's pages.
SITE_URLS = {
    "index",
    "app_list",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
}
MODEL_PAGES = ("changelist", "add", "change", "delete", "history")
# Models everyone shares (the indicator taxonomy, permission groups): not A's data.
SHARED = {"indicators.Level1", "indicators.Level2", "indicators.Framework", "auth.Group"}


@dataclass
class World:
    users: dict
    objects: dict = field(default_factory=dict)  # model label -> A's object (or a shared one)
    organisation: Organisation = None


def _user(username, role, organisation, *, staff=False, **names):
    user = User(username=username, role=role, organisation=organisation, **names)
    user.set_password(PASSWORD)
    user.is_staff = staff or role == "admin"
    user.is_superuser = role == "admin"
    user.save()
    if staff and role != "admin":
        # The real risk: someone ticked is_staff and gave every permission there is.
        user.user_permissions.set(Permission.objects.all())
    return user


def _of_a(username, role, orgs, **kwargs):
    """A user of organisation A itself: their names are A's data."""
    names = {"first_name": SECRET_PERSON, "email": f"{username}@a.example"}
    return _user(username, role, orgs.elderly_centre, **names, **kwargs)


def _axes_objects(world):
    """django-axes' records of A's filer, when the app is installed (issue 9, identity)."""
    if "axes.AccessAttempt" not in _registered():
        return
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    who = {
        "username": world.users["filer_a"].username,
        "ip_address": "10.0.0.7",
        "user_agent": SECRET_LOGIN,
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    world.objects["axes.AccessAttempt"] = AccessAttempt.objects.create(
        **who, get_data="", post_data=f"username={SECRET_LOGIN}", failures_since_start=1
    )
    world.objects["axes.AccessLog"] = AccessLog.objects.create(**who)
    world.objects["axes.AccessFailureLog"] = AccessFailureLog.objects.create(**who)


@pytest.fixture
def world(orgs):
    a, b = orgs.elderly_centre, orgs.disabled_federation
    users = {
        "anonymous": None,
        "filer_a": _of_a(f"{SECRET_LOGIN}_filer", "filer", orgs),
        "department_reviewer_a": _user("dept_a", "department_reviewer", orgs.civil_affairs),
        "finance_reviewer_a": _user("fin_a", "finance_reviewer", orgs.minhang_bureau),
        "filer_b": _user("filer_b", "filer", b),
        "finance_reviewer_b": _user("fin_b", "finance_reviewer", orgs.city_bureau),
        "admin": _user("root", "admin", None),
        "staff_filer_b": _user("staff_filer_b", "filer", b, staff=True),
        "staff_finance_reviewer_b": _user(
            "staff_fin_b", "finance_reviewer", orgs.city_bureau, staff=True
        ),
        "staff_filer_a": _of_a(f"{SECRET_LOGIN}_staff", "filer", orgs, staff=True),
        "staff_department_reviewer_a": _user(
            "staff_dept_a", "department_reviewer", orgs.civil_affairs, staff=True
        ),
        "staff_finance_reviewer_a": _user(
            "staff_fin_a", "finance_reviewer", orgs.minhang_bureau, staff=True
        ),
    }
    world = World(users, organisation=a)
    # B has data of its own, so that an outsider's pages are not trivially empty.
    make_filing(b, name="乙单位项目")
    LibraryEntry.objects.create(
        level2=Level2.objects.first(), name="乙单位指标", scope="own", organisation=b
    )

    filing = make_filing(a, name=SECRET)
    filing.indicators.update(name=SECRET_ROW)
    task = Task.objects.create(filing=filing, name=SECRET_ROW, content=SECRET)
    version = FilingVersion.objects.create(
        filing=filing,
        number=1,
        reason="submitted",
        snapshot={"name": SECRET},
        content_hash="0" * 64,
    )
    filer = users["filer_a"]
    job = ExportJob.objects.create(
        created_by=filer,
        organisation=a,
        year=filing.year,
        kind=ExportJob.Kind.PDF_ZIP,
        filing_ids=[filing.pk],
        status=ExportJob.Status.DONE,
        done=1,
        total=1,
        output_name=f"{SECRET}.zip",
    )
    # A's bureau's 项目库: A's project, from a file named after A's secret.
    load = LibraryLoad.objects.create(
        bureau=orgs.minhang_bureau, year=filing.year, file_name=f"{SECRET}.xlsx"
    )
    world.objects |= {
        "accounts.Organisation": a,
        "accounts.User": filer,
        "filings.Filing": filing,
        "filings.Task": task,
        "indicators.Indicator": filing.indicators.first(),
        "filings.FilingVersion": version,
        "filings.VersionFinding": VersionFinding.objects.create(
            version=version, code="VALUES_X", severity="warning", count=1
        ),
        "review.Transition": Transition.objects.create(
            filing=filing,
            action="submit",
            from_status="draft",
            to_status="department_review",
            actor=filer,
            actor_name=SECRET_PERSON,
            comment=SECRET,
            version=version,
        ),
        "review.Comment": (
            comment := Comment.objects.create(filing=filing, body=SECRET, part="funds")
        ),
        "review.Reply": Reply.objects.create(
            comment=comment, body=SECRET, author_name=SECRET_PERSON
        ),
        "review.Review": Review.objects.create(
            filing=filing,
            version=version,
            stage="department",
            reviewer_name=SECRET_PERSON,
            to_improve=SECRET_ROW,
            decision="return",
            decided_at=timezone.now(),
        ),
        "review.AdjustmentRequest": AdjustmentRequest.objects.create(
            filing=filing,
            approved_version=version,
            reason=SECRET,
            budget_adjustment=SECRET_ROW,
            applicant=filer,
            applicant_name=SECRET_PERSON,
        ),
        "review.Notification": Notification.objects.create(
            recipient=filer, kind="returned", filing=filing, message=f"「{SECRET}」被退回修改"
        ),
        "attachments.Attachment": Attachment.objects.create(
            filing=filing,
            kind="basis",
            name=f"{SECRET}.pdf",
            description=SECRET_ROW,
            file_type="pdf",
            size=1,
            sha256="0" * 64,
            stored_name="ab/admin-matrix",
        ),
        "exports.ExportJob": job,
        "exports.ExportChunk": ExportChunk.objects.create(job=job, index=0, start=0, size=1),
        "audit.AuditEvent": AuditEvent.objects.create(
            user=filer,
            username=filer.username,
            user_display=SECRET_PERSON,
            action="download",
            filing=filing,
            organisation=a,
            description=SECRET,
        ),
        "filings.CheckProfile": CheckProfile.objects.create(
            bureau=orgs.minhang_bureau, name=f"{SECRET}审核规则", rules={}
        ),
        "review.Round": Round.objects.create(
            bureau=orgs.minhang_bureau,
            year=filing.year,
            opens_on="2024-01-01",
            deadline="2024-03-31",
        ),
        "indicators.LibraryEntry": LibraryEntry.objects.create(
            level2=filing.indicators.first().level2, name=SECRET_ROW, scope="own", organisation=a
        ),
        "projects.LibraryLoad": load,
        "projects.Project": Project.objects.create(
            bureau=orgs.minhang_bureau,
            year=filing.year,
            code="A0001",
            name=SECRET,
            organisation=a,
            load=load,
        ),
        "indicators.Level1": Level1.objects.first(),
        "indicators.Level2": Level2.objects.first(),
        "indicators.Framework": Framework.objects.first(),
        "auth.Group": Group.objects.create(name="填报人组"),
    }
    notice = ApprovalNotice.objects.create(
        organisation=a,
        year=filing.year,
        issuer=orgs.civil_affairs,
        sequence=1,
        number=f"{SECRET}绩批〔2024〕1号",
        issued_by_name=SECRET_PERSON,
    )
    world.objects["review.ApprovalNotice"] = notice
    world.objects["review.ApprovalNoticeItem"] = ApprovalNoticeItem.objects.create(
        notice=notice,
        filing=filing,
        version=version,
        approver_stage="department",
        approver_name=SECRET_ROW,
    )
    _axes_objects(world)
    return world


# --- The URLs ------------------------------------------------------------------------


def _admin_url_names():
    """The name of every URL of the admin site (without the namespace)."""
    resolver = next(
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace == "admin"
    )

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield entry.name

    return set(walk(resolver.url_patterns))


def _registered():
    """label -> (model, model admin) of every model of the admin site."""
    return {model._meta.label: (model, ma) for model, ma in admin.site._registry.items()}


def _world_labels():
    # The labels the world fixture provides (axes' only when the app is installed).
    labels = {
        "accounts.Organisation",
        "accounts.User",
        "filings.Filing",
        "filings.Task",
        "filings.CheckProfile",
        "indicators.Indicator",
        "filings.FilingVersion",
        "filings.VersionFinding",
        "review.Transition",
        "review.Comment",
        "review.Reply",
        "review.Review",
        "review.AdjustmentRequest",
        "review.ApprovalNotice",
        "review.ApprovalNoticeItem",
        "review.Notification",
        "attachments.Attachment",
        "exports.ExportJob",
        "exports.ExportChunk",
        "audit.AuditEvent",
        "review.Round",
        "indicators.LibraryEntry",
        "projects.LibraryLoad",
        "projects.Project",
        *SHARED,
    }
    axes = {"axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}
    return labels | (axes & set(_registered()))


def test_every_admin_url_is_in_the_matrix():
    covered = set(SITE_URLS) | {"auth_user_password_change"}  # filings.User's admin
    missing_objects = sorted(set(_registered()) - _world_labels())
    assert not missing_objects, (
        f"give these models an object of A in the world fixture of {__name__} "
        f"(or list them in SHARED): {missing_objects}"
    )
    for model, _ma in _registered().values():
        opts = model._meta
        covered |= {f"{opts.app_label}_{opts.model_name}_{page}" for page in MODEL_PAGES}
    missing = sorted(_admin_url_names() - covered)
    assert not missing, f"say how to request these admin URLs in {__name__}: {missing}"


@dataclass
class Call:
    """One request of the matrix."""

    what: str  # for the failure message
    method: str
    url: str
    data: dict = None
    # A's object is what the page is about: outsiders must be refused it.
    of_a: bool = False
    # The URL of A's object's change page, which a list must not link to for outsiders.
    not_listed: str = None
    # The table a POST would change (deletions cascade from it); the admin's log besides.
    model: type = User
    # Another query of a page already requested (a search, a filter): asked only by those
    # who could get more from it, the outsiders on the staff and the admin.
    variant: bool = False


def _admin_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _filter_queries(model_admin, obj, admin_user):
    """For each list filter, the query that selects A's object's value (as the admin sees it)."""
    changelist = model_admin.get_changelist_instance(_admin_request(admin_user))
    for spec in changelist.filter_specs:
        name = getattr(spec, "lookup_kwarg", None) or getattr(spec, "parameter_name", None)
        path = getattr(spec, "field_path", None)
        if name is None:
            continue
        value = obj
        for part in (path or "").split("__") if path else []:
            value = getattr(value, part, None)
        if isinstance(value, bool):
            value = int(value)
        value = getattr(value, "pk", value)
        yield f"?{name}={'' if value is None else value}"
    if model_admin.date_hierarchy:
        yield f"?{model_admin.date_hierarchy}__year={getattr(obj, model_admin.date_hierarchy).year}"


def _change_data(model, obj):
    """A change form POST that would rename A's object (with empty inline forms)."""
    data = {}
    for key, value in model_to_dict(obj).items():
        if isinstance(value, list):  # many-to-many: the ids
            value = [getattr(item, "pk", item) for item in value]
        if value is not None:
            data[key] = value
    for name in ("name", "title", "message", "body"):
        if name in data:
            data[name] = "外单位改名"
    for inline in admin.site._registry[model].inlines:
        fk = _get_foreign_key(model, inline.model, fk_name=inline.fk_name)
        prefix = fk.remote_field.get_accessor_name(model=inline.model)
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def _model_calls(world, label):
    model, model_admin = _registered()[label]
    obj = world.objects[label]
    of_a = label not in SHARED
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    changelist = reverse(f"{name}_changelist")
    change = reverse(f"{name}_change", args=[obj.pk])
    listed = change if of_a else None
    yield Call("changelist", "GET", changelist, not_listed=listed, model=model)
    if model_admin.search_fields:
        yield Call("search", "GET", f"{changelist}?q={PROBE}", not_listed=listed, variant=True)
    for query in _filter_queries(model_admin, obj, world.users["admin"]):
        yield Call(f"filter {query}", "GET", changelist + query, not_listed=listed, variant=True)
    bulk_delete = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    # Answered with the list again (200) and a message: what counts is that nothing goes.
    yield Call("bulk delete", "POST", changelist, bulk_delete, model=model)
    add = reverse(f"{name}_add")
    yield Call("add", "GET", add)
    yield Call("add", "POST", add, _change_data(model, obj), model=model)
    yield Call("change", "GET", change, of_a=of_a)
    yield Call("change", "POST", change, _change_data(model, obj), of_a=of_a, model=model)
    delete = reverse(f"{name}_delete", args=[obj.pk])
    yield Call("delete", "GET", delete, of_a=of_a)
    yield Call("delete", "POST", delete, {"post": "yes"}, of_a=of_a, model=model)
    yield Call("history", "GET", reverse(f"{name}_history", args=[obj.pk]), of_a=of_a)
    if model is User:
        password = reverse("admin:auth_user_password_change", args=[obj.pk])
        new = {"password1": "Another-pass-987", "password2": "Another-pass-987"}
        yield Call("password", "GET", password, of_a=True)
        yield Call("password", "POST", password, {**new, "usable_password": "true"}, of_a=True)
    if hasattr(obj, "get_absolute_url"):
        content_type = ContentType.objects.get_for_model(obj)
        url = reverse("admin:view_on_site", args=[content_type.pk, obj.pk])
        yield Call("view on site", "GET", url, of_a=of_a)


def _site_calls(world):
    yield Call("index", "GET", reverse("admin:index"))
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        yield Call(f"app {app_label}", "GET", reverse("admin:app_list", args=[app_label]))
    yield Call("login", "GET", reverse("admin:login"))
    yield Call("password change", "GET", reverse("admin:password_change"))
    yield Call("password change", "POST", reverse("admin:password_change"), {})
    yield Call("password change done", "GET", reverse("admin:password_change_done"))
    yield Call("jsi18n", "GET", reverse("admin:jsi18n"))
    # Every autocomplete a change form offers, with nothing typed (the first page of
    # everything) and with a part of A's secrets.
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            for term in ("", PROBE):
                query = {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field_name,
                    "term": term,
                }
                what = f"autocomplete {model._meta.label}.{field_name} {term!r}"
                url = reverse("admin:autocomplete")
                yield Call(what, "GET", url, query, variant=bool(term))


def _targets():
    return ["site", *sorted(_world_labels())]


def _calls(world, target):
    return list(_site_calls(world) if target == "site" else _model_calls(world, target))


# --- The checks ----------------------------------------------------------------------


def _state(model):
    """The rows a POST could change: its model's table and the admin's log."""
    tables = [model._default_manager.all(), LogEntry.objects.all()]
    if model is AuditEvent:  # which records each refusal (a 403): that is no change
        tables[0] = tables[0].exclude(action=AuditEvent.Action.DENIED)
    return [list(rows.order_by("pk").values_list()) for rows in tables]


def _text(response):
    body = b"".join(response) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # JsonResponse escapes every Chinese character: compare what a reader sees.
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _secrets(world):
    return (SECRET, SECRET_ROW, SECRET_PERSON, SECRET_LOGIN, world.organisation.name)


def _request(client, call):
    if call.method == "GET":
        return client.get(call.url, call.data or {})
    return client.post(call.url, call.data or {})


def _problems(world, persona, call, response, changed):
    status = response.status_code
    text = _text(response)
    if status >= 500:
        yield f"server error {status}"
    if persona in NOT_STAFF:
        login = reverse("admin:login")
        if call.what not in ("login", "logout") and not (
            status == 302 and response["Location"].startswith(login)
        ):
            yield f"not sent to the admin login ({status})"
    if persona in OUTSIDE:
        leaked = [secret for secret in _secrets(world) if secret in text]
        if leaked:
            yield f"A's data in the page: {leaked}"
        if call.of_a and status not in REFUSED:
            yield f"A's object not refused ({status})"
        if call.not_listed and call.not_listed in text:
            yield "the list links to A's object"
        if status == 302 and call.of_a and response["Location"].startswith(call.url):
            yield "redirected to A's object"
    if persona != "admin" and changed:
        yield "the database changed"


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_as_persona(client, world, persona):
    """Every call of the matrix as one persona; the failures are listed together."""
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    failures = []
    calls = [call for target in _targets() for call in _calls(world, target)]
    if persona not in (*STAFF_OUTSIDERS, "admin"):
        calls = [call for call in calls if not call.variant]
    calls.append(Call("logout", "POST", reverse("admin:logout")))  # last: it ends the session
    for call in calls:
        # The admin's deletions and renames must not spoil the next call: roll each back.
        with transaction.atomic():
            checked = call.method == "POST" and persona != "admin"
            before = _state(call.model) if checked else None
            response = _request(client, call)
            changed = checked and _state(call.model) != before
            transaction.set_rollback(True)
        for problem in _problems(world, persona, call, response, changed):
            failures.append(f"{call.method} {call.what} {call.url}: {problem}")
    assert not failures, "\n".join(failures)


# --- The matrix's POSTs do change things when the admin sends them -------------------


def test_the_admin_renames_and_deletes_with_the_posts_of_the_matrix(client, world):
    """Without this, "the database did not change" could mean the POSTs were wrong."""
    filing = world.objects["filings.Filing"]
    client.force_login(world.users["admin"])
    change = reverse("admin:filings_filing_change", args=[filing.pk])
    response = client.post(change, _change_data(Filing, filing))
    assert response.status_code == 302, _text(response)[:2000]
    filing.refresh_from_db()
    assert filing.name == "外单位改名"

    row = world.objects["indicators.Indicator"]
    changelist = reverse("admin:indicators_indicator_changelist")
    bulk = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    assert client.post(changelist, bulk).status_code == 302
    assert not Indicator.objects.filter(pk=row.pk).exists()

    task = world.objects["filings.Task"]
    delete = reverse("admin:filings_task_delete", args=[task.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()


def test_a_staff_filer_of_a_looks_at_their_draft_and_cannot_rename_it(client, world):
    filing = world.objects["filings.Filing"]
    client.force_login(world.users["staff_filer_a"])
    change = reverse("admin:filings_filing_change", args=[filing.pk])
    page = client.get(change)
    assert page.status_code == 200 and SECRET in page.content.decode()
    assert client.post(change, _change_data(Filing, filing)).status_code == 403
    filing.refresh_from_db()
    assert filing.name == SECRET


def test_a_staff_reviewer_cannot_make_themselves_superuser(client, world):
    reviewer = world.users["staff_finance_reviewer_a"]
    client.force_login(reviewer)
    change = reverse("admin:accounts_user_change", args=[reviewer.pk])
    data = {**_change_data(User, reviewer), "is_superuser": "on", "role": "admin"}
    assert client.post(change, data).status_code == 403
    reviewer.refresh_from_db()
    assert not reviewer.is_superuser and reviewer.role == "finance_reviewer"
