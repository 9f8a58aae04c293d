"""Partial uploads that outlive a dropped connection and a server restart: the state behind the tus protocol
(contest/web/infra/resumable.py speaks the HTTP). No HTTP here.

Layout under the store's ``tmp/``::

    tmp/tus/<id>.part    the bytes received so far
    tmp/tus/<id>.json    who may continue it, what it is for, how long it will be, how much of it is safe

The ``.json`` offset is the truth: it is written only after the bytes before it are fsynced, and each append
first cuts the ``.part`` back to it, so bytes a crash left unacknowledged are sent again rather than trusted.
A running sha256 cannot be saved between processes, so the digest is computed once, at completion, in a
thread. ``Storage.sweep_temp`` at start-up leaves ``tmp/tus/`` alone (it sweeps only files directly in
``tmp/``): resuming after a restart is the point. Abandoned uploads go through ``sweep_abandoned``.

One append at a time per upload: the ``.part`` is locked (``flock``, across processes) while bytes arrive,
and a second writer is refused as busy rather than queued, since a client retrying over a dead connection
asks for the offset again anyway.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import anyio
import anyio.to_thread

from contest.media.sniffing import HEAD_BYTES
from contest.media.storage import Storage, TempUpload, fsync_dir, is_key, new_key, write_atomic

Target = dict[str, str | int]
HeadCheck = Callable[[bytes], None]
MAX_OPEN_PER_OWNER = 4  # unfinished uploads one person may hold: each may fill up to max_bytes of disk


class Reason(StrEnum):
    EMPTY = "empty"                      # a declared length of 0
    TOO_LARGE = "too_large"              # declared length over the limit
    TOO_MANY = "too_many"                # the owner is sending to MAX_OPEN_PER_OWNER uploads at this moment
    OFFSET_MISMATCH = "offset_mismatch"  # the client's offset is not the server's (tus: 409)
    PAST_LENGTH = "past_length"          # more bytes than declared
    INCOMPLETE = "incomplete"            # completion asked for before the last byte
    BUSY = "busy"                        # another request is appending to this upload right now


class ResumableRefused(Exception):
    """A refusal with its figures: ``limit`` is what was allowed or expected, ``actual`` what was asked."""

    def __init__(self, reason: Reason, *, limit: int = 0, actual: int = 0) -> None:
        super().__init__(f"{reason.value}: limit {limit}, actual {actual}")
        self.reason, self.limit, self.actual = reason, limit, actual


class UnknownUpload(Exception):
    """No such upload for this owner: missing, finished, swept, or someone else's (they look the same)."""


@dataclass(frozen=True)
class PartialUpload:
    id: str
    owner_id: int
    length: int
    offset: int
    metadata: dict[str, str]
    target: Target
    created: datetime
    updated: datetime

    @property
    def finished(self) -> bool:
        return self.offset == self.length

    def expires(self, after: timedelta) -> datetime:
        return self.updated + after


def tus_dir(store: Storage) -> Path:
    return store.tmp / "tus"


def _part(store: Storage, upload_id: str) -> Path:
    return tus_dir(store) / f"{upload_id}.part"


def _info(store: Storage, upload_id: str) -> Path:
    return tus_dir(store) / f"{upload_id}.json"


async def create(store: Storage, *, owner_id: int, length: int, metadata: dict[str, str], target: Target,
                 max_bytes: int, now: datetime) -> PartialUpload:
    """Reserve a new upload of ``length`` bytes for ``owner_id``; ``target`` is the caller's, returned at the end."""
    if length <= 0:
        raise ResumableRefused(Reason.EMPTY, limit=max_bytes, actual=length)
    if length > max_bytes:
        raise ResumableRefused(Reason.TOO_LARGE, limit=max_bytes, actual=length)
    upload = PartialUpload(new_key(), owner_id, length, 0, dict(metadata), dict(target), now, now)
    await anyio.to_thread.run_sync(_create_sync, store, upload)
    return upload


def _create_sync(store: Storage, upload: PartialUpload) -> None:
    _make_room(store, upload.owner_id)
    tus_dir(store).mkdir(parents=True, exist_ok=True)
    with _part(store, upload.id).open("xb") as part:  # locked until its .json is written, against a sweep
        fcntl.flock(part.fileno(), fcntl.LOCK_EX)
        _save(store, upload)


def _make_room(store: Storage, owner_id: int) -> None:
    """Drop the owner's uploads touched longest ago beyond ``MAX_OPEN_PER_OWNER - 1``: a page closed mid-upload
    leaves one behind, and refusing new ones until the sweep would lock the person out for a day. Only one that
    is being written to right now is kept, and then the new one is refused."""
    held = sorted((other for other in _all(store) if other.owner_id == owner_id), key=lambda other: other.updated)
    for oldest in held[: max(0, len(held) - MAX_OPEN_PER_OWNER + 1)]:
        if not _delete_if_idle(store, oldest.id):
            raise ResumableRefused(Reason.TOO_MANY, limit=MAX_OPEN_PER_OWNER, actual=len(held) + 1)


async def status(store: Storage, upload_id: str, owner_id: int) -> PartialUpload:
    upload = await anyio.to_thread.run_sync(_load, store, upload_id)
    if upload is None or upload.owner_id != owner_id:
        raise UnknownUpload(upload_id)
    return upload


async def append(store: Storage, upload_id: str, *, owner_id: int, offset: int, chunks: AsyncIterator[bytes],
                 now: datetime, check_head: HeadCheck | None = None) -> int:
    """Write ``chunks`` at ``offset``; returns the new offset. Whatever arrived before the stream broke is kept
    (fsynced and recorded) and the stream's exception goes on. ``check_head`` sees the first ``HEAD_BYTES``
    (or the whole file, if shorter) as soon as they are in: if it raises, the upload is deleted."""
    await status(store, upload_id, owner_id)
    with _locked(store, upload_id) as out:
        upload = await status(store, upload_id, owner_id)  # again, now that no one else can move it
        if offset != upload.offset:
            raise ResumableRefused(Reason.OFFSET_MISMATCH, limit=upload.offset, actual=offset)
        out.truncate(offset)
        out.seek(offset)
        head = _Head(_read_start(out, offset), upload.length, check_head)
        written = offset
        try:
            head.check()
            async for chunk in chunks:
                if written + len(chunk) > upload.length:
                    raise ResumableRefused(Reason.PAST_LENGTH, limit=upload.length, actual=written + len(chunk))
                await anyio.to_thread.run_sync(out.write, chunk)
                written += len(chunk)
                head.add(chunk)
        except _HeadRefused as refused:
            _delete(store, upload_id)
            raise refused.cause from None
        finally:
            with anyio.CancelScope(shield=True):  # a client that went away still keeps what it sent
                if _info(store, upload_id).exists():
                    await anyio.to_thread.run_sync(_record, store, out, replace(upload, offset=written, updated=now))
    return written


class _HeadRefused(Exception):
    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _Head:
    """The first bytes of an upload, handed to the caller's check once, when enough of them are in."""

    def __init__(self, start: bytes, length: int, check: HeadCheck | None) -> None:
        self.data, self.needed, self.check_fn = start, min(HEAD_BYTES, length), check
        self.checked = check is None or len(start) >= self.needed

    def add(self, chunk: bytes) -> None:
        if not self.checked:
            self.data = (self.data + chunk[: self.needed])[: self.needed]
            self.check()

    def check(self) -> None:
        if self.checked or len(self.data) < self.needed:
            return
        self.checked = True
        assert self.check_fn is not None  # checked is True from the start without one
        try:
            self.check_fn(self.data)
        except Exception as exc:
            raise _HeadRefused(exc) from exc


def _read_start(out: BinaryIO, offset: int) -> bytes:
    """What an earlier append kept of the head (the file position is put back)."""
    if offset == 0:
        return b""
    out.seek(0)
    start = out.read(min(offset, HEAD_BYTES))
    out.seek(offset)
    return start


async def terminate(store: Storage, upload_id: str, *, owner_id: int) -> None:
    await status(store, upload_id, owner_id)
    with _locked(store, upload_id):
        _delete(store, upload_id)


async def complete(store: Storage, upload: PartialUpload) -> TempUpload:
    """Turn a finished upload into a ``TempUpload`` in ``tmp/``, as ``Storage.receive`` leaves one: fsynced,
    with its sha256 and head. Happens once: a second caller finds the upload gone (``UnknownUpload``)."""
    current = await status(store, upload.id, upload.owner_id)
    if not current.finished:
        raise ResumableRefused(Reason.INCOMPLETE, limit=current.length, actual=current.offset)
    with _locked(store, upload.id):
        if not _info(store, upload.id).exists():
            raise UnknownUpload(upload.id)
        path = store.tmp / f"{new_key()}.part"
        _info(store, upload.id).unlink()  # first: a crash now leaves a .part alone, which a sweep removes
        os.replace(_part(store, upload.id), path)
        fsync_dir(store.tmp)
        fsync_dir(tus_dir(store))
    async with _hashing():
        sha256, head = await anyio.to_thread.run_sync(_digest_and_head, path)
    return TempUpload(path, current.length, sha256, head)


def _digest_and_head(path: Path) -> tuple[str, bytes]:
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
        file.seek(0)
        return hashlib.file_digest(file, "sha256").hexdigest(), head


def sweep_abandoned(store: Storage, *, older_than: timedelta, now: datetime) -> list[Path]:
    """Delete unfinished uploads nobody touched for ``older_than``, and a file whose other half is gone (a crash
    mid-creation or mid-completion). One being written to right now is left. Returns the removed files."""
    cutoff = now - older_than
    removed: list[Path] = []
    for upload_id in _ids_on_disk(store):
        upload = _load(store, upload_id)
        if upload is None or upload.updated < cutoff or not _part(store, upload_id).exists():
            removed += _delete_if_idle(store, upload_id)
    return removed


def _delete_if_idle(store: Storage, upload_id: str) -> list[Path]:
    try:
        with _locked(store, upload_id):
            return _delete(store, upload_id)
    except UnknownUpload:  # the .part is gone already: only the .json is left
        return _delete(store, upload_id)
    except ResumableRefused:  # being written to right now
        return []


def _ids_on_disk(store: Storage) -> set[str]:
    directory = tus_dir(store)
    names = {path.stem for path in directory.iterdir()} if directory.is_dir() else set()
    return {name for name in names if is_key(name)}


def _all(store: Storage) -> list[PartialUpload]:
    return [upload for upload_id in _ids_on_disk(store) if (upload := _load(store, upload_id)) is not None]


@contextlib.contextmanager
def _locked(store: Storage, upload_id: str) -> Iterator[BinaryIO]:
    """The ``.part`` opened for writing and locked against every other writer, in any process."""
    try:
        file = _part(store, upload_id).open("r+b")
    except FileNotFoundError:
        raise UnknownUpload(upload_id) from None
    with file:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ResumableRefused(Reason.BUSY) from None
        yield file


def _record(store: Storage, out: BinaryIO, upload: PartialUpload) -> None:
    out.flush()
    os.fsync(out.fileno())
    _save(store, upload)


def _save(store: Storage, upload: PartialUpload) -> None:
    fields = asdict(upload) | {"created": upload.created.isoformat(), "updated": upload.updated.isoformat()}
    write_atomic(_info(store, upload.id), json.dumps(fields).encode())


def _load(store: Storage, upload_id: str) -> PartialUpload | None:
    if not is_key(upload_id):  # never a path from the client
        return None
    try:
        fields = json.loads(_info(store, upload_id).read_bytes())
    except FileNotFoundError:
        return None
    times = {name: datetime.fromisoformat(fields[name]) for name in ("created", "updated")}
    return PartialUpload(**(fields | times))


def _delete(store: Storage, upload_id: str) -> list[Path]:
    paths = [_info(store, upload_id), _part(store, upload_id)]
    return [path for path in paths if _unlink(path)]


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


_limiter: anyio.CapacityLimiter | None = None


@contextlib.asynccontextmanager
async def _hashing() -> AsyncIterator[None]:
    """Two digests at once at most: each reads a whole file (100 MB for a video)."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(2)
    async with _limiter:
        yield
