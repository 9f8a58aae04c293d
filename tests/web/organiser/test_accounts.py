"""The contest's accounts page: a contest's organiser removes people from that contest only; only site
organisers switch an account off, which reaches every contest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contest.accounts import sessions
from contest.accounts.models import ContestRole, ContestRoleKind, Session, User
from contest.audit.models import AuditEvent
from tests.factories import login_as, make_contest, make_user
from tests.web.helpers import form_token

pytestmark = pytest.mark.web


async def with_role(contest, role: ContestRoleKind, **fields) -> User:
    user = await make_user(**fields)
    await ContestRole.create(contest=contest, user=user, role=role)
    return user


async def signed_in(client, settings, user, contest) -> str:
    await login_as(client, user, secret=settings.secret_key)
    return await form_token(client, f"/admin/c/{contest.slug}/accounts")


async def judge_with_session(contest) -> User:
    judge = await with_role(contest, ContestRoleKind.JUDGE, display_name="评委甲", email="judge@example.org")
    await sessions.start_session(judge, now=datetime.now(UTC))
    return judge


async def test_a_contest_organiser_cannot_disable_an_account(client, settings):
    contest = await make_contest()
    judge = await judge_with_session(contest)
    token = await signed_in(client, settings, await with_role(contest, ContestRoleKind.ORGANISER), contest)
    page = await client.get(f"/admin/c/{contest.slug}/accounts")
    assert f"/accounts/{judge.id}/active" not in page.text
    refused = await client.post(f"/admin/c/{contest.slug}/accounts/{judge.id}/active",
                                data={"csrf_token": token, "active": "0"})
    assert refused.status_code == 404
    assert (await User.get(id=judge.id)).is_active is True
    assert await Session.filter(user_id=judge.id).count() == 1
    assert await AuditEvent.all().count() == 0


async def test_a_contest_organiser_removes_a_person_from_that_contest_only(client, settings):
    contest, elsewhere = await make_contest(), await make_contest()
    judge = await judge_with_session(contest)
    await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.ORGANISER)
    await ContestRole.create(contest=elsewhere, user=judge, role=ContestRoleKind.JUDGE)
    organiser = await with_role(contest, ContestRoleKind.ORGANISER)
    token = await signed_in(client, settings, organiser, contest)
    page = await client.get(f"/admin/c/{contest.slug}/accounts")
    assert f"/accounts/{judge.id}/remove" in page.text
    removed = await client.post(f"/admin/c/{contest.slug}/accounts/{judge.id}/remove", data={"csrf_token": token})
    assert (removed.status_code, removed.headers["location"]) == (
        303, f"http://testserver/admin/c/{contest.slug}/accounts")
    after = await client.get(removed.headers["location"])
    assert ("评委甲 在本赛事中已无任何角色或评审组席位。其账号保留；"
            "其在未锁定轮次中的评分不再计入（审计日志留有记录）。") in after.text
    assert await ContestRole.filter(user_id=judge.id).values_list("contest_id", "role") == [
        (elsewhere.id, ContestRoleKind.JUDGE)]
    assert ((await User.get(id=judge.id)).is_active, await Session.filter(user_id=judge.id).count()) == (True, 1)
    event = await AuditEvent.get()
    assert (event.action, event.actor_id, event.contest_id, event.subject, event.data) == (
        "contest_role.removed", organiser.id, contest.id, f"user:{judge.id}",
        {"email": "judge@example.org", "roles": ["judge", "organiser"]})


async def test_a_contest_organiser_removes_nobody_elsewhere_nor_a_site_organiser_nor_themselves(client, settings):
    contest, elsewhere = await make_contest(), await make_contest()
    other_judge = await with_role(elsewhere, ContestRoleKind.JUDGE)
    staff = await with_role(contest, ContestRoleKind.JUDGE, is_staff=True)
    organiser = await with_role(contest, ContestRoleKind.ORGANISER)
    token = await signed_in(client, settings, organiser, contest)
    statuses = [(await client.post(f"/admin/c/{slug}/accounts/{user.id}/remove", data={"csrf_token": token})).status_code
                for slug, user in ((contest.slug, other_judge), (elsewhere.slug, other_judge), (contest.slug, staff),
                                   (contest.slug, organiser))]
    assert statuses == [404, 404, 404, 404]
    assert await ContestRole.all().count() == 3
    assert await AuditEvent.all().count() == 0


async def test_a_site_organiser_disables_an_account_everywhere(client, settings):
    contest = await make_contest()
    judge = await judge_with_session(contest)
    token = await signed_in(client, settings, await make_user(is_staff=True), contest)
    page = await client.get(f"/admin/c/{contest.slug}/accounts")
    assert f"/accounts/{judge.id}/active" in page.text
    done = await client.post(f"/admin/c/{contest.slug}/accounts/{judge.id}/active",
                             data={"csrf_token": token, "active": "0"})
    assert done.status_code == 303
    assert ((await User.get(id=judge.id)).is_active, await Session.filter(user_id=judge.id).count()) == (False, 0)
    assert await AuditEvent.all().values_list("action", flat=True) == ["account.disabled"]
