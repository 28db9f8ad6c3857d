"""gunicorn serving the app from a benchmark's throwaway database, stopped afterwards."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time

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
