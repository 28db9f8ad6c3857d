"""The files an operator installs (deploy/) pass their own tools' checks, and agree with the app.

nginx -t on the shipped site, systemd-analyze verify on the shipped units,
logrotate --debug on the shipped rotation, each adapted to this machine only
where a test machine must differ (tests/helpers/deploy.py). The environment
file template names every setting the README names and holds no secret.
"""

import re
import subprocess
import urllib.parse

from django.conf import settings
from django.core.management import get_commands

from filings import limits
from tests.helpers import deploy

README = deploy.ROOT / "README.md"


def test_the_shipped_nginx_site_passes_nginx_t(tmp_path):
    certificate, key = deploy.self_signed_certificate(tmp_path)
    site = deploy.nginx_site(tmp_path, certificate, key)
    (tmp_path / "nginx.conf").write_text(deploy.nginx_main(tmp_path, site))
    result = subprocess.run(
        [deploy.nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def _size(text):
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", text).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def test_nginx_lets_the_largest_workbook_and_its_form_reach_the_app():
    # A smaller limit would answer nginx's 413 to a workbook the app accepts; a much larger
    # one would let anyone send the app far more than it ever reads.
    site = deploy.SITE.read_text(encoding="utf-8")
    limit = _size(re.search(r"client_max_body_size (\w+);", site).group(1))
    assert settings.EXCEL_UPLOAD_MAX_BYTES < limit <= settings.EXCEL_UPLOAD_MAX_BYTES + 2**20
    assert limit > settings.JSON_BODY_MAX_BYTES


def test_only_downloads_wait_long():
    site = deploy.SITE.read_text(encoding="utf-8")
    timeouts = re.findall(r"proxy_read_timeout (\d+)s;", site)
    assert sorted(int(value) for value in timeouts) == [30, 150]
    downloads = re.search(r"location ~ (\S+) \{[^}]*proxy_read_timeout 150s", site).group(1)
    for path in ("/filings/12/pdf/", "/filings/12/excel/", "/filings/12/reviews/3/pdf/"):
        assert re.match(downloads, path), path
    assert re.match(downloads, "/filings/exports/4f1c2e0a-93b1-4c1e-8f4e-0c2d9a7b6e51/download/")
    for page in ("/filings/12/", "/filings/12/edit/goals/", "/filings/exports/start/"):
        assert not re.match(downloads, page), page


def test_the_shipped_units_pass_systemd_analyze_verify(tmp_path):
    names = deploy.units_for_verify(tmp_path)
    # A template is verified through an instance, as it is started.
    instances = [name.replace("@.", "@8001." if "web" in name else "@1.") for name in names]
    result = subprocess.run(
        ["systemd-analyze", "verify", *instances], cwd=tmp_path, capture_output=True, text=True
    )
    # Anything said is a problem: unknown keys and bad values are only warnings to systemd.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
    timers = [name for name in names if name.endswith(".timer")]
    assert {name.removesuffix(".timer") + ".service" for name in timers} <= set(names)
    assert len(timers) == 5


def test_the_timers_run_commands_the_project_has():
    commands = get_commands()
    for unit in sorted(deploy.UNITS.glob("*.service")):
        for command in re.findall(r"manage\.py (\w+)", unit.read_text(encoding="utf-8")):
            assert command in commands, f"{unit.name} runs manage.py {command}, which is gone"


def test_every_timer_says_when_in_beijing_time_or_runs_hourly():
    for timer in sorted(deploy.UNITS.glob("*.timer")):
        calendar = re.search(r"^OnCalendar=(.+)$", timer.read_text(), re.MULTILINE).group(1)
        assert calendar == "hourly" or calendar.endswith(" Asia/Shanghai"), timer.name


def _readme_settings():
    """The environment variables of the README's tables of settings."""
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", README.read_text(), re.MULTILINE))


def test_the_environment_file_names_every_setting_of_the_readme():
    text = deploy.ENV_FILE.read_text(encoding="utf-8")
    named = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    readme = _readme_settings()
    assert len(readme) > 30, "the README's tables were not found"
    assert readme - named == set()


def test_the_environment_file_holds_no_secret_and_serves_https():
    values = deploy.env_file_settings()
    assert values["SECRET_KEY"] == ""
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        assert urllib.parse.urlsplit(values[name]).password is None, name
    assert values["DEBUG"] == "0" and values["SECURE_COOKIES"] == "1"
    assert values["PROXY_SSL_HEADER"] == "X-Forwarded-Proto"
    assert values["CLIENT_IP_HEADER"] == "X-Forwarded-For"


def test_the_shipped_log_rotation_passes_logrotate(tmp_path):
    text = (deploy.DEPLOY / "logrotate" / "perfgoals").read_text(encoding="utf-8")
    # The perfgoals user exists on a server only; the folder is the test's.
    text = deploy.replace(text, "perfgoals perfgoals", "root root")
    text = deploy.replace(text, "/var/log/perfgoals/", f"{tmp_path}/logs/")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "access-8001.log").write_text("GET / 200\n")
    (tmp_path / "perfgoals").write_text(text)
    binary = "/usr/sbin/logrotate"
    # Installed by scripts/setup.sh with the other test packages: never skipped quietly.
    assert deploy.Path(binary).exists(), "logrotate is missing: run scripts/setup.sh"
    result = subprocess.run(
        [binary, "--debug", "--state", str(tmp_path / "state"), str(tmp_path / "perfgoals")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
    assert "access-8001.log" in result.stderr


def test_nginx_lets_the_largest_attachment_and_its_form_reach_the_app():
    # Above it, the filer would meet nginx's 413 instead of the app's message naming the file.
    site = deploy.SITE.read_text(encoding="utf-8")
    limit = _size(re.search(r"client_max_body_size (\w+);", site).group(1))
    assert limit > limits.MAX_ATTACHMENT_BYTES + 64 * 1024
