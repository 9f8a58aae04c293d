from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from contest.media.storage import (
    TempUpload,
    UploadStore,
    UploadTooLarge,
    derived_filename,
    file_etag,
    is_key,
    new_key,
    write_atomic,
)

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path: Path) -> UploadStore:
    store = UploadStore(tmp_path / "uploads")
    store.ensure_dirs()
    return store


def test_keys_are_random_hex_and_never_from_a_name() -> None:
    keys = {new_key() for _ in range(100)}
    assert (len(keys), all(is_key(k) for k in keys)) == (100, True)
    assert [is_key(k) for k in ("../../etc/passwd", "A" * 32, "0" * 31, "photo.jpg")] == [False] * 4


def test_paths_are_sharded_by_key(store: UploadStore) -> None:
    key = "ab" + "0" * 30
    assert store.original_path(key) == store.root / "originals" / "ab" / key
    assert store.derived_path(key, "thumb", "WEBP") == store.root / "derived" / "ab" / f"{key}-thumb.webp"
    assert derived_filename(key, "judging", "JPEG") == f"{key}-judging.jpg"


async def test_receive_streams_to_tmp_with_size_hash_and_head(store: UploadStore) -> None:
    temp = await store.receive(_chunks(b"\xff\xd8\xff" + b"a" * 100, b"b" * 50), max_bytes=153)
    data = b"\xff\xd8\xff" + b"a" * 100 + b"b" * 50
    assert (temp.bytes, temp.sha256, temp.head) == (153, hashlib.sha256(data).hexdigest(), data[:64])
    assert temp.path.parent == store.tmp
    assert temp.path.read_bytes() == data


async def test_receive_over_the_limit_raises_and_deletes_the_temp_file(store: UploadStore) -> None:
    with pytest.raises(UploadTooLarge) as caught:
        await store.receive(_chunks(b"a" * 100, b"b" * 54), max_bytes=153)
    assert caught.value.max_bytes == 153
    assert _files(store.root) == []


async def test_receive_cleans_up_when_the_client_stream_fails(store: UploadStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"partial"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.receive(broken(), max_bytes=1000)
    assert _files(store.root) == []


async def test_commit_moves_the_upload_into_originals(store: UploadStore) -> None:
    temp = await store.receive(_chunks(b"image bytes"), max_bytes=100)
    key = new_key()
    path = await store.commit_original(temp, key)
    assert (path, path.read_bytes()) == (store.original_path(key), b"image bytes")
    assert _files(store.root) == [f"originals/{key[:2]}/{key}"]


async def test_commit_refuses_a_key_that_is_not_ours(store: UploadStore) -> None:
    temp = await store.receive(_chunks(b"x"), max_bytes=100)
    with pytest.raises(ValueError):
        await store.commit_original(temp, "../escape")


async def test_discard_removes_the_temp_file(store: UploadStore) -> None:
    temp = await store.receive(_chunks(b"x"), max_bytes=100)
    await store.discard(temp)
    await store.discard(temp)
    assert _files(store.root) == []


async def test_delete_removes_original_and_derivatives_only_of_that_key(store: UploadStore) -> None:
    keep, gone = "cd" + "1" * 30, "cd" + "2" * 30
    for key in (keep, gone):
        await store.commit_original(TempUpload(_tmp_file(store, key), 1, "", b""), key)
        store.derived_dir(key).mkdir(parents=True, exist_ok=True)
        write_atomic(store.derived_path(key, "thumb", "WEBP"), b"w")
        write_atomic(store.derived_path(key, "thumb", "JPEG"), b"j")
    await store.delete(gone)
    await store.delete(gone)
    assert _files(store.root) == [f"derived/cd/{keep}-thumb.jpg", f"derived/cd/{keep}-thumb.webp", f"originals/cd/{keep}"]


def _tmp_file(store: UploadStore, name: str) -> Path:
    path = store.tmp / name
    path.write_bytes(b"x")
    return path


def test_write_atomic_replaces_whole_files_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "f.webp"
    write_atomic(target, b"old")
    write_atomic(target, b"new content")
    assert (target.read_bytes(), sorted(os.listdir(tmp_path))) == (b"new content", ["f.webp"])


async def test_the_temp_sweep_removes_only_temp_debris(store: UploadStore) -> None:
    key = new_key()
    await store.commit_original(await store.receive(_chunks(b"kept"), max_bytes=10), key)
    (store.tmp / "crashed.part").write_bytes(b"half")
    store.derived_dir(key).mkdir(parents=True)
    (store.derived_dir(key) / f".{key}-thumb.webp.abc.part").write_bytes(b"half")
    removed = await store.sweep_temp()
    assert sorted(p.name for p in removed) == [f".{key}-thumb.webp.abc.part", "crashed.part"]
    assert _files(store.root) == [f"originals/{key[:2]}/{key}"]


async def test_the_stored_sweep_removes_what_no_known_key_names(store: UploadStore) -> None:
    known, orphan = "aa" + "1" * 30, "bb" + "2" * 30
    for key in (known, orphan):
        await store.commit_original(await store.receive(_chunks(b"x"), max_bytes=10), key)
        store.derived_dir(key).mkdir(parents=True, exist_ok=True)
        write_atomic(store.derived_path(key, "display", "JPEG"), b"j")
    removed = await store.sweep_stored({known})
    assert sorted(removed) == [f"derived/bb/{orphan}-display.jpg", f"originals/bb/{orphan}"]
    assert _files(store.root) == [f"derived/aa/{known}-display.jpg", f"originals/aa/{known}"]


async def test_sweep_on_a_missing_root_is_a_no_op(tmp_path: Path) -> None:
    nothing = UploadStore(tmp_path / "nothing")
    assert (await nothing.sweep_temp(), await nothing.sweep_stored(set())) == ([], [])


def test_etag_depends_on_content_only(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.write_bytes(b"same")
    b.write_bytes(b"same")
    c.write_bytes(b"other")
    os.utime(a, (1, 1))
    assert file_etag(a) == file_etag(b) == f'"{hashlib.sha256(b"same").hexdigest()[:32]}"'
    assert file_etag(c) != file_etag(a)
