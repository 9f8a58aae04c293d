"""Scores in, explained figures and per-track ranks out. Pure: plain data in, plain data out.

The formula (FORMULA_VERSION names it, so exported results say which one produced them):

1. Each criterion value is normalised to 0..100 by (v - min) / (max - min) × 100, so criteria on
   different scales weigh only by their weight. A judge's total for an entry is the weighted mean
   Σ wᶜ·nᶜ / Σ wᶜ over all criteria. A judge who left a criterion unscored has no total: it is
   excluded and flagged, never counted as zero.
2. Within each judge group, over the judges with a total for the entry:
   - mean: the arithmetic mean;
   - trimmed mean: drops ONE highest and ONE lowest total when the group has at least five, else
     equals the mean (flagged "not_trimmed");
   - z-score: each judge's totals are standardised over all entries that judge completed,
     z = (x − μⱼ) / σⱼ with the population σ; a judge with σ = 0 or a single entry contributes 0
     (flagged "degenerate_judge"); the group's figure is the mean z.
3. Group figures combine by the group weights, renormalised over the groups that scored the entry.
   Judges without a group form one group of weight 1.
4. An optional public vote blends in: (1 − w)·judges + w·vote, where vote is share × 100 for the
   mean and trimmed mean, and the share standardised within the track for the z-score.
5. Ranks are competition ranks (1, 2, 2, 4) per track on figures rounded to TIE_DECIMALS; equal
   rounded figures are flagged "tie". Exact arithmetic (fractions) is used up to the final float.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

FORMULA_VERSION = "wcs-aggregation/1"
TIE_DECIMALS = 4
MIN_JUDGES_TO_TRIM = 5

Number = int | float | Decimal | Fraction
EntryId = int
JudgeId = int
GroupKey = int | None
Key = tuple[EntryId, JudgeId]


class Method(StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    ZSCORE = "zscore"


class Flag(StrEnum):
    NO_SCORES = "no_scores"  # no judge completed the entry: unranked
    MISSING_SCORES = "missing_scores"  # an assigned judge has not scored it at all
    INCOMPLETE_JUDGE = "incomplete_judge"  # a judge left criteria unscored: their total is excluded
    NOT_TRIMMED = "not_trimmed"  # trimmed_mean ranks, but a group had fewer than MIN_JUDGES_TO_TRIM judges
    DEGENERATE_JUDGE = "degenerate_judge"  # zscore ranks, and a judge's z is 0 (σ = 0 or a single entry)
    TIE = "tie"


@dataclass(frozen=True)
class Criterion:
    id: int
    weight: Number = 1
    scale_min: Number = 0
    scale_max: Number = 10


@dataclass(frozen=True)
class Score:
    entry_id: EntryId
    judge_id: JudgeId
    criterion_id: int
    value: Number


@dataclass(frozen=True)
class Judge:
    id: JudgeId
    group_id: int | None = None


@dataclass(frozen=True)
class JudgeGroup:
    id: int
    weight: Number = 1


@dataclass(frozen=True)
class Entry:
    id: EntryId
    track_id: int | None = None


@dataclass(frozen=True)
class JudgeTotal:
    judge_id: JudgeId
    group_id: GroupKey
    total: float | None  # 0..100; None when incomplete
    missing_criteria: tuple[int, ...] = ()
    z: float | None = None
    z_degenerate: bool = False
    trimmed_out: bool = False


@dataclass(frozen=True)
class GroupFigures:
    group_id: GroupKey
    weight: float  # as configured; the share actually applied is weight / Σ weights of groups present
    judge_ids: tuple[JudgeId, ...]
    mean: float
    trimmed_mean: float
    trimmed: bool
    dropped: tuple[JudgeId, ...]  # (lowest, highest) when trimmed
    zscore: float


@dataclass(frozen=True)
class EntryResult:
    entry_id: EntryId
    track_id: int | None
    method: Method
    figure: float | None  # what ranks: the chosen method's judge figure, blended with the vote
    judge_figure: float | None
    mean: float | None
    trimmed_mean: float | None
    zscore: float | None
    vote_share: float | None
    vote_component: float | None  # the vote on the figure's scale (share × 100, or share's z)
    n_judges: int
    judge_totals: tuple[JudgeTotal, ...]
    groups: tuple[GroupFigures, ...]
    missing_judges: tuple[JudgeId, ...]
    rank: int | None = None
    flags: tuple[Flag, ...] = ()
    vote_weight: float = 0.0

    def explain(self) -> dict[str, Any]:
        """Every input and intermediate figure behind `figure`, as plain JSON-ready data."""
        return {
            "formula_version": FORMULA_VERSION,
            "method": str(self.method),
            "entry_id": self.entry_id,
            "track_id": self.track_id,
            "judge_totals": [_judge_total_dict(t) for t in self.judge_totals],
            "groups": [_group_dict(g) for g in self.groups],
            "missing_judges": list(self.missing_judges),
            "judge_figure": self.judge_figure,
            "vote": {"share": self.vote_share, "component": self.vote_component, "weight": self.vote_weight},
            "figure": self.figure,
            "rank": self.rank,
            "flags": [str(f) for f in self.flags],
        }


def _judge_total_dict(total: JudgeTotal) -> dict[str, Any]:
    return {
        "judge_id": total.judge_id,
        "group_id": total.group_id,
        "total": total.total,
        "missing_criteria": list(total.missing_criteria),
        "z": total.z,
        "z_degenerate": total.z_degenerate,
        "trimmed_out": total.trimmed_out,
    }


def _group_dict(group: GroupFigures) -> dict[str, Any]:
    return {
        "group_id": group.group_id,
        "weight": group.weight,
        "judge_ids": list(group.judge_ids),
        "mean": group.mean,
        "trimmed_mean": group.trimmed_mean,
        "trimmed": group.trimmed,
        "dropped": list(group.dropped),
        "zscore": group.zscore,
    }


# --- exact building blocks ---------------------------------------------------------------------


def exact(value: Number) -> Fraction:
    """The value as a Fraction; floats by their shortest repr, so 0.7 means 7/10."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def normalised(value: Number, criterion: Criterion) -> Fraction:
    """A criterion value on 0..100."""
    low, high = exact(criterion.scale_min), exact(criterion.scale_max)
    return (exact(value) - low) / (high - low) * 100


def weighted_total(values: Mapping[int, Number], criteria: Sequence[Criterion]) -> Fraction | None:
    """A judge's total on 0..100 over all criteria, or None when any criterion is missing."""
    if any(c.id not in values for c in criteria):
        return None
    weights = sum((exact(c.weight) for c in criteria), Fraction(0))
    return sum((exact(c.weight) * normalised(values[c.id], c) for c in criteria), Fraction(0)) / weights


def running_total(values: Mapping[int, Number], criteria: Sequence[Criterion]) -> Fraction | None:
    """A judge's total so far on 0..100: the weighted mean over the criteria scored yet, None before the
    first; once every criterion is scored it is `weighted_total`, the figure that counts."""
    scored = [c for c in criteria if c.id in values]
    return weighted_total(values, scored) if scored else None


def mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def trimmed_mean(totals: Sequence[tuple[JudgeId, Fraction]]) -> tuple[Fraction, tuple[JudgeId, ...]]:
    """Mean without one lowest and one highest total (ties broken by judge id), and who was dropped.

    Nothing is dropped with fewer than MIN_JUDGES_TO_TRIM totals.
    """
    ordered = sorted(totals, key=lambda item: (item[1], item[0]))
    if len(ordered) < MIN_JUDGES_TO_TRIM:
        return mean([t for _, t in ordered]), ()
    kept = [t for _, t in ordered[1:-1]]
    return mean(kept), (ordered[0][0], ordered[-1][0])


def standardise(values: Mapping[EntryId, Fraction]) -> tuple[dict[EntryId, float], bool]:
    """z-scores with the population σ; all zero (and True for degenerate) when σ = 0 or one value."""
    mu = mean(list(values.values()))
    variance = mean([(v - mu) ** 2 for v in values.values()])
    if len(values) < 2 or variance == 0:
        return dict.fromkeys(values, 0.0), True
    sigma = math.sqrt(variance)
    return {key: float(v - mu) / sigma for key, v in values.items()}, False


def weighted_mean(parts: Sequence[tuple[Fraction, Fraction]]) -> Fraction:
    """Σ w·x / Σ w over (x, w); equal weights when every weight is zero."""
    total_weight = sum((w for _, w in parts), Fraction(0))
    if total_weight == 0:
        return mean([x for x, _ in parts])
    return sum((x * w for x, w in parts), Fraction(0)) / total_weight


def competition_ranks(figures: Mapping[EntryId, float]) -> tuple[dict[EntryId, int], set[EntryId]]:
    """Ranks 1, 2, 2, 4 on figures rounded to TIE_DECIMALS (higher is better), and the tied ids."""
    rounded = {e: round(f, TIE_DECIMALS) for e, f in figures.items()}
    first_place: dict[float, int] = {}
    for position, figure in enumerate(sorted(rounded.values(), reverse=True), start=1):
        first_place.setdefault(figure, position)
    ranks = {e: first_place[r] for e, r in rounded.items()}
    counts = Counter(rounded.values())
    return ranks, {e for e, r in rounded.items() if counts[r] > 1}


# --- the pipeline ------------------------------------------------------------------------------


@dataclass
class _Totals:
    exact: dict[Key, Fraction] = field(default_factory=dict)
    missing: dict[Key, tuple[int, ...]] = field(default_factory=dict)


def _validate(criteria: Sequence[Criterion], groups: Mapping[int, JudgeGroup], judges: Mapping[JudgeId, Judge]) -> None:
    if not criteria:
        raise ValueError("at least one criterion is needed")
    for criterion in criteria:
        if exact(criterion.scale_max) <= exact(criterion.scale_min) or exact(criterion.weight) < 0:
            raise ValueError(f"criterion {criterion.id}: needs scale_max > scale_min and weight >= 0")
    if sum(exact(c.weight) for c in criteria) == 0:
        raise ValueError("criterion weights must not all be zero")
    for judge in judges.values():
        if judge.group_id is not None and judge.group_id not in groups:
            raise ValueError(f"judge {judge.id}: unknown group {judge.group_id}")
    if any(exact(g.weight) < 0 for g in groups.values()):
        raise ValueError("group weights must be >= 0")


def _collect(
    scores: Iterable[Score],
    criteria: Mapping[int, Criterion],
    entries: Mapping[EntryId, Entry],
    judges: Mapping[JudgeId, Judge],
) -> dict[Key, dict[int, Number]]:
    sheets: dict[Key, dict[int, Number]] = defaultdict(dict)
    for score in scores:
        criterion = criteria.get(score.criterion_id)
        if criterion is None or score.entry_id not in entries or score.judge_id not in judges:
            raise ValueError(f"score for unknown criterion, entry or judge: {score}")
        if not exact(criterion.scale_min) <= exact(score.value) <= exact(criterion.scale_max):
            raise ValueError(f"score outside the criterion's scale: {score}")
        sheet = sheets[(score.entry_id, score.judge_id)]
        if score.criterion_id in sheet:
            raise ValueError(f"duplicate score: {score}")
        sheet[score.criterion_id] = score.value
    return sheets


def _judge_totals(sheets: Mapping[Key, Mapping[int, Number]], criteria: Sequence[Criterion]) -> _Totals:
    totals = _Totals()
    for key, values in sheets.items():
        total = weighted_total(values, criteria)
        if total is None:
            totals.missing[key] = tuple(c.id for c in criteria if c.id not in values)
        else:
            totals.exact[key] = total
    return totals


def _zscores(totals: Mapping[Key, Fraction]) -> tuple[dict[Key, float], set[JudgeId]]:
    by_judge: dict[JudgeId, dict[EntryId, Fraction]] = defaultdict(dict)
    for (entry_id, judge_id), total in totals.items():
        by_judge[judge_id][entry_id] = total
    zs: dict[Key, float] = {}
    degenerate: set[JudgeId] = set()
    for judge_id, values in by_judge.items():
        judge_z, is_degenerate = standardise(values)
        zs.update({(entry_id, judge_id): z for entry_id, z in judge_z.items()})
        if is_degenerate:
            degenerate.add(judge_id)
    return zs, degenerate


@dataclass(frozen=True)
class _Context:
    totals: _Totals
    zs: Mapping[Key, float]
    degenerate: set[JudgeId]
    judges: Mapping[JudgeId, Judge]
    groups: Mapping[int, JudgeGroup]
    assigned: Mapping[EntryId, set[JudgeId]]
    scored: Mapping[EntryId, set[JudgeId]]


@dataclass(frozen=True)
class _Group:
    figures: GroupFigures
    weight: Fraction
    exact: Mapping[Method, Fraction]


def _group(group_id: GroupKey, weight: Fraction, totals: list[tuple[JudgeId, Fraction]], zs: list[float]) -> _Group:
    plain, (trimmed, dropped) = mean([t for _, t in totals]), trimmed_mean(totals)
    zscore = sum((exact(z) for z in zs), Fraction(0)) / len(zs)
    figures = GroupFigures(
        group_id=group_id,
        weight=float(weight),
        judge_ids=tuple(j for j, _ in totals),
        mean=float(plain),
        trimmed_mean=float(trimmed),
        trimmed=bool(dropped),
        dropped=dropped,
        zscore=float(zscore),
    )
    return _Group(figures, weight, {Method.MEAN: plain, Method.TRIMMED_MEAN: trimmed, Method.ZSCORE: zscore})


def _groups_for_entry(entry_id: EntryId, ctx: _Context) -> list[_Group]:
    members: dict[GroupKey, list[tuple[JudgeId, Fraction]]] = defaultdict(list)
    for judge_id in sorted(ctx.scored.get(entry_id, set())):
        total = ctx.totals.exact.get((entry_id, judge_id))
        if total is not None:
            members[ctx.judges[judge_id].group_id].append((judge_id, total))
    return [
        _group(g, _group_weight(g, ctx.groups), totals, [ctx.zs[(entry_id, j)] for j, _ in totals])
        for g, totals in sorted(members.items(), key=lambda item: (item[0] is None, item[0] or 0))
    ]


def _group_weight(group_id: GroupKey, groups: Mapping[int, JudgeGroup]) -> Fraction:
    return Fraction(1) if group_id is None else exact(groups[group_id].weight)


def _combine(groups: list[_Group]) -> dict[Method, Fraction | None]:
    if not groups:
        return dict.fromkeys(Method)
    return {m: weighted_mean([(g.exact[m], g.weight) for g in groups]) for m in Method}


def _judge_total_rows(entry_id: EntryId, ctx: _Context, dropped: set[JudgeId]) -> tuple[JudgeTotal, ...]:
    rows = []
    for judge_id in sorted(ctx.scored.get(entry_id, set())):
        key = (entry_id, judge_id)
        total = ctx.totals.exact.get(key)
        rows.append(
            JudgeTotal(
                judge_id=judge_id,
                group_id=ctx.judges[judge_id].group_id,
                total=None if total is None else float(total),
                missing_criteria=ctx.totals.missing.get(key, ()),
                z=ctx.zs.get(key),
                z_degenerate=total is not None and judge_id in ctx.degenerate,
                trimmed_out=judge_id in dropped,
            )
        )
    return tuple(rows)


def _flags(
    rows: tuple[JudgeTotal, ...], groups: list[_Group], missing: tuple[JudgeId, ...], method: Method
) -> set[Flag]:
    """Flags about the ranking figure: trimming and z-score caveats only when that method ranks."""
    flags: set[Flag] = set()
    if not groups:
        flags.add(Flag.NO_SCORES)
    if missing:
        flags.add(Flag.MISSING_SCORES)
    if any(r.total is None for r in rows):
        flags.add(Flag.INCOMPLETE_JUDGE)
    if method is Method.TRIMMED_MEAN and any(not g.figures.trimmed for g in groups):
        flags.add(Flag.NOT_TRIMMED)
    if method is Method.ZSCORE and any(r.z_degenerate for r in rows):
        flags.add(Flag.DEGENERATE_JUDGE)
    return flags


def _blend(judge_figure: Fraction | None, vote: _Vote | None) -> float | None:
    if judge_figure is None:
        return None
    if vote is None:
        return float(judge_figure)
    return float((1 - vote.weight) * judge_figure + vote.weight * vote.component)


def _entry_result(entry: Entry, method: Method, ctx: _Context, vote: _Vote | None) -> EntryResult:
    groups = _groups_for_entry(entry.id, ctx)
    dropped = {j for g in groups for j in g.figures.dropped}
    rows = _judge_total_rows(entry.id, ctx, dropped)
    missing = tuple(sorted(ctx.assigned.get(entry.id, set()) - ctx.scored.get(entry.id, set())))
    figures = _combine(groups)
    plain = {m: (None if f is None else float(f)) for m, f in figures.items()}
    return EntryResult(
        entry_id=entry.id,
        track_id=entry.track_id,
        method=method,
        figure=_blend(figures[method], vote),
        judge_figure=plain[method],
        mean=plain[Method.MEAN],
        trimmed_mean=plain[Method.TRIMMED_MEAN],
        zscore=plain[Method.ZSCORE],
        vote_share=None if vote is None else float(vote.share),
        vote_component=None if vote is None else float(vote.component),
        vote_weight=0.0 if vote is None else float(vote.weight),
        n_judges=sum(len(g.figures.judge_ids) for g in groups),
        judge_totals=rows,
        groups=tuple(g.figures for g in groups),
        missing_judges=missing,
        flags=_ordered(_flags(rows, groups, missing, method)),
    )


def _ordered(flags: set[Flag]) -> tuple[Flag, ...]:
    return tuple(f for f in Flag if f in flags)


@dataclass(frozen=True)
class _Vote:
    share: Fraction
    component: Fraction  # on the figure's scale
    weight: Fraction


def _votes(
    entries: Sequence[Entry], shares: Mapping[EntryId, Number] | None, weight: Fraction, method: Method
) -> dict[EntryId, _Vote]:
    """The vote per entry (absent share = 0); empty when there is no vote. The z variant works per track."""
    if shares is None or weight == 0:
        return {}
    exact_shares = {e.id: exact(shares.get(e.id, 0)) for e in entries}
    if method is not Method.ZSCORE:
        return {e: _Vote(s, s * 100, weight) for e, s in exact_shares.items()}
    by_track: dict[int | None, dict[EntryId, Fraction]] = defaultdict(dict)
    for entry in entries:
        by_track[entry.track_id][entry.id] = exact_shares[entry.id]
    votes: dict[EntryId, _Vote] = {}
    for track_shares in by_track.values():
        zs, _ = standardise(track_shares)
        votes.update({e: _Vote(track_shares[e], exact(zs[e]), weight) for e in track_shares})
    return votes


def _rank(results: list[EntryResult]) -> list[EntryResult]:
    by_track: dict[int | None, dict[EntryId, float]] = defaultdict(dict)
    for result in results:
        if result.figure is not None:
            by_track[result.track_id][result.entry_id] = result.figure
    ranked: dict[EntryId, tuple[int, bool]] = {}
    for figures in by_track.values():
        ranks, tied = competition_ranks(figures)
        ranked.update({e: (r, e in tied) for e, r in ranks.items()})
    return [_with_rank(r, *ranked.get(r.entry_id, (None, False))) for r in results]


def _with_rank(result: EntryResult, rank: int | None, tied: bool) -> EntryResult:
    flags = set(result.flags) | ({Flag.TIE} if tied else set())
    return replace(result, rank=rank, flags=_ordered(flags))


def _sort_key(track_order: Mapping[int | None, int]) -> Any:
    return lambda r: (track_order[r.track_id], r.rank is None, r.rank or 0, r.entry_id)


def aggregate(
    entries: Sequence[Entry],
    criteria: Sequence[Criterion],
    scores: Iterable[Score],
    judges: Iterable[Judge],
    groups: Iterable[JudgeGroup] = (),
    *,
    method: Method | str = Method.MEAN,
    assignments: Iterable[tuple[EntryId, JudgeId]] = (),
    vote_shares: Mapping[EntryId, Number] | None = None,
    vote_weight: Number = 0,
) -> list[EntryResult]:
    """One explained, ranked result per entry, by track (in first-appearance order), then rank.

    Raises ValueError on inconsistent input (unknown ids, values off the scale, duplicate scores),
    because a figure built on it could not be explained.
    """
    method = Method(method)
    entry_map, criteria_map = {e.id: e for e in entries}, {c.id: c for c in criteria}
    judge_map, group_map = {j.id: j for j in judges}, {g.id: g for g in groups}
    _validate(criteria, group_map, judge_map)
    totals = _judge_totals(_collect(scores, criteria_map, entry_map, judge_map), criteria)
    ctx = _context(totals, judge_map, group_map, assignments)
    weight = exact(vote_weight)
    if not 0 <= weight <= 1:
        raise ValueError("vote_weight must be within 0..1")
    votes = _votes(entries, vote_shares, weight, method)
    results = [_entry_result(e, method, ctx, votes.get(e.id)) for e in entries]
    track_order = {t: i for i, t in enumerate(dict.fromkeys(e.track_id for e in entries))}
    return sorted(_rank(results), key=_sort_key(track_order))


def _context(
    totals: _Totals,
    judges: Mapping[JudgeId, Judge],
    groups: Mapping[int, JudgeGroup],
    assignments: Iterable[tuple[EntryId, JudgeId]],
) -> _Context:
    zs, degenerate = _zscores(totals.exact)
    assigned: dict[EntryId, set[JudgeId]] = defaultdict(set)
    for entry_id, judge_id in assignments:
        assigned[entry_id].add(judge_id)
    scored: dict[EntryId, set[JudgeId]] = defaultdict(set)
    for entry_id, judge_id in [*totals.exact, *totals.missing]:
        scored[entry_id].add(judge_id)
    return _Context(totals, zs, degenerate, judges, groups, assigned, scored)
