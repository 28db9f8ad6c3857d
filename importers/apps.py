"""Published forms, flat tables and the Excel upload (导入Excel) read into filings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportersConfig(AppConfig):
    name = "importers"
    verbose_name = _("导入")
