"""A round's figures from the database: the plain inputs of aggregation, their labels, and the results.

Only entries still in a judgeable state count; their scores and assignments come with them.
A judge's group is the group of their seat (PanelMember) on the panel of their assignments.
When their assignments run through panels that give them different groups, the seat on the
panel with the lowest id wins; without any such seat, their seat on the round's lowest-id panel;
without a seat, no group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.entries.states import JUDGEABLE_STATES
from contest.judging import aggregation
from contest.judging.aggregation import EntryResult, Method
from contest.judging.models import (
    Assignment,
    Criterion,
    JudgeGroup,
    PanelMember,
    Round,
    RoundEntry,
    RoundKind,
    Score,
)


@dataclass(frozen=True)
class PopularVote:
    counts: Mapping[int, int]  # non-voided votes per entry of the round (entries without votes left out)
    weight: float  # contest.popular_vote_share


@dataclass(frozen=True)
class EntryLabel:
    alias: str
    number: str | None
    title: str
    track_id: int | None


@dataclass(frozen=True)
class Labels:
    """What the organiser's page shows beside the figures; aggregation never sees it."""

    entries: Mapping[int, EntryLabel] = field(default_factory=dict)
    judges: Mapping[int, str] = field(default_factory=dict)
    groups: Mapping[int, str] = field(default_factory=dict)
    criteria: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundInputs:
    entries: tuple[aggregation.Entry, ...]
    criteria: tuple[aggregation.Criterion, ...]
    scores: tuple[aggregation.Score, ...]
    judges: tuple[aggregation.Judge, ...]
    groups: tuple[aggregation.JudgeGroup, ...]
    assignments: tuple[tuple[int, int], ...]  # (entry id, judge id)
    vote: PopularVote | None = None
    labels: Labels = field(default_factory=Labels)


def vote_shares(entries: Sequence[aggregation.Entry], counts: Mapping[int, int]) -> dict[int, Fraction]:
    """Each entry's share of the votes cast in its own track, since ranks are per track; 0 in a track without votes."""
    per_track: dict[int | None, int] = defaultdict(int)
    for entry in entries:
        per_track[entry.track_id] += counts.get(entry.id, 0)
    return {e.id: Fraction(counts.get(e.id, 0), per_track[e.track_id] or 1) for e in entries}


def compute(inputs: RoundInputs, method: Method | str) -> list[EntryResult]:
    """Pure: aggregate the inputs by `method`; a round without criteria has no standings yet."""
    if not inputs.criteria:
        return []
    vote = inputs.vote
    return aggregation.aggregate(
        inputs.entries, inputs.criteria, inputs.scores, inputs.judges, inputs.groups,
        method=method, assignments=inputs.assignments,
        vote_shares=None if vote is None else vote_shares(inputs.entries, vote.counts),
        vote_weight=0 if vote is None else vote.weight,
    )


async def round_results(round_: Round, *, vote_counts: Mapping[int, int]) -> list[EntryResult]:
    return compute(await round_inputs(round_, vote_counts=vote_counts), round_.method)


async def round_inputs(round_: Round, *, vote_counts: Mapping[int, int]) -> RoundInputs:
    """`vote_counts`: the popular vote's non-voided votes per entry (results.standings counts them; the votes
    rank above judging), used only in a final round of a contest that has the vote."""
    entry_rows = await _entry_rows(round_)
    entries = tuple(aggregation.Entry(r["entry_id"], r["entry__track_id"]) for r in entry_rows)
    entry_ids = [e.id for e in entries]
    criterion_rows = await Criterion.filter(round_id=round_.id).order_by("position", "id").values(
        "id", "name", "weight", "scale_min", "scale_max")
    assignment_rows = await Assignment.filter(round_id=round_.id, entry_id__in=entry_ids).order_by(
        "entry_id", "judge_id").values_list("entry_id", "judge_id", "panel_id")
    seats = await PanelMember.filter(panel__round_id=round_.id).values_list("panel_id", "judge_id", "group_id")
    judges = judge_groups(assignment_rows, seats)
    group_rows = await JudgeGroup.filter(id__in={g for g in judges.values() if g is not None}).order_by("id").values(
        "id", "name", "weight")
    return RoundInputs(
        entries=entries,
        criteria=tuple(aggregation.Criterion(c["id"], c["weight"], c["scale_min"], c["scale_max"]) for c in criterion_rows),
        scores=await _scores(round_, entry_ids),
        judges=tuple(aggregation.Judge(j, g) for j, g in sorted(judges.items())),
        groups=tuple(aggregation.JudgeGroup(g["id"], g["weight"]) for g in group_rows),
        assignments=tuple((e, j) for e, j, _ in assignment_rows),
        vote=await _popular_vote(round_, entry_ids, vote_counts),
        labels=Labels(
            entries={r["entry_id"]: EntryLabel(r["alias"], r["entry__number"], r["entry__title"], r["entry__track_id"])
                     for r in entry_rows},
            judges=dict(await User.filter(id__in=list(judges)).values_list("id", "display_name")),
            groups={g["id"]: g["name"] for g in group_rows},
            criteria={c["id"]: c["name"] for c in criterion_rows},
        ),
    )


def judge_groups(
    assignments: Iterable[tuple[int, int, int | None]], seats: Iterable[tuple[int, int, int | None]]
) -> dict[int, int | None]:
    """Pure: each assigned judge's group, from (entry, judge, panel) assignments and (panel, judge, group) seats."""
    seat_group = {(panel, judge): group for panel, judge, group in seats}
    seated: dict[int, set[int]] = defaultdict(set)
    for panel, judge in seat_group:
        seated[judge].add(panel)
    assigned_via: dict[int, set[int | None]] = defaultdict(set)
    for _, judge, via in assignments:
        assigned_via[judge].add(via)
    groups: dict[int, int | None] = {}
    for judge in sorted(assigned_via):
        panels = (seated[judge] & assigned_via[judge]) or seated[judge]
        groups[judge] = seat_group[(min(panels), judge)] if panels else None
    return groups


async def _entry_rows(round_: Round) -> list[dict]:
    return list(await RoundEntry.filter(round_id=round_.id, entry__state__in=list(JUDGEABLE_STATES)).order_by(
        "entry__track__position", "entry__track_id", "entry_id").values(
        "entry_id", "alias", "entry__number", "entry__title", "entry__track_id"))


async def _scores(round_: Round, entry_ids: list[int]) -> tuple[aggregation.Score, ...]:
    rows = await Score.filter(assignment__round_id=round_.id, assignment__entry_id__in=entry_ids).order_by(
        "assignment__entry_id", "assignment__judge_id", "criterion_id").values_list(
        "assignment__entry_id", "assignment__judge_id", "criterion_id", "value")
    return tuple(aggregation.Score(*row) for row in rows)


async def _popular_vote(round_: Round, entry_ids: list[int], vote_counts: Mapping[int, int]) -> PopularVote | None:
    """The vote blends in only in the final round of a contest that has it."""
    if round_.kind != RoundKind.FINAL:
        return None
    enabled, weight = (await Contest.filter(id=round_.contest_id).values_list(
        "popular_vote_enabled", "popular_vote_share"))[0]
    if not enabled:
        return None
    in_round = set(entry_ids)
    return PopularVote(counts={entry: n for entry, n in vote_counts.items() if entry in in_round and n}, weight=weight)
