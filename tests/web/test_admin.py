"""The admin site: every model has its pages, and status is not editable there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.conftest import make_filing
from tests.helpers.project import APPS


@pytest.mark.parametrize(
    "model", [model for model in admin.site._registry if model._meta.app_label != "auth"]
)
def test_admin_changelist_and_add_pages_open(client, personas, filings, model):
    client.force_login(personas.admin)
    opts = model._meta
    # The review log is written by review.workflow only: no add page (tests/web/test_workflow.py).
    addable = admin.site._registry[model].has_add_permission(_request(personas.admin))
    for page, expected in (("changelist", 200), ("add", 200 if addable else 403)):
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}")
        assert client.get(url).status_code == expected, url


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_every_project_model_is_in_the_admin():
    from django.apps import apps

    ours = [model for app in APPS for model in apps.get_app_config(app).get_models()]
    assert all(model in admin.site._registry for model in ours)


def test_filing_status_is_read_only_in_the_admin(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    client.force_login(personas.admin)
    html = client.get(reverse("admin:filings_filing_change", args=[filing.pk])).content.decode()
    assert 'name="status"' not in html
    assert "草稿" in html


def test_non_staff_users_cannot_open_the_admin(client, personas):
    client.force_login(personas.finance_reviewer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
