"""Queue a message: every notification is written to the outbox first, sent later when SMTP is configured."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from contest.notifications.models import MessageTemplate, OutboxMessage
from contest.notifications.templates import KINDS, Bilingual, Value, Wording, render

if TYPE_CHECKING:
    from contest.contests.models import Contest


async def queue_message(
    *, kind: str, to_email: str, subject: str, body_text: str, contest_id: int | None = None
) -> OutboxMessage:
    return await OutboxMessage.create(
        kind=kind, to_email=to_email, subject=subject[:300], body_text=body_text, contest_id=contest_id
    )


async def wording_for(contest_id: int, kind: str) -> Wording:
    """The contest's own wording of `kind`, else the default one."""
    saved = await MessageTemplate.get_or_none(contest_id=contest_id, kind=kind)
    if saved is None:
        return KINDS[kind].default
    return Wording(saved.subject_zh, saved.body_zh, saved.subject_en, saved.body_en)


async def queue_templated(
    kind: str, *, contest: Contest, to_email: str, values: Mapping[str, Value]
) -> OutboxMessage:
    """Queue a message of `kind` in the contest's wording; `{contest}` is filled in here."""
    values = {"contest": Bilingual(contest.title, contest.title_en or contest.title), **values}
    subject, body = render(await wording_for(contest.id, kind), values)
    return await queue_message(kind=kind, to_email=to_email, subject=subject, body_text=body, contest_id=contest.id)
