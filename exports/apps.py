"""The official forms printed: PDF, Excel, bundles, jobs and downloads."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("导出")

    def ready(self):
        # Imported here, the one place Django allows: the receiver imports the review path,
        # whose models cannot be loaded before the app registry is ready (when this module
        # is read).
        from exports import workers

        # The exports listen to the review path: an approved version is printed ahead.
        workers.connect()
