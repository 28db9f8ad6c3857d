"""The shipped deployment files (deploy/) read and adapted for a test on this machine.

What a server installs is tested as shipped, with only what cannot be the same
on a test machine replaced: paths (/srv/perfgoals is the checkout, logs and pid
files go to a temporary folder), ports (free loopback ports), the certificate
(self-signed, made here) and the secrets. Every replacement must find what it
replaces, so a change to a shipped file makes these tests fail rather than test
something else.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "perfgoals.conf"
ENV_FILE = DEPLOY / "perfgoals.env"
UNITS = DEPLOY / "systemd"
INSTALLED = "/srv/perfgoals"
# The machine's Redis, a database of the tests' own (as tests/ops/test_celery_worker.py).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
# Long enough for a worker or gunicorn to start on a busy shared machine.
START_TIMEOUT = 60


def replace(text, old, new, *, regex=False):
    """``text`` with ``old`` replaced; fails when ``old`` is not there."""
    if regex:
        text, count = re.subn(old, new, text, flags=re.MULTILINE)
    else:
        count = text.count(old)
        text = text.replace(old, new)
    assert count, f"the shipped file no longer has {old!r}"
    return text


def nginx_binary():
    """Debian's nginx (scripts/setup.sh installs it); the test fails, saying so, without it."""
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
    )
    assert found, "nginx is not installed: run scripts/setup.sh (it installs Debian's nginx)"
    return found


def free_ports(count):
    """``count`` loopback ports nobody listens on (the kernel's choice, then released)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def self_signed_certificate(folder):
    """(certificate, key) for 127.0.0.1 and localhost, valid one day."""
    certificate, key = folder / "fullchain.pem", folder / "privkey.pem"
    assert shutil.which("openssl"), "openssl is not installed: apt-get install openssl"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


def nginx_site(folder, certificate, key, *, https_port=443, http_port=80, upstreams=None):
    """The shipped site with this machine's paths, ports and certificate."""
    text = SITE.read_text(encoding="utf-8")
    text = replace(text, "/etc/ssl/perfgoals/fullchain.pem", str(certificate))
    text = replace(text, "/etc/ssl/perfgoals/privkey.pem", str(key))
    text = replace(text, "/var/log/nginx/", f"{folder}/")
    # Which app server answered each request, for the tests (format in ``nginx_main``).
    access_log = f"access_log {folder}/perfgoals.access.log;"
    text = replace(
        text, access_log, f"{access_log}\n    access_log {folder}/upstreams.log upstreams;"
    )
    text = replace(text, f"{INSTALLED}/", f"{ROOT}/")
    text = replace(text, r"^\s*listen \[::\]:.*\n", "", regex=True)  # loopback IPv4 only
    text = replace(text, "listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    text = replace(text, "listen 80;", f"listen 127.0.0.1:{http_port};")
    text = replace(text, "perfgoals.example.gov.cn", "127.0.0.1")
    if upstreams:
        text = replace(text, r"^\s*server 127\.0\.0\.1:800\d .*\n", "", regex=True)
        servers = "".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in upstreams
        )
        text = replace(text, "upstream perfgoals_app {\n", "upstream perfgoals_app {\n" + servers)
    return text


def nginx_main(folder, site):
    """nginx.conf of a private nginx in the foreground: its own pid, logs and temp files.

    One worker process, so that round robin alternates strictly between the app
    servers; each request's app server is logged (``$upstream_addr``).
    """
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    return f"""
daemon off;
master_process on;
worker_processes 1;
user root;
pid {folder}/nginx.pid;
error_log {folder}/main-error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    log_format upstreams '$request_method $uri $status upstream=$upstream_addr';
    include {folder}/site.conf;
}}
"""


def env_file_settings(path=ENV_FILE):
    """The settings the environment file sets, as systemd reads it (commented lines are not)."""
    settings = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            settings[name.strip()] = value.strip()
    return settings


def exec_start(unit, instance, env, **paths):
    """The unit's ExecStart as an argument list: %i, ${NAME} and the given paths replaced."""
    text = (UNITS / unit).read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    line = line.removeprefix("ExecStart=").replace("%i", str(instance))
    line = line.replace("%H", socket.gethostname())
    line = re.sub(r"\$\{(\w+)\}", lambda found: env[found.group(1)], line)
    for old, new in {INSTALLED: str(ROOT), **paths}.items():
        line = replace(line, old, str(new))
    return line.split()


def units_for_verify(folder):
    """The shipped unit files with /srv/perfgoals as this checkout (its .venv exists here)."""
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8").replace(INSTALLED, str(ROOT))
        (folder / unit.name).write_text(text, encoding="utf-8")
    return sorted(path.name for path in UNITS.iterdir())


def base_env():
    """What a systemd service starts with: a path, a locale, and nothing of the test run's."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "perfgoals.settings",
    }


def worker_env(queue, redis_url, export_root, database_url=None):
    """The shipped environment file's settings for a worker of this test's own queue."""
    return {
        **base_env(),
        **env_file_settings(),
        "SECRET_KEY": "t" * 20 + os.urandom(24).hex(),
        "DATABASE_URL": database_url or f"sqlite:///{export_root}.sqlite3",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_QUEUE": queue,
        "CELERY_KEY_PREFIX": f"{queue}:",
        "EXPORT_ROOT": str(export_root),
        # Shared by the servers like EXPORT_ROOT; never the shipped /var/lib path on this machine.
        "PRIVATE_MEDIA_ROOT": f"{export_root}-attachments",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


@contextlib.contextmanager
def service(command, env, log):
    """``command`` as a service runs: its own session (process group), killed at the end."""
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    process.log = Path(log)
    try:
        yield process
    finally:
        stop(process, signal.SIGKILL)


def stop(process, sig=signal.SIGTERM, timeout=40):
    """Stop a service as systemd's KillMode=mixed does, and wait for the end.

    ``sig`` to the main process (gunicorn's arbiter, Celery's main process), which
    stops its children itself; after ``timeout``, and in any case at the end,
    SIGKILL to whatever is left of its process group.
    """
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def celery_worker(env, name, log, *, queue):
    """perfgoals-worker@NAME.service's command, with ``env`` as its environment file."""
    command = exec_start("perfgoals-worker@.service", name, {**env, "CELERY_QUEUE": queue})
    return service(command, env, log)


def tail(process):
    return process.log.read_text(errors="replace")[-3000:]


def wait_for(answer, process, timeout=START_TIMEOUT):
    """``answer()`` once it is not None; fails with the process's log after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the process ended:\n{tail(process)}"
        found = answer()
        if found is not None:
            return found
        time.sleep(0.3)
    raise AssertionError(f"no answer after {timeout} s:\n{tail(process)}")
