"""The database goes down under a running app: a Chinese 503 page, then recovery by itself.

On PostgreSQL only: a private cluster (benchmarks/cluster.py, port 55433) is
started, the app is served from it by gunicorn in a subprocess (port 8650-8659),
the cluster is stopped (as an outage cuts every connection) and started again,
and the same gunicorn must answer 200 without being restarted. The machine's
shared PostgreSQL is never touched. SQLite is a file inside the app's process,
with no server to go down, so the live test is skipped there; the handler's
choice between 503 and 500 is checked in-process on both.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import RequestFactory

from benchmarks import cluster
from perfgoals import outage

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8650, 8660)

# Static files by name, not through collectstatic's manifest: the test serves no assets.
SETTINGS = """\
from perfgoals.settings import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""

LOGIN = """\
from django.test import Client
from accounts.models import User
user = User.objects.create_superuser("outage", password="not-used-1234", role="admin")
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""


def _handled(exc, **headers):
    """What handler500 answers while ``exc`` is being handled."""
    request = RequestFactory().get("/filings/", **headers)
    try:
        raise exc
    except Exception:
        return outage.server_error(request)


def test_a_database_error_is_a_chinese_503_with_retry_after():
    response = _handled(OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "数据库暂时无法连接" in html and "请稍后再试" in html
    assert "connection refused" not in html and "OperationalError" not in html


def test_an_autosave_during_an_outage_gets_json_its_script_shows():
    response = _handled(OperationalError("server closed the connection"), HTTP_X_AUTOSAVE="1")
    assert response.status_code == 503
    answer = json.loads(response.content)
    assert answer["ok"] is False
    assert "数据库暂时无法连接" in answer["error"] and "输入已保留" in answer["error"]


def test_any_other_error_is_still_the_500_page(db):
    response = _handled(ValueError("a bug"))
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()


def _free_port():
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _get(port, path, session, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session}", **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def served(tmp_path):
    """(cluster, port, session id) of gunicorn serving the app from a private cluster."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("SQLite has no database server to stop; run with DATABASE_URL=postgres://…")
    reason = cluster.available()
    if reason:
        pytest.skip(f"no private PostgreSQL cluster: {reason}")
    (tmp_path / "outage_settings.py").write_text(SETTINGS)
    with cluster.Cluster() as pg:
        env = {
            **os.environ,
            "DATABASE_URL": pg.create_database("perfgoals"),
            "DJANGO_SETTINGS_MODULE": "outage_settings",
            "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
            "DEBUG": "0",
            "SECURE_COOKIES": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        session = subprocess.run(
            [python, "manage.py", "shell", "-c", LOGIN],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]  # after the shell's "… objects imported automatically"
        port = _free_port()
        gunicorn = Path(python).with_name("gunicorn")
        log = (tmp_path / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [str(gunicorn), "perfgoals.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 20
            while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            yield pg, port, session, server
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()


def test_pages_say_the_database_is_down_and_recover_by_themselves(served):
    pg, port, session, server = served
    status, _headers, html = _get(port, "/filings/", session)
    assert status == 200, html[-2000:]

    pg.stop()
    for path in ("/filings/", "/filings/mine/", "/filings/queue/", "/filings/1/"):
        status, headers, html = _get(port, path, session)
        assert status == 503, (path, status)
        assert headers["Retry-After"] == "30"
        assert "数据库暂时无法连接" in html and "请稍后再试" in html
        assert "Traceback" not in html and "psycopg" not in html
    status, headers, body = _get(port, "/filings/", session, Accept="application/json")
    assert status == 503 and "输入已保留" in json.loads(body)["error"]

    pg.start()
    deadline = time.monotonic() + 10
    while True:
        status, _headers, html = _get(port, "/filings/", session)
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200, html[-2000:]
    assert server.poll() is None  # the same gunicorn, never restarted
    # Every page and this user's session work again, not only the first page asked.
    assert _get(port, "/filings/mine/", session)[0] == 200
