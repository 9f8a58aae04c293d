from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from contest.media import resumable
from contest.media.resumable import Reason, ResumableRefused, UnknownUpload
from contest.media.storage import UploadStore

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
OWNER, STRANGER = 7, 8
DATA = os.urandom(300_000)
TARGET = {"entry": 5, "slot": "video"}


class Dropped(Exception):
    """The connection broke mid-body."""


async def chunks(data: bytes, *, size: int = 65_536, drop_after: int | None = None) -> AsyncIterator[bytes]:
    """``data`` in pieces; with ``drop_after``, the stream breaks once that many bytes were sent."""
    for start in range(0, len(data), size):
        if drop_after is not None and start >= drop_after:
            raise Dropped()
        yield data[start:start + size]


@pytest.fixture
def store(tmp_path: Path) -> UploadStore:
    store = UploadStore(tmp_path / "uploads")
    store.ensure_dirs()
    return store


async def new_upload(store: UploadStore, length: int = len(DATA), owner_id: int = OWNER, now: datetime = NOW):
    return await resumable.create(store, owner_id=owner_id, length=length, metadata={"filename": "v.mp4"},
                                  target=TARGET, max_bytes=len(DATA), now=now)


async def test_a_whole_upload_completes_into_a_temp_upload_with_its_digest_and_head(store):
    upload = await new_upload(store)
    offset = await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA), now=NOW)
    done = await resumable.complete(store, await resumable.status(store, upload.id, OWNER))
    assert offset == len(DATA)
    assert (done.bytes, done.sha256, done.head) == (len(DATA), hashlib.sha256(DATA).hexdigest(), DATA[:64])
    assert done.path.parent == store.tmp and done.path.read_bytes() == DATA
    assert list(resumable.tus_dir(store).iterdir()) == []


async def test_the_bytes_before_a_drop_are_kept_and_the_upload_resumes_from_them(store):
    upload = await new_upload(store)
    with pytest.raises(Dropped):
        await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA, drop_after=131_072),
                               now=NOW)
    kept = (await resumable.status(store, upload.id, OWNER)).offset
    assert kept == 131_072
    await resumable.append(store, upload.id, owner_id=OWNER, offset=kept, chunks=chunks(DATA[kept:]), now=NOW)
    done = await resumable.complete(store, await resumable.status(store, upload.id, OWNER))
    assert done.sha256 == hashlib.sha256(DATA).hexdigest()


async def test_bytes_written_but_never_recorded_are_cut_off_before_the_next_append(store):
    """A crash after a write but before its offset was recorded: the stray bytes are not trusted."""
    upload = await new_upload(store)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:1000]), now=NOW)
    with (resumable.tus_dir(store) / f"{upload.id}.part").open("ab") as part:
        part.write(b"garbage")
    await resumable.append(store, upload.id, owner_id=OWNER, offset=1000, chunks=chunks(DATA[1000:]), now=NOW)
    done = await resumable.complete(store, await resumable.status(store, upload.id, OWNER))
    assert done.path.read_bytes() == DATA


async def test_an_offset_other_than_the_servers_is_refused_with_both_figures(store):
    upload = await new_upload(store)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:500]), now=NOW)
    with pytest.raises(ResumableRefused) as refused:
        await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA), now=NOW)
    assert (refused.value.reason, refused.value.limit, refused.value.actual) == (Reason.OFFSET_MISMATCH, 500, 0)
    assert (await resumable.status(store, upload.id, OWNER)).offset == 500


async def test_a_declared_length_over_the_limit_or_of_nothing_is_refused(store):
    with pytest.raises(ResumableRefused) as refused:
        await new_upload(store, length=len(DATA) + 1)
    assert (refused.value.reason, refused.value.limit, refused.value.actual) == (
        Reason.TOO_LARGE, len(DATA), len(DATA) + 1)
    with pytest.raises(ResumableRefused) as empty:
        await new_upload(store, length=0)
    assert empty.value.reason == Reason.EMPTY
    assert not resumable.tus_dir(store).exists() or list(resumable.tus_dir(store).iterdir()) == []


async def test_no_byte_goes_past_the_declared_length(store):
    upload = await new_upload(store, length=1000)
    with pytest.raises(ResumableRefused) as refused:
        await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:1500], size=600),
                               now=NOW)
    assert (refused.value.reason, refused.value.limit, refused.value.actual) == (Reason.PAST_LENGTH, 1000, 1200)
    assert (await resumable.status(store, upload.id, OWNER)).offset == 600


async def test_completion_before_the_last_byte_is_refused(store):
    upload = await new_upload(store)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:10]), now=NOW)
    with pytest.raises(ResumableRefused) as refused:
        await resumable.complete(store, upload)
    assert (refused.value.reason, refused.value.actual) == (Reason.INCOMPLETE, 10)


async def test_completion_happens_once(store):
    upload = await new_upload(store, length=10)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:10]), now=NOW)
    finished = await resumable.status(store, upload.id, OWNER)
    await resumable.complete(store, finished)
    with pytest.raises(UnknownUpload):
        await resumable.complete(store, finished)


async def test_another_owners_upload_is_unknown_to_every_operation(store):
    upload = await new_upload(store)
    with pytest.raises(UnknownUpload):
        await resumable.status(store, upload.id, STRANGER)
    with pytest.raises(UnknownUpload):
        await resumable.append(store, upload.id, owner_id=STRANGER, offset=0, chunks=chunks(DATA), now=NOW)
    with pytest.raises(UnknownUpload):
        await resumable.terminate(store, upload.id, owner_id=STRANGER)
    assert (await resumable.status(store, upload.id, OWNER)).offset == 0


@pytest.mark.parametrize("upload_id", ["../../etc/passwd", "0" * 31, "G" * 32, ""])
async def test_an_id_that_is_not_a_key_is_unknown(store, upload_id):
    with pytest.raises(UnknownUpload):
        await resumable.status(store, upload_id, OWNER)


async def test_terminate_deletes_both_files(store):
    upload = await new_upload(store)
    await resumable.terminate(store, upload.id, owner_id=OWNER)
    assert list(resumable.tus_dir(store).iterdir()) == []
    with pytest.raises(UnknownUpload):
        await resumable.status(store, upload.id, OWNER)


async def test_a_new_upload_beyond_the_persons_limit_drops_the_one_touched_longest_ago(store):
    held = [await new_upload(store, now=NOW - timedelta(minutes=n)) for n in range(resumable.MAX_OPEN_PER_OWNER)]
    others = await new_upload(store, owner_id=STRANGER, now=NOW - timedelta(days=1))
    await new_upload(store)
    with pytest.raises(UnknownUpload):
        await resumable.status(store, held[-1].id, OWNER)
    for kept in held[:-1]:
        await resumable.status(store, kept.id, OWNER)
    await resumable.status(store, others.id, STRANGER)


async def test_a_new_upload_is_refused_when_the_oldest_is_being_written_to(store):
    oldest = await new_upload(store, now=NOW - timedelta(hours=1))
    for _ in range(resumable.MAX_OPEN_PER_OWNER - 1):
        await new_upload(store)
    refusals = []

    async def meanwhile() -> AsyncIterator[bytes]:
        yield DATA[:100]
        try:
            await new_upload(store)
        except ResumableRefused as refused:
            refusals.append((refused.reason, refused.limit))

    await resumable.append(store, oldest.id, owner_id=OWNER, offset=0, chunks=meanwhile(), now=NOW)
    assert refusals == [(Reason.TOO_MANY, resumable.MAX_OPEN_PER_OWNER)]


async def test_the_head_check_refuses_at_the_first_bytes_and_deletes_the_upload(store):
    seen = []

    def refuse(head: bytes) -> None:
        seen.append(head)
        raise ValueError("not a video")

    upload = await new_upload(store)
    with pytest.raises(ValueError, match="not a video"):
        await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA, size=40, drop_after=80),
                               now=NOW, check_head=refuse)
    assert seen == [DATA[:64]]  # checked once 64 bytes were in, before the stream (which breaks at 80) went on
    assert list(resumable.tus_dir(store).iterdir()) == []


async def test_the_head_check_sees_bytes_kept_from_an_earlier_append(store):
    seen = []
    upload = await new_upload(store)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:10]), now=NOW,
                           check_head=seen.append)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=10, chunks=chunks(DATA[10:200]), now=NOW,
                           check_head=seen.append)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=200, chunks=chunks(DATA[200:]), now=NOW,
                           check_head=seen.append)
    assert seen == [DATA[:64]]


async def test_a_file_shorter_than_the_head_is_checked_whole(store):
    seen = []
    upload = await new_upload(store, length=20)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:20]), now=NOW,
                           check_head=seen.append)
    assert seen == [DATA[:20]]


async def test_a_second_writer_is_refused_while_the_first_is_appending(store):
    upload = await new_upload(store)
    refusals = []

    async def meanwhile() -> AsyncIterator[bytes]:
        yield DATA[:100]
        try:
            await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA), now=NOW)
        except ResumableRefused as refused:
            refusals.append(refused.reason)
        yield DATA[100:200]

    assert await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=meanwhile(), now=NOW) == 200
    assert refusals == [Reason.BUSY]


async def test_sweep_removes_uploads_untouched_for_long_and_keeps_the_rest(store):
    old = await new_upload(store, now=NOW - timedelta(hours=25))
    resumed = await new_upload(store, now=NOW - timedelta(hours=25))
    await resumable.append(store, resumed.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:10]),
                           now=NOW - timedelta(hours=1))
    fresh = await new_upload(store, now=NOW - timedelta(hours=1))
    removed = resumable.sweep_abandoned(store, older_than=timedelta(hours=24), now=NOW)
    assert sorted(p.name for p in removed) == sorted([f"{old.id}.json", f"{old.id}.part"])
    for kept in (resumed, fresh):
        await resumable.status(store, kept.id, OWNER)


@pytest.mark.parametrize(("lost", "left"), [("part", "json"), ("json", "part")])
async def test_sweep_removes_a_fresh_half_left_by_a_crash(store, lost, left):
    upload = await new_upload(store)
    (resumable.tus_dir(store) / f"{upload.id}.{lost}").unlink()
    removed = resumable.sweep_abandoned(store, older_than=timedelta(hours=24), now=NOW)
    assert [p.name for p in removed] == [f"{upload.id}.{left}"]


async def test_sweep_leaves_an_upload_being_written_to(store):
    upload = await new_upload(store, now=NOW - timedelta(days=2))

    async def sweeping() -> AsyncIterator[bytes]:
        yield DATA[:100]
        assert resumable.sweep_abandoned(store, older_than=timedelta(hours=24), now=NOW) == []

    await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=sweeping(), now=NOW)
    assert (await resumable.status(store, upload.id, OWNER)).offset == 100


async def test_the_start_up_sweep_keeps_partial_uploads_for_resuming_after_a_restart(store):
    upload = await new_upload(store)
    await resumable.append(store, upload.id, owner_id=OWNER, offset=0, chunks=chunks(DATA[:1000]), now=NOW)
    debris = store.tmp / "0123.part"
    debris.write_bytes(b"x")
    removed = await UploadStore(store.root).sweep_temp()
    assert removed == [debris]
    assert (await resumable.status(store, upload.id, OWNER)).offset == 1000
