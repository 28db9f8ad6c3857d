"""Property tests of the other forms a user submits: new filing, copy, comment,
review decision and 审核表, rounds, 纳入指标库 and its suggestions, the list's
filters, password change and login.

One hostile value in one field, the rest as a user would fill them in: never a
500; a refusal re-renders the page with a Chinese message and what was typed;
the list, 我的申报 and the filing's page still open. Each example is rolled back.
"""

import html
import re
import uuid

import pytest
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from filings.models import Filing
from indicators.models import LibraryEntry
from review import workflow
from review.models import Comment, Round
from tests.conftest import PASSWORD
from tests.factories import complete_filing, full_sheet
from tests.helpers import strategies as hostile
from tests.helpers.properties import pages_still_open, per_example_rollback, rolled_back

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")

value = st.one_of(hostile.form_text, hostile.amount_text)


def _answered(response, typed):
    """Not a crash, and a refusal says why in Chinese, showing back what was typed."""
    assert response.status_code in (200, 302, 400, 403, 404, 409), response.content[:300]
    if response.status_code in (200, 400, 409) and response["Content-Type"].startswith("text/html"):
        page = response.content.decode()
        assert CHINESE.search(page)
        shown = typed.strip()
        if shown and "\x00" not in shown and len(shown) <= 100 and shown.isprintable():
            # Django escapes ' as &#x27;; html.escape writes &#x27; too.
            assert html.escape(shown) in page or shown not in (typed,), shown


@settings(per_example_rollback, max_examples=15)
@given(field=st.sampled_from(["year", "name"]), text=value)
@example(field="name", text="项目\x0b名称")
@example(field="year", text="²")
@example(field="year", text="9" * 30)
def test_new_filing(client, personas, field, text):
    client.force_login(personas.filer)

    def check():
        before = Filing.objects.count()
        data = {"year": "2026", "name": "新项目", field: text}
        response = client.post(reverse("filings:create", args=["project"]), data)
        _answered(response, text)
        if response.status_code != 302:
            assert Filing.objects.count() == before
        else:
            created = Filing.objects.latest("pk")
            assert "\x0b" not in created.name
            pages_still_open(client, created)

    rolled_back(check)


@settings(per_example_rollback, max_examples=10)
@given(text=value)
@example(text="²")
def test_copy_to_another_year(client, personas, filings, text):
    client.force_login(personas.filer)
    filing = filings["centre"]

    def check():
        before = Filing.objects.count()
        response = client.post(reverse("filings:copy", args=[filing.pk]), {"year": text})
        # A number input: the page shows the year it suggests, not what was sent.
        _answered(response, "")
        if response.status_code != 302:
            assert Filing.objects.count() == before
        pages_still_open(client, filing)

    rolled_back(check)


@pytest.fixture
def under_review(orgs, personas):
    filing = complete_filing(orgs.elderly_centre)
    workflow.submit(filing, personas.filer, seen_version=filing.lock_version)
    filing.refresh_from_db()
    return filing


@settings(per_example_rollback, max_examples=15)
@given(
    target=st.one_of(st.just("part:general"), hostile.form_text),
    body=value,
    internal=st.sampled_from(["", "on", "\x00", "是"]),
)
@example(target="part:general", body="意见\x00", internal="")
@example(target="row:" + "a" * 5000, body="意见", internal="")
@example(target="part:general", body="意" * 2001, internal="on")
def test_comment(client, personas, under_review, target, body, internal):
    client.force_login(personas.department_reviewer)

    def check():
        before = Comment.objects.count()
        data = {"target": target, "body": body, "internal": internal}
        response = client.post(reverse("review:add_comment", args=[under_review.pk]), data)
        _answered(response, body)
        if response.status_code != 302:
            assert Comment.objects.count() == before
        else:
            assert Comment.objects.latest("pk").body == body.strip()
        pages_still_open(client, under_review, editor=False)

    rolled_back(check)


SHEET_FIELDS = list(full_sheet())


@settings(per_example_rollback, max_examples=15)
@given(
    decision=st.sampled_from(["approve", "return", "", "²", "approve\x00"]),
    field=st.sampled_from(["seen_version", *SHEET_FIELDS]),
    text=value,
)
@example(decision="return", field="to_improve", text="补充\x00")
@example(decision="approve", field="grade", text="优秀" * 100)
@example(decision="approve", field="seen_version", text="²")
def test_review_decision(client, personas, under_review, decision, field, text):
    client.force_login(personas.department_reviewer)

    def check():
        under_review.refresh_from_db()  # an earlier example changed it, then rolled back
        status = under_review.status
        data = {
            "seen_version": under_review.lock_version,
            "decision": decision,
            **full_sheet(to_improve="请补充。"),
            field: text,
        }
        response = client.post(reverse("review:decide", args=[under_review.pk]), data)
        # The version is hidden and the grades are selects: only typed text comes back.
        typed = text if field.startswith(("opinion_", "to_improve")) else ""
        _answered(response, typed)
        under_review.refresh_from_db()
        if response.status_code != 302:
            assert under_review.status == status
        pages_still_open(client, under_review, editor=False)

    rolled_back(check)


@settings(per_example_rollback, max_examples=15)
@given(field=st.sampled_from(["year", "title", "opens_on", "deadline"]), text=value)
@example(field="title", text="批次\x00")
@example(field="year", text="9" * 30)
@example(field="deadline", text="99999-12-31")
def test_round(client, personas, field, text):
    client.force_login(personas.finance_reviewer)

    def check():
        before = Round.objects.count()
        data = {"year": "2027", "title": "2027年度申报", "opens_on": "2026-12-01"}
        data = {**data, "deadline": "2027-01-31", field: text}
        response = client.post(reverse("review:rounds"), data)
        _answered(response, text)
        if response.status_code != 302:
            assert Round.objects.count() == before
        assert client.get(reverse("review:rounds")).status_code == 200

    rolled_back(check)


@settings(per_example_rollback, max_examples=15)
@given(
    field=st.sampled_from(["filing", "key", "name", "value", "unit", "scope"]),
    text=value,
)
@example(field="filing", text="²")
@example(field="key", text="²")
def test_library_add(client, personas, filings, field, text):
    client.force_login(personas.filer)
    filing = filings["centre"]
    row = filing.indicators.first()

    def check():
        before = LibraryEntry.objects.count()
        data = {"filing": str(filing.pk), "key": str(row.key), field: text}
        response = client.post(reverse("indicators:library_add"), data)
        assert response.status_code in (200, 400, 403, 404, 409), response.content[:300]
        answer = response.json()
        if response.status_code != 200 or not answer.get("ok"):
            assert CHINESE.search(answer["error"])
            assert LibraryEntry.objects.count() == before
        pages_still_open(client, filing)

    rolled_back(check)


@settings(per_example_rollback, max_examples=15)
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["q", "filing", "level2", "year", "form", "organisation", "status", "page"]
        ),
        value,
        max_size=3,
    )
)
@example(params={"level2": "²"})
@example(params={"filing": "²"})
@example(params={"q": "\x00"})
@example(params={"page": "9" * 30})
def test_list_filters_and_suggestions(client, personas, filings, params):
    client.force_login(personas.filer)
    for url in (
        reverse("filings:list"),
        reverse("indicators:library"),
        reverse("indicators:library_suggest"),
    ):
        response = client.get(url, params)
        assert response.status_code in (200, 400, 404), (url, response.content[:300])
    response = client.get(reverse("filings:detail", args=[filings["centre"].pk]), params)
    assert response.status_code == 200, response.content[:300]


@settings(per_example_rollback, max_examples=10)
@given(field=st.sampled_from(["old_password", "new_password1", "new_password2"]), text=value)
@example(field="new_password1", text="\x00" * 10)
def test_password_change(client, personas, field, text):
    user = personas.filer
    client.force_login(user)

    def check():
        new = "a-new-Password-2026"
        data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        data[field] = text
        response = client.post(reverse("password_change"), data)
        _answered(response, "")  # a password is never shown back
        user.refresh_from_db()
        if response.status_code != 302:
            assert user.check_password(PASSWORD)
        assert client.get(reverse("filings:mine")).status_code in (200, 302)

    rolled_back(check)


def _login(client, username, password):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in (200, 302, 403, 429), response.content[:300]
    if response.status_code == 200:
        assert CHINESE.search(response.content.decode())


@settings(per_example_rollback, max_examples=10)
@given(username=value.filter(lambda text: len(text) <= 150), password=value)
@example(username="filer\x00", password=PASSWORD)
@example(username="filer", password="\x00")
@example(username="²" * 150, password="x")
def test_login(client, personas, username, password):
    rolled_back(lambda: _login(client, username, password))


def test_login_with_a_username_longer_than_the_column(client, personas):
    # Longer than axes' varchar(255) column: a refusal like any wrong name, not a 500.
    response = client.post(reverse("login"), {"username": "名" * 256, "password": "x"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_a_valid_key_is_a_uuid():
    # The library's key parameter is a row's key: a UUID, as the strategies assume.
    assert uuid.UUID(str(uuid.uuid4()))
