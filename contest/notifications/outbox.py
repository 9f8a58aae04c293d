"""Queue a message: every notification is written to the outbox first, sent later when SMTP is configured."""

from __future__ import annotations

from contest.notifications.models import OutboxMessage


async def queue_message(
    *, kind: str, to_email: str, subject: str, body_text: str, contest_id: int | None = None
) -> OutboxMessage:
    return await OutboxMessage.create(
        kind=kind, to_email=to_email, subject=subject[:300], body_text=body_text, contest_id=contest_id
    )
