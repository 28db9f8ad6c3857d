"""The checks of ``manage.py check_deployment``: is this server installed right?

Each check answers with a ``Result``: passed or not, what was found, and (when
it failed) what the operator should do, in Chinese, as the command prints it.
The checks ask the modules that decide each thing (Django's system checks, the
migration loader, the PDF module's fonts, the export dispatcher's broker);
none repeats their rules. Nothing printed carries a password.
"""

import os
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exports import ExportUnavailable, dispatch, pdf

TIME_ZONE = "Asia/Shanghai"
# How long the workers get to answer: they answer at once when they run.
WORKER_TIMEOUT = 3.0


@dataclass
class Result:
    passed: bool
    name: str
    detail: str
    todo: str = ""

    def line(self):
        # 通过 padded to the width of 未通过 (a Chinese character takes two columns).
        mark = "通过  " if self.passed else "未通过"
        todo = f"；处理：{self.todo}" if self.todo and not self.passed else ""
        return f"{mark}  {self.name}：{self.detail}{todo}"


def run():
    """Every check, in the order an operator fixes them; a list of ``Result``."""
    results = [deploy_settings(), secret_key(), time_zone(), database()]
    answers = _database_error() is None
    results.append(migrations() if answers else _unchecked("数据库迁移", "数据库"))
    results.append(fonts())
    marker, export_root = writable_export_root()
    results.append(export_root)
    results.append(writable_private_media())
    try:
        results.append(broker())
        results.append(workers(marker) if results[-1].passed else _unchecked("导出服务", "Redis"))
    finally:
        if marker:
            marker.unlink(missing_ok=True)
    return results


def _unchecked(name, needed):
    return Result(False, name, f"{needed}不可用，无法检查", f"先处理上面{needed}一项。")


def deploy_settings():
    found = [
        message
        for message in checks.run_checks(include_deployment_checks=True)
        if message.level >= checks.WARNING and not message.is_silenced()
    ]
    if not found:
        return Result(True, "安全设置", "check --deploy 没有发现问题")
    ids = "、".join(message.id or "?" for message in found)
    return Result(
        False,
        "安全设置",
        f"check --deploy 报告 {len(found)} 项：{ids}",
        "运行 manage.py check --deploy 查看说明；在 HTTPS 反向代理之后设置 "
        "PROXY_SSL_HEADER=X-Forwarded-Proto，不要设置 DEBUG=1 或 SECURE_COOKIES=0。",
    )


def secret_key():
    if os.environ.get("SECRET_KEY"):
        return Result(True, "SECRET_KEY", "由环境变量设置")
    return Result(
        False,
        "SECRET_KEY",
        "环境变量中没有 SECRET_KEY，使用的是本目录的 .secret_key",
        "在 /etc/perfgoals.env 中设置 SECRET_KEY（所有服务器相同），否则各服务器的登录互不承认。",
    )


def time_zone():
    todo = "settings 的 TIME_ZONE 应为 Asia/Shanghai；缺少时区数据时安装 tzdata。"
    if settings.TIME_ZONE != TIME_ZONE or not settings.USE_TZ:
        return Result(False, "时区", f"TIME_ZONE 为 {settings.TIME_ZONE}", todo)
    try:
        offset = datetime.now(zoneinfo.ZoneInfo(TIME_ZONE)).utcoffset()
    except zoneinfo.ZoneInfoNotFoundError:
        return Result(False, "时区", "系统中找不到 Asia/Shanghai 时区数据", todo)
    if offset != timedelta(hours=8):
        return Result(False, "时区", f"Asia/Shanghai 的时差为 {offset}，应为 +08:00", todo)
    return Result(True, "时区", "Asia/Shanghai（UTC+08:00）")


def _database_name():
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"SQLite {db['NAME']}"
    return f"{connection.display_name} {db.get('NAME')}@{db.get('HOST') or '本机'}"


def _database_error():
    """None when the database answers, else the error."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver's error: the line says which database
        return error
    return None


def database():
    name = _database_name()
    error = _database_error()
    if error is not None:
        return Result(
            False,
            "数据库",
            f"{name} 无法连接（{type(error).__name__}）",
            "检查 DATABASE_URL 与数据库服务（systemctl status postgresql）。",
        )
    if connection.vendor == "sqlite":
        return Result(
            False,
            "数据库",
            f"{name} 可用，但生产环境应使用 PostgreSQL",
            "设置 DATABASE_URL=postgres://…（README“部署”）。",
        )
    return Result(True, "数据库", f"{name} 应答正常")


def migrations():
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return Result(True, "数据库迁移", "已全部应用")
    names = "、".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:3])
    more = f" 等 {len(plan)} 项" if len(plan) > 3 else ""
    return Result(
        False,
        "数据库迁移",
        f"尚未应用：{names}{more}",
        "在一台服务器上运行 manage.py migrate，然后重启各服务。",
    )


def fonts():
    try:
        pdf.require_cjk_fonts()
    except ExportUnavailable as error:
        return Result(False, "中文字体", str(error), "apt-get install fonts-noto-cjk")
    return Result(True, "中文字体", "、".join(pdf.FONT_FAMILIES))


def writable_export_root():
    """(the marker file written in EXPORT_ROOT or None, the Result)."""
    root = Path(settings.EXPORT_ROOT)
    marker = root / f".check-deployment-{uuid.uuid4().hex}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text("check_deployment\n", encoding="ascii")
    except OSError as error:
        return None, Result(
            False,
            "EXPORT_ROOT",
            f"{root} 不可写（{error.strerror or error}）",
            "创建该目录并交给运行服务的用户（chown perfgoals），或改设 EXPORT_ROOT。",
        )
    return marker, Result(True, "EXPORT_ROOT", f"{root} 可写")


def writable_private_media():
    """PRIVATE_MEDIA_ROOT, where attachments are kept, takes a file (removed again)."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    marker = root / f".check-deployment-{uuid.uuid4().hex}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text("check_deployment\n", encoding="ascii")
        marker.unlink()
    except OSError as error:
        return Result(
            False,
            "PRIVATE_MEDIA_ROOT",
            f"{root} 不可写（{error.strerror or error}），附件无法上传",
            "创建该目录并交给运行服务的用户（chown perfgoals），或改设 PRIVATE_MEDIA_ROOT。",
        )
    return Result(True, "PRIVATE_MEDIA_ROOT", f"{root} 可写")


def _broker_address():
    parts = urlsplit(settings.CELERY_BROKER_URL)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def broker():
    if not settings.CELERY_BROKER_URL:
        return Result(
            False,
            "Redis",
            "未设置 CELERY_BROKER_URL：导出在网页进程里运行",
            "安装 redis-server，设置 CELERY_BROKER_URL=redis://127.0.0.1:6379/0 并启动导出服务。",
        )
    try:
        dispatch.broker_answers()
    except Exception as error:  # kombu raises the transport's own errors
        return Result(
            False,
            "Redis",
            f"{_broker_address()} 无法连接（{type(error).__name__}）",
            "启动 Redis（systemctl start redis-server）或检查 CELERY_BROKER_URL。",
        )
    return Result(True, "Redis", f"{_broker_address()} 应答正常")


def workers(marker):
    """The export workers answer, read the web's queue and see EXPORT_ROOT's files."""
    answers = dispatch.workers_seeing(marker.name if marker else "", timeout=WORKER_TIMEOUT)
    if not answers:
        return Result(
            False,
            "导出服务",
            f"{WORKER_TIMEOUT:g} 秒内没有导出服务（Celery worker）应答",
            "systemctl start perfgoals-worker@1；查看 journalctl -u 'perfgoals-worker@*'。",
        )
    # A worker of an older release does not know the question: it answers with an error.
    older = sorted(name for name, answer in answers.items() if "queues" not in answer)
    if older:
        return Result(
            False,
            "导出服务",
            f"{'、'.join(older)} 不认识本检查，运行的是旧版本",
            "在该机器上更新到同一版本，然后 systemctl restart 'perfgoals-worker@*'。",
        )
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    deaf = sorted(name for name, answer in answers.items() if queue not in answer["queues"])
    if deaf:
        return Result(
            False,
            "导出服务",
            f"{'、'.join(deaf)} 不读取队列 {queue}",
            "各服务器与导出服务使用同一个 CELERY_QUEUE。",
        )
    blind = sorted(name for name, answer in answers.items() if not answer["sees"])
    if marker and blind:
        return Result(
            False,
            "导出服务",
            f"{'、'.join(blind)} 看不到本机 EXPORT_ROOT 中的文件",
            "EXPORT_ROOT 须为网页服务器和所有导出服务共享的存储（如 NFS），且路径设置相同。",
        )
    shared = "，共享 EXPORT_ROOT" if marker else ""
    return Result(True, "导出服务", f"{len(answers)} 个应答：{'、'.join(sorted(answers))}{shared}")
