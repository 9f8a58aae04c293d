"""Append to the hash-chained audit log, in the same transaction as the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from contest.audit import chain
from contest.audit.models import AuditEvent

# Appends are serialised so the chain never forks; SQLite already runs one transaction at a time.
PG_LOCK_ID = 730_501


class Actor(Protocol):
    """Who did it: an account (accounts.models.User, which ranks above audit)."""

    @property
    def id(self) -> int: ...


async def record(
    action: str,
    *,
    subject: str,
    now: datetime,
    actor: Actor | None = None,
    contest_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Side effect: extends the chain by one link (seq + 1, hash over prev_hash)."""
    data = data or {}
    actor_id = actor.id if actor is not None else None
    actor_label = f"user:{actor_id}" if actor is not None else "system"
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            await connection.execute_query(f"SELECT pg_advisory_xact_lock({PG_LOCK_ID})")
        last = await AuditEvent.all().order_by("-seq").first()
        seq, prev_hash = (last.seq + 1, last.hash) if last else (1, chain.GENESIS)
        at = chain.iso_utc(now)
        data = chain.json_ready(data)
        digest = chain.event_hash(prev_hash, seq, at, actor_label, action, subject, data, actor_id=actor_id,
                                  contest_id=contest_id, version=chain.VERSION)
        return await AuditEvent.create(
            seq=seq, at=now, actor_id=actor_id, actor_label=actor_label, contest_id=contest_id, action=action,
            subject=subject, data=data, prev_hash=prev_hash, hash=digest, version=chain.VERSION,
        )
