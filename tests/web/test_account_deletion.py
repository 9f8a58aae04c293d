from __future__ import annotations

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.audit.models import AuditEvent
from tests.factories import PASSWORD, login_as, make_contest, make_user
from tests.web.helpers import form_token

pytestmark = pytest.mark.web

PAGE = "/account/delete"


async def test_the_page_explains_what_goes_and_what_is_kept_before_asking_for_the_password(client, settings):
    await login_as(client, await make_user(), secret=settings.secret_key)
    page = (await client.get("/me/")).text
    assert 'account/delete"' in page
    response = await client.get(PAGE)
    assert response.status_code == 200
    for said in ("将被删除的内容", "您的草稿和已撤回的作品及其文件", "大赛必须保留的内容", "获奖作品的公开信息",
                 "操作日志", 'name="password"', 'name="csrf_token"'):
        assert said in response.text


async def test_deleting_needs_the_form_token_and_the_password(client, settings):
    designer = await make_user(email="chen@qq.com", display_name="陈晓雯")
    await login_as(client, designer, secret=settings.secret_key)
    token = await form_token(client, PAGE)

    forged = await client.post(PAGE, data={"password": PASSWORD})
    wrong = await client.post(PAGE, data={"csrf_token": token, "password": "not my password"})
    assert (forged.status_code, wrong.status_code) == (403, 400)
    assert "密码不正确" in wrong.text
    assert (await User.get(id=designer.id)).email == "chen@qq.com"

    done = await client.post(PAGE, data={"csrf_token": token, "password": PASSWORD})
    assert (done.status_code, done.headers["location"]) == (303, "http://testserver/")
    user = await User.get(id=designer.id)
    assert (user.email.endswith("@invalid"), user.display_name, user.is_active) == (True, "已注销用户", False)
    assert await AuditEvent.filter(action="account.deleted").count() == 1
    assert "/account/login" in (await client.get("/me/")).headers["location"]
    login_token = await form_token(client, "/account/login")
    again = await client.post("/account/login", data={"csrf_token": login_token, "email": "chen@qq.com",
                                                      "password": PASSWORD})
    assert again.status_code == 400


async def test_a_judge_reads_why_the_account_cannot_be_deleted_here(client, settings):
    judge = await make_user()
    await ContestRole.create(contest=await make_contest(), user=judge, role=ContestRoleKind.JUDGE)
    await login_as(client, judge, secret=settings.secret_key)
    response = await client.get(PAGE)
    assert response.status_code == 409
    assert "请先请大赛组委会将您从其大赛中移除" in response.text and 'name="password"' not in response.text
