"""Shared fixtures: an organisation tree, one persona per role, filings."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from filings.models import Organisation, User
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


# The property tests (tests/test_properties_*.py) drive real views against a real
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


@pytest.fixture(autouse=True)
def _taxonomy_present(request):
    """Every test that uses the database finds the indicator taxonomy in it.

    A migration loads the taxonomy, but a transactional test (threads, the live
    server of the browser tests) ends with a flush that empties every table:
    load it again for the next test. Simpler and sturdier than serialized
    rollback, which breaks as soon as one transactional test does without it.
    """
    uses_db = request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(
        request.fixturenames
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from indicators.models import Level1

    if not Level1.objects.exists():
        call_command("loaddata", str(ROOT / "fixtures" / "taxonomy.json"), verbosity=0)


@pytest.fixture(autouse=True)
def _exports_in_a_temporary_folder(settings, tmp_path):
    # Export jobs and the kept PDFs of versions: never the checkout's var/exports.
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    # DEBUG is off, so the manifest storage would want `collectstatic` run first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _user(username, role, organisation=None, **extra):
    user = User(username=username, role=role, organisation=organisation, **extra)
    user.set_password(PASSWORD)
    user.full_clean()
    user.save()
    return user


@pytest.fixture
def orgs(db):
    minhang = Organisation.objects.create(name="闵行区财政局", level="bureau")
    civil = Organisation.objects.create(
        name="上海市闵行区民政局", level="department", parent=minhang
    )
    centre = Organisation.objects.create(
        name="上海市闵行区老龄事业发展中心", level="unit", parent=civil
    )
    city = Organisation.objects.create(name="上海市财政局", level="bureau")
    federation = Organisation.objects.create(
        name="上海市残疾人联合会", level="department", parent=city
    )
    return Orgs(minhang, civil, centre, city, federation)


@pytest.fixture
def personas(orgs):
    return Personas(
        filer=_user("filer", "filer", orgs.elderly_centre),
        department_filer=_user("dept_filer", "filer", orgs.civil_affairs),
        department_reviewer=_user("dept_reviewer", "department_reviewer", orgs.civil_affairs),
        finance_reviewer=_user("finance_reviewer", "finance_reviewer", orgs.minhang_bureau),
        outsider=_user("outsider", "filer", orgs.disabled_federation),
        outside_finance_reviewer=_user("city_finance", "finance_reviewer", orgs.city_bureau),
        admin=_user("admin", "admin", None, is_staff=True, is_superuser=True),
    )


@pytest.fixture
def filings(orgs):
    """One filing per organisation below the bureaus, named after its owner."""
    return {
        "centre": make_filing(orgs.elderly_centre, name="老龄中心项目"),
        "civil": make_filing(orgs.civil_affairs, name="民政局项目"),
        "federation": make_filing(orgs.disabled_federation, name="残联项目"),
    }
