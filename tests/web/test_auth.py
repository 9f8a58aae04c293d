from __future__ import annotations

import pytest

from contest.accounts.models import LoginAttempt, Session, User
from tests.factories import PASSWORD, login_as, make_user, set_session_cookie
from tests.web.helpers import form_token

pytestmark = pytest.mark.web


async def test_register_creates_designer_and_logs_in(client):
    token = await form_token(client, "/account/register")
    response = await client.post("/account/register", data={
        "csrf_token": token, "email": "Li.Hua@Example.org", "display_name": "李华", "password": "a long password",
        "category": "student", "kind": "team", "organisation": "", "school": "同济大学",
    })
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/me/"
    user = await User.get(email="li.hua@example.org").prefetch_related("profile")
    assert (user.display_name, user.profile.category, user.profile.school) == ("李华", "student", "同济大学")
    dashboard = await client.get("/me/")
    assert "李华，您好。" in dashboard.text


async def test_register_with_bad_fields_keeps_input_and_explains(client):
    token = await form_token(client, "/account/register")
    response = await client.post("/account/register", data={
        "csrf_token": token, "email": "not-an-email", "display_name": "王芳", "password": "short",
        "category": "worker", "kind": "individual",
    })
    assert response.status_code == 400
    assert "请输入有效的电子邮箱地址。" in response.text
    assert "请至少使用 10 个字符。" in response.text
    assert 'value="王芳"' in response.text
    assert await User.all().count() == 0


async def test_login_rotates_the_session(client, settings):
    user = await make_user(email="judge@example.org")
    await login_as(client, user, secret=settings.secret_key)
    old_key = client.cookies["contest_session"]
    token = await form_token(client, "/account/login")
    response = await client.post("/account/login", data={"csrf_token": token, "email": "judge@example.org", "password": PASSWORD})
    assert response.status_code == 303
    new_key = client.cookies["contest_session"]
    assert new_key != old_key
    assert await Session.filter(user_id=user.id).count() == 1
    set_session_cookie(client, old_key)
    assert (await client.get("/me/")).status_code == 303


async def test_logout_kills_the_session_on_the_server(client, settings):
    user = await make_user()
    token = await login_as(client, user, secret=settings.secret_key)
    key = client.cookies["contest_session"]
    response = await client.post("/account/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert await Session.filter(user_id=user.id).count() == 0
    set_session_cookie(client, key)
    after = await client.get("/me/")
    assert after.status_code == 303
    assert after.headers["location"].startswith("http://testserver/account/login?next=")


async def test_unknown_email_and_wrong_password_answer_the_same(client):
    await make_user(email="known@example.org")
    token = await form_token(client, "/account/login")
    unknown = await client.post("/account/login", data={"csrf_token": token, "email": "nobody@example.org", "password": "whatever pw"})
    wrong = await client.post("/account/login", data={"csrf_token": token, "email": "known@example.org", "password": "whatever pw"})
    assert (unknown.status_code, wrong.status_code) == (400, 400)
    assert unknown.text.replace("nobody@example.org", "E") == wrong.text.replace("known@example.org", "E")
    assert "邮箱或密码不正确。" in wrong.text


async def test_login_is_throttled_per_account(client):
    await make_user(email="target@example.org")
    token = await form_token(client, "/account/login")
    statuses = []
    for _ in range(11):
        response = await client.post("/account/login", data={"csrf_token": token, "email": "target@example.org", "password": "guess guess"})
        statuses.append(response.status_code)
    assert statuses == [400] * 10 + [429]
    blocked = await client.post("/account/login", data={"csrf_token": token, "email": "target@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.text


async def test_disabled_user_cannot_log_in(client):
    await make_user(email="gone@example.org", is_active=False)
    token = await form_token(client, "/account/login")
    response = await client.post("/account/login", data={"csrf_token": token, "email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert await LoginAttempt.filter(key="account:gone@example.org").count() == 1


async def test_password_change_requires_current_password_and_rotates_session(client, settings):
    user = await make_user()
    token = await login_as(client, user, secret=settings.secret_key)
    old_key = client.cookies["contest_session"]
    wrong = await client.post("/account/password", data={"csrf_token": token, "current_password": "nope", "new_password": "another long one"})
    assert wrong.status_code == 400
    assert "当前密码不正确。" in wrong.text
    ok = await client.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD, "new_password": "another long one"})
    assert ok.status_code == 303
    assert client.cookies["contest_session"] != old_key
    assert await Session.filter(user_id=user.id).count() == 1


async def test_login_next_parameter_stays_on_site(client):
    await make_user(email="next@example.org")
    token = await form_token(client, "/account/login")
    response = await client.post("/account/login", data={"csrf_token": token, "email": "next@example.org", "password": PASSWORD, "next": "//evil.example/x"})
    assert response.headers["location"] == "http://testserver/me/"
