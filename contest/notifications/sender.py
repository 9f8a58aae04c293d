"""Sending the outbox by SMTP: claim due messages, send each, record the outcome, retry with backoff.

Each message is sent by a job (`send_one`, the task `outbox.SEND_TASK`); `contest send-outbox --once` sends
what is due in one go. Several senders may run at once (jobs on several workers, or a stray command): a message
is claimed by one conditional UPDATE that only one of them can win, and the claim is a lease. A
sender that dies mid-send leaves its message `sending` until the lease ends, then another sender
takes it up again (the recipient may then get it twice, never zero times).
"""

from __future__ import annotations

import asyncio
import contextlib
import mailbox
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib
from tortoise.expressions import F, Q

from contest import clock
from contest.notifications.models import OutboxMessage, OutboxState
from contest.notifications.outbox import outgoing, schedule_sending
from contest.settings import Settings

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=12))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1  # the first try, then one retry after each delay
LEASE = timedelta(minutes=10)  # far beyond the SMTP timeout: a live sender never loses its claim
BATCH = 50
POLL_SECONDS = 15.0
ERROR_MAX = 2000


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int = 587
    username: str = ""
    password: str = ""
    timeout: float = 30.0

    async def send(self, message: EmailMessage) -> None:
        # STARTTLS is used whenever the server offers it; port 465 speaks TLS from the start.
        await aiosmtplib.send(
            message, hostname=self.host, port=self.port, username=self.username or None,
            password=self.password or None, use_tls=self.port == 465, timeout=self.timeout)


@dataclass(frozen=True)
class MaildirTransport:
    """Delivers into a local Maildir (any mail client reads it): development's mail server."""

    path: Path

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(lambda: mailbox.Maildir(self.path, create=True).add(message))


def _due(now: datetime) -> Q:
    waiting = Q(state=OutboxState.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(state=OutboxState.SENDING, next_attempt_at__lte=now)
    return waiting | abandoned


async def due_ids(*, now: datetime, limit: int = BATCH) -> list[tuple[int, int | None]]:
    """(id, contest id) of the messages due, oldest first."""
    return await OutboxMessage.filter(_due(now)).order_by("id").limit(limit).values_list("id", "contest_id")


async def _claim(message_id: int, *, now: datetime) -> bool:
    """The message becomes `sending` with a lease and one more attempt counted, unless it is not due (sent,
    failed, waiting for a later attempt, or claimed by another sender first)."""
    return bool(await OutboxMessage.filter(_due(now), id=message_id).update(
        state=OutboxState.SENDING, next_attempt_at=now + LEASE, attempts=F("attempts") + 1))


async def claim_due(*, now: datetime, limit: int = BATCH) -> list[OutboxMessage]:
    """Claim up to `limit` due messages, oldest first. A message another sender claimed first is skipped."""
    claimed = [message_id for message_id, _ in await due_ids(now=now, limit=limit) if await _claim(message_id, now=now)]
    return await OutboxMessage.filter(id__in=claimed).order_by("id")


def email_for(message: OutboxMessage, *, sender: str) -> EmailMessage:
    subject, body = outgoing(message)
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_email
    email["Subject"] = " ".join(subject.split())
    email["Message-ID"] = make_msgid(f"outbox.{message.id}")
    email.set_content(body)
    return email


def is_permanent(error: Exception) -> bool:
    """A 5xx answer (mailbox unknown, message refused) will not change by trying again."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refusal.code >= 500 for refusal in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]


async def record_failure(message: OutboxMessage, error: Exception, *, now: datetime) -> OutboxState:
    """Back to the queue after the next delay, or failed for good after the last attempt."""
    if message.attempts >= MAX_ATTEMPTS or is_permanent(error):
        state, next_at = OutboxState.FAILED, None
    else:
        state, next_at = OutboxState.QUEUED, now + RETRY_DELAYS[message.attempts - 1]
    await OutboxMessage.filter(id=message.id, state=OutboxState.SENDING).update(
        state=state, next_attempt_at=next_at, last_error=describe(error))
    return state


async def deliver(message: OutboxMessage, transport: Transport, *, sender: str, now: datetime) -> OutboxState:
    """Send one claimed message and record what happened."""
    try:
        await transport.send(email_for(message, sender=sender))
    except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as error:
        return await record_failure(message, error, now=now)
    # Once it went out, the secret is the recipient's alone: the database no longer keeps it.
    await OutboxMessage.filter(id=message.id, state=OutboxState.SENDING).update(
        state=OutboxState.SENT, sent_at=now, next_attempt_at=None, last_error="", secret="")
    return OutboxState.SENT


async def send_due(transport: Transport, *, sender: str, now: datetime, limit: int = BATCH) -> Counter[str]:
    """Claim and send what is due; returns how many ended in each state."""
    outcomes: Counter[str] = Counter()
    for message in await claim_due(now=now, limit=limit):
        outcomes[await deliver(message, transport, sender=sender, now=now)] += 1
    return outcomes


class NotYetVisible(LookupError):
    """The message's row is not there: the transaction that queued it has not committed yet (try again soon)."""


async def send_one(message_id: int, transport: Transport, *, sender: str, now: datetime) -> OutboxState | None:
    """The outbox job: send one message if it is due, and after a passing failure schedule its next attempt.
    None when it was not due, so a second run of the same job sends nothing twice."""
    if not await _claim(message_id, now=now):
        if not await OutboxMessage.exists(id=message_id):
            raise NotYetVisible(message_id)
        return None
    message = await OutboxMessage.get(id=message_id)
    state = await deliver(message, transport, sender=sender, now=now)
    if state == OutboxState.QUEUED:
        await message.refresh_from_db(fields=["next_attempt_at"])
        await schedule_sending(message_id, contest_id=message.contest_id, at=message.next_attempt_at)
    return state


def transport_for(settings: Settings) -> Transport | None:
    """SMTP when configured, else development's mail folder, else none (messages stay in the outbox)."""
    if settings.smtp_host:
        return SmtpTransport(settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password)
    if settings.mail_dir:
        return MaildirTransport(settings.mail_dir)
    return None


async def run_sender(transport: Transport, *, sender: str, stop: asyncio.Event, poll: float = POLL_SECONDS) -> None:
    """Send due messages until `stop` is set: at once again after a full batch, else after `poll` seconds."""
    while not stop.is_set():
        outcomes = await send_due(transport, sender=sender, now=clock.now())
        if sum(outcomes.values()) >= BATCH:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll)
