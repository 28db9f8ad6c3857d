"""Who sees which filings: the queryset rule and the pages that use it."""

import pytest
from django.urls import reverse

from filings.models import Filing
from tests.factories import take_version

# persona -> the filings (by key of the ``filings`` fixture) it may see
VISIBILITY = [
    ("filer", {"centre"}),
    ("department_filer", {"civil"}),
    # The centre's filing is a draft never submitted: not yet its department's to see.
    ("department_reviewer", {"civil"}),
    ("finance_reviewer", {"civil", "centre"}),
    ("outsider", {"federation"}),
    ("outside_finance_reviewer", {"federation"}),
    ("admin", {"centre", "civil", "federation"}),
]


def _keys(filings, queryset):
    by_pk = {filing.pk: key for key, filing in filings.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize(("persona", "expected"), VISIBILITY)
def test_visible_to_follows_the_organisation_tree(personas, filings, persona, expected):
    user = getattr(personas, persona)
    assert _keys(filings, Filing.objects.visible_to(user)) == expected


@pytest.mark.parametrize(("persona", "expected"), VISIBILITY)
def test_list_page_shows_only_visible_filings(client, personas, filings, persona, expected):
    client.force_login(getattr(personas, persona))
    html = client.get(reverse("filings:list")).content.decode()
    shown = {key for key, filing in filings.items() if filing.name in html}
    assert shown == expected


@pytest.mark.parametrize(("persona", "expected"), VISIBILITY)
def test_detail_page_is_404_outside_the_tree(client, personas, filings, persona, expected):
    client.force_login(getattr(personas, persona))
    for key, filing in filings.items():
        response = client.get(reverse("filings:detail", args=[filing.pk]))
        assert response.status_code == (200 if key in expected else 404), key


def test_a_units_filing_is_its_departments_to_see_once_submitted(personas, filings):
    take_version(filings["centre"])
    seen = _keys(filings, Filing.objects.visible_to(personas.department_reviewer))
    assert seen == {"civil", "centre"}


def test_user_without_organisation_sees_nothing(personas, filings):
    user = personas.filer
    user.organisation = None
    assert not Filing.objects.visible_to(user).exists()


def test_inactive_user_sees_nothing(personas, filings):
    user = personas.finance_reviewer
    user.is_active = False
    assert not Filing.objects.visible_to(user).exists()


@pytest.mark.parametrize("url_name", ["filings:list", "filings:detail"])
def test_anonymous_user_is_sent_to_login(client, filings, url_name):
    args = [filings["centre"].pk] if url_name == "filings:detail" else []
    url = reverse(url_name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_wrong_password_says_so_in_chinese(client, personas):
    response = client.post(reverse("login"), {"username": "filer", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "landing"),
    [("filer", "filings:mine"), ("dept_reviewer", "filings:list"), ("admin", "filings:list")],
)
def test_login_lands_filers_on_their_filings_and_others_on_the_list(
    client, personas, username, landing
):
    from tests.conftest import PASSWORD

    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(landing)


def test_logout_needs_post(client, personas):
    client.force_login(personas.filer)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
