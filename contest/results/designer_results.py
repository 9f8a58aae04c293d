"""A designer's own results, per contest: the rounds each submitted entry reached, its awards and
the decided objections about it. Nothing of a contest is read before its results are public
(embargo.results_public): until then the designer sees only when they will be.

Where the contest gives feedback (Contest.feedback_to_entrants), each entry's results also carry the
criterion averages of the last round that scored it and the comments its judges chose to share, never
with a judge's name, and only once the results are public.

A revoked award is shown only when it was revoked at or after the notice's start, when it had
already been published on the notice: a committee's change before that is its own deliberation.
The objector is never named; the designer reads the outcome as it was published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.entries.states import JUDGEABLE_STATES
from contest.judging.models import Assignment, Criterion, Round, RoundEntry, Score
from contest.results import embargo
from contest.results.models import Award, AwardStatus, Objection, ObjectionStatus

DECIDED = (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED)


@dataclass(frozen=True)
class CriterionAverage:
    name: str
    name_en: str
    average: Decimal  # over the judges who scored it, to one decimal place
    scale_min: int
    scale_max: int
    judges: int


@dataclass(frozen=True)
class Feedback:
    """What the judges of the entry's last scored round tell its designer: no names, no other entry."""

    round_name: str
    round_name_en: str
    averages: tuple[CriterionAverage, ...]
    comments: tuple[str, ...]  # the shared ones, in no judge's order


@dataclass
class EntryResults:
    entry: Entry
    rounds: list[RoundEntry] = field(default_factory=list)  # with .round, in order
    awards: list[Award] = field(default_factory=list)  # with .tier, confirmed (and revoked once public)
    objections: list[Objection] = field(default_factory=list)  # decided ones
    feedback: Feedback | None = None  # where the contest gives it


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
    for result in [e for c in contests.values() if c.public and c.contest.feedback_to_entrants for e in c.entries]:
        result.feedback = await feedback_for_entry(result.entry.id)
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


# --- feedback ------------------------------------------------------------------------------------

ONE_PLACE = Decimal("0.1")


def averages(criteria: list[Criterion], scores: list[tuple[int, Decimal]]) -> tuple[CriterionAverage, ...]:
    """Pure: each criterion's mean over the (criterion id, value) pairs given, in the criteria's order; a
    criterion nobody scored is left out."""
    values: dict[int, list[Decimal]] = {}
    for criterion_id, value in scores:
        values.setdefault(criterion_id, []).append(Decimal(value))
    return tuple(
        CriterionAverage(c.name, c.name_en, _mean(values[c.id]), c.scale_min, c.scale_max, len(values[c.id]))
        for c in criteria if values.get(c.id)
    )


def _mean(values: list[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(ONE_PLACE)


async def feedback_for_entry(entry_id: int) -> Feedback | None:
    """The criterion averages of the last round (by position) that scored the entry, and the comments its
    judges marked as shared. The caller checks the embargo and the contest's switch; None without scores."""
    rows: list[dict[str, Any]] = await Score.filter(assignment__entry_id=entry_id).values(
        "criterion_id", "value", "assignment__round_id", "assignment__round__position")
    if not rows:
        return None
    last = max(rows, key=lambda r: (r["assignment__round__position"], r["assignment__round_id"]))["assignment__round_id"]
    round_ = await Round.get(id=last)
    criteria = await Criterion.filter(round_id=last).order_by("position", "id")
    comments = await Assignment.filter(round_id=last, entry_id=entry_id, comment_shared=True).exclude(
        comment="").values_list("comment", flat=True)
    return Feedback(round_.name, round_.name_en,
                    averages(criteria, [(r["criterion_id"], r["value"]) for r in rows if r["assignment__round_id"] == last]),
                    tuple(sorted(str(c) for c in comments)))
