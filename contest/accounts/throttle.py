"""Attempt throttling (logins, registrations, vote codes, objections), kept in the database so every
process agrees.

An attempt is recorded before it is evaluated, in one transaction that first checks every limit it
counts against: a burst of concurrent attempts is let through up to the limit and no further. The
transaction is serialised per key: SQLite runs one transaction at a time, PostgreSQL takes a
transaction-scoped advisory lock per key (in a fixed order, so two attempts never deadlock).

Logins slow down per account-and-address and per address, never per account alone: someone who does
not know a password cannot keep its owner, elsewhere, out of the account.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from contest.accounts.models import LoginAttempt
from contest.errors import TooManyAttempts

WINDOW = timedelta(minutes=15)
# Five wrong passwords a minute for one account from one address: a guesser there pauses a minute after
# each five, and a person who mistyped five times waits at most a minute.
LOGIN_PER_ACCOUNT_AND_ADDRESS = (5, timedelta(minutes=1))
LOGIN_PER_ADDRESS = (50, WINDOW)  # across accounts: password spraying from one address
REGISTRATIONS_PER_EMAIL = (3, timedelta(hours=1))  # each sends a message to the address
REGISTRATIONS_PER_ADDRESS = (10, timedelta(hours=1))
RESETS_PER_EMAIL = (3, timedelta(hours=1))  # each may send a message to the address
RESETS_PER_ADDRESS = (10, timedelta(hours=1))
DATA_EXPORTS_PER_ACCOUNT = (5, timedelta(hours=1))  # each reads every file the person uploaded


@dataclass(frozen=True)
class Limit:
    key: str
    most: int  # attempts within the window
    window: timedelta


def login_limits(email: str, ip: str) -> tuple[Limit, ...]:
    return (Limit(f"login:{email.strip().casefold()}|{ip}", *LOGIN_PER_ACCOUNT_AND_ADDRESS),
            Limit(f"ip:{ip}", *LOGIN_PER_ADDRESS))


def registration_limits(email: str, ip: str) -> tuple[Limit, ...]:
    return (Limit(f"register:{email.strip().casefold()}", *REGISTRATIONS_PER_EMAIL),
            Limit(f"register-ip:{ip}", *REGISTRATIONS_PER_ADDRESS))


def reset_limits(email: str, ip: str) -> tuple[Limit, ...]:
    return (Limit(f"reset:{email.strip().casefold()}", *RESETS_PER_EMAIL),
            Limit(f"reset-ip:{ip}", *RESETS_PER_ADDRESS))


def data_export_limits(user_id: int) -> tuple[Limit, ...]:
    return (Limit(f"data-export:{user_id}", *DATA_EXPORTS_PER_ACCOUNT),)


def _lock_id(key: str) -> int:
    """A signed 64-bit number for pg_advisory_xact_lock."""
    return int.from_bytes(hashlib.sha256(f"throttle:{key}".encode()).digest()[:8], "big", signed=True)


async def attempt(limits: Sequence[Limit], *, now: datetime, refusal: str | None = None) -> list[int]:
    """Record one attempt under every limit and return the ids of the records. Raises TooManyAttempts
    (with the message `refusal`, if given) and records nothing when any limit is already used up."""
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            for lock in sorted({_lock_id(limit.key) for limit in limits}):
                await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [lock])
        for limit in limits:
            if await LoginAttempt.filter(key=limit.key, at__gte=now - limit.window).count() >= limit.most:
                raise TooManyAttempts(refusal)
        return [(await LoginAttempt.create(key=limit.key, at=now)).id for limit in limits]


async def forget(ids: Sequence[int], *, keys: Sequence[str] = ()) -> None:
    """Drop these records and every record under `keys`: what a success takes back."""
    await LoginAttempt.filter(id__in=list(ids)).delete()
    if keys:
        await LoginAttempt.filter(key__in=list(keys)).delete()
