"""Queue a message: every notification is written to the outbox first, sent later when SMTP is configured.

Each message goes out in its recipient's language: the one their account chose, else Chinese (an invitee or a
voter may have no account).

Organisers read the outbox, so a message's secret (an invitation link, a voting code) is kept out of
its text: the text holds SECRET_MARK in its place, and `outgoing` puts it back only to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from contest.jobs import queue
from contest.notifications.models import MessageTemplate, OutboxMessage
from contest.notifications.templates import (
    KINDS,
    SECRET_MARK,
    Bilingual,
    Value,
    Wording,
    render,
)

SEND_TASK = "outbox.send"  # registered in contest.tasks


class NamedContest(Protocol):
    """What a templated message needs of its contest (contests.models.Contest, which ranks above)."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def title_en(self) -> str: ...


def _masked(text: str, secret: str) -> str:
    return text.replace(secret, SECRET_MARK) if secret else text


async def queue_message(
    *, kind: str, to_email: str, subject: str, body_text: str, contest_id: int | None = None, secret: str = ""
) -> OutboxMessage:
    """Queue one message, and a job to send it; `secret`, wherever it occurs in the subject or text, is stored
    apart and marked."""
    message = await OutboxMessage.create(
        kind=kind, to_email=to_email, subject=_masked(subject, secret)[:300], body_text=_masked(body_text, secret),
        contest_id=contest_id, secret=secret,
    )
    await schedule_sending(message.id, contest_id=contest_id)
    return message


async def schedule_sending(message_id: int, *, contest_id: int | None, at: datetime | None = None,
                           alongside_waiting: bool = False) -> None:
    """A job sends the message (at `at`, else now); one already waiting for it does instead, unless
    `alongside_waiting` (it may wait for later). Two jobs never send it twice: each claims it first."""
    await queue.defer(SEND_TASK, contest_id=contest_id, message_id=message_id, schedule_at=at,
                      queueing_lock=None if alongside_waiting else f"outbox:{message_id}")


def outgoing(message: OutboxMessage) -> tuple[str, str]:
    """The subject and text as the recipient gets them, with the secret in place of its mark."""
    if not message.secret:
        return message.subject, message.body_text
    return message.subject.replace(SECRET_MARK, message.secret), message.body_text.replace(SECRET_MARK, message.secret)


async def wording_for(contest_id: int, kind: str) -> Wording:
    """The contest's own wording of `kind`, else the default one."""
    saved = await MessageTemplate.get_or_none(contest_id=contest_id, kind=kind)
    if saved is None:
        return KINDS[kind].default
    return Wording(saved.subject_zh, saved.body_zh, saved.subject_en, saved.body_en)


async def queue_wording(
    kind: str, wording: Wording, *, to_email: str, values: Mapping[str, Value], contest_id: int | None = None,
    locale: str, secret: str = "",
) -> OutboxMessage:
    """Queue `wording` rendered in the recipient's language (`locale`: their account's, see
    accounts.queries.locale_of, or the page's); `values[secret]` is the message's secret (see queue_message)."""
    subject, body = render(wording, values, locale)
    return await queue_message(kind=kind, to_email=to_email, subject=subject, body_text=body, contest_id=contest_id,
                               secret=str(values.get(secret, "")) if secret else "")


async def queue_templated(
    kind: str, *, contest: NamedContest, to_email: str, values: Mapping[str, Value], locale: str
) -> OutboxMessage:
    """Queue a message of `kind` in the contest's wording and the recipient's language; `{contest}` is
    filled in here."""
    values = {"contest": Bilingual(contest.title, contest.title_en or contest.title), **values}
    return await queue_wording(kind, await wording_for(contest.id, kind), to_email=to_email, values=values,
                               contest_id=contest.id, secret=KINDS[kind].secret, locale=locale)
