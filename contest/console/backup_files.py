"""The one place a backup reads and writes the stored upload files.

Everything else in the backup sees a file as a name (its path under the store, `originals/ab/<key>` or
`derived/ab/<key>-<size>.<ext>`), a size and a stream of bytes, so another storage backend only has to
answer these two functions.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import aiofiles
import aiofiles.os

from contest.media.storage import UploadStore, fsync_dir

CHUNK = 1024 * 1024
STORED_AREAS = ("originals", "derived")  # tmp/ holds uploads still arriving: never part of a backup


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    chunks: Callable[[], AsyncIterator[bytes]]


async def stored_files(store: UploadStore) -> AsyncIterator[StoredFile]:
    """Every finished file in the store, in name order (a file deleted meanwhile is left out; its stream may still
    raise FileNotFoundError)."""
    for path in sorted(_finished(store.root)):
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            continue
        yield StoredFile(path.relative_to(store.root).as_posix(), size, _reader(path))


async def write_stored_file(store: UploadStore, name: str, chunks: AsyncIterator[bytes]) -> None:
    """Write one file back under its name; readers see nothing until it is whole."""
    if not is_stored_name(name):
        raise ValueError(f"not a stored file's name: {name!r}")
    target = store.root / name
    await aiofiles.os.makedirs(target.parent, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring.part")
    try:
        async with aiofiles.open(partial, "wb") as out:
            async for chunk in chunks:
                await out.write(chunk)
            await out.flush()
            await _fsync(out.fileno())
        await aiofiles.os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def local_file(path: Path, name: str) -> StoredFile:
    """A file of the data folder (always on this machine, whatever the storage), seen like a stored one."""
    return StoredFile(name, path.stat().st_size, _reader(path))


_fsync = aiofiles.os.wrap(os.fsync)


def _finished(root: Path) -> list[Path]:
    bases = [root / area for area in STORED_AREAS if (root / area).is_dir()]
    # a name starting with a dot is a write in progress (storage.write_atomic, the ".part" files)
    return [path for base in bases for path in base.rglob("*") if path.is_file() and not path.name.startswith(".")
            and not path.name.endswith(".part")]


def _reader(path: Path) -> Callable[[], AsyncIterator[bytes]]:
    async def chunks() -> AsyncIterator[bytes]:
        async with aiofiles.open(path, "rb") as file:
            while chunk := await file.read(CHUNK):
                yield chunk

    return chunks


def is_stored_name(name: str) -> bool:
    """A manifest is read from a backup folder: a name must stay inside the store's own areas."""
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and len(path.parts) > 1 and path.parts[0] in STORED_AREAS
