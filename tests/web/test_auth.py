from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from contest.accounts.models import LoginAttempt, Session, User
from contest.notifications.models import OutboxMessage
from tests.factories import PASSWORD, login_as, make_user, set_session_cookie
from tests.web.helpers import form_token

pytestmark = pytest.mark.web


def _registration(token: str, email: str) -> dict[str, str]:
    return {"csrf_token": token, "email": email, "display_name": "李华", "password": "a long password",
            "category": "student", "kind": "team", "organisation": "", "school": "同济大学"}


async def test_register_creates_designer_who_then_logs_in(client):
    token = await form_token(client, "/account/register")
    response = await client.post("/account/register", data=_registration(token, "Li.Hua@Example.org"))
    assert (response.status_code, response.headers["location"]) == (303, "http://testserver/account/login")
    user = await User.get(email="li.hua@example.org").prefetch_related("profile")
    assert (user.display_name, user.profile.category, user.profile.school) == ("李华", "student", "同济大学")
    login_page = await client.get("/account/login")
    assert "谢谢。我们已向 li.hua@example.org 发送邮件，请阅读后在此登录。" in login_page.text
    await client.post("/account/login", data={"csrf_token": token, "email": "li.hua@example.org",
                                              "password": "a long password"})
    assert "李华，您好。" in (await client.get("/me/")).text


async def test_registering_a_taken_email_answers_exactly_as_a_new_one(client):
    owner = await make_user(email="taken@example.org")
    answers = []
    for email in ("fresh@example.org", "taken@example.org"):
        token = await form_token(client, "/account/register")
        response = await client.post("/account/register", data=_registration(token, email))
        page = await client.get(response.headers["location"])
        answers.append((response.status_code, response.headers["location"],
                        page.text.replace(email, "E").replace(await form_token(client, "/account/login"), "T")))
    assert answers[0][0] == 303
    assert answers[0] == answers[1]
    assert await User.filter(email="taken@example.org").values_list("id", flat=True) == [owner.id]
    assert await OutboxMessage.all().order_by("id").values_list("kind", "to_email") == [
        ("account_created", "fresh@example.org"), ("account_exists", "taken@example.org")]


async def test_registration_is_throttled_per_address(client):
    statuses = []
    for n in range(11):
        token = await form_token(client, "/account/register")
        statuses.append((await client.post("/account/register", data=_registration(token, f"n{n}@example.org"))).status_code)
    assert statuses == [303] * 10 + [429]
    refused = await client.post("/account/register", data=_registration(token, "late@example.org"))
    assert "尝试次数过多" in refused.text
    assert 'value="late@example.org"' in refused.text
    assert await User.filter(email="late@example.org").count() == 0


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


async def test_login_slows_down_per_account_and_address(client):
    await make_user(email="target@example.org")
    token = await form_token(client, "/account/login")
    statuses = []
    for _ in range(6):
        response = await client.post("/account/login", data={"csrf_token": token, "email": "target@example.org", "password": "guess guess"})
        statuses.append(response.status_code)
    assert statuses == [400] * 5 + [429]
    blocked = await client.post("/account/login", data={"csrf_token": token, "email": "target@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.text


async def test_a_concurrent_burst_of_logins_is_evaluated_only_up_to_the_limit(client):
    await make_user(email="target@example.org")
    token = await form_token(client, "/account/login")
    guesses = [f"guess number {n}" for n in range(39)] + [PASSWORD]
    responses = await asyncio.gather(*(client.post("/account/login", data={
        "csrf_token": token, "email": "target@example.org", "password": guess}) for guess in guesses))
    assert Counter(r.status_code for r in responses) == Counter({429: 35, 400: 5})
    assert await Session.all().count() == 0


async def test_disabled_user_cannot_log_in(client):
    await make_user(email="gone@example.org", is_active=False)
    token = await form_token(client, "/account/login")
    response = await client.post("/account/login", data={"csrf_token": token, "email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert await LoginAttempt.filter(key="login:gone@example.org|127.0.0.1").count() == 1


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
