"""The sample register: the designer's dispatch, the organisers' arrival with a private photo, where it is kept and
what becomes of it; each step audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts.models import User
from contest.audit.models import AuditEvent
from contest.errors import InvalidInput, NotFound
from contest.finalists import samples
from contest.finalists.models import Disposition, Sample
from contest.finalists.samples import Dispatch, NoSampleAsked, NotAFinalist, SampleArrived, SampleDeadlinePassed
from contest.media.storage import UploadStore
from tests import imagegen
from tests.factories import NOW, chunks
from tests.finalists.helpers import DUE, final_world

pytestmark = pytest.mark.unit
SF = Dispatch("顺丰速运", "SF1234567890")


async def owner(entry) -> User:
    return await User.get(id=entry.owner_id)


@pytest.fixture
def store(tmp_path) -> UploadStore:
    store = UploadStore(tmp_path / "uploads")
    store.ensure_dirs()
    return store


async def test_a_finalist_records_the_dispatch_and_may_correct_it_until_it_arrives(db, store):
    world = await final_world()
    entry = world.entries[0]
    await samples.record_dispatch(entry, Dispatch("圆通", "YT1"), by=await owner(entry), now=NOW)
    sample = await samples.record_dispatch(entry, SF, by=await owner(entry), now=NOW + timedelta(hours=1))
    assert (await Sample.filter(entry_id=entry.id).count(), sample.courier, sample.tracking_number, sample.sent_at) == (
        1, "顺丰速运", "SF1234567890", NOW + timedelta(hours=1))
    assert await AuditEvent.filter(action="sample.sent").count() == 2
    await samples.record_arrival(
        world.final, sample.entry_id, photo=chunks(imagegen.jpeg()), condition="完好", location="A-3",
        store=store, by=world.organiser, now=NOW + timedelta(days=1))
    with pytest.raises(SampleArrived):
        await samples.record_dispatch(entry, SF, by=await owner(entry), now=NOW + timedelta(days=1))


async def test_a_dispatch_is_refused_after_the_deadline_outside_the_final_or_without_a_sample_rule(db):
    world = await final_world()
    with pytest.raises(SampleDeadlinePassed):
        await samples.record_dispatch(world.entries[0], SF, by=await owner(world.entries[0]), now=DUE)
    with pytest.raises(NotAFinalist):
        await samples.record_dispatch(world.entries[2], SF, by=await owner(world.entries[2]), now=NOW)
    no_sample = await final_world(sample=False)
    with pytest.raises(NoSampleAsked):
        await samples.record_dispatch(no_sample.entries[0], SF, by=await owner(no_sample.entries[0]), now=NOW)
    assert await Sample.all().count() == 0


def test_the_dispatch_form_needs_both_fields():
    with pytest.raises(InvalidInput) as refused:
        samples.checked_dispatch(" ", "x" * 101)
    assert sorted(refused.value.field_errors) == ["courier", "tracking_number"]
    assert samples.checked_dispatch(" 顺丰 ", " SF1 ") == Dispatch("顺丰", "SF1")


async def test_the_arrival_keeps_a_private_photo_and_a_new_photo_replaces_the_old_files(db, store):
    world = await final_world()
    sample = await samples.record_dispatch(world.entries[0], SF, by=await owner(world.entries[0]), now=NOW)
    await samples.record_arrival(
        world.final, sample.entry_id, photo=chunks(imagegen.jpeg()), condition="外盒压痕", location="库房 A-3",
        store=store, by=world.organiser, now=NOW + timedelta(days=2))
    first = (await Sample.get(id=sample.id)).photo_key
    assert store.original_path(first).is_file()
    await samples.record_arrival(
        world.final, sample.entry_id, photo=chunks(imagegen.jpeg(seed=2)), condition="外盒压痕，作品完好",
        location="库房 A-3", store=store, by=world.organiser, now=NOW + timedelta(days=3))
    stored = await Sample.get(id=sample.id)
    assert (stored.arrived_at, stored.condition, stored.location) == (NOW + timedelta(days=2), "外盒压痕，作品完好",
                                                                      "库房 A-3")
    assert (store.original_path(first).exists(), store.original_path(stored.photo_key).is_file()) == (False, True)
    assert await AuditEvent.filter(action="sample.arrived").count() == 2


async def test_an_arrival_without_photo_or_condition_or_with_a_non_image_saves_nothing(db, store):
    world = await final_world()
    sample = await samples.record_dispatch(world.entries[0], SF, by=await owner(world.entries[0]), now=NOW)
    with pytest.raises(InvalidInput) as refused:
        await samples.record_arrival(
        world.final, sample.entry_id, photo=None, condition="完好", location="", store=store,
        by=world.organiser, now=NOW)
    assert list(refused.value.field_errors) == ["photo"]
    with pytest.raises(InvalidInput) as refused:
        await samples.record_arrival(
        world.final, sample.entry_id, photo=chunks(b"%PDF-1.4 not a photo"), condition="完好", location="",
        store=store, by=world.organiser, now=NOW)
    assert list(refused.value.field_errors) == ["photo"]
    assert (await Sample.get(id=sample.id)).arrived_at is None
    assert list(store.originals.rglob("*")) == []


async def test_the_disposition_is_recorded_with_its_time_after_the_arrival(db, store):
    world = await final_world()
    sample = await samples.record_dispatch(world.entries[0], SF, by=await owner(world.entries[0]), now=NOW)
    with pytest.raises(InvalidInput):
        await samples.set_keeping(sample, location="A-3", disposition="returned", by=world.organiser, now=NOW)
    sample = await samples.record_arrival(
        world.final, sample.entry_id, photo=chunks(imagegen.jpeg()), condition="完好",
        location="A-3", store=store, by=world.organiser, now=NOW)
    later = NOW + timedelta(days=30)
    await samples.set_keeping(sample, location="已寄回", disposition="returned", by=world.organiser, now=later)
    stored = await Sample.get(id=sample.id)
    assert (stored.disposition, stored.disposed_at, stored.location) == (Disposition.RETURNED, later, "已寄回")
    with pytest.raises(InvalidInput):
        await samples.set_keeping(sample, location="", disposition="sold", by=world.organiser, now=later)
    assert await AuditEvent.filter(action="sample.kept").count() == 1


async def test_an_organiser_registers_a_sample_that_came_without_a_recorded_dispatch(db, store):
    world = await final_world()
    entry = world.entries[1]
    sample = await samples.record_arrival(world.final, entry.id, photo=chunks(imagegen.jpeg()), condition="完好",
                                          location="A-1", store=store, by=world.organiser, now=NOW)
    assert (sample.entry_id, sample.sent_at, sample.arrived_at, sample.courier) == (entry.id, None, NOW, "")
    with pytest.raises(NotFound):
        await samples.record_arrival(world.final, world.entries[3].id, photo=chunks(imagegen.jpeg()),
                                     condition="完好", location="", store=store, by=world.organiser, now=NOW)
    assert list(store.originals.rglob("*.*")) == [] and await Sample.all().count() == 1
