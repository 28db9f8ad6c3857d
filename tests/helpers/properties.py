"""Shared by the property tests: one rolled-back transaction per example, pages still open."""

from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, settings

from filings.serialization import filing_to_dict

# Every example runs inside a transaction rolled back at its end, so each starts from the
# rows the fixtures built; the fixtures are set up once per test, and that is what we want.
per_example_rollback = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


class Rollback(Exception):
    """Raised at the end of an example to undo what it wrote."""


def rolled_back(check):
    """Run ``check()`` in a transaction that is always rolled back."""
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


def snapshot(filing):
    """The filing as it is saved now, in the JSON format."""
    filing.refresh_from_db()
    return filing_to_dict(filing)


def pages_still_open(client, filing, *, editor=True):
    """The list, 我的申报, the filing's page, its editor and its Excel download still open."""
    urls = [
        reverse("filings:list"),
        reverse("filings:mine"),
        reverse("filings:detail", args=[filing.pk]),
        reverse("exports:export_excel", args=[filing.pk]),
    ]
    if editor:
        urls.append(reverse("indicators:editor_page", args=[filing.pk]))
    for url in urls:
        assert client.get(url).status_code == 200, url
