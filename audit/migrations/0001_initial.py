"""AuditEvent moves here from the filings app: the model's state only, not its table.

The table ``filings_auditevent`` was created by ``filings.0009`` and holds the
rows already written; this migration tells Django that the model now belongs
to ``audit`` and still lives in that table (``db_table``), without touching
the database. ``filings.0012`` then removes the model from the filings app's
state, and ``0002`` renames the table.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The last migration of filings that changed AuditEvent: the state copied below.
        ("filings", "0011_audit_delete_action"),
        # The user model was filings.User until accounts.0001 (AUTH_USER_MODEL changed then).
        ("filings", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="时间",
                            ),
                        ),
                        (
                            "username",
                            models.CharField(blank=True, max_length=150, verbose_name="用户名"),
                        ),
                        (
                            "user_display",
                            models.CharField(blank=True, max_length=150, verbose_name="姓名"),
                        ),
                        (
                            "ip",
                            models.GenericIPAddressField(
                                blank=True, null=True, verbose_name="IP地址"
                            ),
                        ),
                        (
                            "user_agent",
                            models.CharField(blank=True, max_length=300, verbose_name="客户端"),
                        ),
                        (
                            "path",
                            models.CharField(blank=True, max_length=300, verbose_name="访问路径"),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("login", "登录"),
                                    ("login_failed", "登录失败"),
                                    ("logout", "退出"),
                                    ("download", "下载"),
                                    ("export", "发起导出"),
                                    ("import_excel", "导入Excel"),
                                    ("denied", "权限拒绝"),
                                    ("transition", "状态变更"),
                                    ("admin", "管理后台修改"),
                                    ("prune", "清理审计日志"),
                                    ("lockout", "登录锁定"),
                                    ("unlock", "解除登录锁定"),
                                    ("password_change", "修改密码"),
                                    ("delete", "删除申报"),
                                ],
                                max_length=20,
                                verbose_name="操作",
                            ),
                        ),
                        (
                            "description",
                            models.CharField(blank=True, max_length=300, verbose_name="内容"),
                        ),
                        (
                            "details",
                            models.JSONField(blank=True, default=dict, verbose_name="详情"),
                        ),
                        (
                            "filing",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="filings.filing",
                                verbose_name="申报",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="filings.organisation",
                                verbose_name="组织",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="filings.user",
                                verbose_name="用户",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "审计日志",
                        "verbose_name_plural": "审计日志",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["action", "-created_at"], name="audit_action_time"
                            ),
                            models.Index(
                                fields=["organisation", "-created_at"], name="audit_org_time"
                            ),
                        ],
                        # The table of the filings app, until 0002 renames it.
                        "db_table": "filings_auditevent",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
