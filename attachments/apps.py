"""Attachments of a filing: 立项依据, 实施方案, 测算明细 and others, kept privately."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = _("附件")

    def ready(self):
        # Imported here, the one place Django allows: the receivers import models, which
        # cannot be loaded before the app registry is ready (when this module is read).
        from attachments import signals  # noqa: F401
