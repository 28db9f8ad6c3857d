from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计日志")

    def ready(self):
        # Imported here, the one place Django allows: the log imports models, which cannot
        # be loaded before the app registry is ready (when this module is read).
        from audit import log

        # The audit log's receivers: logins, admin changes, the request being served.
        log.connect()
