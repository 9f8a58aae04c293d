from __future__ import annotations

import re

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind
from contest.audit.models import AuditEvent
from contest.console import invitations
from contest.notifications import sender
from contest.notifications.models import MessageTemplate, OutboxMessage, OutboxState
from contest.notifications.outbox import queue_message
from contest.results.vote import codes
from tests.factories import NOW, login_as, make_contest, make_user
from tests.notifications.conftest import smtp  # noqa: F401 - the recipients' mailbox
from tests.results.vote_builders import vote_contest
from tests.sql import counting_queries
from tests.web.helpers import form_token

pytestmark = pytest.mark.web


async def organiser_of(contest, client, settings):
    organiser = await make_user(display_name="组委")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    return organiser


async def message(contest, **fields) -> OutboxMessage:
    values = {"kind": "receipt", "to_email": "designer@example.org", "subject": "【大赛】作品已提交",
              "body_text": "作品编号：A-01-0001", "contest_id": contest.id, **fields}
    return await queue_message(**values)


def rows(page) -> list[str]:
    return re.findall(r'<tr id="message-(\d+)">', page.text)


async def test_the_outbox_lists_only_this_contests_messages_with_state_error_and_body(client, settings):
    contest, other = await make_contest(), await make_contest()
    sent = await message(contest)
    failed = await message(contest, kind="invitation", to_email="judge@jury.example.net", subject="邀请",
                           body_text="请打开 https://x.test/i/abc")
    await OutboxMessage.filter(id=sent.id).update(state=OutboxState.SENT, attempts=1)
    await OutboxMessage.filter(id=failed.id).update(state=OutboxState.FAILED, attempts=6,
                                                    last_error="SMTPConnectError: refused")
    await message(other, to_email="someone@else.example.org")
    await organiser_of(contest, client, settings)
    page = await client.get(f"/admin/c/{contest.slug}/outbox")
    assert page.status_code == 200
    assert rows(page) == [str(failed.id), str(sent.id)]
    assert "someone@else.example.org" not in page.text
    assert "SMTPConnectError: refused" in page.text and "请打开 https://x.test/i/abc" in page.text
    assert page.text.count('name="message_id"') == 1  # only the failed message can be retried
    assert "CONTEST_SMTP_HOST" in page.text  # nobody receives anything until a mail server is set up


async def test_the_outbox_filters_by_kind_and_state(client, settings):
    contest = await make_contest()
    receipt = await message(contest)
    invitation = await message(contest, kind="invitation")
    await OutboxMessage.filter(id=invitation.id).update(state=OutboxState.FAILED)
    await organiser_of(contest, client, settings)
    assert rows(await client.get(f"/admin/c/{contest.slug}/outbox?kind=receipt")) == [str(receipt.id)]
    assert rows(await client.get(f"/admin/c/{contest.slug}/outbox?state=failed")) == [str(invitation.id)]
    assert rows(await client.get(f"/admin/c/{contest.slug}/outbox?state=sent")) == []
    assert rows(await client.get(f"/admin/c/{contest.slug}/outbox?state=bogus&page=x")) == [str(invitation.id),
                                                                                             str(receipt.id)]


async def test_retry_now_requeues_a_failed_message_of_this_contest_only(client, settings):
    contest, other = await make_contest(), await make_contest()
    failed = await message(contest)
    foreign = await message(other)
    await OutboxMessage.filter(id__in=[failed.id, foreign.id]).update(state=OutboxState.FAILED, attempts=6)
    await organiser_of(contest, client, settings)
    token = await form_token(client, f"/admin/c/{contest.slug}/outbox")
    refused = await client.post(f"/admin/c/{contest.slug}/outbox/retry", data={"csrf_token": token,
                                                                              "message_id": str(foreign.id)})
    assert refused.status_code == 303
    assert (await OutboxMessage.get(id=foreign.id)).state == "failed"
    done = await client.post(f"/admin/c/{contest.slug}/outbox/retry", data={"csrf_token": token,
                                                                           "message_id": str(failed.id)})
    assert done.status_code == 303
    retried = await OutboxMessage.get(id=failed.id)
    assert (retried.state, retried.attempts, retried.next_attempt_at is not None) == ("queued", 6, True)
    assert await AuditEvent.filter(action="outbox.retry").values_list("subject", flat=True) == [
        f"outbox_message:{failed.id}"]


async def test_wording_is_edited_with_errors_by_the_field_and_reset(client, settings):
    contest = await make_contest()
    await organiser_of(contest, client, settings)
    page = await client.get(f"/admin/c/{contest.slug}/messages?kind=reminder")
    assert page.status_code == 200
    assert "【{contest}】{round}：还有 {left} 件作品待评" in page.text  # the default wording to start from
    token = await form_token(client, f"/admin/c/{contest.slug}/messages")
    wording = {"kind": "reminder", "subject_zh": "【{contest}】请评审 {entry_number}", "body_zh": "{name}：{link}",
               "subject_en": "", "body_en": ""}
    refused = await client.post(f"/admin/c/{contest.slug}/messages", data={"csrf_token": token, **wording})
    assert refused.status_code == 400
    error = re.search(r'<p class="field-error" id="e-subject_zh">(.*?)</p>', refused.text).group(1)
    assert "{entry_number}" in error and "【{contest}】请评审 {entry_number}" in refused.text
    assert await MessageTemplate.all().count() == 0
    wording["subject_zh"] = "【{contest}】请评审"
    saved = await client.post(f"/admin/c/{contest.slug}/messages", data={"csrf_token": token, **wording})
    assert (saved.status_code, saved.headers["location"]) == (303, f"http://testserver/admin/c/{contest.slug}/messages?kind=reminder")
    stored = await MessageTemplate.get(contest_id=contest.id)
    assert (stored.kind, stored.subject_zh, stored.body_zh, stored.body_en) == (
        "reminder", "【{contest}】请评审", "{name}：{link}", "")
    preview = await client.get(f"/admin/c/{contest.slug}/messages?kind=reminder")
    assert f"<p><strong>【{contest.title}】请评审</strong></p>" in preview.text
    reset = await client.post(f"/admin/c/{contest.slug}/messages/reset", data={"csrf_token": token, "kind": "reminder"})
    assert reset.status_code == 303 and await MessageTemplate.all().count() == 0


async def test_designers_and_other_contests_organisers_get_404(client, settings):
    contest, other = await make_contest(), await make_contest()
    await message(contest)
    await organiser_of(other, client, settings)
    for path in ("outbox", "messages", "audit", "audit.csv"):
        assert (await client.get(f"/admin/c/{contest.slug}/{path}")).status_code == 404
    await login_as(client, await make_user(), secret=settings.secret_key)
    assert (await client.get(f"/admin/c/{contest.slug}/outbox")).status_code == 404


async def test_the_outbox_page_costs_the_same_queries_for_one_message_or_many(client, settings):
    contest = await make_contest()
    await organiser_of(contest, client, settings)
    costs = []
    for _ in range(2):
        await message(contest)
        with counting_queries() as queries:
            assert (await client.get(f"/admin/c/{contest.slug}/outbox")).status_code == 200
        costs.append(len(queries))
        await message(contest)
        await message(contest)
    assert costs[0] == costs[1]


async def test_no_console_page_shows_a_working_invitation_link_or_voting_code(client, settings, smtp):  # noqa: F811
    """Organisers read the outbox; the invitee and the voter alone may read their link and code."""
    mailbox, transport = smtp
    contest, _, _ = await vote_contest()
    tokens: list[str] = []

    def link_for(token: str) -> str:
        tokens.append(token)
        return f"https://contest.example/account/invite/{token}"

    await invitations.invite(contest, email="judge@jury.example.net", role="judge", by=await make_user(), now=NOW,
                             link_for=link_for)
    await codes.request_code(contest, "fan@example.com", ip="192.0.2.1", now=NOW)
    assert await sender.send_due(transport, sender="contest@example.org", now=NOW) == {"sent": 2}
    await invitations.invite(contest, email="judge2@jury.example.net", role="judge", by=await make_user(), now=NOW,
                             link_for=link_for)  # this one stays queued
    bodies = {mail["To"]: mail.get_content() for mail in mailbox.received}
    code = re.search(r"验证码是 (\d{6})", bodies["fan@example.com"])[1]
    assert re.findall(r"/account/invite/(\S+)", bodies["judge@jury.example.net"]) == [tokens[0]]
    await organiser_of(contest, client, settings)
    pages = [await client.get(f"/admin/c/{contest.slug}/{path}")
             for path in ("outbox", "outbox?kind=invitation", "outbox?kind=vote_code&state=sent", "audit", "audit.csv")]
    assert [page.status_code for page in pages] == [200] * 5
    assert [[secret in page.text for secret in (*tokens, code)] for page in pages] == [[False] * 3] * 5
    # once in each of the three messages (one language each), once in the note that explains the mark
    assert (pages[0].text.count("[•••]"), pages[0].text.count("https://contest.example/account/invite/")) == (4, 0)
