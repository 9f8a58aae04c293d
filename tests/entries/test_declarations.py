"""A submitted entry's declaration always names its current files: every change after submission is
declared again (the earlier declarations are kept, as proof of what was submitted when)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.entries import images, service, uploads
from contest.entries.models import Declaration, Entry, EntryImage
from contest.entries.service import EntryInput, Member
from contest.media.storage import UploadStore
from contest.notifications.models import OutboxMessage
from tests import imagegen
from tests.entries.helpers import complete_input, fresh, setup_track, submit
from tests.factories import NOW, chunks, image_slot, make_user

pytestmark = pytest.mark.unit

LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def store(tmp_path) -> UploadStore:
    store = UploadStore(tmp_path)
    store.ensure_dirs()
    return store


async def submitted_with_images(store: UploadStore, count: int = 1, **input_changes):
    contest, track = await setup_track(min_width=100, min_height=100)
    user = await make_user(email="designer@example.org")
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.update_entry(entry, complete_input(**input_changes), by=user, now=NOW)
    for seed in range(count):
        await uploads.intake(entry, await image_slot(track), chunks(imagegen.jpeg((400, 300), seed=seed)), store=store,
                             original_name=f"{seed}.jpg", by=user, now=NOW)
    await submit(await fresh(entry), user)
    return await fresh(entry), user


async def current_hashes(entry: Entry) -> list[str]:
    return list(await EntryImage.filter(entry_id=entry.id).order_by("position", "id").values_list("sha256", flat=True))


async def declared(entry: Entry) -> list[tuple[list[str], object]]:
    rows = await Declaration.filter(entry_id=entry.id).order_by("id")
    return [([f["sha256"] for f in d.file_hashes], d.accepted_at) for d in rows]


async def test_a_deleted_image_is_declared_again_and_the_first_declaration_kept(db, store):
    entry, user = await submitted_with_images(store, count=2)
    both = await current_hashes(entry)
    first_image = await EntryImage.get(entry_id=entry.id, position=0)
    await images.delete_image(entry, first_image.id, store=store, by=user, now=LATER)
    assert await declared(entry) == [(both, NOW), (both[1:], LATER)]
    receipts = await OutboxMessage.filter(kind="receipt").order_by("id").values_list("body_text", flat=True)
    assert [[h in body for h in both] for body in receipts] == [[True, True], [False, True]]


async def test_changed_answers_of_a_submitted_entry_are_declared_under_the_accepted_terms(db, store):
    entry, user = await submitted_with_images(store)
    await service.update_entry(entry, complete_input(answers={"character_name": ["小铆"]}), by=user, now=LATER)
    rows = await Declaration.filter(entry_id=entry.id).order_by("id").values_list(
        "originality_id", "ip_terms_id", "user_id", "accepted_at")
    assert rows[1] == (*rows[0][:3], LATER)
    assert len(rows) == 2
    assert await OutboxMessage.filter(kind="receipt").count() == 2


async def test_a_changed_team_of_a_submitted_entry_is_declared_again(db, store):
    entry, user = await submitted_with_images(store)
    team = complete_input(entrant_kind="team", members=(Member("甲"), Member("乙")))
    await service.update_entry(entry, team, by=user, now=LATER)
    assert [at for _, at in await declared(entry)] == [NOW, LATER]


async def test_saving_a_submitted_entry_unchanged_declares_nothing_new(db, store):
    entry, user = await submitted_with_images(store)
    await service.update_entry(entry, complete_input(), by=user, now=LATER)
    await images.set_cover(entry, (await EntryImage.get(entry_id=entry.id)).id, by=user, now=LATER)
    assert [at for _, at in await declared(entry)] == [NOW]
    assert await OutboxMessage.filter(kind="receipt").count() == 1


async def test_changes_to_a_draft_declare_nothing(db, store):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.update_entry(entry, complete_input(), by=user, now=NOW)
    await service.update_entry(entry, EntryInput(title="草稿"), by=user, now=LATER)
    assert (await Declaration.all().count(), await OutboxMessage.all().count()) == (0, 0)


async def test_submitting_a_submitted_entry_again_records_the_terms_accepted_now(db, store):
    entry, user = await submitted_with_images(store)
    await submit(entry, user, now=LATER)
    saved = await Entry.get(id=entry.id)
    assert (saved.state, saved.submitted_at) == ("submitted", NOW)
    assert [at for _, at in await declared(entry)] == [NOW, LATER]
    assert await OutboxMessage.filter(kind="receipt").count() == 2
