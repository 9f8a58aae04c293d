"""A designer's own results, per contest: the rounds each submitted entry reached, its awards and
the decided objections about it. Nothing of a contest is read before its results are public
(embargo.results_public): until then the designer sees only when they will be.

A revoked award is shown only when it was revoked at or after the notice's start, when it had
already been published on the notice: a committee's change before that is its own deliberation.
The objector is never named; the designer reads the outcome as it was published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.entries.states import JUDGEABLE_STATES
from contest.judging.models import RoundEntry
from contest.results import embargo
from contest.results.models import Award, AwardStatus, Objection, ObjectionStatus

DECIDED = (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED)


@dataclass
class EntryResults:
    entry: Entry
    rounds: list[RoundEntry] = field(default_factory=list)  # with .round, in order
    awards: list[Award] = field(default_factory=list)  # with .tier, confirmed (and revoked once public)
    objections: list[Objection] = field(default_factory=list)  # decided ones


@dataclass
class ContestResults:
    contest: Contest
    public: bool
    entries: list[EntryResults]


def award_shown(award: Award, contest: Contest) -> bool:
    if award.status == AwardStatus.CONFIRMED:
        return True
    window = embargo.notice_window(contest)
    return (award.status == AwardStatus.REVOKED and window is not None and award.decided_at is not None
            and award.decided_at >= window[0])


async def results_for_designer(user: User, *, now: datetime) -> list[ContestResults]:
    """The user's contests with submitted entries, latest announcement first; for those whose results
    are public, each entry's rounds, awards and decided objections."""
    entries = await Entry.filter(owner_id=user.id, state__in=list(JUDGEABLE_STATES)).prefetch_related(
        "contest", "track").order_by("track__position", "number", "id")
    contests: dict[int, ContestResults] = {}
    for entry in entries:
        contest = entry.contest
        found = contests.setdefault(contest.id, ContestResults(contest, embargo.results_public(contest, now), []))
        found.entries.append(EntryResults(entry))
    await _fill([e for c in contests.values() if c.public for e in c.entries])
    return sorted(contests.values(), key=lambda c: (c.contest.announce_at is None, c.contest.announce_at), reverse=True)


async def _fill(results: list[EntryResults]) -> None:
    by_entry = {r.entry.id: r for r in results}
    ids = list(by_entry)
    if not ids:
        return
    for row in await RoundEntry.filter(entry_id__in=ids).prefetch_related("round").order_by("round__position", "id"):
        by_entry[row.entry_id].rounds.append(row)
    awards = await Award.filter(entry_id__in=ids, status__in=[AwardStatus.CONFIRMED, AwardStatus.REVOKED]
                                ).prefetch_related("tier").order_by("tier__is_special", "tier__rank", "id")
    for award in awards:
        result = by_entry[award.entry_id]
        if award_shown(award, result.entry.contest):
            result.awards.append(award)
    for objection in await Objection.filter(entry_id__in=ids, status__in=list(DECIDED)).order_by("resolved_at", "id"):
        by_entry[objection.entry_id].objections.append(objection)
