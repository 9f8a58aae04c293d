"""When the popular vote is open: the final round's span, the phase, the voting day.

The vote opens with the contest's final round (its last round by position, of the final kind) and
closes at the earliest of that round's closing time, its locking and the announcement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from contest import clock
from contest.contests.models import Contest
from contest.errors import Conflict
from contest.i18n import N_
from contest.judging.models import Round, RoundKind
from contest.results import embargo


class Phase(StrEnum):
    SOON = "soon"
    OPEN = "open"
    CLOSED = "closed"


class VoteClosed(Conflict):
    message = N_("The popular vote is not open now.")


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime


def window(contest: Any, final: Any) -> Window | None:
    """None when the contest has no vote, or no final round with opening and closing times."""
    if not contest.popular_vote_enabled or final is None or final.opens_at is None or final.closes_at is None:
        return None
    return Window(final.opens_at, final.closes_at)


def phase(contest: Any, final: Any, now: datetime) -> Phase | None:
    span = window(contest, final)
    if span is None:
        return None
    if now < span.opens_at:
        return Phase.SOON
    if now >= span.closes_at or final.locked_at is not None or embargo.results_public(contest, now):
        return Phase.CLOSED
    return Phase.OPEN


def voting_day(contest: Any, now: datetime) -> date:
    """Quotas reset at midnight where the contest is held."""
    return clock.to_zone(now, contest.time_zone).date()


async def final_round(contest: Contest) -> Round | None:
    last = await Round.filter(contest_id=contest.id).order_by("-position", "-id").first()
    return last if last is not None and last.kind == RoundKind.FINAL else None
