from __future__ import annotations

import pytest

from contest import clock
from contest.accounts import privacy
from contest.accounts.models import ContestRole, PrivacyConsent, PrivacyNotice, User
from contest.console import invitations
from contest.contests.models import TermsKind, TermsText
from tests.factories import NOW, PASSWORD, login_as, make_contest, make_entry, make_track, make_user
from tests.web.helpers import form_token

pytestmark = pytest.mark.web

SPEC = privacy.NoticeSpec(title="个人信息处理规则（第二版）", title_en="Privacy notice, second edition",
                          body="## 新增\n\n我们新增了**短信验证**。", body_en="## New\n\nWe added **SMS codes**.")


def _registration(token: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, "email": "li@example.org", "display_name": "李华", "password": "a long password",
            "category": "student", "kind": "team", "organisation": "上海工艺美术职业学院", "school": "同济大学",
            "privacy_version": "1", **fields}


async def test_registration_shows_the_notice_and_both_consents(client):
    page = (await client.get("/account/register")).text
    assert "<h2>个人信息处理规则 <span class=\"muted\">第 1 版</span></h2>" in page
    assert "<h2>一、我们处理哪些个人信息</h2>" in page
    assert '<summary lang="en">English version (the Chinese version prevails)</summary>' in page
    assert 'name="privacy_version" value="1"' in page
    assert [name in page for name in ('name="privacy" value="1"', 'name="sensitive" value="1"')] == [True, True]


async def test_registration_without_consent_is_refused_and_keeps_what_was_typed(client):
    token = await form_token(client, "/account/register")
    refused = await client.post("/account/register", data=_registration(token, sensitive="1"))
    assert refused.status_code == 400
    assert "请阅读个人信息处理规则并勾选同意：未同意则无法创建账号。" in refused.text
    kept = ['value="li@example.org"', 'value="李华"', 'value="上海工艺美术职业学院"', 'value="同济大学"',
            'name="sensitive" value="1" checked']
    assert [value in refused.text for value in kept] == [True] * len(kept)
    assert "a long password" not in refused.text
    assert (await User.all().count(), await PrivacyConsent.all().count()) == (0, 0)


async def test_registration_with_consent_records_it(client):
    token = await form_token(client, "/account/register")
    done = await client.post("/account/register", data=_registration(token, privacy="1"))
    assert done.status_code == 303
    user = await User.get(email="li@example.org")
    assert await PrivacyConsent.filter(user_id=user.id).values_list("notice__version", "sensitive") == [(1, False)]


async def _log_in(client, email: str, next_url: str = "") -> str:
    token = await form_token(client, "/account/login")
    answer = await client.post("/account/login", data={"csrf_token": token, "email": email, "password": PASSWORD,
                                                       "next": next_url})
    return answer.headers["location"]


async def test_after_a_new_version_the_log_in_leads_to_the_notice_until_accepted(client):
    designer = await make_user(email="mei@example.org")
    await privacy.publish_notice(SPEC, by=await make_user(is_staff=True), now=NOW)
    assert await _log_in(client, "mei@example.org") == "http://testserver/me/"
    held = await client.get("/me/")
    assert (held.status_code, held.headers["location"]) == (303, "http://testserver/account/privacy?next=%2Fme%2F")
    page = await client.get(held.headers["location"])
    assert "您此前同意的是第 1 版。请阅读第 2 版并同意后继续。" in page.text
    assert "<h2>个人信息处理规则（第二版） <span class=\"muted\">第 2 版</span></h2>" in page.text
    assert "<strong>短信验证</strong>" in page.text
    token = await form_token(client, "/account/privacy")
    refused = await client.post("/account/privacy", data={"csrf_token": token, "privacy_version": "2", "next": "/me/"})
    assert (refused.status_code, "请勾选同意个人信息处理规则，或退出登录。" in refused.text) == (400, True)
    assert (await client.get("/me/")).status_code == 303
    accepted = await client.post("/account/privacy", data={"csrf_token": token, "privacy_version": "2", "privacy": "1",
                                                           "next": "/me/"})
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/me/")
    assert (await client.get("/me/")).status_code == 200
    assert await PrivacyConsent.filter(user_id=designer.id).order_by("id").values_list("notice__version", flat=True) == [1, 2]


async def test_a_script_held_at_the_notice_gets_json_not_a_page(client):
    await make_user(email="mei@example.org", consented=False)
    await _log_in(client, "mei@example.org")
    answer = await client.get("/account/keep-alive", headers={"accept": "application/json"})
    assert (answer.status_code, answer.json()["error"]) == (403, "请先阅读并同意个人信息处理规则。")


async def test_a_session_already_open_is_not_held_when_a_new_version_comes_out(client, settings):
    contest = await make_contest()
    judge = await make_user(email="judge@jury.example.net")
    await ContestRole.create(contest=contest, user=judge, role="judge")
    await login_as(client, judge, secret=settings.secret_key)
    await privacy.publish_notice(SPEC, by=await make_user(is_staff=True), now=NOW)
    answers = [(await client.get(path)).status_code for path in ("/judge/", "/account/keep-alive", "/me/")]
    assert answers == [200, 200, 200]
    assert await _log_in(client, "judge@jury.example.net") == "http://testserver/judge/"
    assert (await client.get("/judge/")).headers["location"] == "http://testserver/account/privacy?next=%2Fjudge%2F"


async def test_an_invited_new_account_consents_on_the_invitation_page(client, settings):
    contest = await make_contest()
    organiser = await make_user(is_staff=True)
    invited: list[str] = []
    await invitations.invite(contest, email="new@jury.example.net", role="judge", by=organiser, now=clock.now(),
                             link_for=lambda token: invited.append(token) or f"http://testserver/account/invite/{token}")
    path = f"/account/invite/{invited[0]}"
    token = await form_token(client, path)
    fields = {"csrf_token": token, "display_name": "张教授", "password": "a long password",
              "password_repeat": "a long password", "privacy_version": "1"}
    refused = await client.post(path, data=fields)
    assert (refused.status_code, "请阅读个人信息处理规则并勾选同意：未同意则无法创建账号。" in refused.text) == (400, True)
    accepted = await client.post(path, data={**fields, "privacy": "1", "sensitive": "1"})
    assert accepted.headers["location"] == "http://testserver/judge/"
    assert (await client.get("/judge/")).status_code == 200
    assert await PrivacyConsent.filter(user__email="new@jury.example.net").values_list("notice__version", "sensitive") == [
        (1, True)]


async def test_the_privacy_page_shows_the_notice_in_chinese_with_english(client):
    page = (await client.get("/privacy")).text
    assert "<h2>三、处理目的和方式</h2>" in page and "<h2>3. Why and how we use it</h2>" in page
    english = (await client.get("/privacy", headers={"accept-language": "en"})).text
    assert "<h2>Privacy notice <span class=\"muted\">Version 1</span></h2>" in english
    assert '<summary lang="zh-CN">中文版（如有不一致，以中文版为准）</summary>' in english


async def test_markdown_in_a_notice_is_rendered_safely(client):
    await privacy.publish_notice(privacy.NoticeSpec(title="规则", title_en="", body="<script>alert(1)</script>\n\n**要点**",
                                                    body_en=""), by=await make_user(is_staff=True), now=NOW)
    page = (await client.get("/privacy")).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<strong>要点</strong>" in page


async def test_a_contest_s_additions_follow_the_notice_on_its_page_and_at_its_entry(client, settings):
    contest = await make_contest(is_published=True)
    plain = (await client.get(f"/c/{contest.slug}/privacy")).text
    assert "的补充规定" not in plain and "<h2>一、我们处理哪些个人信息</h2>" in plain
    await TermsText.create(contest=contest, kind=TermsKind.PRIVACY, version=1, body="本大赛另收集**作品实物**的寄送地址。")
    page = (await client.get(f"/c/{contest.slug}/privacy")).text
    assert f"{contest.title}的补充规定" in page and "<strong>作品实物</strong>" in page
    assert page.index("一、我们处理哪些个人信息") < page.index("作品实物")
    assert f'href="/c/{contest.slug}/privacy"' in (await client.get(f"/c/{contest.slug}")).text
    designer = await make_user()
    entry = await make_entry(contest, await make_track(contest), designer)
    await login_as(client, designer, secret=settings.secret_key)
    form = (await client.get(f"/me/entries/{entry.id}")).text
    assert "个人信息处理规则：本大赛的补充规定" in form and "<strong>作品实物</strong>" in form


async def test_a_site_organiser_publishes_a_new_version(client, settings):
    organiser = await make_user(is_staff=True)
    await login_as(client, organiser, secret=settings.secret_key)
    token = await form_token(client, "/admin/privacy")
    refused = await client.post("/admin/privacy", data={"csrf_token": token, "title": "", "body": "保留的正文"})
    assert (refused.status_code, "保留的正文" in refused.text) == (400, True)
    done = await client.post("/admin/privacy", data={"csrf_token": token, "title": SPEC.title, "body": SPEC.body,
                                                     "title_en": SPEC.title_en, "body_en": SPEC.body_en})
    assert (done.status_code, done.headers["location"]) == (303, "http://testserver/admin/privacy")
    assert await PrivacyNotice.filter(version=2).values_list("title", "body_en", "created_by_id") == [
        (SPEC.title, SPEC.body_en, organiser.id)]
    assert "个人信息处理规则第 2 版已发布。" in (await client.get("/admin/privacy")).text


async def test_no_filings_in_the_footer_when_none_are_configured(client):
    page = (await client.get("/")).text
    assert ("beian" not in page, '<a href="/privacy">个人信息处理规则</a>' in page) == (True, True)
