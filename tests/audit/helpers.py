"""Audit events to work on, and what someone with the database and this code could do to them."""

from __future__ import annotations

from contest.audit import chain
from contest.audit.log import record
from contest.audit.models import AuditEvent
from tests.factories import NOW, make_contest


async def seven_events() -> int:
    contest = await make_contest()
    for n in range(7):
        await record("entry.note", subject=f"entry:{n}", now=NOW, contest_id=contest.id, data={"n": n})
    return contest.id


async def rewrite_from(seq: int, **changes: object) -> None:
    """What someone with the database and this code can do: change an event and rehash every one after it."""
    await AuditEvent.filter(seq=seq).update(**changes)
    previous = await AuditEvent.get(seq=seq - 1) if seq > 1 else None
    prev_hash = previous.hash if previous else chain.GENESIS
    for event in await AuditEvent.filter(seq__gte=seq).order_by("seq"):
        digest = chain.event_hash(prev_hash, event.seq, chain.iso_utc(event.at), event.actor_label, event.action,
                                  event.subject, event.data, actor_id=event.actor_id, contest_id=event.contest_id,
                                  version=event.version)
        await AuditEvent.filter(id=event.id).update(prev_hash=prev_hash, hash=digest)
        prev_hash = digest
