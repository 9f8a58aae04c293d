"""The figures of a contest's dashboard: submitted entries by track, entrant category and day; open cases;
where each round stands."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from tortoise.functions import Count

from contest import clock
from contest.accounts.models import EntrantCategory
from contest.contests import queries as contest_queries
from contest.contests.models import Contest, Track
from contest.entries import duplicates
from contest.entries.models import Entry
from contest.entries.states import EntryState, LeakStatus
from contest.judging import progress
from contest.judging.models import Conflict
from contest.results.models import Objection, ObjectionStatus

OPEN_OBJECTIONS = (ObjectionStatus.RECEIVED, ObjectionStatus.UNDER_REVIEW)


@dataclass(frozen=True)
class EntryFigures:
    submitted: int
    drafts: int
    by_track: list[tuple[Track, int]]  # every track, in the contest's order, zero included
    by_category: list[tuple[EntrantCategory, int]]  # every category, zero included
    by_day: list[tuple[date, int]]  # every day from the first submission to the last, in the contest's zone
    returned: int = 0  # waiting for their designers' fix (contest.entries.screening), not counted as submitted


@dataclass(frozen=True)
class OpenCases:
    objections: int
    near_duplicate_pairs: int
    leak_flags: int
    conflicts: int


def _days(counts: Counter[date]) -> list[tuple[date, int]]:
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [(date.fromordinal(n), counts[date.fromordinal(n)]) for n in range(first.toordinal(), last.toordinal() + 1)]


async def entry_figures(contest: Contest) -> EntryFigures:
    """Counts over the submitted entries (withdrawn, returned and disqualified ones left out), drafts and
    returned entries counted apart."""
    rows = await Entry.filter(contest_id=contest.id, state=EntryState.SUBMITTED).values(
        "track_id", "entrant_category", "submitted_at")
    tracks = await contest_queries.tracks_in_order(contest)
    per_track = Counter(r["track_id"] for r in rows)
    per_category = Counter(r["entrant_category"] for r in rows)
    per_day = Counter(clock.to_zone(r["submitted_at"], contest.time_zone).date() for r in rows if r["submitted_at"])
    waiting = dict(await Entry.filter(contest_id=contest.id, state__in=[EntryState.DRAFT, EntryState.RETURNED])
                   .annotate(n=Count("id")).group_by("state").values_list("state", "n"))
    return EntryFigures(
        submitted=len(rows),
        drafts=waiting.get(EntryState.DRAFT, 0),
        by_track=[(t, per_track[t.id]) for t in tracks],
        by_category=[(c, per_category[c]) for c in EntrantCategory],
        by_day=_days(per_day),
        returned=waiting.get(EntryState.RETURNED, 0),
    )


async def open_cases(contest: Contest) -> OpenCases:
    return OpenCases(
        objections=await Objection.filter(contest_id=contest.id, status__in=list(OPEN_OBJECTIONS)).count(),
        near_duplicate_pairs=len(await duplicates.near_duplicates(contest)),
        leak_flags=await Entry.filter(contest_id=contest.id, leak_status=LeakStatus.FLAGGED).count(),
        conflicts=await Conflict.filter(contest_id=contest.id).count(),
    )


@dataclass(frozen=True)
class Dashboard:
    figures: EntryFigures
    cases: OpenCases
    rounds: list[progress.RoundOverview]


async def dashboard_of(contest: Contest) -> Dashboard:
    return Dashboard(await entry_figures(contest), await open_cases(contest), await progress.rounds_overview(contest))
