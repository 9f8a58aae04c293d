"""The S3-compatible backend (Alibaba OSS, Tencent COS, MinIO, Ceph, AWS), through obstore.

Objects keep the local folder's names (``originals/ab/<key>``, ``derived/ab/<key>-<size>.<ext>``). The
libraries that make derivatives write files, so derivatives are written into a staging folder under the
local ``tmp/`` first and uploaded when the caller commits them. Originals are uploaded from the received
temp file in parts (a multipart upload past ``PART_BYTES``), never read whole into memory.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import aiofiles
import aiofiles.os
import anyio.to_thread
import obstore
from obstore.store import S3Store

from contest.media.storage import (
    _TMP_SUFFIX,
    Storage,
    TempUpload,
    _require_key,
    derived_folder,
    new_key,
    original_name,
)

PART_BYTES = 5 * 2**20  # S3's smallest part; a file this big or smaller goes up in one request
STREAM_CHUNK = 256 * 1024


class BucketStore(Storage):
    """An S3-compatible bucket; `root` is the local folder for `tmp/` (received uploads, staged derivatives)."""

    def __init__(self, root: Path, bucket: S3Store) -> None:
        super().__init__(root)
        self.bucket = bucket
        self.staging = self.tmp / "staging"

    def derived_dir(self, key: str) -> Path:
        return self.staging / key

    async def commit_original(self, temp: TempUpload, key: str) -> str:
        _require_key(key)
        await self.commit_derived(key)
        name = original_name(key)
        await self._upload(name, temp.path)
        await aiofiles.os.remove(temp.path)
        return name

    async def commit_derived(self, key: str) -> None:
        _require_key(key)
        staged = self.derived_dir(key)
        if not await aiofiles.os.path.isdir(staged):
            return
        for path in sorted(staged.iterdir()):
            if path.name.startswith(key) and not path.name.endswith(_TMP_SUFFIX):
                await self._upload(f"{derived_folder(key)}{path.name}", path)
        await anyio.to_thread.run_sync(shutil.rmtree, staged, True)

    async def _upload(self, name: str, path: Path) -> None:
        with path.open("rb") as file:
            await obstore.put_async(self.bucket, name, file, chunk_size=PART_BYTES, max_concurrency=4)

    async def put(self, name: str, data: bytes) -> None:
        await obstore.put_async(self.bucket, name, data)

    async def store_file(self, name: str, path: Path) -> None:
        await self._upload(name, path)
        await aiofiles.os.remove(path)

    async def read(self, name: str) -> bytes:
        result = await obstore.get_async(self.bucket, name)  # obstore raises FileNotFoundError for a missing one
        return bytes(await result.bytes_async())

    async def stream(self, name: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        options = {} if start == 0 and end is None else {"range": _range(start, end)}
        result = await obstore.get_async(self.bucket, name, options=options)  # type: ignore[arg-type]
        async for chunk in result.stream(min_chunk_size=STREAM_CHUNK):
            yield bytes(chunk)

    async def size(self, name: str) -> int | None:
        try:
            return (await obstore.head_async(self.bucket, name))["size"]
        except FileNotFoundError:
            return None

    @asynccontextmanager
    async def local_copy(self, name: str) -> AsyncIterator[Path]:
        await aiofiles.os.makedirs(self.tmp, exist_ok=True)
        path = self.tmp / f"{new_key()}{_TMP_SUFFIX}"
        try:
            async with aiofiles.open(path, "wb") as out:
                async for chunk in self.stream(name):
                    await out.write(chunk)
            yield path
        finally:
            await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def stored_names(self, prefix: str = "") -> list[str]:
        folder = prefix.rpartition("/")[0]  # obstore lists whole path segments: "derived/ab/<key>-" lists nothing
        names = [meta["path"] async for batch in obstore.list(self.bucket, folder or None) for meta in batch]
        return sorted(name for name in names if name.startswith(prefix))

    async def remove(self, names: Iterable[str]) -> None:
        names = list(names)
        for start in range(0, len(names), 1000):  # S3's DeleteObjects takes at most 1,000 keys
            await obstore.delete_async(self.bucket, names[start:start + 1000])

    async def delete(self, key: str) -> None:
        await super().delete(key)
        await anyio.to_thread.run_sync(shutil.rmtree, self.derived_dir(key), True)

    def _sweep_temp_sync(self) -> list[Path]:
        removed = super()._sweep_temp_sync()
        staged = sorted(self.staging.iterdir()) if self.staging.is_dir() else []
        for folder in staged:
            shutil.rmtree(folder, ignore_errors=True)
        return removed + staged

    def signed_url(self, name: str, expires_in: timedelta) -> str | None:
        return obstore.sign(self.bucket, "GET", name, expires_in)


def _range(start: int, end: int | None) -> dict[str, int] | tuple[int, int]:
    return {"offset": start} if end is None else (start, end)
