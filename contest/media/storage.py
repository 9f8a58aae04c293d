"""Stored files behind one interface (``Storage``): random keys, a sweeper for what a crash leaves behind.

Two backends keep the same names: this local folder (``UploadStore``, the default: atomic writes, fsynced)
and an S3-compatible bucket (``contest.media.bucket.BucketStore``). Names, relative to the folder or the bucket::

    originals/ab/<key>        the uploaded bytes, private, never served
    derived/ab/<key>-<size>.<ext>

Either way ``root/tmp/`` is a local folder on each machine: uploads being received (anything here at start-up
is debris), and the files the image, PDF and video libraries read and write.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import os
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiofiles
import aiofiles.os
import anyio.to_thread

EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png", "HEIF": "heic", "MP4": "mp4"}
_TMP_SUFFIX = ".part"
STORED_PREFIXES = ("originals/", "derived/")
READ_CHUNK = 256 * 1024


class UploadTooLarge(Exception):
    """The client sent more than ``max_bytes``; the partial file is already deleted."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"upload exceeds {max_bytes} bytes")
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class TempUpload:
    path: Path
    bytes: int
    sha256: str
    head: builtins.bytes  # the first bytes, for sniffing without reopening the file (`bytes` is the size above)


def new_key() -> str:
    return uuid.uuid4().hex


def derived_filename(key: str, name: str, fmt: str) -> str:
    return f"{key}-{name}.{EXTENSIONS[fmt]}"


def original_name(key: str) -> str:
    """The stored name of an original (a path under the upload folder, or an object name in the bucket)."""
    return f"originals/{_shard(key)}/{key}"


def derived_name(key: str, name: str, fmt: str) -> str:
    return f"{derived_folder(key)}{derived_filename(key, name, fmt)}"


def derived_folder(key: str) -> str:
    return f"derived/{_shard(key)}/"


def key_of_name(name: str) -> str:
    """The storage key a stored name belongs to (an original or one of its derivatives)."""
    return _key_of(Path(name))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see either nothing or all of it, even after a crash."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}{_TMP_SUFFIX}")
    try:
        with tmp.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_etag(path: Path) -> str:
    """A strong ETag from the content only (an mtime-based one would reveal the upload time)."""
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256")
    return f'"{digest.hexdigest()[:32]}"'


def is_key(key: str) -> bool:
    return len(key) == 32 and all(c in "0123456789abcdef" for c in key)


class Storage(ABC):
    """Where originals and derivatives live. ``root`` is a local folder on every backend: ``tmp/`` receives
    uploads and holds the files the image, PDF and video libraries work on."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def ensure_dirs(self) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)

    async def receive(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> TempUpload:
        """Stream ``chunks`` into ``tmp/``, fsynced. Raises ``UploadTooLarge`` past ``max_bytes``."""
        await aiofiles.os.makedirs(self.tmp, exist_ok=True)
        path = self.tmp / f"{new_key()}{_TMP_SUFFIX}"
        digest, size, head = hashlib.sha256(), 0, b""
        try:
            async with aiofiles.open(path, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadTooLarge(max_bytes)
                    digest.update(chunk)
                    head = head if len(head) >= 64 else (head + chunk)[:64]
                    await out.write(chunk)
                await out.flush()
                await _fsync(out.fileno())
        except BaseException:
            await _remove(path)
            raise
        return TempUpload(path, size, digest.hexdigest(), head)

    async def discard(self, temp: TempUpload) -> None:
        await _remove(temp.path)

    @abstractmethod
    def derived_dir(self, key: str) -> Path:
        """The local folder the derivatives of ``key`` are written to. They are stored (visible to every
        machine) once ``commit_derived`` or ``commit_original`` of ``key`` returns."""

    @abstractmethod
    async def commit_original(self, temp: TempUpload, key: str) -> object:
        """Store a received upload as the original of ``key``, with the derivatives written for it so far;
        durable once this returns. ``temp`` is gone afterwards."""

    @abstractmethod
    async def commit_derived(self, key: str) -> None:
        """Store the derivatives written into ``derived_dir(key)`` (made from an original stored earlier)."""

    @abstractmethod
    async def put(self, name: str, data: bytes) -> None:
        """Write a whole object at once (small files: a derivative made in memory)."""

    @abstractmethod
    async def store_file(self, name: str, path: Path) -> None:
        """Store the local file ``path`` (in ``tmp/``) as the object ``name``, streamed; the file is gone
        afterwards, and readers see nothing of the object until it is whole."""

    @abstractmethod
    async def read(self, name: str) -> bytes:
        """The whole object (images for a response); FileNotFoundError if there is none."""

    @abstractmethod
    def stream(self, name: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The object's bytes ``[start, end)`` in chunks, never whole in memory; FileNotFoundError on the
        first chunk if there is no object."""

    @abstractmethod
    async def size(self, name: str) -> int | None:
        """Bytes in the object, or None if it does not exist."""

    @abstractmethod
    def local_copy(self, name: str) -> AbstractAsyncContextManager[Path]:
        """A local file with the object's bytes for as long as the block runs (for the libraries that read
        files); FileNotFoundError if there is none. Do not change the file."""

    def local_path(self, name: str) -> Path | None:
        """The object's own file, when it lives on this machine's disk (the local backend)."""
        return None

    @abstractmethod
    async def stored_names(self, prefix: str = "") -> list[str]:
        """The names of stored objects (originals and derivatives) starting with ``prefix``, sorted."""

    @abstractmethod
    async def remove(self, names: Iterable[str]) -> None:
        """Delete these objects; a missing one is no error."""

    async def delete(self, key: str) -> None:
        """The original of ``key`` and every derivative of it (also those written but not yet stored)."""
        _require_key(key)
        derived = await self.stored_names(f"{derived_folder(key)}{key}-")
        await self.remove([original_name(key), *derived])

    async def sweep_stored(self, known_keys: set[str]) -> list[str]:
        """Remove stored objects whose key no row knows (see ``console.upload_sweep``); returns their names."""
        orphans = [name for prefix in STORED_PREFIXES for name in await self.stored_names(prefix)
                   if key_of_name(name) not in known_keys]
        await self.remove(orphans)
        return orphans

    async def sweep_temp(self) -> list[Path]:
        """Remove what a crash left in ``tmp/`` (uploads being received, files being worked on)."""
        return await anyio.to_thread.run_sync(self._sweep_temp_sync)

    def _sweep_temp_sync(self) -> list[Path]:
        in_tmp = [p for p in self.tmp.glob("*") if p.is_file()] if self.tmp.is_dir() else []
        return [path for path in sorted(in_tmp) if _unlink(path)]

    def signed_url(self, name: str, expires_in: timedelta) -> str | None:
        """A short-lived URL the browser can fetch the object from directly, if the backend can make one."""
        return None


class UploadStore(Storage):
    """The local folder: today's layout under ``root``, crash-safe atomic writes."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.originals = root / "originals"
        self.derived = root / "derived"

    def ensure_dirs(self) -> None:
        for path in (self.tmp, self.originals, self.derived):
            path.mkdir(parents=True, exist_ok=True)

    def original_path(self, key: str) -> Path:
        return self.originals / _shard(key) / key

    def derived_dir(self, key: str) -> Path:
        return self.derived / _shard(key)

    def derived_path(self, key: str, name: str, fmt: str) -> Path:
        return self.derived_dir(key) / derived_filename(key, name, fmt)

    def _path(self, name: str) -> Path:
        if not name.startswith(STORED_PREFIXES) or ".." in Path(name).parts:
            raise ValueError(f"not a stored name: {name!r}")
        return self.root / name

    async def commit_original(self, temp: TempUpload, key: str) -> Path:
        """Move a received upload to ``originals/`` under ``key``; durable once this returns."""
        _require_key(key)
        target = self.original_path(key)
        await aiofiles.os.makedirs(target.parent, exist_ok=True)
        await aiofiles.os.replace(temp.path, target)
        await _fsync_dir_async(target.parent)
        return target

    async def commit_derived(self, key: str) -> None:
        """Nothing to do: each derivative was written in place, atomically."""

    async def put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        await aiofiles.os.makedirs(path.parent, exist_ok=True)
        await anyio.to_thread.run_sync(write_atomic, path, data)

    async def store_file(self, name: str, path: Path) -> None:
        target = self._path(name)
        await aiofiles.os.makedirs(target.parent, exist_ok=True)
        await aiofiles.os.replace(path, target)
        await _fsync_dir_async(target.parent)

    async def read(self, name: str) -> bytes:
        async with aiofiles.open(self._path(name), "rb") as handle:
            return await handle.read()

    async def stream(self, name: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        async with aiofiles.open(self._path(name), "rb") as handle:
            await handle.seek(start)
            left = None if end is None else end - start
            while left is None or left > 0:
                chunk = await handle.read(READ_CHUNK if left is None else min(READ_CHUNK, left))
                if not chunk:
                    return
                left = None if left is None else left - len(chunk)
                yield chunk

    async def size(self, name: str) -> int | None:
        try:
            return (await aiofiles.os.stat(self._path(name))).st_size
        except FileNotFoundError:
            return None

    @asynccontextmanager
    async def local_copy(self, name: str) -> AsyncIterator[Path]:
        path = self._path(name)
        if not await aiofiles.os.path.isfile(path):
            raise FileNotFoundError(name)
        yield path

    def local_path(self, name: str) -> Path | None:
        return self._path(name)

    async def stored_names(self, prefix: str = "") -> list[str]:
        def names() -> list[str]:
            files = [p for base in (self.originals, self.derived) if base.is_dir() for p in base.rglob("*")]
            found = (p.relative_to(self.root).as_posix() for p in files if p.is_file())
            return sorted(n for n in found if n.startswith(prefix) and not n.endswith(_TMP_SUFFIX))
        return await anyio.to_thread.run_sync(names)

    async def remove(self, names: Iterable[str]) -> None:
        for name in names:
            await _remove(self._path(name))

    async def delete(self, key: str) -> None:
        _require_key(key)
        await _remove(self.original_path(key))
        for path in self._derived_files(key):
            await _remove(path)

    def _derived_files(self, key: str) -> list[Path]:
        directory = self.derived_dir(key)
        return sorted(directory.glob(f"{key}-*")) if directory.is_dir() else []

    def _sweep_temp_sync(self) -> list[Path]:
        return [path for path in self._temp_files() if _unlink(path)]

    def _temp_files(self) -> list[Path]:
        in_tmp = list(self.tmp.glob("*")) if self.tmp.is_dir() else []
        partial = [p for base in (self.originals, self.derived) if base.is_dir() for p in base.rglob(f"*{_TMP_SUFFIX}")]
        return sorted(p for p in in_tmp + partial if p.is_file())

def _shard(key: str) -> str:
    return key[:2]


def _require_key(key: str) -> None:
    if not is_key(key):
        raise ValueError(f"not a storage key: {key!r}")


def _key_of(path: Path) -> str:
    return path.name.split("-", 1)[0].split(".", 1)[0]


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


async def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        await aiofiles.os.remove(path)


_fsync = aiofiles.os.wrap(os.fsync)
_fsync_dir_async = aiofiles.os.wrap(fsync_dir)
