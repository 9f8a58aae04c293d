"""The read models of the finalists' organiser pages: each finalist with its tasks and what is missing, the
places forfeited and who moved up, the sample register, and the labels' aliases (the web layer adds the URLs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from contest.contests import queries as contest_queries
from contest.contests.models import Contest, Track
from contest.entries.models import Entry
from contest.finalists import forfeits, tasks
from contest.finalists.models import Forfeit, Sample
from contest.finalists.tasks import Task
from contest.judging.models import Round, RoundEntry


@dataclass(frozen=True)
class Finalist:
    entry: Entry  # with owner
    alias: str
    track: Track
    tasks: list[Task]

    @property
    def missing(self) -> list[Task]:
        return tasks.missing(self.tasks)


@dataclass(frozen=True)
class FinalistsDesk:
    finalists: list[Finalist]  # by track, then alias
    forfeits: list[Forfeit]  # newest first, with entry, replaced_by and decided_by
    forfeits_allowed: bool  # the contest's rule
    next_in_line: dict[int, Entry]  # by track id: who would move up for a place forfeited now

    @property
    def flagged(self) -> int:
        return sum(1 for f in self.finalists if f.missing)


async def finalists_desk(contest: Contest, round_: Round, *, now: datetime) -> FinalistsDesk:
    by_entry = await tasks.round_tasks(round_, now=now)
    places = await RoundEntry.filter(round_id=round_.id, entry_id__in=list(by_entry)).prefetch_related(
        "entry__owner")
    tracks = {t.id: t for t in await contest_queries.tracks_in_order(contest)}
    order = {track_id: n for n, track_id in enumerate(tracks)}
    finalists = sorted((Finalist(p.entry, p.alias, tracks[p.entry.track_id], by_entry[p.entry_id]) for p in places),
                       key=lambda f: (order[f.track.id], f.alias))
    waiting: dict[int, Entry] = {}
    if contest.missing_task_forfeits and any(f.missing for f in finalists):
        for track_id in {f.track.id for f in finalists if f.missing}:
            successor = await forfeits.next_in_line(round_, track_id)
            if successor is not None:
                waiting[track_id] = await Entry.get(id=successor)
    return FinalistsDesk(
        finalists=finalists,
        forfeits=await Forfeit.filter(round_id=round_.id).order_by("-decided_at", "-id").prefetch_related(
            "entry", "replaced_by", "decided_by"),
        forfeits_allowed=contest.missing_task_forfeits, next_in_line=waiting)


@dataclass(frozen=True)
class SampleRow:
    entry: Entry
    alias: str  # "" once the entry left the round (forfeited): its sample may still need returning
    track: Track
    sample: Sample | None  # None: nothing recorded yet
    due_at: datetime | None


async def sample_register(contest: Contest, round_: Round) -> list[SampleRow]:
    """Every sample of the round and every finalist of a track asking for one, by track then alias."""
    tracks = {t.id: t for t in await contest_queries.tracks_in_order(contest)}
    order = {track_id: n for n, track_id in enumerate(tracks)}
    places = {p.entry_id: p for p in await RoundEntry.filter(round_id=round_.id).prefetch_related("entry")}
    samples = {s.entry_id: s for s in await Sample.filter(round_id=round_.id).prefetch_related("entry")}
    rows = [SampleRow(s.entry, places[s.entry_id].alias if s.entry_id in places else "", tracks[s.entry.track_id], s,
                      tracks[s.entry.track_id].sample_due_at) for s in samples.values()]
    rows += [SampleRow(p.entry, p.alias, tracks[p.entry.track_id], None, tracks[p.entry.track_id].sample_due_at)
             for p in places.values() if p.entry_id not in samples and tracks[p.entry.track_id].sample_required]
    return sorted(rows, key=lambda r: (order[r.track.id], r.alias == "", r.alias, r.entry.id))


async def label_aliases(round_: Round) -> list[str]:
    """The aliases of the round's samples whose entries are still in the round, in alias order."""
    entry_ids = cast(list[int], await Sample.filter(round_id=round_.id).values_list("entry_id", flat=True))
    return sorted(cast(list[str], await RoundEntry.filter(round_id=round_.id, entry_id__in=entry_ids).values_list(
        "alias", flat=True)))
