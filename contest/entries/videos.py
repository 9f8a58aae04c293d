"""Videos: probed from their header at upload, kept privately, then transcoded off the request to an H.264/AAC
MP4 of at most 1080p with no metadata, plus a poster frame made into image derivatives. Until that is done the
file is PROCESSING (the designer sees 处理中); a video the transcode refuses is FAILED, with the reason.

Transcodes run as jobs (`TRANSCODE_TASK`, see docs/jobs.md): by `contest worker` processes on PostgreSQL, inside the
web process on SQLite, at most `video.MAX_TRANSCODES` at once per process (worker threads: PyAV releases the GIL
while it codes). A video left PROCESSING by a stop is queued again at start."""

from __future__ import annotations

import fcntl
import logging
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import anyio

from contest.accounts.models import User
from contest.contests.models import FileSlot, SlotKind
from contest.entries import images
from contest.entries.models import Entry, EntryFile, FileStatus
from contest.entries.slots import commit_file, refusal_figures
from contest.errors import VIDEO_REFUSALS, InvalidUpload
from contest.jobs import queue
from contest.media import video
from contest.media.pipeline import process_image_async
from contest.media.sniffing import InvalidImage
from contest.media.storage import Storage, TempUpload, derived_filename, original_name

log = logging.getLogger(__name__)
TRANSCODE_TASK = "video.transcode"  # registered in contest.tasks
_locks: list[IO[str]] = []


class VideoRefused(InvalidUpload):
    """A refused video, with the reason in the user's language."""


async def attach_video(
    entry: Entry, slot: FileSlot, temp: TempUpload, *, store: Storage, original_name: str, by: User, now: datetime,
) -> EntryFile:
    await images.refuse_duplicate(entry, temp.sha256)
    try:
        info = await video.probe_video_async(temp.path, limits=video.Limits(max_seconds=slot.max_seconds))
    except video.InvalidVideo as exc:
        figures = refusal_figures(SlotKind.VIDEO, exc.reason, exc.limit, exc.actual)
        raise VideoRefused(VIDEO_REFUSALS[exc.reason], **figures) from None
    file = await commit_file(entry, slot, temp, store=store, kind=SlotKind.VIDEO, fmt=info.container,
                             original_name=original_name, by=by, now=now,
                             details=_probed(info), status=FileStatus.PROCESSING)
    await start_transcode(file.id, contest_id=entry.contest_id)
    return file


def _probed(info: video.VideoInfo) -> dict[str, Any]:
    """What the header said, before the transcode; `metadata` (the container's tags) is for organisers only."""
    return {"duration_s": info.duration_s, "source_width": info.width, "source_height": info.height,
            "source_codec": info.video_codec, "metadata": info.metadata}


async def start_transcode(file_id: int, *, contest_id: int) -> None:
    await queue.defer(TRANSCODE_TASK, contest_id=contest_id, file_id=file_id, queueing_lock=f"video:{file_id}",
                      lock=f"video:{file_id}")


async def transcode_if_processing(file_id: int, store: Storage) -> bool:
    """The job's work: a file no longer PROCESSING (an earlier run finished it, or it was removed) is left alone."""
    file = await EntryFile.get_or_none(id=file_id, status=FileStatus.PROCESSING).prefetch_related("slot")
    if file is None:
        return False
    await transcode(file_id, store, max_seconds=file.slot.max_seconds)
    return True


async def resume_transcodes(store: Storage) -> int:
    """At start: the videos a stop left PROCESSING are queued again, by the one worker process that holds the
    lock (the others start together and would each queue them all). Returns how many."""
    if not _take_resume_lock(store.root / "transcodes.lock"):
        return 0
    waiting = await EntryFile.filter(kind=SlotKind.VIDEO.value, status=FileStatus.PROCESSING).values_list(
        "id", "entry__contest_id")
    for file_id, contest_id in waiting:
        await start_transcode(file_id, contest_id=contest_id)
    return len(waiting)


def _take_resume_lock(path: Path) -> bool:
    """Held until the process ends (the descriptor is kept open on purpose). A worker machine storing in a bucket
    may not have its local folder yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _locks.append(handle)
    return True


async def transcode(file_id: int, store: Storage, *, max_seconds: int) -> None:
    """The MP4 and the poster's derivatives under the file's key, then READY; or FAILED with the reason."""
    file = await EntryFile.get(id=file_id)
    workdir = Path(tempfile.mkdtemp(prefix="video-", dir=store.tmp))
    target = store.derived_dir(file.key) / derived_filename(file.key, "video", "MP4")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        async with store.local_copy(original_name(file.key)) as original:
            made = await video.transcode_async(original, target, workdir / "poster.jpg",
                                               limits=video.Limits(max_seconds=max_seconds))
        poster = await process_image_async(made.poster_path, store.derived_dir(file.key), file.key)
        await store.commit_derived(file.key)
    except (video.InvalidVideo, InvalidImage) as exc:  # both leave nothing behind
        await EntryFile.filter(id=file_id).update(status=FileStatus.FAILED, failure=exc.reason.value)
        return
    except Exception:
        log.exception("could not transcode video %s", file.key)
        await EntryFile.filter(id=file_id).update(status=FileStatus.FAILED, failure="corrupt")
        return
    finally:
        await anyio.to_thread.run_sync(shutil.rmtree, workdir, True)
    details = {**file.details, "width": made.width, "height": made.height, "duration_s": made.duration_s,
               "video": {"bytes": made.bytes, "sha256": made.sha256},
               "poster": {f"{d.name}.{d.format.lower()}": {"width": d.width, "height": d.height, "bytes": d.bytes,
                                                           "sha256": d.sha256} for d in poster.derivatives}}
    await EntryFile.filter(id=file_id).update(status=FileStatus.READY, details=details)
