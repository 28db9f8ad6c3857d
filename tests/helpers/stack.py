"""A whole site on this machine, as deploy/ installs it: nginx, two app servers, two workers.

Used by tests/ops/test_two_app_servers.py. Everything it starts is its own and
is stopped, and everything it makes is removed, on failure too: a throwaway
PostgreSQL database on the run's server (dropped WITH (FORCE)), Redis keys under
a prefix of its own, processes in sessions of their own (killed as groups),
files in the test's temporary folder. Only ``staticfiles/`` of the checkout is
written, by collectstatic, as on a server.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import psycopg2
import redis
from django.conf import settings

from tests.helpers import deploy

# What the test needs to know of the demo (fixtures/demo.json), as JSON on the last line.
LOOKUP = """
import json
from filings.models import Filing
from accounts.models import Organisation
def goals(filing):
    return {
        "goal_start_year": str(filing.goal_start_year or ""),
        "goal_end_year": str(filing.goal_end_year or ""),
        "overall_goal": filing.overall_goal,
        "annual_goal": filing.annual_goal,
    }
returned = Filing.objects.get(name="残疾人事业宣传经费", year=2024, status="returned")
draft = Filing.objects.get(name="残疾预防与康复经费", year=2024, status="draft")
print(json.dumps({
    "returned": returned.pk, "fields": goals(returned),
    "draft": draft.pk, "draft_fields": goals(draft),
    "organisation": Organisation.objects.get(name="上海市残疾人联合会").pk,
}))
"""


class Stack:
    """``with Stack(tmp_path) as site:`` the site at ``site.url`` (HTTPS, through nginx)."""

    def __init__(self, folder):
        self.folder = folder
        self.name = f"perfgoals_deploy_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.password = json.loads((deploy.ROOT / "fixtures" / "demo.json").read_text())["password"]
        self.timings = {}
        self.web, self.workers = [], []
        self.requests_sent = 0

    def __enter__(self):
        self._cleanup = contextlib.ExitStack()
        try:
            self._start()
        except BaseException:
            self._cleanup.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self._cleanup.close()

    # --- starting -------------------------------------------------------------------

    def _start(self):
        started = time.monotonic()
        self._database()
        self._redis()
        self.env = self._env()
        self._timed("database: migrate, load_demo, collectstatic", self._prepare)
        self.web_ports = deploy.free_ports(2)
        self._timed("2 app servers, 2 workers, nginx: started", self._services)
        self.timings["set-up in all"] = time.monotonic() - started

    def _timed(self, what, step):
        started = time.monotonic()
        step()
        self.timings[what] = round(time.monotonic() - started, 2)

    def _database(self):
        db = settings.DATABASES["default"]
        self.server = {
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
            "user": db["USER"],
            "password": db["PASSWORD"] or None,
        }
        maintenance = psycopg2.connect(dbname="postgres", **self.server)
        maintenance.autocommit = True
        with maintenance.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        self._cleanup.callback(self._drop, maintenance)

    def _drop(self, maintenance):
        assert self.name.startswith("perfgoals_deploy_")  # never anything but our own
        with maintenance.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        maintenance.close()

    def _redis(self):
        self.queue = f"perfgoals-deploy-{uuid.uuid4().hex[:12]}"
        client = redis.Redis.from_url(deploy.TEST_REDIS_URL)
        client.ping()

        def forget():
            for key in client.scan_iter(match=f"{self.queue}:*"):
                client.delete(key)
            client.close()

        self._cleanup.callback(forget)

    def _env(self):
        """deploy/perfgoals.env, with what this machine and this run must have of their own."""
        self.https_port, http_port = deploy.free_ports(2)
        self.http_port = http_port
        self.url = f"https://127.0.0.1:{self.https_port}"
        password = quote(self.server["password"] or "", safe="")
        credentials = f"{self.server['user']}:{password}" if password else self.server["user"]
        env = deploy.worker_env(self.queue, deploy.TEST_REDIS_URL, self.folder / "exports")
        return {
            **env,
            "DATABASE_URL": (
                f"postgres://{credentials}@{self.server['host']}:{self.server['port']}/{self.name}"
            ),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": self.url,
            "SITE_URL": self.url,
            # A server's sizes (two per core): one each here, on a small shared machine.
            "WEB_WORKERS": "1",
            "WORKER_CONCURRENCY": "1",
        }

    def manage(self, *arguments, **env):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=deploy.ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
        )

    def _prepare(self):
        # Without the broker: the demo's published forms are not printed ahead by workers.
        for command in (["migrate", "-v", "0"], ["load_demo"], ["collectstatic", "--noinput"]):
            result = self.manage(*command, CELERY_BROKER_URL="")
            assert result.returncode == 0, f"{command}: {result.stderr[-3000:]}"
        result = self.manage("shell", "-c", LOOKUP, CELERY_BROKER_URL="")
        assert result.returncode == 0, result.stderr[-3000:]
        self.lookup = json.loads(result.stdout.strip().splitlines()[-1])

    def _services(self):
        logs = {"/var/log/perfgoals": self.folder}
        for port in self.web_ports:
            command = deploy.exec_start("perfgoals-web@.service", port, self.env, **logs)
            self.web.append(
                self._cleanup.enter_context(
                    deploy.service(command, self.env, self.folder / f"web-{port}.log")
                )
            )
        for number in (1, 2):
            log = self.folder / f"worker-{number}.log"
            worker = deploy.celery_worker(self.env, number, log, queue=self.queue)
            self.workers.append(self._cleanup.enter_context(worker))
        certificate, key = deploy.self_signed_certificate(self.folder)
        self.certificate = certificate
        site = deploy.nginx_site(
            self.folder,
            certificate,
            key,
            https_port=self.https_port,
            http_port=self.http_port,
            upstreams=self.web_ports,
        )
        (self.folder / "nginx.conf").write_text(deploy.nginx_main(self.folder, site))
        command = [deploy.nginx_binary(), "-p", str(self.folder), "-c", "nginx.conf"]
        self.nginx = self._cleanup.enter_context(
            deploy.service(command, self.env, self.folder / "nginx.out")
        )
        listening = [*zip(self.web_ports, self.web, strict=True), (self.https_port, self.nginx)]
        for port, process in listening:
            deploy.wait_for(lambda port=port: _listening(port), process)

    # --- while it runs -----------------------------------------------------------------

    def address(self, index):
        return f"127.0.0.1:{self.web_ports[index]}"

    def served(self, response):
        """Count a request the test sent through nginx (each is one line of its log)."""
        self.requests_sent += 1

    def upstreams(self):
        """The app server(s) nginx passed each request to, in order ("A, B" when retried)."""
        log = self.folder / "upstreams.log"
        deadline = time.monotonic() + 5
        while True:  # nginx writes a request's line as it finishes it: wait for the last
            lines = log.read_text().splitlines() if log.exists() else []
            if len(lines) >= self.requests_sent or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert len(lines) == self.requests_sent, lines
        return [line.split("upstream=", 1)[1] for line in lines]

    def logs(self):
        """nginx's errors and the app servers' output, for a failure's message."""
        names = ["perfgoals.error.log", *(f"web-{port}.log" for port in self.web_ports)]
        paths = [self.folder / name for name in names]
        return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in paths if p.exists())

    def check_deployment(self):
        """manage.py check_deployment's result once it passes, else None."""
        result = self.manage("check_deployment")
        return result if result.returncode == 0 else None


def _listening(port):
    with socket.socket() as probe:
        return True if probe.connect_ex(("127.0.0.1", port)) == 0 else None
