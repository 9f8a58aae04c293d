from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from contest.accounts import resets
from contest.accounts.models import ContestRole, LoginAttempt, Session, User
from contest.notifications.models import OutboxMessage
from contest.web.infra.redirects import safe_next
from tests.factories import PASSWORD, login_as, make_contest, make_user, set_session_cookie
from tests.web.helpers import form_token

pytestmark = pytest.mark.web


def _registration(token: str, email: str) -> dict[str, str]:
    return {"csrf_token": token, "email": email, "display_name": "李华", "password": "a long password",
            "category": "student", "kind": "team", "organisation": "", "school": "同济大学",
            "privacy": "1", "privacy_version": "1"}


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
    unknown = await client.post("/account/login",
                                data={"csrf_token": token, "email": "nobody@example.org", "password": "whatever pw"})
    wrong = await client.post("/account/login",
                              data={"csrf_token": token, "email": "known@example.org", "password": "whatever pw"})
    assert (unknown.status_code, wrong.status_code) == (400, 400)
    assert unknown.text.replace("nobody@example.org", "E") == wrong.text.replace("known@example.org", "E")
    assert "邮箱或密码不正确。" in wrong.text


async def test_login_slows_down_per_account_and_address(client):
    await make_user(email="target@example.org")
    token = await form_token(client, "/account/login")
    statuses = []
    for _ in range(6):
        response = await client.post("/account/login",
                                     data={"csrf_token": token, "email": "target@example.org", "password": "guess guess"})
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
    wrong = await client.post("/account/password",
                              data={"csrf_token": token, "current_password": "nope", "new_password": "another long one"})
    assert wrong.status_code == 400
    assert "当前密码不正确。" in wrong.text
    ok = await client.post("/account/password",
                           data={"csrf_token": token, "current_password": PASSWORD, "new_password": "another long one"})
    assert ok.status_code == 303
    assert client.cookies["contest_session"] != old_key
    assert await Session.filter(user_id=user.id).count() == 1


async def test_login_next_parameter_stays_on_site(client):
    await make_user(email="next@example.org")
    token = await form_token(client, "/account/login")
    response = await client.post("/account/login", data={"csrf_token": token, "email": "next@example.org", "password": PASSWORD,
                                                         "next": "//evil.example/x"})
    assert response.headers["location"] == "http://testserver/me/"


@pytest.mark.parametrize(("value", "expected"), [
    ("/me/c/renmin-2026/new", "/me/c/renmin-2026/new"),
    ("/c/x?tab=rules#top", "/c/x?tab=rules#top"),
    ("//evil.example/x", "/me/"),
    ("/\\evil.example", "/me/"),
    ("/\t/evil.example", "/me/"),
    ("/\n/evil.example", "/me/"),
    ("https://evil.example/", "/me/"),
    ("javascript:alert(1)", "/me/"),
    ("me/", "/me/"),
    ("", "/me/"),
    (None, "/me/"),
])
def test_next_is_only_ever_a_path_on_this_site(value, expected):
    assert safe_next(value, "/me/") == expected


async def test_registering_from_a_contest_leads_through_log_in_back_to_it(client):
    now = datetime.now(UTC)
    contest = await make_contest(submissions_open_at=now - timedelta(days=1), submissions_close_at=now + timedelta(days=9),
                                 announce_at=now + timedelta(days=40))
    new_entry = f"/me/c/{contest.slug}/new"
    page = await client.get(f"/c/{contest.slug}")
    assert f'href="/account/register?next=%2Fme%2Fc%2F{contest.slug}%2Fnew"' in page.text
    token = await form_token(client, f"/account/register?next={new_entry}")
    failed = await client.post("/account/register", data={**_registration(token, "x"), "next": new_entry})
    assert f'name="next" value="{new_entry}"' in failed.text and "a long password" not in failed.text
    done = await client.post("/account/register", data={**_registration(token, "li@example.org"), "next": new_entry})
    assert done.headers["location"] == f"http://testserver/account/login?next=%2Fme%2Fc%2F{contest.slug}%2Fnew"
    login_page = await client.get(done.headers["location"])
    assert f'name="next" value="{new_entry}"' in login_page.text
    logged_in = await client.post("/account/login", data={"csrf_token": token, "email": "li@example.org",
                                                          "password": "a long password", "next": new_entry})
    assert logged_in.headers["location"] == new_entry


@pytest.mark.parametrize(("role", "landing"), [("organiser", "/admin/"), ("judge", "/judge/"), (None, "/me/")])
async def test_log_in_leads_each_role_to_its_own_page(client, role, landing):
    user = await make_user(email="someone@example.org")
    if role:
        await ContestRole.create(contest=await make_contest(), user=user, role=role)
    token = await form_token(client, "/account/login")
    response = await client.post("/account/login", data={"csrf_token": token, "email": "someone@example.org",
                                                         "password": PASSWORD})
    assert response.headers["location"] == f"http://testserver{landing}"


async def test_asking_for_a_reset_answers_the_same_whether_or_not_the_address_has_an_account(client):
    await make_user(email="known@example.org")
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        token = await form_token(client, "/account/reset")
        response = await client.post("/account/reset", data={"csrf_token": token, "email": email})
        page = await client.get(response.headers["location"])
        answers.append((response.status_code, response.headers["location"],
                        page.text.replace(email, "E").replace(await form_token(client, "/account/login"), "T")))
    assert answers[0][0] == 303 and answers[0] == answers[1]
    assert await OutboxMessage.all().values_list("kind", "to_email") == [("password_reset", "known@example.org")]


async def test_the_reset_page_keeps_its_token_out_of_caches_and_referers_and_checks_the_repeat(client):
    await make_user(email="known@example.org")
    tokens: list[str] = []
    await resets.request_reset("known@example.org", ip="10.0.0.1", now=datetime.now(UTC),
                               link_for=lambda t: tokens.append(t) or t)
    page = await client.get(f"/account/reset/{tokens[0]}")
    assert (page.headers["cache-control"], page.headers["referrer-policy"]) == ("no-store", "no-referrer")
    token = await form_token(client, f"/account/reset/{tokens[0]}")
    mismatch = await client.post(f"/account/reset/{tokens[0]}", data={
        "csrf_token": token, "password": "a brand new password", "password_repeat": "another password"})
    assert mismatch.status_code == 400 and "两次输入的密码不一致" in mismatch.text
    done = await client.post(f"/account/reset/{tokens[0]}", data={
        "csrf_token": token, "password": "a brand new password", "password_repeat": "a brand new password"})
    assert done.headers["location"] == "http://testserver/account/login"
    gone = await client.get(f"/account/reset/{tokens[0]}")
    assert (gone.status_code, "链接已失效" in gone.text) == (404, True)


async def test_the_language_one_logs_in_with_becomes_the_account_s_language_for_e_mails(client):
    await make_user(email="someone@example.org")
    client.cookies.set("contest_lang", "en", domain="testserver.local", path="/")
    token = await form_token(client, "/account/login")
    await client.post("/account/login", data={"csrf_token": token, "email": "someone@example.org", "password": PASSWORD})
    assert await User.filter(email="someone@example.org").values_list("locale", flat=True) == ["en"]


@pytest.mark.parametrize(("lang", "invited", "entrants", "gone"), [
    ("zh_CN", "评委和组委会成员凭邀请加入：请用您从邀请邮件中的链接设置的账号登录，无需注册。", "参赛设计者？", "第一次来？"),
    ("en", ("Judges and organisers join by invitation: log in with the account you set up from the link in your "
            "invitation e-mail. There is nothing to register."), "Entering as a designer?", "New here?"),
])
async def test_the_log_in_page_sends_judges_and_organisers_to_their_invitation_and_only_designers_to_register(
        client, lang, invited, entrants, gone):
    client.cookies.set("contest_lang", lang, domain="testserver.local", path="/")
    page = (await client.get("/account/login")).text
    main = page[page.index('<main'):page.index('</main>')]
    assert invited in main
    assert f'{entrants} <a href="/account/register">' in main
    assert gone not in main
