"""Server-side sessions: random keys, stored hashed, rotated at login, revocable, with idle and absolute expiry.

Starlette's SessionMiddleware is a signed cookie that cannot be revoked (RELIABILITY.md), hence our own.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from contest.accounts.models import Session, User

IDLE = {False: timedelta(minutes=60), True: timedelta(minutes=30)}  # keyed by user.is_staff
ABSOLUTE = {False: timedelta(hours=12), True: timedelta(hours=8)}
TOUCH_EVERY = timedelta(minutes=1)  # avoid a write on every request


@dataclass(frozen=True)
class SessionInfo:
    key: str
    user: User


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def start_session(user: User, *, now: datetime, ip: str = "", user_agent: str = "") -> str:
    """Create a fresh session and return its key (the only copy; the database keeps its hash)."""
    key = secrets.token_urlsafe(32)
    await Session.create(
        key_hash=key_hash(key),
        user=user,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE[user.is_staff],
        ip=ip[:64],
        user_agent=user_agent[:300],
    )
    return key


async def resume_session(key: str, *, now: datetime) -> SessionInfo | None:
    """The live session for this key, or None (unknown, expired, idle too long, or user disabled)."""
    session = await Session.get_or_none(key_hash=key_hash(key)).select_related("user")
    if session is None:
        return None
    user = session.user
    idle_limit = session.last_seen_at + IDLE[user.is_staff]
    if not user.is_active or now >= session.expires_at or now >= idle_limit:
        await session.delete()
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        await Session.filter(id=session.id).update(last_seen_at=now)
    return SessionInfo(key=key, user=user)


async def end_session(key: str) -> None:
    await Session.filter(key_hash=key_hash(key)).delete()


async def end_all_sessions(user: User) -> int:
    return await Session.filter(user_id=user.id).delete()
