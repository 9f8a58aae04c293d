"""A slot for finalists (from_round > 0): closed before the entry reaches its round, open while it is in it and
before the slot's own deadline, whatever the contest's submission deadline; not asked for at submission."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.contests.models import FileSlot
from contest.entries import service, uploads
from contest.entries.models import EntryFile
from contest.entries.slots import SlotClosed
from contest.entries.states import EntryState
from contest.media.storage import UploadStore
from tests.entries.helpers import complete_input, fresh, setup_track, submit
from tests.factories import NOW, chunks, make_user
from tests.media import source_samples

pytestmark = pytest.mark.unit


@pytest.fixture
def store(tmp_path) -> UploadStore:
    return UploadStore(tmp_path / "uploads")

AFTER_CLOSE = NOW + timedelta(days=20)  # the contest's submissions closed an hour after NOW


async def finalist_slot(track, **fields) -> FileSlot:
    return await FileSlot.create(track_id=track.id, key="source", label="源文件", kinds=["source"], max_count=2,
                                 max_mb=10, from_round=2, audience="organisers", **fields)


async def submitted_entry(store):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.update_entry(entry, complete_input(), by=user, now=NOW)
    await submit(await fresh(entry), user)
    return await fresh(entry), track, user


async def send(entry, slot, user, store, *, reached_round: int, now=AFTER_CLOSE):
    return await uploads.intake(entry, slot, chunks(source_samples.drafts_zip()), store=store, original_name="稿.zip",
                                by=user, now=now, reached_round=reached_round)


async def test_a_later_slot_is_not_asked_for_at_submission(db, store):
    entry, track, _ = await submitted_entry(store)
    await finalist_slot(track, min_count=1)
    assert service.submission_problems(await fresh(entry), declared=True) == []


async def test_a_finalist_fills_it_after_the_deadline_while_in_its_round(db, store):
    entry, track, user = await submitted_entry(store)
    slot = await finalist_slot(track)
    with pytest.raises(SlotClosed):
        await send(entry, slot, user, store, reached_round=1)  # still in the first round: not a finalist
    added = await send(entry, slot, user, store, reached_round=2)
    assert (added.kind, entry.state) == ("source", EntryState.SUBMITTED)
    assert await EntryFile.filter(entry_id=entry.id, slot_id=slot.id).count() == 1


async def test_the_slots_own_deadline_closes_it(db, store):
    entry, track, user = await submitted_entry(store)
    slot = await finalist_slot(track, due_at=AFTER_CLOSE - timedelta(hours=1))
    with pytest.raises(SlotClosed):
        await send(entry, slot, user, store, reached_round=2)
    assert await EntryFile.filter(entry_id=entry.id).count() == 0
