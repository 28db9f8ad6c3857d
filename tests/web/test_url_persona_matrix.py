"""Every URL of the site, requested by every persona: no byte of another organisation's data.

The matrix itself (routes, personas, the world of organisation A) is in
tests/helpers/url_matrix.py, shared with the browser test of small screens.
"""

import uuid

import pytest
from django.urls import reverse

from tests.helpers import url_matrix
from tests.helpers.url_matrix import (
    ANONYMOUS,
    DRAFT_HIDDEN_FROM,
    INSIDERS,
    OUTSIDERS,
    PERSONAS,
    REFUSED,
    ROUTES,
    SECRET,
    SECRET_ROW,
    _a_decided_review,
    _a_job,
    _a_notice,
    _a_row,
    _an_attachment,
    _filing,
    _step,
    _two_versions,
    build_world,
    named_routes,
)


@pytest.fixture
def world(orgs):
    return build_world(orgs)


def test_every_url_is_in_the_matrix():
    names = {name for name, _ in named_routes()}
    missing = sorted(names - set(ROUTES))
    assert not missing, f"add these routes to ROUTES in {url_matrix.__name__}: {missing}"
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"these routes no longer exist: {stale}"


def _cases():
    for name, route in sorted(ROUTES.items()):
        for method in route.methods:
            for persona in PERSONAS:
                yield pytest.param(name, method, persona, id=f"{name}-{method}-{persona}")


@pytest.mark.parametrize(("name", "method", "persona"), list(_cases()))
def test_url_as_persona(client, world, name, method, persona):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    if method == "GET":
        response = client.get(url + route.query)
    else:
        response = client.post(url, route.data(world) if route.data else {})
    body = b"".join(response) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")

    if persona in OUTSIDERS or persona == "anonymous":
        assert SECRET not in text and SECRET_ROW not in text, "A's data leaked"
        if persona == "anonymous" and name != "login":
            assert response.status_code in ANONYMOUS
        elif not route.own_page:
            assert response.status_code in REFUSED
        return
    allowed = route.insiders.get(persona)
    about_the_draft = route.kwargs in (_filing, _step, _a_row)
    if persona in DRAFT_HIDDEN_FROM and about_the_draft and allowed and 405 not in allowed:
        # A's filing is a draft never submitted: its department does not see it yet.
        allowed = {404}
    if allowed is not None and method == "GET":
        assert response.status_code in allowed
    else:
        assert response.status_code < 500


# --- Downloads: a link to another organisation's file is a 404, not a 403 ------------

DOWNLOADS = {
    "exports:export_pdf": (_filing, ""),
    # A version's kept PDF (the printed official form, filed under EXPORT_ROOT).
    "exports:export_pdf-version": (_two_versions, "?version=1"),
    "exports:export_excel": (_filing, ""),
    "exports:review_sheet_pdf": (_a_decided_review, ""),
    "exports:export_status": (_a_job, ""),
    "exports:export_download": (_a_job, ""),
    "attachments:download": (_an_attachment, ""),
    "attachments:list": (_filing, ""),
    "review:notice_pdf": (_a_notice, ""),
}


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("download", sorted(DOWNLOADS))
def test_a_download_link_of_another_organisation_is_a_404(client, world, download, persona):
    kwargs, query = DOWNLOADS[download]
    client.force_login(world.users[persona])
    response = client.get(reverse(download.split("-")[0], kwargs=kwargs(world)) + query)
    assert response.status_code == 404


@pytest.mark.parametrize("persona", [*INSIDERS, *OUTSIDERS])
def test_a_guessed_export_job_id_is_a_404_for_everyone(client, world, persona):
    _a_job(world)  # a real job exists beside the guessed one
    client.force_login(world.users[persona])
    for name in ("exports:export_status", "exports:export_download"):
        assert client.get(reverse(name, args=[uuid.uuid4()])).status_code == 404
