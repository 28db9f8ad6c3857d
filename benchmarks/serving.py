"""gunicorn serving the app from a benchmark's throwaway database, stopped afterwards;
signed-in sessions on it, and locust (the one load generator) sent at it."""

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.throwaway import ROOT


def free_port(ports):
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise SystemExit(f"no free port in {ports.start}-{ports.stop - 1}")


@contextlib.contextmanager
def gunicorn(database_url, *, workers, ports, env=None):
    """Yield (port, process) of gunicorn with ``workers`` sync workers on a port of ``ports``.

    Served as production serves it (DEBUG off), over plain HTTP on loopback; ``env`` adds
    or overrides environment variables.
    """
    port = free_port(ports)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "DJANGO_SETTINGS_MODULE": "perfgoals.settings",
        **(env or {}),
    }
    command = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "perfgoals.wsgi",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
    ]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_for(port, server, log)
            yield port, server
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_for(port, server, log):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit("gunicorn did not start:\n" + log.read().decode()[-3000:])
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s")


class Session:
    """A user signed in through the login page, as a browser signs in: its cookies."""

    def __init__(self, host, port, username, password):
        self.host, self.port = host, port
        self.cookies = {}
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        html = response.read().decode()
        self._keep(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urlencode({"username": username, "password": password})
        body += f"&csrfmiddlewaretoken={token}"
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self.cookie_header,
                "Referer": f"http://{host}:{port}/accounts/login/",
            },
        )
        response = connection.getresponse()
        response.read()
        self._keep(response)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: HTTP {response.status}")

    def _keep(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    @property
    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def locust(locustfile, port, *, users, seconds, csv_prefix, env, spawn_rate=None):
    """Start locust headless on ``locustfile`` against the gunicorn of ``port``.

    Returns the process (its output on a pipe); the figures land in
    ``<csv_prefix>_stats.csv`` and ``_failures.csv`` when it ends.
    """
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "benchmarks" / locustfile),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate or users),
        "-t",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
