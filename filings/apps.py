from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = _("绩效目标申报")

    def ready(self):
        # Imported here, the one place Django allows: these modules import models, which
        # cannot be loaded before the app registry is ready (when this module is read).
        from filings.exports import dispatch

        # The exports listen to the review path: an approved version is printed ahead.
        dispatch.connect()
