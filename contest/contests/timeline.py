"""The contest's public timeline as plain data: which step is done, current or upcoming, and the next deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from contest.contests.models import Contest
from contest.i18n import N_


class DatedRound(Protocol):
    """A judging round as the timeline sees it (judging.models.Round, which ranks above contests)."""

    @property
    def name(self) -> str: ...
    @property
    def opens_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Step:
    label: str  # msgid, translated in the template
    starts_at: datetime | None
    state: str  # "done" | "current" | "upcoming"


@dataclass(frozen=True)
class Phase:
    key: str  # "upcoming" | "open" | "judging" | "announced"
    label: str
    countdown_to: datetime | None
    countdown_label: str  # "... in" with a live countdown
    deadline_label: str  # the same moment named, for a plain date


def _states(moments: list[datetime | None], now: datetime) -> list[str]:
    passed = [m is not None and m <= now for m in moments]
    current = max((i for i, p in enumerate(passed) if p), default=-1)
    return ["current" if i == current else "done" if p else "upcoming" for i, p in enumerate(passed)]


PRESS_LABEL = N_("Results announced at the ceremony press")


def announcement_label(contest: Contest) -> str:
    """How the announcement step is named: by its time, or by the chair's 公布 press at the ceremony."""
    return PRESS_LABEL if contest.announce_by_press else N_("Results announced")


def timeline(contest: Contest, rounds: Sequence[DatedRound], now: datetime) -> list[Step]:
    points: list[tuple[str, datetime | None]] = [
        (N_("Submissions open"), contest.submissions_open_at),
        (N_("Submissions close"), contest.submissions_close_at),
    ]
    points += [(round_.name, round_.opens_at) for round_ in rounds]
    if contest.notice_days and contest.notice_starts_at:
        points.append((N_("Public notice"), contest.notice_starts_at))
    points.append((announcement_label(contest), contest.announce_at))
    states = _states([moment for _, moment in points], now)
    return [Step(label, moment, state) for (label, moment), state in zip(points, states, strict=True)]


def current_phase(contest: Contest, now: datetime) -> Phase:
    opens, closes, announce = (
        contest.submissions_open_at,
        contest.submissions_close_at,
        contest.announce_at,
    )
    if opens and now < opens:
        return Phase("upcoming", N_("Coming soon"), opens, N_("Submissions open in"), N_("Submissions open"))
    if closes and now < closes:
        return Phase("open", N_("Open for submissions"), closes, N_("Submissions close in"), N_("Submissions close"))
    if announce and now < announce:
        return Phase("judging", N_("Judging"), announce, N_("Results in"), N_("Results announced"))
    if announce is None and contest.announce_by_press:
        return Phase("judging", N_("Judging"), None, "", PRESS_LABEL)
    return Phase("announced", N_("Results announced"), None, "", "")


def submissions_open(contest: Contest, now: datetime) -> bool:
    opens, closes = contest.submissions_open_at, contest.submissions_close_at
    return opens is not None and closes is not None and opens <= now < closes
