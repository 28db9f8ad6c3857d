"""Two app servers behind nginx on one machine, as deploy/ installs them, serve one site.

PostgreSQL and Redis are the machine's own services (a throwaway database, a
Redis key prefix of this run); two gunicorn instances run the command of
``perfgoals-web@.service`` on two free loopback ports with the settings of
``deploy/perfgoals.env``; two Celery workers run ``perfgoals-worker@.service``'s;
nginx runs the shipped site (adapted to loopback, a self-signed certificate).
Then, over HTTPS through nginx, whose round robin alternates between the two:
``check_deployment`` passes; a filer logs in, autosaves and submits; a finance
reviewer approves; an export job started through one app server is downloaded
through the other; and one app server is stopped in the middle of a filer's
autosaves without a save lost: nginx sends what it refuses to the other.

On PostgreSQL only (the app servers share a database server; the run's own
credentials are used): ``DATABASE_URL=postgres://… pytest tests/ops``. The
timings and the check's output are written to
``test-artifacts/two_app_servers.txt``.
"""

import itertools
import re
import threading
import time
import uuid

import pytest
import requests
from django.conf import settings

from tests.helpers import deploy, stack

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the app servers share a PostgreSQL server: run with DATABASE_URL=postgres://…",
)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOCK_VERSION = re.compile(r'name="lock_version" value="(\d+)"')
SEEN_VERSION = re.compile(r'name="seen_version" value="(\d+)"')
ARTIFACT = deploy.ROOT / "test-artifacts" / "two_app_servers.txt"
SAVES = 16


class Person:
    """A browser of one user: HTTPS through nginx, cookies, the CSRF token of its pages."""

    def __init__(self, site, username):
        self.site = site
        self.http = requests.Session()
        # The test's certificate only; a machine's REQUESTS_CA_BUNDLE would take its place.
        self.http.trust_env = False
        self.http.verify = str(site.certificate)
        page = self.get("/accounts/login/")
        self.stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text)[1]
        response = self.post(
            "/accounts/login/",
            {"username": username, "password": site.password, "csrfmiddlewaretoken": _csrf(page)},
        )
        assert response.status_code == 302, response.text[:500]

    def get(self, path, **kwargs):
        response = self.http.get(self.site.url + path, allow_redirects=False, **kwargs)
        self.site.served(response)
        return response

    def post(self, path, data, files=None, **headers):
        headers = {"Referer": self.site.url + path, **headers}
        if "csrftoken" in self.http.cookies:
            headers["X-CSRFToken"] = self.http.cookies["csrftoken"]
        response = self.http.post(
            self.site.url + path, data=data, files=files, headers=headers, allow_redirects=False
        )
        self.site.served(response)
        return response

    def autosave(self, filing, fields, marker, version):
        """One autosave of the goals step, as wizard.js sends it; the new lock version."""
        data = {
            **fields,
            "annual_goal": f"{fields['annual_goal']}{marker}",
            "lock_version": version,
            "nav": "autosave",
        }
        path = f"/filings/{filing}/edit/goals/"
        response = self.post(path, data, **{"X-Autosave": "1", "Accept": "application/json"})
        assert response.status_code == 200, (marker, response.status_code, response.text[:300])
        return response.json()["lock_version"]


def _csrf(page):
    assert page.status_code == 200, page.status_code
    return CSRF.search(page.text).group(1)


def test_two_app_servers_behind_nginx_serve_one_site(tmp_path):
    with stack.Stack(tmp_path) as site:
        report = [f"set-up: {site.timings}"]
        report += _check_deployment_passes(site)
        started = time.monotonic()
        filing = site.lookup["returned"]
        filer = Person(site, "filer_cdpf")
        version = int(LOCK_VERSION.search(filer.get(f"/filings/{filing}/edit/goals/").text)[1])
        for n in range(1, 4):
            version = filer.autosave(filing, site.lookup["fields"], f"〔两台-{n}〕", version)
        response = filer.post(f"/filings/{filing}/submit/", {"lock_version": version})
        assert (response.status_code, response.headers["Location"]) == (302, f"/filings/{filing}/")
        # Static files come from nginx itself (STATIC_ROOT), hashed names cached for a year.
        static = filer.http.get(site.url + filer.stylesheet)
        assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]
        # Login page, login, wizard, three autosaves, submit: one app server, then the other.
        served = site.upstreams()
        assert len(served) == 7 and all(a != b for a, b in itertools.pairwise(served)), served
        report.append(f"filer: login, 3 autosaves, submit: {time.monotonic() - started:.2f} s")
        _workbooks_too_large_are_refused_in_chinese(filer)

        started = time.monotonic()
        reviewer = Person(site, "finance_city")
        page = reviewer.get(f"/filings/{filing}/review/")
        sheet = {"grade": "良", "completeness": "良", "relevance": "良"}
        sheet |= {"appropriateness": "良", "feasibility": "良"}
        response = reviewer.post(
            f"/filings/{filing}/review/decide/",
            {"seen_version": SEEN_VERSION.search(page.text)[1], "decision": "approve", **sheet},
        )
        assert response.status_code == 302, response.text[:500]
        assert "已批复" in reviewer.get(f"/filings/{filing}/").text
        report.append(f"reviewer: login, review page, approve: {time.monotonic() - started:.2f} s")

        report.append(_export_through_one_download_through_the_other(site, reviewer))
        report += _one_server_stops_while_a_filer_saves(site, filer)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text("\n".join(report) + "\n", encoding="utf-8")
    print("\n".join(report))


def _check_deployment_passes(site):
    """check_deployment with the web's settings: every line 通过 (the workers may be starting)."""
    started = time.monotonic()
    result = deploy.wait_for(lambda: site.check_deployment(), site.workers[0])
    lines = result.stdout.splitlines()
    assert lines[-1] == "全部 10 项通过。", result.stdout
    assert all(line.startswith("通过") for line in lines[:-1]), result.stdout
    assert "导出服务：2 个应答" in result.stdout
    return ["check_deployment:", *lines, f"(answered in {time.monotonic() - started:.1f} s)"]


def _workbooks_too_large_are_refused_in_chinese(filer):
    """Just above the app's limit, the app says why; far above nginx's, nginx's page does."""
    limit = settings.EXCEL_UPLOAD_MAX_BYTES
    token = _csrf(filer.get("/filings/import-excel/"))
    cases = ((limit + 2**19, 400, "上限为 5 MB"), (limit + 2**21, 413, "上传的文件太大"))
    for size, status, said in cases:
        workbook = {"file": ("申报表.xlsx", b"PK\x03\x04" + bytes(size))}
        response = filer.post("/filings/import-excel/", {"csrfmiddlewaretoken": token}, workbook)
        assert response.status_code == status and said in response.text, response.text[:300]


def _export_through_one_download_through_the_other(site, reviewer):
    started = time.monotonic()
    page = reviewer.get("/filings/exports/")
    response = reviewer.post(
        "/filings/exports/start/",
        {
            "csrfmiddlewaretoken": _csrf(page),
            "organisation": site.lookup["organisation"],
            "year": 2024,
            "kind": "project_bundle",
            "form": "",
            "filing_status": "approved",
        },
    )
    assert response.status_code == 302, response.text[:500]
    job = uuid.UUID(response.headers["Location"].rsplit("#job-", 1)[1])
    started_on = site.upstreams()[-1]
    deadline = time.monotonic() + 90
    while (state := reviewer.get(f"/filings/exports/{job}/").json())["status"] != "done":
        assert state["status"] in ("queued", "running") and time.monotonic() < deadline, state
        time.sleep(0.5)
    if site.upstreams()[-1] != started_on:  # round robin: the next request goes to the other
        reviewer.get(f"/filings/exports/{job}/")
    download = reviewer.get(state["download_url"])
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert site.upstreams()[-1] != started_on
    return f"export job started on {started_on}, downloaded from {site.upstreams()[-1]}: " + (
        f"{time.monotonic() - started:.2f} s"
    )


def _one_server_stops_while_a_filer_saves(site, filer):
    """The filer saves back to back while one app server is stopped, as an upgrade does."""
    filing, fields = site.lookup["draft"], site.lookup["draft_fields"]
    version = int(LOCK_VERSION.search(filer.get(f"/filings/{filing}/edit/goals/").text)[1])
    before = len(site.upstreams())
    saved, durations, errors = threading.Event(), [], []

    def save_all(version):
        try:
            for n in range(1, SAVES + 1):
                started = time.monotonic()
                version = filer.autosave(filing, fields, f"〔停机-{n:02d}〕", version)
                durations.append(time.monotonic() - started)
                if n == 4:
                    saved.set()
        except Exception as error:  # the main thread reports it
            errors.append(error)
            saved.set()

    saving = threading.Thread(target=save_all, args=(version,))
    saving.start()
    assert saved.wait(60)
    # The app server is busy when it is stopped, as it is at a busy hour: a PDF of the
    # draft is being laid out on it. Saves sent to it meanwhile wait in its queue.
    downloading = _download_from(site, site.web_ports[0], filer, f"/filings/{filing}/pdf/")
    time.sleep(0.3)
    # As `systemctl stop perfgoals-web@PORT` does: SIGTERM to gunicorn's main process.
    started = time.monotonic()
    deploy.stop(site.web[0])
    stopping = time.monotonic() - started
    saving.join(120)
    assert not errors, (errors, site.logs())
    downloading.join(60)
    assert downloading.response.content.startswith(b"%PDF"), "a request under way finishes"
    assert len(durations) == SAVES
    page = filer.get(f"/filings/{filing}/edit/goals/").text
    assert f"〔停机-{SAVES}〕" in page, "the last save is the one kept"
    assert f"〔停机-{SAVES - 1:02d}〕" not in page
    served = site.upstreams()[before:]
    retried = [entry for entry in served if "," in entry]
    assert retried, f"no request was sent on to the other server: {served}"
    assert served[-1] == site.address(1)
    return [
        f"app server {site.address(0)} stopped (SIGTERM) while laying out a PDF, during "
        f"{SAVES} back-to-back autosaves, after the 4th (it took {stopping:.2f} s to finish "
        "the PDF and exit); the PDF and every save answered 200",
        f"requests nginx sent on to the other app server: {retried}",
        "autosaves through nginx, s: " + " ".join(f"{value:.3f}" for value in durations),
    ]


def _download_from(site, port, person, path):
    """A thread that GETs ``path`` from the app server on ``port`` itself, as nginx would."""
    http = requests.Session()
    http.trust_env = False
    headers = {
        "Host": f"127.0.0.1:{site.https_port}",
        "X-Forwarded-Proto": "https",
        "Cookie": f"sessionid={person.http.cookies['sessionid']}",
    }
    thread = threading.Thread(
        target=lambda: setattr(
            thread, "response", http.get(f"http://127.0.0.1:{port}{path}", headers=headers)
        )
    )
    thread.start()
    return thread
