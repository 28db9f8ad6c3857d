"""On SQLite, a second writer waits its turn and is told why, never "database is locked".

SQLite lets one writer in at a time. With Django's default (deferred)
transactions, a transition that reads the filing and then writes is refused
at once when another one got in first: a double click on 审核通过 showed the
503 page "数据库暂时无法连接". Immediate transactions (perfgoals/settings.py)
make the second click wait, find the filing already decided and say so.

The test database of a SQLite run lives in memory, shared between threads
through SQLite's shared cache, whose table locks never wait: the race runs in
a subprocess on a file, as the demo runs. A busy database that still times out
is a short "系统繁忙" 503, never the outage page (perfgoals/outage.py).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from perfgoals import outage

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = """\
from perfgoals.settings import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
"""

# Two reviewers' pages post 审核通过 for the same filing at the same moment, for a few
# filings; prints what each click got back.
RACE = """\
import datetime
import html
import json
import re
import threading
from decimal import Decimal

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

call_command("migrate", verbosity=0)

from review import workflow
from accounts.models import Organisation, User
from review.models import Transition
from tests.conftest import make_filing
from tests.factories import full_sheet
from tests.helpers.excel import export, find, rich_project, saved, workbook

bureau = Organisation.objects.create(name="闵行区财政局", level="bureau")
department = Organisation.objects.create(
    name="上海市闵行区民政局", level="department", parent=bureau
)
unit = Organisation.objects.create(
    name="上海市闵行区老龄事业发展中心", level="unit", parent=department
)
filer = User.objects.create_user("filer", role="filer", organisation=unit)
reviewers = [
    User.objects.create_user(name, role="department_reviewer", organisation=department)
    for name in ("dept_reviewer", "dept_reviewer_2")
]
SHEET = {"decision": "approve", **full_sheet()}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def logged_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def race(clients, url, data):
    \"\"\"The clients post ``data`` to ``url`` at the same moment: [status, page] of each.\"\"\"
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def click(index, client):
        try:
            barrier.wait()
            response = client.post(url, data)
            answers[index] = [response.status_code, response.content.decode()]
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=item) for item in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def ready(name):
    return make_filing(
        unit,
        name=name,
        department=department.name,
        implementing_unit=unit.name,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        annual_total=Decimal("100000"),
        annual_appropriation=Decimal("100000"),
        annual_goal="完成年度培训任务。",
    )


decisions = []
for number in range(ROUNDS):
    filing = ready(f"并发审核{number}")
    workflow.submit(filing, filer, seen_version=filing.lock_version)
    filing.refresh_from_db()
    workflow.open_review(filing, reviewers[0])
    filing.refresh_from_db()
    answers = race(
        [logged_in(reviewer) for reviewer in reviewers],
        reverse("review:decide", args=[filing.pk]),
        {**SHEET, "seen_version": filing.lock_version},
    )
    count = Transition.objects.filter(filing=filing, action="department_approve").count()
    decisions.append({"answers": answers, "transitions": count})

confirms = []
for number in range(ROUNDS):
    filing = rich_project(unit, name=f"并发导入{number}")
    book = workbook(export(filing))
    row, col = find(book.worksheets[0], "培训人数")
    book.worksheets[0].cell(row, col).value = f"参训人数{number}"
    client = logged_in(filer)
    preview = client.post(
        reverse("importers:upload_excel", args=[filing.pk]),
        {"file": SimpleUploadedFile("申报.xlsx", saved(book), content_type=XLSX)},
    )
    page = preview.content.decode()
    payload = html.unescape(re.search(r'name="payload" value="([^"]*)"', page)[1])
    answers = race(
        [client, logged_in(filer)],
        reverse("importers:upload_excel_confirm", args=[filing.pk]),
        {"payload": payload},
    )
    filing.refresh_from_db()
    confirms.append({"answers": answers, "lock_version": filing.lock_version})

print("RESULTS " + json.dumps({"decisions": decisions, "confirms": confirms}, ensure_ascii=False))
"""

ROUNDS = 4


def _race(tmp_path):
    (tmp_path / "race_settings.py").write_text(SETTINGS)
    (tmp_path / "race.py").write_text(f"ROUNDS = {ROUNDS}\n" + RACE)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "race_settings",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    run = subprocess.run(
        [sys.executable, str(tmp_path / "race.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(line for line in run.stdout.splitlines() if line.startswith("RESULTS "))
    return json.loads(line.removeprefix("RESULTS "))


@pytest.fixture(scope="module")
def raced(tmp_path_factory):
    return _race(tmp_path_factory.mktemp("race"))


def _one_done_one_told(answers, done_status):
    statuses = sorted(status for status, _ in answers)
    assert not any("数据库暂时无法连接" in page or "系统繁忙" in page for _, page in answers)
    assert statuses == sorted([done_status, 409]), statuses
    return next(page for status, page in answers if status == 409)


def test_a_double_click_on_approve_on_sqlite_is_told_the_filing_is_decided(raced):
    for result in raced["decisions"]:
        second = _one_done_one_told(result["answers"], 302)
        # The workflow's own words: the filing moved on while the page was open.
        assert "不在您的审核环节" in second or "请刷新页面" in second
        assert result["transitions"] == 1


def test_a_double_click_on_an_import_confirm_on_sqlite_is_told_it_is_saved(raced):
    for result in raced["confirms"]:
        second = _one_done_one_told(result["answers"], 302)
        assert "已被修改" in second
        assert result["lock_version"] == 1  # one import saved, not two


# --- a write that still waited too long ----------------------------------------------


def _handled(exc, **headers):
    request = RequestFactory().post("/filings/1/review/decide/", **headers)
    try:
        raise exc
    except Exception:
        return outage.server_error(request)


@pytest.mark.parametrize("message", ["database is locked", "database table is locked"])
def test_a_locked_database_is_busy_not_an_outage(db, message):
    response = _handled(OperationalError(message))
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.BUSY_RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "系统繁忙" in html and "请稍后重试" in html
    assert "数据库暂时无法连接" not in html
    assert message not in html


def test_a_locked_database_answers_a_script_in_json(db):
    response = _handled(OperationalError("database is locked"), HTTP_X_AUTOSAVE="1")
    assert response.status_code == 503
    answer = json.loads(response.content)
    assert answer["ok"] is False and "系统繁忙" in answer["error"]


@pytest.mark.parametrize("attribute", ["pgcode", "sqlstate"])  # psycopg2, psycopg 3
def test_a_lock_timeout_on_postgresql_is_busy_too(db, attribute):
    cause = type("LockNotAvailable", (Exception,), {attribute: "55P03"})()
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = cause
    assert outage.is_busy(error) and not outage.is_outage(error)
    assert _handled(error).status_code == 503
    assert outage.is_outage(OperationalError("connection refused"))
