"""How long a signed-in person may stay idle: a judge longer while a round of theirs is open (docs/security.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

from contest.accounts import sessions
from contest.accounts.models import User
from contest.judging.queries import judges_an_open_round


async def idle_limit(user: User, now: datetime) -> timedelta:
    """The idle limit to grant `user` at an activity at `now` (an `accounts.sessions.IdleRule`)."""
    if await judges_an_open_round(user, now):
        return sessions.IDLE_WHILE_JUDGING
    return await sessions.usual_idle(user, now)
