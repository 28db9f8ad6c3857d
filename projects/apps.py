"""The year's 项目库 of each finance bureau, loaded from its budget system's export."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目库")
