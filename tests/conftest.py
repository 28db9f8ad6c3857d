"""Shared fixtures: an organisation tree, one persona per role, filings.

Tests live in layers, one folder each, marked by their folder (`pytest -m unit`):
unit (no HTTP), web (the test client), ops (what an operator runs), browser.
What several modules share lives in tests/factories.py and tests/helpers/.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import blocking_manager_key

from accounts.models import Organisation, User
from indicators.models import Level1
from tests.factories import make_filing

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "fixtures" / "published"
PASSWORD = "test-password-123"
HERE = Path(__file__).resolve().parent
# One marker per layer, given by the folder a test lives in (`pytest -m unit`).
LAYERS = ("unit", "web", "ops", "browser")


def pytest_collection_modifyitems(config, items):
    for item in items:
        relative = Path(str(item.path)).resolve().relative_to(HERE)
        if relative.parts[0] in LAYERS:
            item.add_marker(relative.parts[0])


# The property tests (tests/*/test_properties_*.py) drive real views against a real
# database: no deadline (a PostgreSQL round trip varies), few examples (the whole
# property suite stays within a few minutes per database), and in CI the same
# examples every run and no example database left behind.
_IN_CI = os.environ.get("CI", "").lower() == "true"
hypothesis_settings.register_profile(
    "perfgoals",
    deadline=None,
    max_examples=15,
    derandomize=_IN_CI,
    print_blob=_IN_CI,
    **({"database": None} if _IN_CI else {}),
)
hypothesis_settings.load_profile("perfgoals")


@dataclass
class Orgs:
    minhang_bureau: Organisation
    civil_affairs: Organisation  # 主管部门 under 闵行区财政局
    elderly_centre: Organisation  # 预算单位 under 上海市闵行区民政局
    city_bureau: Organisation
    disabled_federation: Organisation  # 主管部门 under 上海市财政局


@dataclass
class Personas:
    filer: User  # 填报人 of the elderly centre (a unit)
    department_filer: User  # 填报人 of the civil affairs bureau itself
    department_reviewer: User
    finance_reviewer: User
    outsider: User  # 填报人 of another department under another bureau
    outside_finance_reviewer: User
    admin: User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the run time of the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Fixtures by which a test asks for the database (besides the django_db marker).
_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def _uses_db(request):
    return bool(
        request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _taxonomy_present(request):
    """Every test that uses the database finds the indicator taxonomy in it.

    A migration loads the taxonomy, but a transactional test (threads, the live
    server of the browser tests) ends with a flush that empties every table:
    pytest_runtest_teardown loads it again right after, and this is the safety net.
    Simpler and sturdier than serialized rollback, which breaks as soon as one
    transactional test does without it.
    """
    if not _uses_db(request):
        return
    request.getfixturevalue("_django_db_helper")
    _build_taxonomy()


@pytest.fixture(autouse=True)
def _personas_only_when_asked(request):
    """A test that asks for neither `orgs` nor `personas` finds no organisation and no user.

    The shared rows are there for the whole session; such a test (an import that creates
    its own tree, a count of organisations) deletes them in its own transaction, and the
    rollback at its end brings them back. A transactional test's deletion is undone by
    the rebuild after its flush.
    """
    if "orgs" in request.fixturenames or not _uses_db(request):
        return
    request.getfixturevalue("_django_db_helper")
    User.objects.filter(pk__in=_shared["people"].values()).delete()
    for attr, *_ in reversed(TREE):  # children before their parents
        Organisation.objects.filter(pk=_shared["orgs"][attr]).delete()


@pytest.fixture(autouse=True)
def _exports_in_a_temporary_folder(settings, tmp_path):
    # Export jobs and the kept PDFs of versions: never the checkout's var/exports.
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture(autouse=True)
def _attachments_in_a_temporary_folder(settings, tmp_path):
    # Each test's uploads in its own folder: none outlives it, none is seen by another.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "attachments"


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    # DEBUG is off, so the manifest storage would want `collectstatic` run first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# The organisation tree and one persona per role, as (attribute, name, level, parent) and
# (attribute, username, role, organisation, extra fields). Built once per session, outside
# any test's transaction (see django_db_setup), so that each test's rollback keeps them.
TREE = [
    ("minhang_bureau", "闵行区财政局", "bureau", None),
    ("civil_affairs", "上海市闵行区民政局", "department", "minhang_bureau"),
    ("elderly_centre", "上海市闵行区老龄事业发展中心", "unit", "civil_affairs"),
    ("city_bureau", "上海市财政局", "bureau", None),
    ("disabled_federation", "上海市残疾人联合会", "department", "city_bureau"),
]
PEOPLE = [
    ("filer", "filer", "filer", "elderly_centre", {}),
    ("department_filer", "dept_filer", "filer", "civil_affairs", {}),
    ("department_reviewer", "dept_reviewer", "department_reviewer", "civil_affairs", {}),
    ("finance_reviewer", "finance_reviewer", "finance_reviewer", "minhang_bureau", {}),
    ("outsider", "outsider", "filer", "disabled_federation", {}),
    ("outside_finance_reviewer", "city_finance", "finance_reviewer", "city_bureau", {}),
    ("admin", "admin", "admin", None, {"is_staff": True, "is_superuser": True}),
]
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Primary keys of the shared rows, as last built (a flush makes new ones).
_shared = {"orgs": {}, "people": {}}


def _user(username, role, organisation=None, **extra):
    user = User(username=username, role=role, organisation=organisation, **extra)
    user.set_password(PASSWORD)
    user.full_clean()
    user.save()
    return user


def _build_shared_rows():
    """Create the organisation tree and the personas, unless they are there already."""
    if Organisation.objects.filter(pk__in=_shared["orgs"].values()).count() == len(TREE):
        return
    # Hashed as the tests check them: a login compares with the hashers of the test's settings.
    # Found rather than made when a kept test database (--reuse-db) has them already.
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        made = {}
        for attr, name, level, parent in TREE:
            made[attr], _ = Organisation.objects.get_or_create(
                name=name, parent=made.get(parent), defaults={"level": level}
            )
        _shared["orgs"] = {attr: org.pk for attr, org in made.items()}
        _shared["people"] = {
            attr: (
                User.objects.filter(username=username).first()
                or _user(username, role, made.get(org), **extra)
            ).pk
            for attr, username, role, org, extra in PEOPLE
        }


def _build_taxonomy():
    if not Level1.objects.exists():
        call_command("loaddata", str(ROOT / "fixtures" / "taxonomy.json"), verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _build_shared_rows()


def _flushes(item):
    """Whether the test runs outside a transaction, and so ends by emptying every table."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool((_DB_FIXTURES - {"db"}) & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, put the shared rows back for the tests after it.

    The flush empties every table, the taxonomy and the personas included; built again
    here, outside any test's transaction, they are built once per flush rather than once
    per test.
    """
    result = yield
    flushed = _flushes(item)
    if flushed and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            _build_taxonomy()
            _build_shared_rows()
            # A hook wrapper runs outside the test's context, so Django gives it a connection
            # of its own; left open, it outlives the run and keeps the test database from
            # being dropped on PostgreSQL. The next test opens its own again.
            connections.close_all()
    return result


@pytest.fixture
def orgs(db):
    """The shared organisation tree, read afresh: what a test changes on them stays its own."""
    by_pk = Organisation.objects.in_bulk(_shared["orgs"].values())
    return Orgs(**{attr: by_pk[pk] for attr, pk in _shared["orgs"].items()})


@pytest.fixture
def personas(orgs):
    by_pk = User.objects.in_bulk(_shared["people"].values())
    organisations = {org.pk: org for org in vars(orgs).values()}
    people = {}
    for attr, pk in _shared["people"].items():
        user = by_pk[pk]
        if user.organisation_id is not None:
            # The same objects as `orgs`, as when each test built its own.
            user.organisation = organisations[user.organisation_id]
        people[attr] = user
    return Personas(**people)


@pytest.fixture
def filings(orgs):
    """One filing per organisation below the bureaus, named after its owner."""
    return {
        "centre": make_filing(orgs.elderly_centre, name="老龄中心项目"),
        "civil": make_filing(orgs.civil_affairs, name="民政局项目"),
        "federation": make_filing(orgs.disabled_federation, name="残联项目"),
    }
