"""The award list (获奖名单) the committee attaches to its official notice: the confirmed awards by track and
grade, the special awards across tracks in a section of their own (as the 公示 arranges them,
contest.results.notice.arrange), each line with the entry's number, title, public name and organisation or
school, and the bodies that guide, host and organise the contest.

Only confirmed awards are listed: a proposed award is not a result, and one revoked after an objection never
was. Whether the list may be shown yet is the caller's question (contest.results.embargo.results_public).
contest.results.award_list_pdf prints it; contest.exports.award_list tabulates it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any

from contest import clock
from contest.contests.models import Contest
from contest.results.certificates import issuers_of
from contest.results.models import Award, AwardStatus
from contest.results.notice import (
    AFFILIATION_VALUES,
    ENTRY_VALUES,
    TIER_VALUES,
    Listed,
    Listing,
    arrange,
    listed_from,
)

SPECIAL_HEADING = "特别奖"
ORDER_VALUES = ("tier_id", "tier__rank", "entry__track_id", "entry__track__position")


@dataclass(frozen=True)
class GradeGroup:
    grade: str
    lines: list[Listed]


@dataclass(frozen=True)
class Section:
    """A track's grades, best first, or (special) the awards that span tracks."""

    heading: str
    grades: list[GradeGroup]
    special: bool = False


@dataclass(frozen=True)
class Bodies:
    """指导单位, 主办单位, 承办单位 as the organisers wrote them ("" when the contest names none)."""

    guiding: str
    hosting: str
    organising: str


@dataclass(frozen=True)
class AwardList:
    contest: str
    bodies: Bodies
    issuers: tuple[str, ...]  # the 落款 over the seal: the bodies that issue the certificates, one a line
    issued_on: date  # in the contest's zone
    sections: list[Section]
    entries: int  # the entries listed, each counted once

    @property
    def title(self) -> str:
        return f"{self.contest}获奖名单"

    def lines(self) -> list[tuple[Section, GradeGroup, Listed]]:
        return [(s, g, line) for s in self.sections for g in s.grades for line in g.lines]


# --- pure ------------------------------------------------------------------------------------------


def award_order(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """A track's awards by track, then grade; the special awards after them by grade, whatever their track."""
    number = row["entry__number"] or ""
    if row["tier__is_special"] or row["tier__track_id"] is None:
        return (1, 0, 0, row["tier__rank"], row["tier_id"], number)
    return (0, row["entry__track__position"], row["entry__track_id"], row["tier__rank"], row["tier_id"], number)


def by_grade(lines: Sequence[Listed]) -> list[GradeGroup]:
    """Consecutive lines of one grade together, in their order."""
    return [GradeGroup(grade, list(group)) for grade, group in groupby(lines, key=lambda line: line.grade)]


def sections(listing: Listing) -> list[Section]:
    found = [Section(group.track, by_grade(group.lines)) for group in listing.tracks]
    if listing.special:
        found.append(Section(SPECIAL_HEADING, by_grade(listing.special), special=True))
    return found


def award_list_of(contest: Any, rows: Iterable[Mapping[str, Any]], *, now: datetime) -> AwardList:
    """The list from confirmed award rows (ENTRY_VALUES, TIER_VALUES, AFFILIATION_VALUES, ORDER_VALUES), dated
    the day of the announcement, or today while there is none (an organiser's preview)."""
    listing = arrange(listed_from(sorted((dict(row) for row in rows), key=award_order)))
    issued = clock.to_zone(contest.announce_at or now, contest.time_zone).date()
    bodies = Bodies(contest.guiding_bodies.strip(), contest.host_bodies.strip(), contest.organising_bodies.strip())
    return AwardList(contest.title, bodies, issuers_of(contest), issued, sections(listing), listing.entries)


def date_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- queries ---------------------------------------------------------------------------------------


async def award_list(contest: Contest, *, now: datetime) -> AwardList:
    """The contest's award list as it stands: its confirmed awards, in one query."""
    rows = await Award.filter(contest_id=contest.id, status=AwardStatus.CONFIRMED).values(
        *ENTRY_VALUES, *TIER_VALUES, *AFFILIATION_VALUES, *ORDER_VALUES)
    return award_list_of(contest, rows, now=now)
