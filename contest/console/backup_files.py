"""The one place a backup reads and writes the stored upload files.

Everything else in the backup sees a file as a name (its path under the store, `originals/ab/<key>` or
`derived/ab/<key>-<size>.<ext>`), a size and a stream of bytes, so another storage backend only has to
answer these two functions (both backends of `contest.media.storage` do, through its interface).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import aiofiles

from contest.media.storage import Storage

CHUNK = 1024 * 1024
STORED_AREAS = ("originals", "derived")  # tmp/ holds uploads still arriving: never part of a backup


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    chunks: Callable[[], AsyncIterator[bytes]]


async def stored_files(store: Storage) -> AsyncIterator[StoredFile]:
    """Every finished file in the store (either backend), in name order (a file deleted meanwhile is left out; its
    stream may still raise FileNotFoundError)."""
    for name in await store.stored_names():
        size = await store.size(name)
        if size is not None:
            yield StoredFile(name, size, _stream(store, name))


async def write_stored_file(store: Storage, name: str, chunks: AsyncIterator[bytes]) -> None:
    """Write one file back under its name (received into the store's tmp/ first); readers see nothing until it
    is whole."""
    if not is_stored_name(name):
        raise ValueError(f"not a stored file's name: {name!r}")
    temp = await store.receive(chunks, max_bytes=sys.maxsize)
    try:
        await store.store_file(name, temp.path)
    finally:
        await store.discard(temp)


def local_file(path: Path, name: str) -> StoredFile:
    """A file of the data folder (always on this machine, whatever the storage), seen like a stored one."""
    return StoredFile(name, path.stat().st_size, _reader(path))


def _stream(store: Storage, name: str) -> Callable[[], AsyncIterator[bytes]]:
    return lambda: store.stream(name)


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
