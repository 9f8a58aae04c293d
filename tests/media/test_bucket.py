"""The S3-compatible backend against moto's standalone S3 server (tests/s3.py): uploads go up in parts from the
local temp file, derivatives are staged locally and stored on commit, delete and the crash sweep reach the
bucket, signed URLs open the object without credentials."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from contest.console.upload_sweep import sweep_store
from contest.media import bucket as bucket_module
from contest.media.bucket import PART_BYTES, BucketStore
from contest.media.storage import derived_filename, derived_name, new_key, original_name, write_atomic
from contest.media.stores import open_store
from tests import s3
from tests.factories import make_contest, make_entry, make_track, make_user, slot_of_entry

pytestmark = pytest.mark.unit


@pytest.fixture
def store(s3_server: s3.S3Server, tmp_path: Path) -> BucketStore:
    fields = {**s3_server.settings(s3_server.new_bucket()), "upload_dir": tmp_path, "s3_virtual_hosted": False}
    store = open_store(SimpleNamespace(**fields))  # type: ignore[arg-type]
    assert isinstance(store, BucketStore)
    store.ensure_dirs()
    return store


async def _chunks(data: bytes, size: int = 1 << 20) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def _object_etag(store: BucketStore, endpoint: str, bucket: str, name: str) -> str:
    return httpx.head(f"{endpoint}/{bucket}/{name}").headers["etag"]


class _ReadSpy(io.FileIO):
    """A file that remembers the largest read asked of it."""

    largest = 0

    def read(self, size: int = -1) -> bytes:
        _ReadSpy.largest = max(_ReadSpy.largest, size if size >= 0 else os.fstat(self.fileno()).st_size)
        return super().read(size)

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        _ReadSpy.largest = max(_ReadSpy.largest, len(memoryview(buffer)))
        return super().readinto(buffer)


@pytest.mark.any_database  # no database: the store alone
async def test_a_large_original_goes_up_in_parts_read_a_part_at_a_time(store, s3_server, monkeypatch) -> None:
    data = os.urandom(2 * PART_BYTES + 12345)
    temp = await store.receive(_chunks(data), max_bytes=len(data))
    monkeypatch.setattr(bucket_module.Path, "open", lambda path, mode="r": _ReadSpy(path, mode.replace("b", "")))
    key = new_key()
    await store.commit_original(temp, key)
    bucket = store.bucket.config["bucket"]
    # S3 names a multipart object's ETag by its part count: three parts of at most PART_BYTES
    assert _object_etag(store, s3_server.endpoint, bucket, original_name(key)).strip('"').endswith("-3")
    assert 0 < _ReadSpy.largest <= PART_BYTES
    assert hashlib.sha256(b"".join([c async for c in store.stream(original_name(key))])).digest() == \
        hashlib.sha256(data).digest()
    assert not temp.path.exists()


@pytest.mark.any_database  # no database: the store alone
async def test_derivatives_are_stored_on_commit_and_read_back_whole_in_ranges_and_as_a_local_file(store) -> None:
    key = new_key()
    store.derived_dir(key).mkdir(parents=True)
    write_atomic(store.derived_dir(key) / derived_filename(key, "thumb", "WEBP"), b"webp bytes")
    temp = await store.receive(_chunks(b"original"), max_bytes=100)
    assert await store.stored_names() == []  # staged locally until the original is committed
    await store.commit_original(temp, key)
    assert await store.stored_names() == [derived_name(key, "thumb", "WEBP"), original_name(key)]
    assert not store.derived_dir(key).exists()
    assert await store.read(derived_name(key, "thumb", "WEBP")) == b"webp bytes"
    assert b"".join([c async for c in store.stream(original_name(key), 2, 5)]) == b"igi"
    assert (await store.size(original_name(key)), await store.size(original_name(new_key()))) == (8, None)
    async with store.local_copy(original_name(key)) as path:
        assert path.read_bytes() == b"original"
    assert not path.exists()
    with pytest.raises(FileNotFoundError):
        await store.read(original_name(new_key()))


@pytest.mark.any_database  # no database: the store alone
async def test_delete_removes_the_original_and_every_derivative_of_that_key_only(store) -> None:
    keep, gone = new_key(), new_key()
    for key in (keep, gone):
        await store.put(original_name(key), b"o")
        await store.put(derived_name(key, "thumb", "WEBP"), b"w")
        await store.put(derived_name(key, "video", "MP4"), b"v")
    store.derived_dir(gone).mkdir(parents=True)  # written, not yet committed
    await store.delete(gone)
    assert await store.stored_names() == sorted([derived_name(keep, "thumb", "WEBP"), derived_name(keep, "video", "MP4"),
                                                 original_name(keep)])
    assert not store.derived_dir(gone).exists()


async def test_the_crash_sweep_removes_orphans_in_the_bucket_and_local_debris(db, store) -> None:
    from contest.entries.models import EntryImage

    contest = await make_contest()
    entry = await make_entry(contest, await make_track(contest), await make_user())
    kept, orphan = new_key(), new_key()
    for key in (kept, orphan):
        await store.put(original_name(key), b"x")
        await store.put(derived_name(key, "thumb", "WEBP"), b"x")
    (store.tmp / "half-received.part").write_bytes(b"x")
    store.derived_dir(new_key()).mkdir(parents=True)
    await EntryImage.create(entry=entry, slot=await slot_of_entry(entry),
                            key=kept, original_format="JPEG", width=1, height=1, size_bytes=1, sha256="0")
    assert await sweep_store(store) == 4
    assert await store.stored_names() == [derived_name(kept, "thumb", "WEBP"), original_name(kept)]
    assert [p for p in store.tmp.rglob("*") if p.is_file()] == []


@pytest.mark.any_database  # no database: the store alone
async def test_a_signed_url_opens_the_object_without_credentials_for_a_short_while(store) -> None:
    key = new_key()
    await store.put(original_name(key), b"private original")
    url = store.signed_url(original_name(key), timedelta(minutes=5))
    assert url is not None
    query = parse_qs(urlsplit(url).query)
    assert (query["X-Amz-Expires"], query["X-Amz-Credential"][0].split("/")[0]) == (["300"], s3.ACCESS_KEY)
    assert len(query["X-Amz-Signature"][0]) == 64
    response = httpx.get(url)
    assert (response.status_code, response.content) == (200, b"private original")
