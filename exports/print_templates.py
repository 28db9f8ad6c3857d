"""The print templates (templates/exports/), rendered for WeasyPrint by an engine of their own.

They use Django's built-in tags and i18n only. The site's engine
(settings.TEMPLATES) loads the template tags of every installed app at its
first template (crispy forms, the admin's, the review pages'): a tenth of a
second of every process that prints, spent on tags no printed form uses.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine


@functools.cache
def _engine():
    return Engine(
        dirs=[Path(settings.BASE_DIR) / "templates"],
        libraries={"i18n": "django.templatetags.i18n"},
        debug=settings.DEBUG,
    )


def load(name):
    """Read and compile the template ``name`` now (a process about to fork its printers)."""
    _engine().get_template(name)


def render(name, context):
    """The HTML of the print template ``name`` with ``context`` (a dict)."""
    return _engine().get_template(name).render(Context(context))
