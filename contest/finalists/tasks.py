"""A finalist's tasks for a round: the materials its track asks for in the round's later file slots, and the
physical sample where the track asks for one. Each task has its own deadline and a status read from the rows;
nothing about a task is stored apart from the files and the sample themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from contest.contests.models import FileSlot, Track
from contest.entries.models import Entry, EntryFile, EntryImage
from contest.entries.states import JUDGEABLE_STATES
from contest.finalists.models import Sample
from contest.judging.models import Round, RoundEntry, RoundKind

SAMPLE_KEY = "sample"


class TaskStatus(StrEnum):
    OPEN = "open"  # still to do, before its deadline
    DONE = "done"
    MISSING = "missing"  # its deadline passed and it is not done: organisers see it flagged
    CLOSED = "closed"  # an optional task whose deadline passed undone: nothing is missing


@dataclass(frozen=True)
class Task:
    key: str  # "slot:<slot key>" or "sample"
    due_at: datetime | None
    status: TaskStatus
    slot: FileSlot | None = None  # a materials task: its slot (label, help, kinds, counts)
    count: int = 0  # files in the slot
    sample: Sample | None = None  # a sample task: the dispatch recorded, if any

    @property
    def is_sample(self) -> bool:
        return self.slot is None

    @property
    def missing(self) -> bool:
        return self.status == TaskStatus.MISSING


def _status(done: bool, required: bool, due_at: datetime | None, now: datetime) -> TaskStatus:
    if done:
        return TaskStatus.DONE
    if due_at is None or now < due_at:
        return TaskStatus.OPEN
    return TaskStatus.MISSING if required else TaskStatus.CLOSED


def slot_task(slot: FileSlot, count: int, now: datetime) -> Task:
    """Pure: a slot with at least its minimum (and at least one file) is done; below a minimum above 0 past its
    deadline it is missing."""
    done = count >= slot.min_count and count > 0
    return Task(f"slot:{slot.key}", slot.due_at, _status(done, slot.min_count > 0, slot.due_at, now), slot=slot,
                count=count)


def sample_task(track: Track, sample: Sample | None, now: datetime) -> Task:
    """Pure: sent once the designer gave the courier and tracking number (or it arrived)."""
    done = sample is not None and (sample.sent_at is not None or sample.arrived_at is not None)
    return Task(SAMPLE_KEY, track.sample_due_at, _status(done, True, track.sample_due_at, now), sample=sample)


def task_list(track: Track, slots: Iterable[FileSlot], counts: Mapping[int, int], sample: Sample | None,
              now: datetime) -> list[Task]:
    """Pure: the tasks of one finalist, slots in their order, the sample last. `counts`: files per slot id."""
    tasks = [slot_task(slot, counts.get(slot.id, 0), now) for slot in slots]
    if track.sample_required:
        tasks.append(sample_task(track, sample, now))
    return tasks


# --- from the database ----------------------------------------------------------------------------


async def finalist_round(entry: Entry) -> Round | None:
    """The latest final round (by position) that holds the entry; None when it is not a finalist."""
    return await Round.filter(kind=RoundKind.FINAL, round_entries__entry_id=entry.id).order_by(
        "-position", "-id").first()


async def finalist_entry_ids(entry_ids: Sequence[int]) -> set[int]:
    """Which of these entries are in a final round (the dashboard marks them)."""
    return set(cast(list[int], await RoundEntry.filter(
        entry_id__in=list(entry_ids), round__kind=RoundKind.FINAL).values_list("entry_id", flat=True)))


async def round_slots(round_: Round) -> list[FileSlot]:
    """The later file slots a round asks for: every slot of the contest's tracks opening at its position."""
    return await FileSlot.filter(track__contest_id=round_.contest_id, from_round=round_.position).order_by(
        "track_id", "position", "id")


async def _file_counts(entry_ids: Sequence[int], slot_ids: Sequence[int]) -> Counter[tuple[int, int]]:
    """Files per (entry, slot); a PDF's rendered pages are part of its one file."""
    if not entry_ids or not slot_ids:
        return Counter()
    rows = [*await EntryImage.filter(entry_id__in=list(entry_ids), slot_id__in=list(slot_ids), source_file_id=None)
            .values_list("entry_id", "slot_id"),
            *await EntryFile.filter(entry_id__in=list(entry_ids), slot_id__in=list(slot_ids))
            .values_list("entry_id", "slot_id")]
    return Counter(cast(list[tuple[int, int]], rows))


async def round_tasks(round_: Round, *, now: datetime) -> dict[int, list[Task]]:
    """Every finalist's tasks in the round, by entry id: the entries the round holds in a judgeable state."""
    entries = cast(list[tuple[int, int]], await RoundEntry.filter(
        round_id=round_.id, entry__state__in=list(JUDGEABLE_STATES)).values_list("entry_id", "entry__track_id"))
    slots = await round_slots(round_)
    tracks = {t.id: t for t in await Track.filter(contest_id=round_.contest_id)}
    counts = await _file_counts([e for e, _ in entries], [s.id for s in slots])
    samples = {s.entry_id: s for s in await Sample.filter(round_id=round_.id)}
    return {entry_id: task_list(tracks[track_id], [s for s in slots if s.track_id == track_id],
                                {slot.id: counts[(entry_id, slot.id)] for slot in slots}, samples.get(entry_id), now)
            for entry_id, track_id in entries}


async def tasks_of(entry: Entry, round_: Round, *, now: datetime) -> list[Task]:
    """One finalist's tasks in the round."""
    slots = [s for s in await round_slots(round_) if s.track_id == entry.track_id]
    counts = await _file_counts([entry.id], [s.id for s in slots])
    sample = await Sample.get_or_none(round_id=round_.id, entry_id=entry.id)
    track = await Track.get(id=entry.track_id)
    return task_list(track, slots, {slot.id: counts[(entry.id, slot.id)] for slot in slots}, sample, now)


async def finalist_tasks(entry: Entry, *, now: datetime) -> tuple[Round | None, list[Task]]:
    """The final round that holds the entry and its tasks there; (None, []) when it is not a finalist."""
    round_ = await finalist_round(entry)
    return round_, await tasks_of(entry, round_, now=now) if round_ is not None else []


def missing(tasks: Iterable[Task]) -> list[Task]:
    return [task for task in tasks if task.missing]
