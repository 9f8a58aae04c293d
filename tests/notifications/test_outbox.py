from __future__ import annotations

import pytest

from contest.accounts.models import ContestRoleKind
from contest.audit.models import AuditEvent
from contest.console import invitations
from contest.notifications.models import MessageTemplate, OutboxMessage
from contest.notifications.outbox import outgoing
from contest.notifications.service import reset_wording, save_wording
from contest.notifications.templates import Wording, WordingInvalid
from tests.factories import NOW, make_contest, make_user

pytestmark = pytest.mark.unit


async def invite(contest, organiser, email="judge@jury.example.net") -> OutboxMessage:
    await invitations.invite(contest, email=email, role=ContestRoleKind.JUDGE, by=organiser, now=NOW,
                             link_for=lambda token: f"https://contest.example.org/account/invitation/{token}")
    return await OutboxMessage.filter(to_email=email).order_by("-id").first()


async def test_an_invitation_uses_the_contests_own_wording_and_the_default_again_after_reset(db):
    contest = await make_contest(title="百年工运文创大赛", title_en="Labour Centenary Design Contest")
    organiser = await make_user()
    wording = Wording("【{contest}】诚邀您担任{role}", "请于 {expires} 前打开：{link}", "Please join as {role}",
                      "Open {link} by {expires}. {contest}")
    await save_wording(contest, "invitation", wording, by=organiser, now=NOW)
    message = await invite(contest, organiser)
    link = outgoing(message)[1].split("打开：")[1].split("\n")[0]
    assert message.subject == "【百年工运文创大赛】诚邀您担任评委"
    assert message.body_text == "请于 2026年6月4日 20:00（北京时间） 前打开：[•••]\n"
    assert (link.startswith("https://contest.example.org/account/invitation/"), message.secret) == (True, link)
    assert await reset_wording(contest, "invitation", by=organiser, now=NOW) is True
    again = await invite(contest, organiser, email="second@jury.example.net")
    assert again.subject == "【百年工运文创大赛】评委邀请"
    actions = await AuditEvent.filter(action__startswith="message_template").values_list("action", flat=True)
    assert actions == ["message_template.save", "message_template.reset"]


async def test_another_contests_wording_is_not_used(db):
    contest, other = await make_contest(), await make_contest()
    organiser = await make_user()
    await save_wording(other, "invitation", Wording("别的比赛 {role}", "{link}"), by=organiser, now=NOW)
    message = await invite(contest, organiser)
    assert message.subject == f"【{contest.title}】评委邀请"


async def test_an_invalid_wording_saves_nothing(db):
    contest = await make_contest()
    with pytest.raises(WordingInvalid) as caught:
        await save_wording(contest, "reminder", Wording("{entry_number}", "x"), by=await make_user(), now=NOW)
    assert list(caught.value.field_errors) == ["subject_zh"]
    assert await MessageTemplate.all().count() == 0 and await AuditEvent.all().count() == 0


async def test_an_account_holder_reads_the_message_in_the_language_they_chose(db):
    contest = await make_contest(title="百年工运文创大赛", title_en="Labour Centenary Design Contest")
    await make_user(email="judge@jury.example.net", locale="en")
    message = await invite(contest, await make_user())
    assert message.subject == "Invitation to be a judge: Labour Centenary Design Contest"
    assert "Open this link before June 4, 2026, 20:00 (Beijing time) to accept." in message.body_text
