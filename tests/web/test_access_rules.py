"""One home for the access rules: who sees which organisations, what each view needs.

``filings.access`` decides; the views declare (``@requires``), the querysets,
forms, exports, the library and the admin site ask it. These tests hold that
line: the same organisations everywhere, internal remarks and open 审核表 kept
from filers in the admin site too, and no view module deciding on its own.
"""

import ast
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Organisation
from exports import jobs
from exports.views import ExportForm
from filings import access
from filings.forms import organisations_visible_to
from filings.models import Filing
from indicators.models import Level2, LibraryEntry
from review import workflow
from review.models import Comment, Review
from tests.conftest import make_filing
from tests.factories import take_version
from tests.helpers.project import APPS, PACKAGES

INTERNAL = "内部：建议财政压减该项目预算"
OPEN_SHEET = "审核中的意见：指标偏少"


def _ready(organisation, name):
    """A project filing the checker finds no error in: it may be submitted."""
    return make_filing(
        organisation,
        name=name,
        department="上海市闵行区民政局",
        implementing_unit=organisation.name,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        annual_total=Decimal("100000"),
        annual_appropriation=Decimal("100000"),
        annual_goal="完成年度培训任务。",
    )


def _staff(user):
    """``is_staff`` and every view permission of the project, as an admin might tick them."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=APPS,
            codename__startswith="view_",
        )
    )
    return user


@pytest.fixture
def in_review(personas, orgs):
    """A unit's filing in the department's review, with an internal and a public remark."""
    filing = _ready(orgs.elderly_centre, "老龄中心项目")
    workflow.submit(filing, personas.filer, seen_version=filing.lock_version)
    filing.refresh_from_db()
    Comment.objects.create(filing=filing, body=INTERNAL, internal=True)
    Comment.objects.create(filing=filing, body="请补充满意度调查方式。")
    review = workflow.open_review(filing, personas.department_reviewer)
    Review.objects.filter(pk=review.pk).update(opinion_goals=OPEN_SHEET)
    return filing


# --- defect 3: the admin site asks the same rules -------------------------------------


def test_a_staff_filer_never_reads_internal_comments_in_the_admin(client, personas, in_review):
    client.force_login(_staff(personas.filer))
    listing = client.get(reverse("admin:review_comment_changelist"))
    assert listing.status_code == 200
    assert [c.body for c in listing.context["cl"].result_list] == ["请补充满意度调查方式。"]
    internal = Comment.objects.get(internal=True)
    change = client.get(reverse("admin:review_comment_change", args=[internal.pk]))
    assert change.status_code == 302  # as for a comment that does not exist
    assert INTERNAL not in client.get(change.url).content.decode()


def test_the_filings_reviewer_reads_internal_comments_in_the_admin(client, personas, in_review):
    client.force_login(_staff(personas.department_reviewer))
    listing = client.get(reverse("admin:review_comment_changelist"))
    assert INTERNAL in [c.body for c in listing.context["cl"].result_list]
    internal = Comment.objects.get(internal=True)
    change = client.get(reverse("admin:review_comment_change", args=[internal.pk]))
    assert INTERNAL in change.content.decode()


def test_a_department_reviewer_does_not_read_internal_comments_on_its_own_filing(
    client, personas, orgs
):
    # The department's own filing is the bureau's to review, not its own reviewers'.
    own = _ready(orgs.civil_affairs, "民政局项目")
    Comment.objects.create(filing=own, body=INTERNAL, internal=True)
    client.force_login(_staff(personas.department_reviewer))
    listing = client.get(reverse("admin:review_comment_changelist"))
    assert INTERNAL not in [c.body for c in listing.context["cl"].result_list]


def test_a_staff_filer_never_reads_an_open_review_sheet_in_the_admin(client, personas, in_review):
    client.force_login(_staff(personas.filer))
    listing = client.get(reverse("admin:review_review_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == []
    review = Review.objects.get()
    change = client.get(reverse("admin:review_review_change", args=[review.pk]))
    assert change.status_code == 302


# --- organisations_of: one rule, asked by every list of organisations -----------------


EXPECTED = {
    "filer": {"elderly_centre"},
    "department_filer": {"civil_affairs"},
    "department_reviewer": {"civil_affairs", "elderly_centre"},
    "finance_reviewer": {"minhang_bureau", "civil_affairs", "elderly_centre"},
    "outsider": {"disabled_federation"},
    "outside_finance_reviewer": {"city_bureau", "disabled_federation"},
    "admin": {
        "minhang_bureau",
        "civil_affairs",
        "elderly_centre",
        "city_bureau",
        "disabled_federation",
    },
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_every_list_of_organisations_and_filings_follows_organisations_of(personas, orgs, persona):
    user = getattr(personas, persona)
    by_name = {name: getattr(orgs, name).pk for name in EXPECTED["admin"]}
    expected = {by_name[name] for name in EXPECTED[persona]}
    assert set(access.organisations_of(user).values_list("pk", flat=True)) == expected
    # The filter of the filing list: the same, without bureaus (no filing belongs to one).
    bureaus = set(Organisation.objects.filter(level="bureau").values_list("pk", flat=True))
    assert set(organisations_visible_to(user).values_list("pk", flat=True)) == expected - bureaus
    for organisation in Organisation.objects.exclude(level="bureau"):
        make_filing(organisation, name=f"{organisation.name}项目")
    seen = set(Filing.objects.visible_to(user).values_list("organisation_id", flat=True))
    # A unit's draft is hidden from its department until it is first submitted.
    drafting = {orgs.elderly_centre.pk} if persona == "department_reviewer" else set()
    assert seen == expected - bureaus - drafting
    for filing in Filing.objects.all():
        take_version(filing)
    seen = set(Filing.objects.visible_to(user).values_list("organisation_id", flat=True))
    assert seen == expected - bureaus
    # The export page offers the same organisations, and a job of no other one is refused.
    offered = ExportForm(user=user).fields["organisation"].queryset
    assert set(offered.values_list("pk", flat=True)) == expected
    for organisation in Organisation.objects.exclude(pk__in=expected):
        with pytest.raises(jobs.JobRefused):
            jobs.create_job(user, organisation, 2024, "project_bundle")


@pytest.mark.parametrize("persona", EXPECTED)
def test_the_library_shows_own_entries_of_the_same_organisations(personas, orgs, persona):
    user = getattr(personas, persona)
    level2 = Level2.objects.first()
    for organisation in Organisation.objects.all():
        LibraryEntry.objects.create(
            level2=level2, name=organisation.name, scope="own", organisation=organisation
        )
    LibraryEntry.objects.create(level2=level2, name="共性指标", scope="common")
    seen = set(LibraryEntry.objects.visible_to(user).values_list("name", flat=True))
    names = {getattr(orgs, name).name for name in EXPECTED[persona]}
    assert seen == names | {"共性指标"}


def test_an_inactive_user_sees_nothing(personas):
    personas.finance_reviewer.is_active = False
    assert not access.organisations_of(personas.finance_reviewer).exists()
    assert not LibraryEntry.objects.visible_to(personas.finance_reviewer).exists()


def test_the_library_curation_link_follows_the_admin_rule_not_is_staff(client, personas):
    # A filer given is_staff and every permission is still not a curator of the 共性 entries.
    filer = _staff(personas.filer)
    filer.user_permissions.set(Permission.objects.all())
    client.force_login(filer)
    assert client.get(reverse("indicators:library")).context["can_curate"] is False
    client.force_login(personas.admin)
    assert client.get(reverse("indicators:library")).context["can_curate"] is True


# --- each view declares what it needs; none decides on its own ------------------------

ROOT = Path(settings.BASE_DIR)
PROJECT_PACKAGES = PACKAGES


def _view_modules():
    """The modules the URL configuration routes to (the project's own, not Django's)."""
    modules = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                module = getattr(pattern.callback, "__module__", "")
                if module.split(".")[0] in PROJECT_PACKAGES:
                    modules.add(module)

    walk(get_resolver().url_patterns)
    return sorted(modules)


def _source(module):
    return (ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("persona", "decides"),
    [
        ("finance_reviewer", True),
        ("department_reviewer", False),
        ("filer", False),
        ("outside_finance_reviewer", False),
        ("admin", False),
    ],
)
def test_adjustment_applications_are_decided_by_the_final_approver_only(
    personas, orgs, persona, decides
):
    # One rule (access.is_final_approver_of) says who approves a filing finally; the
    # adjustment's grant or refusal asks it, on an approved filing only.
    filing = make_filing(orgs.elderly_centre, name="已批复项目", status=Filing.Status.APPROVED)
    user = getattr(personas, persona)
    assert (access.DECIDE_ADJUSTMENT in access.actions_for(user, filing)) is decides
    assert access.is_final_approver_of(user, filing) is decides
    draft = make_filing(orgs.elderly_centre, name="草稿项目")
    assert access.DECIDE_ADJUSTMENT not in access.actions_for(user, draft)


def test_the_view_modules_are_found():
    modules = _view_modules()
    assert "filings.views" in modules and "indicators.library_views" in modules
    assert "filings.access" not in modules


# What deciding access on one's own looks like in a view module.
OWN_RULES = re.compile(
    r"PermissionDenied\(|\.role\s*(==|!=|in\b|not\s+in\b)|\bis_staff\b|\bis_superuser\b"
    r"|\.is_admin\b|\bis_filer_of\(|\bis_reviewer\(|_reviewer_of\("
)


@pytest.mark.parametrize("module", _view_modules())
def test_no_view_module_decides_access_on_its_own(module):
    found = [match.group(0) for match in OWN_RULES.finditer(_source(module))]
    assert not found, f"{module}: {found} — declare a permission of filings.access instead"


def test_every_view_declares_its_permission():
    """Each view of the URL configuration is wrapped by ``access.requires``.

    A class-based view declares it on ``dispatch`` (``method_decorator``), which
    ``as_view`` copies onto the view function.
    """
    undeclared = [
        f"{pattern.callback.__module__}.{pattern.callback.__name__}"
        for pattern in _patterns(get_resolver().url_patterns)
        if pattern.callback.__module__.split(".")[0] in PROJECT_PACKAGES
        and getattr(pattern.callback, "permission", None) is None
    ]
    assert not undeclared, f"no @requires(...): {undeclared}"


def test_the_permission_is_checked_after_the_login():
    """Anonymous visitors are sent to log in (or get 401 JSON), never a 403 of ``requires``."""
    for pattern in _patterns(get_resolver().url_patterns):
        callback = pattern.callback
        if getattr(callback, "permission", None) in (None, access.ANYONE):
            continue
        source = _source(callback.__module__)
        tree = ast.parse(source)
        view_class = getattr(callback, "view_class", None)
        kind, name = (ast.ClassDef, view_class.__name__) if view_class else (ast.FunctionDef, None)
        name = name or callback.__name__
        node = next(n for n in tree.body if isinstance(n, kind) and n.name == name)
        # In order, outermost first; a class's method_decorator([...]) lists them so too.
        decorators = " ".join(ast.unparse(d) for d in node.decorator_list)
        login, requires = decorators.find("login_required"), decorators.find("requires(")
        assert 0 <= login < requires, f"{callback.__module__}.{name}: {decorators}"


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern
