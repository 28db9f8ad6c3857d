"""``manage.py check_deployment``: one line per check, 通过 or 未通过 with what to do.

Each check is run passing and failing, on this machine's real services where
there are some (the database, Redis, a Celery worker, fontconfig); the whole
command passing on a full installation is shown by the two-server test
(tests/ops/test_two_app_servers.py).
"""

import io
import uuid

import pytest
import redis
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations import Migration

from exports import pdf
from perfgoals import deployment
from tests.helpers import deploy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_async_unsafe(monkeypatch):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process;
    # check --deploy rightly reports it (async.E001), which a server never has.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


REDIS_URL = deploy.TEST_REDIS_URL


def _check():
    """{check name: (passed, the rest of its line)} and whether the command failed."""
    out = io.StringIO()
    try:
        call_command("check_deployment", stdout=out)
        failed = False
    except CommandError as error:
        failed = True
        assert "未通过" in str(error)
    lines = {}
    for line in out.getvalue().splitlines():
        mark, _, rest = line.partition("  ")
        if "：" in rest:
            name, _, said = rest.strip().partition("：")
            lines[name] = (mark.strip() == "通过", said)
    return lines, failed


@pytest.fixture
def redis_prefix(settings):
    """This test's own keys on the machine's Redis, so that no other run's worker answers."""
    name = f"perfgoals-check-{uuid.uuid4().hex[:12]}"
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{name}:",
    }
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{name}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def test_every_check_prints_its_line_and_a_failure_fails_the_command(settings):
    settings.CELERY_BROKER_URL = ""
    lines, failed = _check()
    assert list(lines) == [
        "安全设置", "SECRET_KEY", "时区", "数据库", "数据库迁移", "中文字体", "EXPORT_ROOT",
        "PRIVATE_MEDIA_ROOT", "Redis", "导出服务",
    ]  # fmt: skip
    assert failed
    assert lines["Redis"] == (
        False,
        "未设置 CELERY_BROKER_URL：导出在网页进程里运行；处理：安装 redis-server，设置 "
        "CELERY_BROKER_URL=redis://127.0.0.1:6379/0 并启动导出服务。",
    )
    assert lines["导出服务"] == (False, "Redis不可用，无法检查；处理：先处理上面Redis一项。")


def test_settings_that_fail_check_deploy_are_named(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.SECURE_SSL_REDIRECT = False
    passed, said = _check()[0]["安全设置"]
    assert not passed and "security.W008" in said and "PROXY_SSL_HEADER" in said


def test_settings_behind_the_https_proxy_pass_check_deploy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    assert _check()[0]["安全设置"] == (True, "check --deploy 没有发现问题")


def test_a_secret_key_not_given_in_the_environment_fails(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    passed, said = _check()[0]["SECRET_KEY"]
    assert not passed and "/etc/perfgoals.env" in said
    monkeypatch.setenv("SECRET_KEY", "k" * 20 + "Q7x!z" * 8)
    assert _check()[0]["SECRET_KEY"] == (True, "由环境变量设置")


def test_the_time_zone_must_be_beijing_time(settings):
    assert _check()[0]["时区"] == (True, "Asia/Shanghai（UTC+08:00）")
    settings.TIME_ZONE = "UTC"
    passed, said = _check()[0]["时区"]
    assert not passed and said.startswith("TIME_ZONE 为 UTC")


def test_the_database_answers_and_a_sqlite_file_is_not_for_servers():
    passed, said = _check()[0]["数据库"]
    if connection.vendor == "postgresql":
        assert passed and said.endswith("应答正常")
    else:
        assert not passed and "生产环境应使用 PostgreSQL" in said


def test_unapplied_migrations_are_named(monkeypatch):
    assert _check()[0]["数据库迁移"] == (True, "已全部应用")

    class Behind(deployment.MigrationExecutor):
        def migration_plan(self, targets, clean_start=False):
            return [(Migration("0099_later", "filings"), False)]

    monkeypatch.setattr(deployment, "MigrationExecutor", Behind)
    passed, said = _check()[0]["数据库迁移"]
    assert not passed and "filings.0099_later" in said and "manage.py migrate" in said


def test_missing_cjk_fonts_fail_with_the_package_to_install(monkeypatch):
    assert _check()[0]["中文字体"] == (True, "Noto Serif CJK SC、Noto Sans CJK SC")
    monkeypatch.setattr(pdf, "_cjk_families", frozenset)
    passed, said = _check()[0]["中文字体"]
    assert not passed and "fonts-noto-cjk" in said


def test_export_root_must_be_writable_and_is_left_as_it_was(settings, tmp_path, export_root):
    assert _check()[0]["EXPORT_ROOT"] == (True, f"{export_root} 可写")
    assert list(export_root.iterdir()) == [], "the check's file is removed"
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.EXPORT_ROOT = blocker / "exports"
    passed, said = _check()[0]["EXPORT_ROOT"]
    assert not passed and "不可写" in said and "chown perfgoals" in said


def test_the_attachments_folder_must_be_writable_and_is_left_as_it_was(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "attachments"
    assert _check()[0]["PRIVATE_MEDIA_ROOT"] == (True, f"{tmp_path / 'attachments'} 可写")
    assert list((tmp_path / "attachments").iterdir()) == [], "the check's file is removed"
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.PRIVATE_MEDIA_ROOT = blocker / "attachments"
    passed, said = _check()[0]["PRIVATE_MEDIA_ROOT"]
    assert not passed and "附件无法上传" in said and "chown perfgoals" in said


def test_redis_that_does_not_answer_fails(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    passed, said = _check()[0]["Redis"]
    assert not passed and said.startswith("redis://127.0.0.1:1/0 无法连接")


def test_no_worker_answering_fails(redis_prefix, export_root):
    lines, failed = _check()
    assert lines["Redis"] == (True, f"{REDIS_URL} 应答正常")
    passed, said = lines["导出服务"]
    assert failed and not passed and "没有导出服务" in said


def test_a_worker_that_does_not_see_export_root_fails(redis_prefix, export_root, tmp_path):
    # A worker "on another machine": its EXPORT_ROOT is not the web's.
    env = deploy.worker_env(redis_prefix, REDIS_URL, tmp_path / "elsewhere")
    with deploy.celery_worker(env, "blind", tmp_path / "worker.log", queue=redis_prefix) as worker:
        passed, said = deploy.wait_for(lambda: _answered(_check()[0]["导出服务"]), worker)
    assert not passed and "看不到本机 EXPORT_ROOT 中的文件" in said and "NFS" in said


def test_a_worker_sharing_export_root_and_the_queue_passes(redis_prefix, export_root, tmp_path):
    env = deploy.worker_env(redis_prefix, REDIS_URL, export_root)
    with deploy.celery_worker(env, "shared", tmp_path / "worker.log", queue=redis_prefix) as worker:
        passed, said = deploy.wait_for(lambda: _answered(_check()[0]["导出服务"]), worker)
    assert passed and said.startswith("1 个应答：perfgoals-shared@") and "共享 EXPORT_ROOT" in said


def _answered(line):
    """The line once a worker answered (it takes a few seconds to start), else None."""
    return None if "没有导出服务" in line[1] else line
