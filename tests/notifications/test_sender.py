from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from contest.notifications import sender
from contest.notifications.models import OutboxMessage, OutboxState
from contest.notifications.outbox import queue_message
from contest.notifications.service import retry_now
from tests.factories import NOW, make_contest, make_user

pytestmark = pytest.mark.unit

FROM = "文创赛 <noreply@contest.example.org>"


async def a_message(**fields) -> OutboxMessage:
    contest = await make_contest()
    values = {"kind": "receipt", "to_email": "designer@example.org", "subject": "【大赛】作品已提交 Entry received",
              "body_text": "作品编号：A-01-0001\n", "contest_id": contest.id, **fields}
    return await queue_message(**values)


async def test_a_temporary_failure_is_retried_after_the_first_delay_then_sent(db, smtp):
    mailbox, transport = smtp
    message = await a_message()
    mailbox.replies.append("451 4.3.0 Try again later")
    assert await sender.send_due(transport, sender=FROM, now=NOW) == {OutboxState.QUEUED: 1}
    waiting = await OutboxMessage.get(id=message.id)
    assert (waiting.state, waiting.attempts, waiting.next_attempt_at) == ("queued", 1, NOW + timedelta(minutes=1))
    assert waiting.last_error == "SMTPDataError: (451, '4.3.0 Try again later')"
    assert await sender.send_due(transport, sender=FROM, now=NOW + timedelta(seconds=59)) == {}
    assert await sender.send_due(transport, sender=FROM, now=NOW + timedelta(minutes=1)) == {OutboxState.SENT: 1}
    sent = await OutboxMessage.get(id=message.id)
    assert (sent.state, sent.attempts, sent.sent_at, sent.last_error) == ("sent", 2, NOW + timedelta(minutes=1), "")
    [received] = mailbox.received
    assert (received["To"], received["Subject"], received.get_content()) == (
        "designer@example.org", "【大赛】作品已提交 Entry received", "作品编号：A-01-0001\r\n")


async def test_a_refused_mailbox_fails_at_once_and_retry_now_sends_it(db, smtp):
    mailbox, transport = smtp
    message = await a_message()
    mailbox.replies.append("550 5.1.1 No such mailbox")
    assert await sender.send_due(transport, sender=FROM, now=NOW) == {OutboxState.FAILED: 1}
    failed = await OutboxMessage.get(id=message.id)
    assert (failed.state, failed.attempts, failed.next_attempt_at) == ("failed", 1, None)
    assert await sender.send_due(transport, sender=FROM, now=NOW + timedelta(days=1)) == {}
    assert await retry_now(failed, by=await make_user(), now=NOW + timedelta(days=1)) is True
    assert await sender.send_due(transport, sender=FROM, now=NOW + timedelta(days=1)) == {OutboxState.SENT: 1}
    assert len(mailbox.received) == 1


async def test_an_unreachable_server_is_tried_on_the_backoff_schedule_then_marked_failed(db, smtp):
    _, transport = smtp
    unreachable = sender.SmtpTransport("127.0.0.1", 9, timeout=2)  # the discard port: nothing listens
    message = await a_message()
    moment, waits = NOW, []
    for _ in range(sender.MAX_ATTEMPTS):
        await sender.send_due(unreachable, sender=FROM, now=moment)
        current = await OutboxMessage.get(id=message.id)
        if current.next_attempt_at:
            waits.append(current.next_attempt_at - moment)
            moment = current.next_attempt_at
    assert waits == list(sender.RETRY_DELAYS)
    assert (current.state, current.attempts) == ("failed", 6)
    assert current.last_error.startswith("SMTPConnectError: Error connecting to 127.0.0.1 on port 9")
    assert await sender.send_due(transport, sender=FROM, now=moment + timedelta(days=30)) == {}


async def test_two_senders_never_claim_the_same_message(db):
    ids = {(await a_message(to_email=f"judge{n}@jury.example.net")).id for n in range(6)}
    first, second = await asyncio.gather(sender.claim_due(now=NOW), sender.claim_due(now=NOW))
    first_ids, second_ids = {m.id for m in first}, {m.id for m in second}
    assert first_ids.isdisjoint(second_ids) and first_ids | second_ids == ids
    assert set(await OutboxMessage.all().values_list("state", "attempts")) == {("sending", 1)}


async def test_a_claim_abandoned_by_a_dead_sender_is_taken_up_after_its_lease(db, smtp):
    mailbox, transport = smtp
    message = await a_message()
    assert [m.id for m in await sender.claim_due(now=NOW)] == [message.id]
    assert await sender.send_due(transport, sender=FROM, now=NOW + sender.LEASE - timedelta(seconds=1)) == {}
    assert await sender.send_due(transport, sender=FROM, now=NOW + sender.LEASE) == {OutboxState.SENT: 1}
    assert (await OutboxMessage.get(id=message.id)).attempts == 2 and len(mailbox.received) == 1


async def test_retry_now_leaves_a_sent_message_alone(db, smtp):
    _, transport = smtp
    message = await a_message()
    await sender.send_due(transport, sender=FROM, now=NOW)
    assert await retry_now(await OutboxMessage.get(id=message.id), by=await make_user(), now=NOW) is False
    assert (await OutboxMessage.get(id=message.id)).state == "sent"


async def test_run_sender_sends_and_stops_when_told(db, smtp):
    mailbox, transport = smtp
    await a_message()
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run_sender(transport, sender=FROM, stop=stop, poll=0.05))
    for _ in range(100):
        if mailbox.received:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert len(mailbox.received) == 1


async def test_a_secret_is_stored_apart_sent_in_place_of_its_mark_then_forgotten(db, smtp):
    mailbox, transport = smtp
    link = "https://contest.example.org/account/invite/k3J9xQ2m"
    message = await a_message(kind="invitation", subject=f"邀请 {link}", body_text=f"打开 {link}\n---\nOpen {link}\n",
                              secret=link)
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.subject, stored.body_text, stored.secret) == ("邀请 [•••]", "打开 [•••]\n---\nOpen [•••]\n", link)
    mailbox.replies.append("451 4.3.0 Try again later")
    assert await sender.send_due(transport, sender=FROM, now=NOW) == {OutboxState.QUEUED: 1}
    assert (await OutboxMessage.get(id=message.id)).secret == link  # kept for the next attempt
    assert await sender.send_due(transport, sender=FROM, now=NOW + timedelta(minutes=1)) == {OutboxState.SENT: 1}
    [received] = mailbox.received
    assert (received["Subject"], received.get_content()) == (f"邀请 {link}", f"打开 {link}\r\n---\r\nOpen {link}\r\n")
    assert [v for v in (await OutboxMessage.get(id=message.id).values()).values() if link in str(v)] == []
