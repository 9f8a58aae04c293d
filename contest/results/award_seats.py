"""Award grades proposed from the ranking and the tiers' quotas. Pure: plain data in, plain data out.

Seats: per track, the tiers in rank order lay out a row of seats (quota × tier); the ranked entries
fill them from the top. A group of tied entries that would sit across a boundary (two tiers, or the
last seat and no award) is not broken: its seats stay unfilled and are reported as a boundary tie
for the organisers to decide. Special awards (no track) are never filled automatically.

Revocation ("promote_next", the usual 依次递补 rule): the revoked entry leaves the ranking and the
seats are filled again, so its place goes to the next ranked entry not already holding an award of
that tier or higher: the top entry of each lower tier moves up one tier, and the first entry
without an award joins the lowest tier. "leave_vacant": the revoked entry keeps its place, its seat
stays empty (that tier's quota shrinks by one), nobody moves; later revocations cascade around
the empty seat. A revoked entry without an award simply leaves the ranking under either policy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from contest.judging.aggregation import TIE_DECIMALS

EntryId = int
TrackId = int | None


class RevocationPolicy(StrEnum):
    PROMOTE_NEXT = "promote_next"
    LEAVE_VACANT = "leave_vacant"


class VacancyReason(StrEnum):
    TOO_FEW_ENTRIES = "too_few_entries"
    REVOKED = "revoked"


@dataclass(frozen=True)
class RankedEntry:
    entry_id: EntryId
    figure: float
    tie: bool = False


@dataclass(frozen=True)
class Tier:
    id: int
    name: str
    rank_order: int  # 1 = highest
    quota: int
    track_id: TrackId = None  # None: a special award, filled by hand


@dataclass(frozen=True)
class ProposedAward:
    tier_id: int
    entry_id: EntryId
    track_id: TrackId


@dataclass(frozen=True)
class Vacancy:
    tier_id: int
    track_id: TrackId
    seats: int
    reason: VacancyReason


@dataclass(frozen=True)
class BoundaryTie:
    track_id: TrackId
    entry_ids: tuple[EntryId, ...]
    seats: tuple[int | None, ...]  # the tier of each seat they contend for; None = no award


@dataclass(frozen=True)
class Revocation:
    entry_id: EntryId
    policy: RevocationPolicy
    vacated_tier_id: int | None  # the seat held empty under "leave_vacant"


@dataclass(frozen=True)
class Proposal:
    awards: tuple[ProposedAward, ...]
    vacancies: tuple[Vacancy, ...]
    boundary_ties: tuple[BoundaryTie, ...]
    special_tiers: tuple[int, ...]  # left for the organisers
    ranking: Mapping[TrackId, tuple[RankedEntry, ...]]
    tiers: tuple[Tier, ...]
    revoked: tuple[Revocation, ...] = ()

    def tier_of(self, entry_id: EntryId) -> int | None:
        return next((a.tier_id for a in self.awards if a.entry_id == entry_id), None)


class RankedResult(Protocol):
    """What the ranking reads of a result (judging.aggregation.EntryResult, a frozen dataclass: read-only)."""

    @property
    def entry_id(self) -> EntryId: ...
    @property
    def track_id(self) -> TrackId: ...
    @property
    def figure(self) -> float | None: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def flags(self) -> Sequence[str]: ...


def ranking_from_results(results: Iterable[RankedResult]) -> dict[TrackId, list[RankedEntry]]:
    """The ranked entries of aggregation results, per track, best first."""
    ranking: dict[TrackId, list[RankedEntry]] = {}
    ranked = [r for r in results if r.rank is not None and r.figure is not None]
    for result in sorted(ranked, key=lambda r: (r.rank, r.entry_id)):
        entry = RankedEntry(result.entry_id, float(result.figure or 0), "tie" in result.flags)
        ranking.setdefault(result.track_id, []).append(entry)
    return ranking


# --- filling seats -------------------------------------------------------------------------------


def _tied(a: RankedEntry, b: RankedEntry) -> bool:
    return a.tie and b.tie and round(a.figure, TIE_DECIMALS) == round(b.figure, TIE_DECIMALS)


def _tie_groups(entries: Sequence[RankedEntry]) -> list[list[RankedEntry]]:
    groups: list[list[RankedEntry]] = []
    for entry in entries:
        if groups and _tied(groups[-1][-1], entry):
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


def _seats(tiers: Sequence[Tier], held_vacant: Counter[int]) -> list[int]:
    ordered = sorted(tiers, key=lambda t: (t.rank_order, t.id))
    return [t.id for t in ordered for _ in range(max(t.quota - held_vacant[t.id], 0))]


@dataclass
class _Track:
    awards: list[ProposedAward]
    vacant: Counter[int]
    ties: list[BoundaryTie]


def _fill_track(track_id: TrackId, entries: Sequence[RankedEntry], seats: Sequence[int]) -> _Track:
    filled = _Track([], Counter(), [])
    position = 0
    for group in _tie_groups(entries):
        contested = tuple(seats[i] if i < len(seats) else None for i in range(position, position + len(group)))
        position += len(group)
        tier_id = contested[0]
        if len(set(contested)) > 1:
            filled.ties.append(BoundaryTie(track_id, tuple(e.entry_id for e in group), contested))
        elif tier_id is not None:
            filled.awards += [ProposedAward(tier_id, e.entry_id, track_id) for e in group]
    for tier_id in seats[position:]:
        filled.vacant[tier_id] += 1
    return filled


def _track_vacancies(
    track_id: TrackId, tiers: Sequence[Tier], too_few: Counter[int], revoked: Counter[int]
) -> list[Vacancy]:
    vacancies = []
    for tier in sorted(tiers, key=lambda t: (t.rank_order, t.id)):
        if revoked[tier.id]:
            vacancies.append(Vacancy(tier.id, track_id, revoked[tier.id], VacancyReason.REVOKED))
        if too_few[tier.id]:
            vacancies.append(Vacancy(tier.id, track_id, too_few[tier.id], VacancyReason.TOO_FEW_ENTRIES))
    return vacancies


def _build(
    ranking: Mapping[TrackId, tuple[RankedEntry, ...]],
    tiers: tuple[Tier, ...],
    revoked: tuple[Revocation, ...],
) -> Proposal:
    gone = {r.entry_id for r in revoked}
    held_vacant = Counter(r.vacated_tier_id for r in revoked if r.vacated_tier_id is not None)
    tracks = list(dict.fromkeys([*ranking, *(t.track_id for t in tiers if t.track_id is not None)]))
    awards: list[ProposedAward] = []
    vacancies: list[Vacancy] = []
    ties: list[BoundaryTie] = []
    for track_id in tracks:
        track_tiers = [t for t in tiers if t.track_id == track_id and t.track_id is not None]
        remaining = [e for e in ranking.get(track_id, ()) if e.entry_id not in gone]
        filled = _fill_track(track_id, remaining, _seats(track_tiers, held_vacant))
        order = {t.id: (t.rank_order, t.id) for t in track_tiers}
        awards += sorted(filled.awards, key=lambda a: order[a.tier_id])
        vacancies += _track_vacancies(track_id, track_tiers, filled.vacant, held_vacant)
        ties += filled.ties
    special = tuple(t.id for t in sorted(tiers, key=lambda t: (t.rank_order, t.id)) if t.track_id is None)
    return Proposal(tuple(awards), tuple(vacancies), tuple(ties), special, ranking, tiers, revoked)


RankingItem = RankedEntry | tuple[EntryId, float, bool]


def _as_ranked(item: RankingItem) -> RankedEntry:
    return item if isinstance(item, RankedEntry) else RankedEntry(*item)


def propose_awards(
    ranking: Mapping[TrackId, Sequence[RankingItem]], tiers: Iterable[Tier]
) -> Proposal:
    """Fill each track's tiers, best tier first, from the top of that track's ranking.

    `ranking` holds, per track, the ranked entries best first, as RankedEntry or (entry_id, figure,
    tie) tuples. Seats without an entry are vacancies; tied entries straddling a tier boundary are
    reported in `boundary_ties` and their seats left unfilled; special tiers are listed, not filled.
    """
    frozen = {track: tuple(_as_ranked(item) for item in items) for track, items in ranking.items()}
    return _build(frozen, tuple(tiers), ())


def apply_revocation(
    proposal: Proposal, revoked_entry_id: EntryId, policy: RevocationPolicy | str = RevocationPolicy.PROMOTE_NEXT
) -> Proposal:
    """The proposal after revoking one entry's place (see the module docstring for the rule).

    Raises ValueError for an entry that is not ranked or was already revoked.
    """
    ranked = {e.entry_id for entries in proposal.ranking.values() for e in entries}
    if revoked_entry_id not in ranked or revoked_entry_id in {r.entry_id for r in proposal.revoked}:
        raise ValueError(f"entry {revoked_entry_id} is not ranked or already revoked")
    policy = RevocationPolicy(policy)
    vacated = proposal.tier_of(revoked_entry_id) if policy is RevocationPolicy.LEAVE_VACANT else None
    revocation = Revocation(revoked_entry_id, policy, vacated)
    return _build(proposal.ranking, proposal.tiers, (*proposal.revoked, revocation))
