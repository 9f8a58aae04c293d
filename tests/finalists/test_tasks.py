"""A finalist's task list: the round's later slots and the sample, each with its deadline and status."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.entries.models import EntryFile
from contest.finalists import tasks
from contest.finalists.models import Sample
from contest.finalists.tasks import TaskStatus
from tests.factories import NOW
from tests.finalists.helpers import DUE, final_world

pytestmark = pytest.mark.unit
LATE = DUE + timedelta(seconds=1)


async def add_file(entry, slot) -> None:
    await EntryFile.create(entry=entry, slot=slot, key=f"{entry.id:032x}", kind="source", format="zip", size_bytes=10,
                           sha256="0" * 64)


async def test_only_the_entries_in_the_final_are_finalists(db):
    world = await final_world()
    assert await tasks.finalist_entry_ids([e.id for e in world.entries]) == {world.entries[0].id, world.entries[1].id}
    assert (await tasks.finalist_round(world.entries[0])).id == world.final.id
    assert await tasks.finalist_round(world.entries[2]) is None


async def test_a_finalist_has_the_slot_and_the_sample_each_with_its_deadline(db):
    world = await final_world()
    listed = await tasks.tasks_of(world.entries[0], world.final, now=NOW)
    assert [(t.key, t.due_at, t.status) for t in listed] == [
        ("slot:source", DUE, TaskStatus.OPEN), ("sample", DUE, TaskStatus.OPEN)]


async def test_past_the_deadline_an_empty_slot_and_an_unsent_sample_are_missing(db):
    world = await final_world()
    listed = await tasks.tasks_of(world.entries[0], world.final, now=LATE)
    assert [t.key for t in tasks.missing(listed)] == ["slot:source", "sample"]


async def test_a_filled_slot_and_a_sent_sample_are_done_whatever_the_time(db):
    world = await final_world()
    await add_file(world.entries[0], world.slot)
    await Sample.create(round=world.final, entry=world.entries[0], courier="顺丰", tracking_number="SF1", sent_at=NOW)
    by_entry = await tasks.round_tasks(world.final, now=LATE)
    assert {e: [t.status for t in ts] for e, ts in by_entry.items()} == {
        world.entries[0].id: [TaskStatus.DONE, TaskStatus.DONE],
        world.entries[1].id: [TaskStatus.MISSING, TaskStatus.MISSING]}


async def test_an_optional_slot_is_never_missing(db):
    world = await final_world(sample=False)
    world.slot.min_count = 0
    await world.slot.save()
    listed = await tasks.tasks_of(world.entries[0], world.final, now=LATE)
    assert [(t.key, t.status) for t in listed] == [("slot:source", TaskStatus.CLOSED)]


async def test_a_slot_of_another_round_is_no_task_of_the_final(db):
    world = await final_world(sample=False)
    world.slot.from_round = world.final.position + 1
    await world.slot.save()
    assert await tasks.tasks_of(world.entries[0], world.final, now=NOW) == []
