"""Server-side sessions: random keys, stored hashed, rotated at login, revocable, with idle and absolute expiry.

Starlette's SessionMiddleware is a signed cookie that cannot be revoked (docs/stack.md), hence our own.
The idle limit is granted at each activity by a rule (`IdleRule`: judging.presence's lengthens a judge's while
a round of theirs is open), stored on the session and enforced from it; the absolute limit bounds them all.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from contest import plain_sql
from contest.accounts.models import Session, User

IDLE = {False: timedelta(minutes=60), True: timedelta(minutes=30)}  # keyed by user.is_staff
# A judge's laptop may sleep through lunch or a long deliberation at the final, when no page can keep it alive.
IDLE_WHILE_JUDGING = timedelta(hours=4)
ABSOLUTE = {False: timedelta(hours=12), True: timedelta(hours=8)}
TOUCH_EVERY = timedelta(minutes=1)  # avoid a write on every request
# How often an open scoring or meeting page says it is still there: well under the shortest idle limit, and above
# TOUCH_EVERY so that each one counts (static/common/js/keep-alive.js).
KEEP_ALIVE_EVERY = timedelta(minutes=5)

IdleRule = Callable[[User, datetime], Awaitable[timedelta]]


@dataclass(frozen=True)
class SessionInfo:
    key: str
    user: User
    expires_at: datetime
    consent_due: bool = False  # the privacy notice waits for the user's consent (accounts.privacy)


async def usual_idle(user: User, now: datetime) -> timedelta:
    """The idle limit of the user's role, when nothing lengthens it."""
    return IDLE[user.is_staff]


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def start_session(user: User, *, now: datetime, idle: timedelta | None = None, ip: str = "",
                        user_agent: str = "", consent_due: bool = False) -> str:
    """Create a fresh session and return its key (the only copy; the database keeps its hash). `idle` is the
    limit granted at the log-in, the role's usual one unless given; `consent_due` holds the session at the
    privacy notice until `consent_given`."""
    key = secrets.token_urlsafe(32)
    await Session.create(
        key_hash=key_hash(key),
        user=user,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE[user.is_staff],
        idle_seconds=_seconds(idle or IDLE[user.is_staff]),
        ip=ip[:64],
        user_agent=user_agent[:300],
        consent_due=consent_due,
    )
    return key


_RESUME_SQL = """
SELECT s."id" AS "session__id", s."last_seen_at" AS "session__last_seen_at", s."expires_at" AS "session__expires_at",
       s."idle_seconds" AS "session__idle_seconds", s."consent_due" AS "session__consent_due", u.*
FROM "session" s JOIN "user" u ON u."id" = s."user_id"
WHERE s."key_hash" = ?
"""
_to_datetime = Session._meta.fields_map["expires_at"].to_python_value


async def resume_session(key: str, *, now: datetime, idle_for: IdleRule = usual_idle) -> SessionInfo | None:
    """The live session for this key, or None (unknown, expired, idle too long, or user disabled). A request
    counts as activity: it moves the last-seen time and stores the idle limit `idle_for` grants now.

    Runs on every request, hence one plain query (plain_sql: the ORM's select_related cost 0.45 ms)."""
    rows = await plain_sql.select(_RESUME_SQL, [key_hash(key)])
    if not rows:
        return None
    session = plain_sql.take_prefixed(rows[0], "session__")
    user = plain_sql.model_from_row(User, rows[0])
    last_seen_at, expires_at = _to_datetime(session["last_seen_at"]), _to_datetime(session["expires_at"])
    idle = timedelta(seconds=session["idle_seconds"])
    if not user.is_active or now >= expires_at or now >= last_seen_at + idle:
        await Session.filter(id=session["id"]).delete()
        return None
    if now - last_seen_at >= TOUCH_EVERY:
        granted = _seconds(await idle_for(user, now))
        await Session.filter(id=session["id"]).update(last_seen_at=now, idle_seconds=granted)
    return SessionInfo(key=key, user=user, expires_at=expires_at, consent_due=bool(session["consent_due"]))


def _seconds(span: timedelta) -> int:
    return int(span.total_seconds())


async def consent_given(key: str) -> None:
    """The session's user accepted the privacy notice: the session reaches every page again."""
    await Session.filter(key_hash=key_hash(key)).update(consent_due=False)


async def end_session(key: str) -> None:
    await Session.filter(key_hash=key_hash(key)).delete()


async def end_all_sessions(user: User) -> int:
    return await Session.filter(user_id=user.id).delete()
