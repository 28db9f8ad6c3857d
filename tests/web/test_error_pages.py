"""Error pages are the app's own, in Chinese, with a way back; DEBUG stays off."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from filings import access
from filings.access import filing_access
from tests.factories import filing_in, take_version


def test_debug_is_off_unless_asked_for():
    assert settings.DEBUG is False


def test_unknown_page_is_a_chinese_404_with_a_way_back(client, personas):
    client.force_login(personas.filer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "返回首页" in html
    # Never Django's debug page, which lists every URL pattern of the site.
    assert "urlpatterns" not in html and "URLconf" not in html


def test_another_organisations_filing_is_the_same_404(client, personas, filings):
    client.force_login(personas.outsider)
    response = client.get(reverse("filings:detail", args=[filings["centre"].pk]))
    assert response.status_code == 404
    assert filings["centre"].name not in response.content.decode()


def test_csrf_failure_explains_what_to_do_in_chinese(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "filer", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html
    assert "CSRF" not in html


def test_server_error_page_needs_no_context_and_is_chinese(db):
    request = RequestFactory().get("/")
    response = defaults.server_error(request)
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()


def test_permission_denied_page_shows_the_reason(db):
    request = RequestFactory().get("/")
    reason = "只有本单位的填报人可以删除草稿。"
    response = defaults.permission_denied(request, PermissionDenied(reason))
    assert response.status_code == 403
    assert reason in response.content.decode()


# --- the access helper ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "expected"),
    [
        (
            "filer",
            "draft",
            {
                "view",
                "edit",
                "delete",
                "copy",
                "submit",
                "comment",
                "reply",
                "resolve",
                "library_add",
            },
        ),
        (
            "filer",
            "returned",
            {"view", "edit", "copy", "submit", "comment", "reply", "resolve", "library_add"},
        ),
        (
            "filer",
            "department_review",
            {"view", "copy", "withdraw", "comment", "resolve", "library_add"},
        ),
        (
            "filer",
            "approved",
            {"view", "copy", "adjust", "apply_adjustment", "comment", "library_add"},
        ),
        (
            "department_reviewer",
            "returned",
            {"view", "reviewer", "comment", "comment_internal", "reply", "resolve"},
        ),
        (
            "department_reviewer",
            "department_review",
            {"view", "reviewer", "review", "comment", "comment_internal", "reply", "resolve"},
        ),
        (
            "finance_reviewer",
            "finance_review",
            # mark_level: the bureau says whether the project is 一级 or 二级.
            {
                *("view", "reviewer", "review", "comment", "comment_internal"),
                *("reply", "resolve", "mark_level"),
            },
        ),
        (
            "finance_reviewer",
            "approved",
            {"view", "reviewer", "comment", "comment_internal", "decide_adjustment"},
        ),
        ("admin", "draft", {"view"}),
    ],
)
def test_actions_follow_role_and_state(personas, orgs, persona, status, expected):
    filing = filing_in(status, orgs.elderly_centre, personas)
    user = getattr(personas, persona)
    assert filing_access(user, filing.pk).actions == expected


def test_a_department_reviewer_does_not_see_a_units_draft_never_submitted(personas, orgs):
    filing = filing_in("draft", orgs.elderly_centre, personas)
    with pytest.raises(Http404):
        filing_access(personas.department_reviewer, filing.pk)


def test_a_reviewer_who_sees_a_filing_may_not_edit_it(personas, filings):
    take_version(filings["centre"])  # submitted once: the department sees it
    with pytest.raises(PermissionDenied) as refused:
        filing_access(personas.department_reviewer, filings["centre"].pk, access.EDIT)
    assert "填报人" in str(refused.value)


@pytest.mark.parametrize("persona", ["outsider", "department_filer", "outside_finance_reviewer"])
def test_outsiders_get_404_before_any_permission_question(personas, filings, persona):
    with pytest.raises(Http404):
        filing_access(getattr(personas, persona), filings["centre"].pk, access.EDIT)


@pytest.mark.parametrize(
    ("persona", "forms"),
    [
        ("filer", ("project", "unit")),
        ("department_filer", ("project", "department")),
        ("department_reviewer", ()),
        ("finance_reviewer", ()),
        ("admin", ()),
    ],
)
def test_who_may_start_which_form(personas, persona, forms):
    assert tuple(access.creatable_forms(getattr(personas, persona))) == forms
