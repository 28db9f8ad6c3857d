"""scripts/backup.sh and scripts/restore.sh: dump, wipe, restore, and the same data comes back.

The real tools on a database of the test's own (never the pytest test database, never
DATABASE_URL's): PostgreSQL when the suite runs on PostgreSQL (a throwaway database on
the same server, dropped at the end), an SQLite file when it runs on SQLite. Commands
run in subprocesses with the throwaway database's URL in their environment, as an
operator runs them.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import ROOT

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
DEMO_PASSWORD = "perfgoals-demo"
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")

postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="the PostgreSQL cycle runs when the suite runs on PostgreSQL"
)
sqlite_only = pytest.mark.skipif(
    ON_POSTGRES, reason="the SQLite cycle runs when the suite runs on SQLite"
)


def _env(database_url, tmp_path):
    env = {name: os.environ[name] for name in KEPT if name in os.environ}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="perfgoals.settings",
        # Plain HTTP through django.test.Client, as the demo serves.
        SECURE_COOKIES="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        EXPORT_ROOT=str(tmp_path / "exports"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "attachments"),
    )
    return env


def _run(env, *args):
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _ok(done):
    assert done.returncode == 0, f"{done.args}\n{done.stdout}\n{done.stderr}"
    return done


def _manage(env, *args):
    return _ok(_run(env, sys.executable, "manage.py", *args))


def _django(env, code):
    """Run ``code`` after django.setup() in a new process; it prints one JSON value last.

    ``PASSWORD`` is the demo accounts' password there. As in tests/conftest.py: plain
    static storage (no collectstatic) and a fast password hasher (PBKDF2 would take most
    of the test's time; a hash is restored as bytes whatever its algorithm).
    """
    prelude = (
        f"import django, io, json; django.setup(); PASSWORD = {DEMO_PASSWORD!r}\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "settings.STORAGES = {**settings.STORAGES, 'staticfiles': {'BACKEND':\n"
        "  'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
        "settings.PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']\n"
    )
    done = _ok(_run(env, sys.executable, "-c", prelude + code))
    return json.loads(done.stdout.strip().splitlines()[-1])


# The demo, then through the app's own functions, as reviewers and users do it: a
# department approval with a comment on an indicator row, a finance approval that makes a
# version official, a login (a session and an audit row) and a download in the audit log;
# a returned filing given an attachment and submitted again, so that a version lists it.
DEMO_AND_CHANGES = """
call_command("migrate", verbosity=0)
call_command("load_demo", stdout=io.StringIO())

from django.test import Client
from audit import log
from audit.models import AuditEvent
from review import workflow
from review.models import Comment, Review
from filings.models import Filing
from accounts.models import User

dept = User.objects.get(username="dept_reviewer")
filing = Filing.objects.get(status="department_review", form="unit")
review = workflow.open_review(filing, dept)
row = filing.indicators.order_by("order").first()
Comment.objects.create(
    filing=filing, version=review.version, part=Comment.Part.INDICATORS, row_key=row.key,
    body="备份演练：请核对该指标的目标值。", author=dept, author_name=dept.first_name,
)
workflow.decide(filing, dept, seen_version=filing.lock_version,
                decision=Review.Decision.APPROVE, sheet={"grade": "优"}, comment="同意")

finance = User.objects.get(username="finance_reviewer")
summary = Filing.objects.get(status="finance_review", form="department")
workflow.decide(summary, finance, seen_version=summary.lock_version,
                decision=Review.Decision.APPROVE, sheet={"grade": "优"})
summary.refresh_from_db()
assert summary.approved_version_id is not None

login = {"username": "filer", "password": PASSWORD}
assert Client().post("/accounts/login/", login).status_code == 302
log.record(AuditEvent.Action.DOWNLOAD, user=finance, filing=summary, description="备份演练")

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from attachments import services as attachments

returned = Filing.objects.get(status="returned")
filer = User.objects.get(username="filer_cdpf")
writer, pdf = PdfWriter(), io.BytesIO()
writer.add_blank_page(width=595, height=842)
writer.write(pdf)
attachments.add(returned, filer, SimpleUploadedFile("测算明细.pdf", pdf.getvalue()), "calculation")
version = workflow.submit(returned, filer, seen_version=returned.lock_version)
assert version.snapshot["attachments"][0]["name"] == "测算明细.pdf"
print(json.dumps(summary.pk))
"""

# Everything a restore must bring back: every table's rows (dumpdata of every app, in pk
# order), the row count of every table, the versions with their content hashes recomputed
# from their snapshots, and the audit log.
STATE = """
from django.db import connection
from audit.models import AuditEvent
from filings.models import FilingVersion, content_hash

state = {}
counts = state["counts"] = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
call_command("dumpdata", indent=1, output=OUT)
state["versions"] = [
    [v.filing_id, v.number, v.content_hash, content_hash(v.snapshot)]
    for v in FilingVersion.objects.order_by("pk")
]
state["audit"] = list(AuditEvent.objects.order_by("pk").values_list("pk", "action", "username"))
from attachments.models import Attachment
state["attachments"] = list(Attachment.objects.order_by("pk").values_list("stored_name", "sha256"))
"""

# After STATE: logging in writes a session and audit rows (the sequences came back too).
LOGIN = """
from django.contrib.sessions.models import Session
from django.test import Client

def logs_in(username, password):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and client.get("/").status_code in (200, 302)

state["login"] = [logs_in("dept_reviewer", PASSWORD), logs_in("finance_reviewer", "wrong")]
state["sessions_after_login"] = Session.objects.count()
"""


def _state(env, folder, then=""):
    """The JSON export of every filing, the dumpdata of everything, STATE's figures.

    ``then`` runs after STATE in the same process and may add to ``state``.
    """
    folder.mkdir()
    code = (
        f"call_command('export_json', output={str(folder / 'filings.json')!r})\n"
        f"OUT = {str(folder / 'all.json')!r}\n"
    )
    state = _django(env, code + STATE + then + "\nprint(json.dumps(state))")
    state["filings.json"] = (folder / "filings.json").read_bytes()
    state["all.json"] = (folder / "all.json").read_bytes()
    return state


def _backup(env, folder):
    """The dump; the attachments' archive is beside it, FOLDER/<dump's stem>.attachments.tar."""
    done = _ok(_run(env, "scripts/backup.sh", str(folder)))
    written = sorted(path.name for path in folder.iterdir())
    (dump,) = [folder / name for name in written if not name.endswith((".sha256", ".tar"))]
    archive = folder / f"{dump.stem}.attachments.tar"
    assert written == sorted(
        [dump.name, f"{dump.name}.sha256", archive.name, f"{archive.name}.sha256"]
    ), done.stdout
    # Password hashes and sessions are in them, and the files people attached: readable
    # by their owner only.
    assert all((folder / name).stat().st_mode & 0o077 == 0 for name in written)
    return dump


def _restore(env, dump, *args, **extra_env):
    return _run({**env, **extra_env}, "scripts/restore.sh", str(dump), *args)


SESSIONS = """
from django.contrib.sessions.models import Session
print(json.dumps(Session.objects.count()))
"""


def _files(tmp_path):
    """Every file in the attachments' folder, by its name there, with its SHA-256."""
    root = tmp_path / "attachments"
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def _cycle(env, tmp_path, wipe):
    """Load the demo and change it; back up, wipe, restore: everything comes back as it was.

    Then, on the restored database with a login more: a damaged backup and a restore over
    a non-empty database are refused and change nothing; --force brings the backup back;
    the same backup without its attachments' archive (one made before backups held them)
    restores too, and says so.
    """
    _django(env, DEMO_AND_CHANGES)
    before = _state(env, tmp_path / "before")
    assert before["counts"]["django_session"] >= 1
    assert any(action == "transition" for _, action, _ in before["audit"])
    # The demo's 立项依据 and the 测算明细 added above: every file, by its name, with its hash.
    stored = dict(before["attachments"])
    assert len(stored) == 2 and _files(tmp_path) == stored

    dump = _backup(env, tmp_path / "backups")
    wipe()
    shutil.rmtree(tmp_path / "attachments")
    restored = _ok(_restore(env, dump))
    after = _state(env, tmp_path / "after", then=LOGIN)

    # The attached file is back, byte for byte, and the versions that list it check clean.
    assert _files(tmp_path) == stored
    for stored_name in stored:
        assert (tmp_path / "attachments" / stored_name).stat().st_mode & 0o077 == 0
    assert "Restored the attachments" in restored.stdout and "2 files" in restored.stdout
    assert after["attachments"] == before["attachments"]
    assert "未发现问题" in _manage(env, "check_integrity").stdout

    assert after["filings.json"] == before["filings.json"]
    assert after["all.json"] == before["all.json"]
    assert after["counts"] == before["counts"]
    assert after["audit"] == before["audit"]
    assert after["versions"] == before["versions"]
    assert all(stored == recomputed for _, _, stored, recomputed in after["versions"])
    assert f"filings {before['counts']['filings_filing']}," in restored.stdout
    assert "Schema matches" in restored.stdout
    # The password hashes came back intact, and the restored database takes new rows.
    assert after["login"] == [True, False]
    sessions = before["counts"]["django_session"]
    assert after["sessions_after_login"] == sessions + 1

    damaged = tmp_path / "damaged" / dump.name
    damaged.parent.mkdir()
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    (damaged.parent / f"{dump.name}.sha256").write_bytes(
        (dump.parent / f"{dump.name}.sha256").read_bytes()
    )
    done = _restore(env, damaged, FORCE="1")
    assert done.returncode != 0
    assert "Checksum mismatch" in done.stderr and "Nothing was restored" in done.stderr

    done = _restore(env, dump)
    assert done.returncode != 0
    assert "Refusing to restore" in done.stderr and "not empty" in done.stderr
    assert "--force" in done.stderr
    # Neither refusal touched the database: the login's session is still there.
    assert _django(env, SESSIONS) == sessions + 1

    done = _ok(_restore(env, dump, "--force"))
    assert "Schema matches" in done.stdout
    assert _django(env, SESSIONS) == sessions

    old = tmp_path / "old" / dump.name
    old.parent.mkdir()
    for name in (dump.name, f"{dump.name}.sha256"):
        shutil.copy(dump.parent / name, old.parent / name)
    done = _ok(_restore(env, old, "--force"))
    assert "No attachments in this backup" in done.stdout
    assert "Schema matches" in done.stdout
    assert _files(tmp_path) == stored  # the folder left as it was


# PostgreSQL


@pytest.fixture
def postgres_database():
    """A new database on the test server, of this test alone; dropped afterwards."""
    import psycopg2

    db = settings.DATABASES["default"]
    name = f"perfgoals_backup_test_{uuid.uuid4().hex[:10]}"
    server = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname="postgres",
    )
    server.autocommit = True  # CREATE/DROP DATABASE refuse to run in a transaction

    def create():
        with server.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')

    def wipe():
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        create()

    create()
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    try:
        yield url, wipe
    finally:
        assert name.startswith("perfgoals_backup_test_")  # only ever our own
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


@postgres_only
def test_postgres_backup_and_restore(postgres_database, tmp_path):
    url, wipe = postgres_database
    _cycle(_env(url, tmp_path), tmp_path, wipe)


# SQLite


@sqlite_only
def test_sqlite_backup_and_restore(tmp_path):
    path = tmp_path / "db" / "perfgoals.sqlite3"
    path.parent.mkdir()
    _cycle(_env(f"sqlite:///{path}", tmp_path), tmp_path, wipe=path.unlink)


def test_backup_needs_a_folder_and_restore_a_checksum(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'missing.sqlite3'}", tmp_path)
    done = _run(env, "scripts/backup.sh")
    assert done.returncode == 2 and "BACKUP_DIR" in done.stderr
    done = _run(env, "scripts/backup.sh", str(tmp_path / "backups"))
    assert done.returncode != 0 and "No SQLite database" in done.stderr
    assert not list((tmp_path / "backups").iterdir())  # no half-written file left

    lone = tmp_path / "lone.sqlite3"
    lone.write_bytes(b"SQLite format 3\x00")
    done = _restore(env, lone)
    assert done.returncode != 0 and "No checksum file" in done.stderr
    assert not Path(tmp_path / "missing.sqlite3").exists()


def _with_checksum(path):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_name(f"{path.name}.sha256").write_text(f"{digest}  {path.name}\n")


def _hostile_archive(path, member):
    """A tar beside a backup, with a harmless file and ``member`` (a TarInfo) after it."""
    with tarfile.open(path, "w") as archive:
        harmless = tarfile.TarInfo("5e/harmless")
        harmless.size = 2
        archive.addfile(harmless, BytesIO(b"ok"))
        if member.isreg():
            member.size = 6
            archive.addfile(member, BytesIO(b"escape"))
        else:
            archive.addfile(member)
    _with_checksum(path)


def _member(name, kind=tarfile.REGTYPE, target=""):
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, target
    return member


@pytest.mark.parametrize(
    "member",
    [
        _member("../escape"),
        _member("5e/../../escape"),
        _member("/tmp/perfgoals-backup-test-escape"),
        _member("5e/link", tarfile.SYMTYPE, "../../escape"),
        _member("5e/hard", tarfile.LNKTYPE, "/etc/passwd"),
    ],
    ids=["dotdot", "inner-dotdot", "absolute", "symlink", "hardlink"],
)
def test_restore_refuses_an_archive_that_writes_outside_the_folder(tmp_path, member):
    """Checked before anything is touched: no database, no file inside or outside the folder."""
    target = tmp_path / "restored.sqlite3"
    env = _env(f"sqlite:///{target}", tmp_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    dump = backups / "perfgoals-perfgoals-20261207T020000Z.sqlite3"
    with sqlite3.connect(dump) as database:
        database.execute("CREATE TABLE t (x)")
    database.close()
    _with_checksum(dump)
    _hostile_archive(backups / "perfgoals-perfgoals-20261207T020000Z.attachments.tar", member)

    done = _restore(env, dump)
    assert done.returncode != 0
    assert "Refusing the attachments archive" in done.stderr
    assert "Nothing was restored" in done.stderr
    assert not target.exists()
    assert not (tmp_path / "attachments").exists()
    assert not (tmp_path / "escape").exists()
    assert not Path("/tmp/perfgoals-backup-test-escape").exists()


@pytest.mark.parametrize("damage", ["changed", "no checksum"])
def test_restore_refuses_a_damaged_archive_before_touching_anything(tmp_path, damage):
    target = tmp_path / "restored.sqlite3"
    env = _env(f"sqlite:///{target}", tmp_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    dump = backups / "perfgoals-perfgoals-20261207T020000Z.sqlite3"
    with sqlite3.connect(dump) as database:
        database.execute("CREATE TABLE t (x)")
    database.close()
    _with_checksum(dump)
    tar = backups / "perfgoals-perfgoals-20261207T020000Z.attachments.tar"
    _hostile_archive(tar, _member("5e/second"))
    if damage == "changed":
        content = bytearray(tar.read_bytes())
        content[600] ^= 0xFF  # inside the first file's bytes
        tar.write_bytes(bytes(content))
    else:
        tar.with_name(f"{tar.name}.sha256").unlink()

    done = _restore(env, dump)
    assert done.returncode != 0
    assert tar.name in done.stderr
    expected = "Checksum mismatch" if damage == "changed" else "No checksum file"
    assert expected in done.stderr and "othing was restored" in done.stderr
    assert not target.exists()
    assert not (tmp_path / "attachments").exists()
