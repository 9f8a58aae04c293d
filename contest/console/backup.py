"""Backups that restore: snapshots of the database and every stored file, incremental by content hash.

A backup folder holds::

    objects/ab/<sha256>            every file ever backed up, once, named by its content
    snapshots/<UTC time>/          one complete snapshot: manifest.json and the database's dump
    snapshots/.partial-…/          a snapshot being written (renamed into place only when whole)
    .lock                          one backup at a time per folder

The manifest lists every file with its SHA-256 and size, so a second snapshot copies only files no earlier
snapshot has, and a restore checks every byte it puts back.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiofiles

from contest.console.backup_database import (
    DUMP_FILES,
    BackupRefused,
    dump_database,
    engine,
    load_database,
    require_empty_database,
)
from contest.console.backup_files import StoredFile, is_stored_name, local_file, stored_files, write_stored_file
from contest.i18n import N_
from contest.media.storage import Storage, fsync_dir
from contest.media.stores import open_store
from contest.settings import Settings

FORMAT = 1
MANIFEST = "manifest.json"
# Files of the data folder an installation needs back: the development secret key (production passes
# CONTEST_SECRET_KEY, which the operator keeps with the rest of the configuration, never in a backup).
DATA_FILES = ("secret_key",)

BUSY = N_("Another backup is writing to {where} right now; try again when it has finished.")
NO_SNAPSHOT = N_("{where} is not a complete backup snapshot: give a folder under snapshots/ of a backup folder, "
                 "or the backup folder itself for its newest snapshot.")
DAMAGED = N_("The backup's copy of {name} is missing or does not match its SHA-256: the backup is damaged or was "
             "changed.")
OTHER_ENGINE = N_("This snapshot holds a {snapshot} database and this installation uses {target}: restore it into "
                  "an installation of the same kind (CONTEST_DATABASE_URL).")
UPLOADS_NOT_EMPTY = N_("The upload folder {where} already holds files. Restore only into an empty installation.")
OTHER_SECRET = N_("The data folder {where} already holds another secret key. Restore only into an empty "
                  "installation.")


WRITTEN = N_("Snapshot {path} written: the database ({database}) and {files} files, {new} of them new ({copied} "
             "copied).")
PRUNED = N_("Removed {snapshots} old snapshot(s) and {objects} stored file(s) no remaining snapshot needs.")
RESTORED = N_("Restored {path}: the database and {files} files, each checked against its SHA-256. Start the app with "
              "contest serve; it applies any newer migrations.")
OTHER_KEY = N_("Note: this installation's secret key is not the one the backed-up installation used. Voters must "
               "confirm their e-mail again, and pages left open must be reloaded. Set CONTEST_SECRET_KEY to the old "
               "key to avoid this.")


@dataclass(frozen=True)
class Snapshot:
    path: Path
    files: int
    new_files: int
    new_bytes: int
    database_bytes: int
    removed_snapshots: int = 0
    removed_objects: int = 0


@dataclass(frozen=True)
class Restored:
    path: Path
    files: int
    secret_fingerprint: str  # of the key the backed-up installation ran with (see secret_matches)


async def back_up(settings: Settings, folder: Path, *, now: datetime, keep: int | None = None) -> Snapshot:
    """Write one complete snapshot into ``folder``; with ``keep``, then remove all but the newest ``keep``."""
    with _locked(folder):
        snapshot = await _write_snapshot(settings, folder, now=now)
        if keep is None:
            return snapshot
        removed_snapshots, removed_objects = prune(folder, keep=keep)
    return replace(snapshot, removed_snapshots=removed_snapshots, removed_objects=removed_objects)


def prune(folder: Path, *, keep: int) -> tuple[int, int]:
    """Remove all but the newest ``keep`` snapshots, then the objects no remaining snapshot lists.

    Returns (snapshots removed, objects removed). The caller holds the folder's lock: an object written by a
    running backup is in no manifest yet.
    """
    if keep < 1:
        raise ValueError("keep at least one snapshot")
    for debris in (folder / "snapshots").glob(".partial-*"):
        shutil.rmtree(debris)
    old = snapshots(folder)[:-keep]
    for path in old:
        shutil.rmtree(path)
    needed = {entry["sha256"] for path in snapshots(folder) for entry in read_manifest(path)["files"]}
    unneeded = [path for path in _objects(folder) if path.name not in needed]
    for path in unneeded:
        path.unlink()
    return len(old), len(unneeded)


def snapshots(folder: Path) -> list[Path]:
    """The complete snapshots, oldest first (their names are UTC times)."""
    base = folder / "snapshots"
    found = base.iterdir() if base.is_dir() else iter(())
    return sorted(path for path in found if not path.name.startswith(".") and (path / MANIFEST).is_file())


def read_manifest(snapshot: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((snapshot / MANIFEST).read_bytes())
    except (OSError, ValueError) as exc:
        raise BackupRefused(NO_SNAPSHOT, where=snapshot) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(NO_SNAPSHOT, where=snapshot)
    return manifest


async def restore(settings: Settings, source: Path) -> Restored:
    """Rebuild an empty installation from a snapshot (or a backup folder's newest one), every file checked."""
    snapshot = find_snapshot(source)
    manifest = read_manifest(snapshot)
    objects = snapshot.parent.parent / "objects"
    store = open_store(settings)
    _check_names(settings, manifest)
    await _require_empty(settings, store, manifest)
    dump = snapshot / manifest["database"]["file"]
    _verify(dump, manifest["database"], name=manifest["database"]["file"])
    for entry in manifest["files"]:
        _verify(_object_path(objects, entry["sha256"]), entry, name=entry["name"])
    for entry in manifest["files"]:
        await _put_back(settings, store, entry, objects)
    await load_database(settings, dump)
    return Restored(snapshot, len(manifest["files"]), manifest["secret_key_sha256"])


def secret_matches(settings: Settings, fingerprint: str) -> bool:
    """Whether the restored installation runs with the backed-up one's key: with another, voters' cookies and
    open forms' tokens no longer verify."""
    return _secret_fingerprint(settings) == fingerprint


def find_snapshot(source: Path) -> Path:
    if (source / MANIFEST).is_file():
        return source
    complete = snapshots(source)
    if not complete:
        raise BackupRefused(NO_SNAPSHOT, where=source)
    return complete[-1]


# --- writing a snapshot ---------------------------------------------------------------------------------------------


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds every original and the secret key
    with (folder / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupRefused(BUSY, where=folder) from None
        yield


async def _write_snapshot(settings: Settings, folder: Path, *, now: datetime) -> Snapshot:
    partial = folder / "snapshots" / f".partial-{uuid.uuid4().hex}"
    partial.mkdir(parents=True)
    # the database first: a file uploaded after it is only an orphan in the snapshot, never a row without its file
    dump = await dump_database(settings, partial)
    copied = [done async for file in _files_to_keep(settings) if (done := await _store_object(folder / "objects", file))]
    database = {"engine": engine(settings), **_file_facts(dump)}
    manifest = {
        "format": FORMAT, "created_at": now.isoformat(), "database": database,
        "secret_key_sha256": _secret_fingerprint(settings),
        "files": [entry for entry, _ in copied],
    }
    _write_json(partial / MANIFEST, manifest)
    path = _publish(partial, now)
    new = [entry for entry, is_new in copied if is_new]
    return Snapshot(path, len(copied), len(new), sum(entry["size"] for entry in new), database["size"])


async def _files_to_keep(settings: Settings) -> AsyncIterator[tuple[str, StoredFile]]:
    async for file in stored_files(open_store(settings)):
        yield "uploads", file
    for name in DATA_FILES:
        if (settings.data_dir / name).is_file():
            yield "data", local_file(settings.data_dir / name, name)


async def _store_object(objects: Path, item: tuple[str, StoredFile]) -> tuple[dict[str, Any], bool] | None:
    """Hash the file; copy it only when no snapshot has these bytes yet. Returns its manifest entry, and if new;
    None for a file deleted since it was listed (its row went before it, after the database was dumped)."""
    area, file = item
    try:
        digest, size = await _digest(file.chunks())
        is_new = not _object_path(objects, digest).is_file()
        if is_new:  # hashed again while copying: the object is named by the bytes it really holds
            digest, size = await _write_object(objects, file.chunks())
    except FileNotFoundError:
        return None
    return {"area": area, "name": file.name, "sha256": digest, "size": size}, is_new


async def _digest(chunks: AsyncIterator[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    async for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


async def _write_object(objects: Path, chunks: AsyncIterator[bytes]) -> tuple[str, int]:
    (objects / "tmp").mkdir(parents=True, exist_ok=True)
    partial = objects / "tmp" / f"{uuid.uuid4().hex}.part"
    digest, size = hashlib.sha256(), 0
    async with aiofiles.open(partial, "wb") as out:
        async for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            await out.write(chunk)
        await out.flush()
        os.fsync(out.fileno())
    target = _object_path(objects, digest.hexdigest())
    target.parent.mkdir(exist_ok=True)
    os.replace(partial, target)
    fsync_dir(target.parent)
    return digest.hexdigest(), size


def _object_path(objects: Path, sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise BackupRefused(DAMAGED, name=sha256)
    return objects / sha256[:2] / sha256


def _objects(folder: Path) -> list[Path]:
    """Every file under objects/, with what a stopped copy left in objects/tmp."""
    base = folder / "objects"
    return [path for path in base.glob("*/*") if path.is_file()] if base.is_dir() else []


def _file_facts(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    return {"file": path.name, "sha256": digest, "size": path.stat().st_size}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with path.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())


def _publish(partial: Path, now: datetime) -> Path:
    """Rename the whole snapshot into place: a snapshot under its final name is always complete."""
    fsync_dir(partial)
    stamp = now.strftime("%Y-%m-%dT%H%M%SZ")
    names = (stamp, *(f"{stamp}-{n}" for n in range(2, 100)))
    target = next(partial.parent / name for name in names if not (partial.parent / name).exists())
    os.rename(partial, target)
    fsync_dir(partial.parent)
    return target


def _secret_fingerprint(settings: Settings) -> str:
    """Says whether a restore runs with the same key, without keeping the key."""
    return hashlib.sha256(f"contest-backup:{settings.secret_key}".encode()).hexdigest()


# --- restoring ------------------------------------------------------------------------------------------------------


async def _require_empty(settings: Settings, store: Storage, manifest: dict[str, Any]) -> None:
    async for _ in stored_files(store):
        raise BackupRefused(UPLOADS_NOT_EMPTY, where=store.root)
    for entry in manifest["files"]:
        present = settings.data_dir / entry["name"]
        if entry["area"] == "data" and present.is_file() and _file_facts(present)["sha256"] != entry["sha256"]:
            raise BackupRefused(OTHER_SECRET, where=settings.data_dir)
    await require_empty_database(settings)


def _verify(path: Path, entry: dict[str, Any], *, name: str) -> None:
    if not path.is_file() or _file_facts(path)["sha256"] != entry["sha256"]:
        raise BackupRefused(DAMAGED, name=name)


async def _put_back(settings: Settings, store: Storage, entry: dict[str, Any], objects: Path) -> None:
    chunks = _checked_chunks(_object_path(objects, entry["sha256"]), entry)
    if entry["area"] == "uploads":
        await write_stored_file(store, entry["name"], chunks)
        return
    target = settings.data_dir / entry["name"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"".join([chunk async for chunk in chunks]))
    target.chmod(0o600)


def _check_names(settings: Settings, manifest: dict[str, Any]) -> None:
    database = manifest["database"]
    if database["engine"] != engine(settings):
        raise BackupRefused(OTHER_ENGINE, snapshot=database["engine"], target=engine(settings))
    if database["file"] != DUMP_FILES[database["engine"]]:
        raise BackupRefused(DAMAGED, name=database["file"])
    for entry in manifest["files"]:
        if not _restorable(entry):
            raise BackupRefused(DAMAGED, name=entry["name"])


def _restorable(entry: dict[str, Any]) -> bool:
    """Only names this app writes: a manifest is a file anyone with the backup folder could have edited."""
    if entry["area"] == "uploads":
        return is_stored_name(entry["name"])
    return entry["area"] == "data" and entry["name"] in DATA_FILES


async def _checked_chunks(path: Path, entry: dict[str, Any]) -> AsyncIterator[bytes]:
    """The object's bytes; raises at their end, before the writer puts the file in place, when they are not the
    bytes the manifest names (checked once before; this catches a change since)."""
    digest = hashlib.sha256()
    async with aiofiles.open(path, "rb") as file:
        while chunk := await file.read(1024 * 1024):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != entry["sha256"]:
        raise BackupRefused(DAMAGED, name=entry["name"])
