"""The single source of "what time is it"; services take `now=` so tests pass their own."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(UTC)


def to_zone(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def local_to_utc(naive_local: datetime, zone: str) -> datetime:
    """Read a wall-clock time entered in the contest's zone."""
    return naive_local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
