"""Each task, run twice, does its work once: the second run finds nothing left to do and changes nothing."""

from __future__ import annotations

import dataclasses
import mailbox

import pytest

from contest import tasks
from contest.entries.models import EntryFile, EntryImage, FileStatus
from contest.entries.videos import TRANSCODE_TASK
from contest.jobs import queue
from contest.media import similarity, video
from contest.media.stores import open_store
from contest.notifications.models import OutboxMessage, OutboxState
from contest.notifications.outbox import SEND_TASK, queue_message, schedule_sending
from tests.entries.helpers import setup_track
from tests.factories import make_contest, make_entry, make_user, slot_of_entry
from tests.jobs import jobs_of, run_jobs
from tests.media import videogen
from tests.web.organiser.test_integrity import two_entries_with_a_copied_design

pytestmark = pytest.mark.unit
LEGACY_HEX = similarity.LEGACY_REGIONS * similarity.HEX_PER_HASH


def counted(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


async def test_a_transcode_run_twice_transcodes_once(db, settings, monkeypatch):
    contest, track = await setup_track()
    entry = await make_entry(contest, track, await make_user())
    key = await videogen.store_video(open_store(settings), seconds=1)
    file = await EntryFile.create(entry=entry, slot=await slot_of_entry(entry), key=key, kind="video", format="mp4",
                                  size_bytes=1, sha256="0" * 64, status=FileStatus.PROCESSING)
    calls = counted(monkeypatch, video, "transcode_async")
    for _ in range(2):
        await queue.defer(TRANSCODE_TASK, contest_id=contest.id, file_id=file.id)
        await run_jobs(settings)
        done = await EntryFile.get(id=file.id)
        assert (done.status, done.details["width"]) == (FileStatus.READY, 160)
    assert len(calls) == 1
    assert [job.status for job in await jobs_of(TRANSCODE_TASK)] == ["succeeded", "succeeded"]


async def test_a_message_sent_by_two_jobs_goes_out_once(db, settings, tmp_path):
    settings = dataclasses.replace(settings, mail_dir=tmp_path / "mail")
    contest = await make_contest()
    message = await queue_message(kind="receipt", to_email="d@example.org", subject="已提交", body_text="编号 1",
                                  contest_id=contest.id)
    await run_jobs(settings)
    await schedule_sending(message.id, contest_id=contest.id, alongside_waiting=True)
    await run_jobs(settings)
    assert len(mailbox.Maildir(tmp_path / "mail")) == 1
    sent = await OutboxMessage.get(id=message.id)
    assert (sent.state, sent.attempts) == (OutboxState.SENT, 1)
    assert [job.task_kwargs["contest_id"] for job in await jobs_of(SEND_TASK)] == [contest.id, contest.id]


async def test_the_sweep_run_twice_sends_a_message_without_a_job_once(db, settings, tmp_path):
    settings = dataclasses.replace(settings, mail_dir=tmp_path / "mail")
    contest = await make_contest()
    # as a stopped SQLite process leaves it: the message is in the outbox, its job was in the memory lost
    orphan = await OutboxMessage.create(kind="receipt", to_email="d@example.org", subject="已提交", body_text="1",
                                        contest_id=contest.id)
    for _ in range(2):
        await queue.defer(tasks.SWEEP_TASK, contest_id=None, timestamp=0)
        await run_jobs(settings)
    assert len(mailbox.Maildir(tmp_path / "mail")) == 1
    assert (await OutboxMessage.get(id=orphan.id)).state == OutboxState.SENT
    assert len(await jobs_of(SEND_TASK)) == 1


async def test_a_rehash_run_twice_rehashes_each_image_once(client, settings, monkeypatch):
    await two_entries_with_a_copied_design(client, settings)
    current = {row.id: row.phash for row in await EntryImage.all()}
    for image_id, phash in current.items():  # as uploads made before version 2 carry it
        await EntryImage.filter(id=image_id).update(phash="v1:" + phash.split(":")[1][:LEGACY_HEX])
    calls = counted(monkeypatch, similarity, "hash_image")
    for _ in range(2):
        await queue.defer(tasks.REHASH_TASK, contest_id=None)
        await run_jobs(settings)
        assert {row.id: row.phash for row in await EntryImage.all()} == current
    assert len(calls) == len(current) == 3


async def test_without_a_mail_server_the_sweep_queues_no_sending(db, settings):
    settings = dataclasses.replace(settings, mail_dir=None, smtp_host="")
    waiting = await OutboxMessage.create(kind="receipt", to_email="d@example.org", subject="已提交", body_text="1")
    await queue.defer(tasks.SWEEP_TASK, contest_id=None, timestamp=0)
    await run_jobs(settings)
    assert await jobs_of(SEND_TASK) == []
    assert (await OutboxMessage.get(id=waiting.id)).state == OutboxState.QUEUED  # sent once a server is set up
