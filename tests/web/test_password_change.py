"""Identity: the password change page, the password rules, and the demo's printed password."""

import json

import pytest
from django.contrib.auth.password_validation import validate_password
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD, ROOT

NEW_PASSWORD = "绩效目标-2025-申报"
URL = "/accounts/password/"


def _change(client, old=PASSWORD, new1=NEW_PASSWORD, new2=NEW_PASSWORD):
    return client.post(
        URL, {"old_password": old, "new_password1": new1, "new_password2": new2}, follow=True
    )


def _logged_in(user):
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


def test_the_page_is_linked_from_the_nav_and_in_chinese(client, personas):
    client.force_login(personas.filer)
    home = client.get(reverse("filings:mine")).content.decode()
    assert f'href="{URL}"' in home and "修改密码" in home
    html = client.get(URL).content.decode()
    for label in ("修改密码", "旧密码", "新密码", "新密码确认", "保存新密码"):
        assert label in html
    assert reverse("password_change") == URL


def test_a_new_password_takes_effect_and_this_session_stays(client, personas):
    client.post(reverse("login"), {"username": personas.filer.username, "password": PASSWORD})
    elsewhere = _logged_in(personas.filer)  # the same user on another computer
    response = _change(client)
    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "密码已修改" in response.content.decode()
    # Still logged in here (update_session_auth_hash)…
    assert client.get(reverse("filings:mine")).status_code == 200
    # …logged out on the other computer, whose session was made with the old password.
    assert elsewhere.get(reverse("filings:mine")).status_code == 302
    # The login form (django-axes needs the request that authenticate() alone lacks).
    login = {"username": personas.filer.username}
    assert Client().post(reverse("login"), {**login, "password": NEW_PASSWORD}).status_code == 302
    assert Client().post(reverse("login"), {**login, "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"old": "not-my-password"}, "你的旧密码不正确。请重新输入。"),
        ({"new2": NEW_PASSWORD + "x"}, "输入的两个密码不一致。"),
        ({"new1": "12345678", "new2": "12345678"}, "这个密码太常见了。"),
        ({"new1": "739418265", "new2": "739418265"}, "密码只包含数字。"),
        ({"new1": "a1b2c3", "new2": "a1b2c3"}, "密码长度太短。密码必须包含至少 8 个字符。"),
        ({"new1": "filer123", "new2": "filer123"}, "密码跟 用户名 太相似了。"),
    ],
)
def test_a_refused_change_says_why_in_chinese_and_changes_nothing(
    client, personas, fields, message
):
    client.force_login(personas.filer)
    response = _change(client, **fields)
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert message in response.content.decode()
    personas.filer.refresh_from_db()
    assert personas.filer.check_password(PASSWORD)


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_demo_password_passes_the_password_rules(db):
    """scripts/demo.sh prints one password for every demo account: it must be a valid one."""
    demo = json.loads((ROOT / "fixtures" / "demo.json").read_text(encoding="utf-8"))
    assert demo["users"]
    for account in demo["users"]:
        user = User(
            username=account["username"], first_name=account["first_name"], role=account["role"]
        )
        validate_password(demo["password"], user)  # raises ValidationError if refused
