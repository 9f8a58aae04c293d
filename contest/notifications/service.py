"""Organisers' changes to notifications: a contest's wording of each kind of message, and retrying a message."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from tortoise.transactions import in_transaction

from contest.audit.log import Actor, record
from contest.notifications.models import MessageTemplate, OutboxMessage, OutboxState
from contest.notifications.outbox import NamedContest, schedule_sending
from contest.notifications.templates import Wording, check_wording

RETRYABLE = (OutboxState.QUEUED, OutboxState.FAILED)


async def save_wording(contest: NamedContest, kind: str, wording: Wording, *, by: Actor, now: datetime) -> MessageTemplate:
    """Store the contest's wording of `kind` (checked first: WordingInvalid names each bad field). Audited."""
    check_wording(kind, wording)
    async with in_transaction():
        template, _ = await MessageTemplate.update_or_create(
            contest_id=contest.id, kind=kind, defaults={**asdict(wording), "updated_by_id": by.id})
        await record("message_template.save", subject=f"message_template:{template.id}", now=now, actor=by,
                     contest_id=contest.id, data={"kind": kind, **asdict(wording)})
    return template


async def reset_wording(contest: NamedContest, kind: str, *, by: Actor, now: datetime) -> bool:
    """Go back to the default wording of `kind`; False when the contest had none of its own. Audited."""
    async with in_transaction():
        deleted = await MessageTemplate.filter(contest_id=contest.id, kind=kind).delete()
        if deleted:
            await record("message_template.reset", subject=f"contest:{contest.id}", now=now, actor=by,
                         contest_id=contest.id, data={"kind": kind})
    return bool(deleted)


async def has_own_wording(contest: NamedContest, kind: str) -> bool:
    return await MessageTemplate.exists(contest_id=contest.id, kind=kind)


async def retry_now(message: OutboxMessage, *, by: Actor, now: datetime) -> bool:
    """Queue a waiting or failed message for the sender's next round; False for one sent or being sent.
    A failed message gets one more attempt (it fails again at once if that attempt fails). Audited."""
    async with in_transaction():
        updated = await OutboxMessage.filter(id=message.id, state__in=RETRYABLE).update(
            state=OutboxState.QUEUED, next_attempt_at=now)
        if updated:
            await record("outbox.retry", subject=f"outbox_message:{message.id}", now=now, actor=by,
                         contest_id=message.contest_id, data={"attempts": message.attempts})
    if updated:  # its job may wait for a later attempt: one more goes now (the later one then finds it sent)
        await schedule_sending(message.id, contest_id=message.contest_id, alongside_waiting=True)
    return bool(updated)
