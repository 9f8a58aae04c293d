"""Names drawn into the pictures: every judging copy's text is read at upload, and the leak check
holds an entry whose images show its entrant, with the image and the box kept per finding."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.audit.models import AuditEvent
from contest.entries import images as entry_images
from contest.entries.models import Entry, EntryImage
from contest.entries.states import LeakStatus
from contest.errors import InvalidInput
from contest.judging import queries, round_entries
from contest.judging.leaks import LeakFinding, check_entry_leaks, flagged_entries, redact_entry
from contest.judging.models import Assignment
from contest.media.pipeline import process_image
from contest.media.storage import UploadStore
from tests import imagegen
from tests.factories import NOW, make_contest, make_track, make_user, slot_of_entry
from tests.judging.helpers import entry_with_image, make_judge, make_round, submitted_entry

pytestmark = pytest.mark.unit


async def test_a_name_drawn_on_the_board_holds_the_entry_with_its_box(db, tmp_path):
    picture, _ = imagegen.lettered(["设计：陈晓明", "青禾出品"], size=(1600, 1000))
    entry, image = await entry_with_image(UploadStore(tmp_path), picture)
    boxes = [tuple(line["box"]) for line in image.ocr_lines]
    assert [line["text"] for line in image.ocr_lines] == ["设计：陈晓明", "青禾出品"]

    findings = await check_entry_leaks(entry, now=NOW)
    assert findings == [LeakFinding("image", "name", "陈晓明", image.id, boxes[0]),
                        LeakFinding("image", "organisation", "青禾", image.id, boxes[1])]
    assert (await Entry.get(id=entry.id)).leak_status == LeakStatus.FLAGGED
    audit = await AuditEvent.filter(action="entry.leak_check").values_list("data", flat=True)
    assert audit == [{"status": "flagged", "findings": [{"field": "image", "kind": "name", "image": image.id},
                                                        {"field": "image", "kind": "organisation", "image": image.id}]}]
    [held] = await flagged_entries(entry.contest_id)
    assert (held.entry.id, held.findings) == (entry.id, [])
    # the copy's size class
    assert [(i.image.id, i.width, i.height, i.findings) for i in held.images] == [(image.id, 2560, 1600, findings)]


async def test_a_clean_board_lets_the_entry_through(db, tmp_path):
    entry, image = await entry_with_image(UploadStore(tmp_path), imagegen.poster(size=(1600, 1000), seed=5))
    assert image.ocr_lines is not None
    assert await check_entry_leaks(entry, now=NOW) == []
    assert (await Entry.get(id=entry.id)).leak_status == LeakStatus.CLEAR


async def test_an_image_whose_text_was_never_read_is_held_for_a_person(db):
    contest = await make_contest()
    entry = await submitted_entry(contest, await make_track(contest))
    image = await EntryImage.create(entry=entry, slot=await slot_of_entry(entry),
                                    key="f" * 32, original_format="JPEG", width=1, height=1,
                                    size_bytes=1, sha256="0")
    assert await check_entry_leaks(entry, now=NOW) == [LeakFinding("image", "image_unread", "", image.id)]
    assert (await Entry.get(id=entry.id)).leak_status == LeakStatus.FLAGGED


async def test_a_judging_copy_that_cannot_be_read_is_kept_as_unread(tmp_path):
    (tmp_path / "in.png").write_bytes(imagegen.png())
    processed = process_image(tmp_path / "in.png", tmp_path / "out", "k" * 32)
    processed.derivative("judging", "WEBP").path.write_bytes(b"not an image any more")
    assert await entry_images.read_judging_copy(processed) is None


async def test_judges_never_get_an_entry_held_for_its_picture(db, tmp_path):
    picture, _ = imagegen.lettered(["陈晓明 作品"], size=(1600, 1000))
    entry, _ = await entry_with_image(UploadStore(tmp_path), picture)
    clean = await submitted_entry(entry.contest, entry.track, title="灯")
    round_ = await make_round(entry.contest, opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=1))
    judge = await make_judge()
    assert await round_entries.open_round_entries(round_, now=NOW) == 2
    for e in (entry, clean):
        await Assignment.create(round=round_, entry=e, judge=judge)
    queue = await queries.judge_queue(judge, round_, now=NOW)
    assert [item.entry.title for item in queue.items] == ["灯"]
    assert (await Entry.get(id=entry.id)).leak_status == LeakStatus.FLAGGED


async def test_redacting_the_text_does_not_release_an_entry_whose_picture_names_the_entrant(db, tmp_path):
    picture, _ = imagegen.lettered(["设计：陈晓明"], size=(1600, 1000))
    entry, _ = await entry_with_image(UploadStore(tmp_path), picture, title="陈晓明的海上花")
    await check_entry_leaks(entry, now=NOW)
    organiser = await make_user(display_name="组委会")
    with pytest.raises(InvalidInput) as refused:
        await redact_entry(entry, title="海上花", concept="", by=organiser, now=NOW)
    assert list(refused.value.field_errors) == ["images"]
    stored = await Entry.get(id=entry.id)
    assert (stored.title, stored.leak_status) == ("陈晓明的海上花", LeakStatus.FLAGGED)
