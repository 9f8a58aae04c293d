"""Files on disk: random keys, atomic writes, a sweeper for what a crash leaves behind.

Layout under ``root``::

    tmp/                      uploads being received (anything here at start-up is debris)
    originals/ab/<key>        the uploaded bytes, private, never served
    derived/ab/<key>-<size>.<ext>
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiofiles
import aiofiles.os

EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png", "HEIF": "heic", "MP4": "mp4"}
_TMP_SUFFIX = ".part"


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


class UploadStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
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

    async def commit_original(self, temp: TempUpload, key: str) -> Path:
        """Move a received upload to ``originals/`` under ``key``; durable once this returns."""
        _require_key(key)
        target = self.original_path(key)
        await aiofiles.os.makedirs(target.parent, exist_ok=True)
        await aiofiles.os.replace(temp.path, target)
        await _fsync_dir_async(target.parent)
        return target

    async def delete(self, key: str) -> None:
        _require_key(key)
        await _remove(self.original_path(key))
        for path in self._derived_files(key):
            await _remove(path)

    def _derived_files(self, key: str) -> list[Path]:
        directory = self.derived_dir(key)
        return sorted(directory.glob(f"{key}-*")) if directory.is_dir() else []

    def sweep(self, known_keys: set[str] | None = None) -> list[Path]:
        """Remove temp debris, and (given the keys the DB knows) orphaned files. Run at start-up.

        Returns what was removed. Without ``known_keys`` only temp files go: the store cannot
        tell an orphan from a file whose DB row is being written right now.
        """
        removed = [path for path in self._temp_files() if _unlink(path)]
        if known_keys is not None:
            removed += [path for path in self._stored_files() if _key_of(path) not in known_keys and _unlink(path)]
        return removed

    def _temp_files(self) -> list[Path]:
        in_tmp = list(self.tmp.glob("*")) if self.tmp.is_dir() else []
        partial = [p for base in (self.originals, self.derived) if base.is_dir() for p in base.rglob(f"*{_TMP_SUFFIX}")]
        return sorted(p for p in in_tmp + partial if p.is_file())

    def _stored_files(self) -> list[Path]:
        return sorted(p for base in (self.originals, self.derived) if base.is_dir() for p in base.rglob("*") if p.is_file())


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
