from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from datetime import timedelta

import pytest

from contest.accounts import passwords
from contest.accounts.models import ContestRole, ContestRoleKind, Invitation, User
from contest.audit.models import AuditEvent
from contest.console import invitations
from contest.console.invitations import InvitationInvalid
from contest.errors import InvalidInput
from contest.judging.models import JudgeGroup, PanelMember
from contest.notifications.models import OutboxMessage
from contest.notifications.outbox import outgoing
from tests.factories import NOW, PASSWORD, make_contest, make_user
from tests.judging.helpers import make_round, panel_with

pytestmark = pytest.mark.unit

LINK = re.compile(r"https://contest\.example/account/invite/(\S+)")


def link_for(token: str) -> str:
    return f"https://contest.example/account/invite/{token}"


async def send(contest, email="judge@jury.example.net", role="judge", **fields) -> tuple[Invitation, str]:
    """Invite and return the invitation with the token read back from the outbox, as the invitee would."""
    by = fields.pop("by", None) or await make_user()
    invitation = await invitations.invite(contest, email=email, role=role, by=by, now=fields.pop("now", NOW),
                                          link_for=link_for, **fields)
    message = await OutboxMessage.filter(to_email=invitation.email).order_by("-id").first()
    return invitation, LINK.search(outgoing(message)[1]).group(1)


async def test_token_is_128_random_bits_and_only_its_hash_is_stored(db):
    contest = await make_contest()
    invitation, token = await send(contest)
    assert len(base64.urlsafe_b64decode(token + "==")) == 16
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = await Invitation.get(id=invitation.id).values()
    assert [key for key, value in stored.items() if token in str(value)] == []
    tokens = {(await send(contest, email=f"j{n}@jury.example.net"))[1] for n in range(20)}
    assert len(tokens) == 20


async def test_link_is_valid_until_just_before_72_hours(db):
    _, token = await send(await make_contest())
    assert await invitations.invitation_for(token, now=NOW + timedelta(hours=72, seconds=-1)) is not None
    assert await invitations.invitation_for(token, now=NOW + timedelta(hours=72)) is None
    with pytest.raises(InvitationInvalid):
        await invitations.accept(token, display_name="迟到", password="a long password", now=NOW + timedelta(hours=72))
    assert await User.filter(email="judge@jury.example.net").count() == 0


async def test_accept_creates_the_account_grants_the_role_and_works_once(db):
    contest = await make_contest()
    _, token = await send(contest, email="New.Judge@Jury.example.net")
    user = await invitations.accept(token, display_name=" 张教授 ", password="a long password", now=NOW)
    assert (user.email, user.display_name) == ("new.judge@jury.example.net", "张教授")
    assert await passwords.verify_password(user.password_hash, "a long password")
    roles = await ContestRole.filter(user_id=user.id).values_list("contest_id", "role")
    assert roles == [(contest.id, ContestRoleKind.JUDGE)]
    with pytest.raises(InvitationInvalid):
        await invitations.accept(token, display_name="再来", password="a long password", now=NOW)
    assert await invitations.invitation_for(token, now=NOW) is None
    assert await AuditEvent.filter(action="invitation.accept").values_list("actor_id", flat=True) == [user.id]


@pytest.mark.parametrize("existing", [False, True])
async def test_two_concurrent_accepts_exactly_one_succeeds(db, existing):
    contest = await make_contest()
    if existing:
        await make_user(email="judge@jury.example.net")
    _, token = await send(contest)
    outcomes = await asyncio.gather(
        *(invitations.accept(token, display_name="评委", password=PASSWORD, now=NOW) for _ in range(2)),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["InvitationInvalid", "User"]
    assert await User.filter(email="judge@jury.example.net").count() == 1
    assert await ContestRole.filter(contest_id=contest.id).count() == 1


async def test_an_existing_account_accepts_with_its_current_password_only(db):
    contest = await make_contest()
    owner = await make_user(email="known@jury.example.net", display_name="刘设计师")
    _, token = await send(contest, email="known@jury.example.net", role="organiser")
    with pytest.raises(InvalidInput) as caught:
        await invitations.accept(token, display_name="Someone else", password="not the password", now=NOW)
    assert caught.value.field_errors == {"password": "The password is not correct."}
    assert await invitations.invitation_for(token, now=NOW) is not None
    user = await invitations.accept(token, display_name="Someone else", password=PASSWORD, now=NOW)
    reloaded = await User.get(id=owner.id)
    assert (user.id, reloaded.display_name, reloaded.password_hash) == (owner.id, "刘设计师", owner.password_hash)
    assert await ContestRole.filter(user_id=owner.id).values_list("role", flat=True) == [ContestRoleKind.ORGANISER]


async def test_a_disabled_account_cannot_accept(db):
    await make_user(email="off@jury.example.net", is_active=False)
    _, token = await send(await make_contest(), email="off@jury.example.net")
    with pytest.raises(InvitationInvalid):
        await invitations.accept(token, display_name="", password=PASSWORD, now=NOW)
    assert await ContestRole.all().count() == 0


async def test_a_new_account_needs_a_name_and_a_good_password_and_nothing_is_used_up(db):
    _, token = await send(await make_contest())
    with pytest.raises(InvalidInput) as caught:
        await invitations.accept(token, display_name="  ", password="short", now=NOW)
    assert caught.value.field_errors == {"password": "Use at least 10 characters.",
                                         "display_name": "Enter your name (at most 100 characters)."}
    assert await invitations.invitation_for(token, now=NOW) is not None
    assert await User.filter(email="judge@jury.example.net").count() == 0


async def test_inviting_again_revokes_the_older_link(db):
    contest = await make_contest()
    _, first = await send(contest)
    second_invitation, second = await send(contest, now=NOW + timedelta(hours=1))
    assert await invitations.invitation_for(first, now=NOW + timedelta(hours=1)) is None
    assert (await invitations.invitation_for(second, now=NOW + timedelta(hours=1))).id == second_invitation.id
    assert await Invitation.filter(contest_id=contest.id).count() == 1
    assert await OutboxMessage.filter(kind="invitation").count() == 2
    assert await AuditEvent.filter(action="invitation.create").values_list("data", flat=True) == [
        {"email": "judge@jury.example.net", "role": "judge", "judge_group": None, "replaced": 0},
        {"email": "judge@jury.example.net", "role": "judge", "judge_group": None, "replaced": 1},
    ]


async def test_the_outbox_message_to_a_new_address_has_the_link_contest_role_and_expiry_in_chinese(db):
    contest = await make_contest(title="百年工运文创大赛", title_en="Labour Centenary Design Contest")
    group = await JudgeGroup.create(contest=contest, name="专家组", name_en="Experts", weight=70)
    _, token = await send(contest, judge_group=group)
    message = await OutboxMessage.get(kind="invitation")
    assert (message.to_email, message.contest_id) == ("judge@jury.example.net", contest.id)
    assert message.subject == "【百年工运文创大赛】评委邀请"
    body = outgoing(message)[1]
    assert body.count(link_for(token)) == 1
    assert "百年工运文创大赛 组委会邀请您担任评委（评委类别：专家组）" in body
    assert "请在 2026年6月4日 20:00（北京时间） 前打开以下链接接受邀请" in body  # NOW + 72 h in the contest's zone
    assert "Hello" not in body


async def test_invite_refuses_bad_fields_and_existing_roles_and_saves_nothing(db):
    contest, other = await make_contest(), await make_contest()
    foreign_group = await JudgeGroup.create(contest=other, name="外组")
    judge = await make_user(email="already@jury.example.net")
    await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    staff = await make_user(email="staff@jury.example.net", is_staff=True)
    cases = [
        ({"email": "not-an-email", "role": "judge"}, {"email": "Enter a valid e-mail address."}),
        ({"email": "x@jury.example.net", "role": "designer"}, {"role": "Choose one of the options."}),
        ({"email": "x@jury.example.net", "role": "judge", "judge_group": foreign_group},
         {"judge_group": "Only judges belong to a judge group of this contest."}),
        ({"email": "x@jury.example.net", "role": "organiser", "judge_group": await JudgeGroup.create(contest=contest, name="g")},
         {"judge_group": "Only judges belong to a judge group of this contest."}),
        ({"email": "Already@jury.example.net", "role": "judge"}, {"email": "This person already has this role in this contest."}),
        ({"email": staff.email, "role": "organiser"}, {"email": "This person already has this role in this contest."}),
    ]
    for fields, expected in cases:
        with pytest.raises(InvalidInput) as caught:
            await invitations.invite(contest, by=judge, now=NOW, link_for=link_for, **fields)
        assert caught.value.field_errors == expected
    assert (await Invitation.all().count(), await OutboxMessage.all().count()) == (0, 0)


async def test_revoke_kills_the_link(db):
    invitation, token = await send(await make_contest())
    await invitations.revoke(invitation, by=await make_user(), now=NOW)
    assert await invitations.invitation_for(token, now=NOW) is None
    assert await AuditEvent.filter(action="invitation.revoke").count() == 1


async def test_resend_sends_a_new_link_with_the_same_role_and_group(db):
    contest = await make_contest()
    group = await JudgeGroup.create(contest=contest, name="代表组", weight=30)
    old, old_token = await send(contest, judge_group=group)
    new = await invitations.resend(old, by=await make_user(), now=NOW, link_for=link_for)
    assert (new.email, new.role, new.judge_group_id) == (old.email, ContestRoleKind.JUDGE, group.id)
    assert await invitations.invitation_for(old_token, now=NOW) is None
    assert await OutboxMessage.filter(kind="invitation").count() == 2


async def test_people_lists_roles_and_each_judge_with_groups_from_invitation_and_panel(db):
    contest = await make_contest()
    experts = await JudgeGroup.create(contest=contest, name="专家组", weight=70)
    members = await JudgeGroup.create(contest=contest, name="代表组", weight=30)
    _, token = await send(contest, email="a@jury.example.net", judge_group=experts)
    judge_a = await invitations.accept(token, display_name="甲", password=PASSWORD, now=NOW)
    judge_b = await make_user(display_name="乙")
    organiser = await make_user(display_name="丙")
    staff = await make_user(display_name="丁", is_staff=True)
    await ContestRole.create(contest=contest, user=judge_b, role=ContestRoleKind.JUDGE)
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    panel = await panel_with(await make_round(contest), [judge_a])
    await PanelMember.filter(panel_id=panel.id).update(group_id=members.id)
    people = await invitations.people_of(contest)
    assert [u.id for u in people.organisers] == [organiser.id]
    assert [u.id for u in people.site_organisers] == [staff.id]
    assert [(j.user.id, [g.name for g in j.groups]) for j in people.judges] == [
        (judge_b.id, []), (judge_a.id, ["专家组", "代表组"])]
