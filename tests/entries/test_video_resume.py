"""A video left PROCESSING by a stop is queued again at start, by one worker process only, and a worker transcodes it."""

from __future__ import annotations

import dataclasses

import pytest

from contest.entries import videos
from contest.entries.models import EntryFile, FileStatus
from contest.media.storage import derived_name
from contest.media.stores import open_store
from tests.entries.helpers import setup_track
from tests.factories import make_entry, make_user, slot_of_entry
from tests.jobs import run_jobs
from tests.media import videogen

pytestmark = pytest.mark.unit


async def test_a_video_a_stop_left_processing_is_finished_by_the_first_worker_alone(db, settings, monkeypatch):
    store = open_store(settings)
    contest, track = await setup_track()
    entry = await make_entry(contest, track, await make_user())
    key = await videogen.store_video(store, seconds=1)
    file = await EntryFile.create(entry=entry, slot=await slot_of_entry(entry), key=key, kind="video", format="mp4",
                                  size_bytes=1, sha256="0" * 64, status=FileStatus.PROCESSING)
    held: list = []
    monkeypatch.setattr(videos, "_locks", held)  # this test's own lock, let go at its end

    assert await videos.resume_transcodes(store) == 1
    assert await videos.resume_transcodes(open_store(settings)) == 0  # a second worker finds the lock taken
    await run_jobs(settings)
    for handle in held:
        handle.close()
    done = await EntryFile.get(id=file.id)
    assert (done.status, done.details["width"]) == (FileStatus.READY, 160)
    assert await store.size(derived_name(key, "video", "MP4"))


async def test_a_worker_starts_on_a_machine_that_has_no_upload_folder_yet(db, settings, tmp_path, monkeypatch):
    held: list = []
    monkeypatch.setattr(videos, "_locks", held)
    new_machine = dataclasses.replace(settings, upload_dir=tmp_path / "new-machine" / "uploads")
    assert await videos.resume_transcodes(open_store(new_machine)) == 0
    for handle in held:
        handle.close()
