"""Login throttling per account and per client address, kept in the database so every process agrees."""

from __future__ import annotations

from datetime import datetime, timedelta

from contest.accounts.models import LoginAttempt

WINDOW = timedelta(minutes=15)
LIMIT_PER_ACCOUNT = 10
LIMIT_PER_ADDRESS = 50


def account_key(email: str) -> str:
    return f"account:{email.strip().casefold()}"


def address_key(ip: str) -> str:
    return f"ip:{ip}"


async def is_throttled(*, email: str, ip: str, now: datetime) -> bool:
    since = now - WINDOW
    per_account = await LoginAttempt.filter(key=account_key(email), at__gte=since).count()
    if per_account >= LIMIT_PER_ACCOUNT:
        return True
    return await LoginAttempt.filter(key=address_key(ip), at__gte=since).count() >= LIMIT_PER_ADDRESS


async def record_failure(*, email: str, ip: str, now: datetime) -> None:
    await LoginAttempt.bulk_create(
        [LoginAttempt(key=account_key(email), at=now), LoginAttempt(key=address_key(ip), at=now)]
    )


async def clear_account(email: str) -> None:
    await LoginAttempt.filter(key=account_key(email)).delete()


async def prune(*, now: datetime) -> int:
    return await LoginAttempt.filter(at__lt=now - WINDOW).delete()
