"""The audit log (审计日志): one row per event worth answering for — who, when, from where, what.

Rows are written by ``audit.log`` and never changed: ``save()`` of an
existing row and ``delete()`` of one are refused, the admin site shows them
read-only, and the only way rows go is the retention command
(``prune_audit``), which deletes old rows with a queryset delete and records
that it did.

Who is kept as text too (``username``, ``user_display``): the foreign key is
set to NULL when the user is deleted, the names stay. The filing and the
organisation are references without a database constraint (``DO_NOTHING``):
deleting a draft or an organisation must neither fail because of its audit
rows nor rewrite them, so the row keeps the id (and its ``description`` the
name) of what is gone.

The table keeps the rows written before the model moved here from the
``filings`` app (migrations ``filings.0012`` and ``audit.0001``–``0002``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Limits of the text columns; longer values are cut, never refused.
USER_AGENT_MAX = 300
DESCRIPTION_MAX = 300
PATH_MAX = 300


class AuditEventIsFinal(Exception):
    """An audit row may be written once and never changed or deleted one by one."""


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        DOWNLOAD = "download", _("下载")
        EXPORT = "export", _("发起导出")
        IMPORT_EXCEL = "import_excel", _("导入Excel")
        DENIED = "denied", _("权限拒绝")
        TRANSITION = "transition", _("状态变更")
        ADMIN = "admin", _("管理后台修改")
        PRUNE = "prune", _("清理审计日志")
        LOCKOUT = "lockout", _("登录锁定")
        UNLOCK = "unlock", _("解除登录锁定")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        DELETE = "delete", _("删除申报")
        ATTACHMENT_ADD = "attachment_add", _("上传附件")
        ATTACHMENT_REMOVE = "attachment_remove", _("删除附件")

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copies that outlive the user; for a failed login, the username that was tried.
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    user_display = models.CharField(_("姓名"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=USER_AGENT_MAX, blank=True)
    path = models.CharField(_("访问路径"), max_length=PATH_MAX, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    filing = models.ForeignKey(
        "filings.Filing",
        verbose_name=_("申报"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("组织"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    description = models.CharField(_("内容"), max_length=DESCRIPTION_MAX, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_action_time"),
            models.Index(fields=["organisation", "-created_at"], name="audit_org_time"),
        ]

    def __str__(self):
        when = timezone.localtime(self.created_at)
        return f"{when:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        # A new row only: with a primary key, Django would UPDATE the row of that key.
        if self.pk is not None or not self._state.adding:
            raise AuditEventIsFinal("审计日志不可修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventIsFinal("审计日志不可删除；过期的日志由 prune_audit 命令统一清理。")
