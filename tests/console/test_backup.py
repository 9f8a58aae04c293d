"""Backups on small installations of their own (a SQLite file, an upload folder, a data folder): the snapshot's
shape, incremental copies, refusals at restore, retention. The demo served while it is backed up is in
tests/web/test_backup_live.py."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from contest.console import backup, backup_database, backup_files
from contest.console.backup_database import BackupRefused
from contest.media.storage import UploadStore, new_key, write_atomic
from contest.settings import Settings, load_settings
from tests.commands import run_cli

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
KEY = "backup-test-secret-" + "Lq3vX" * 8


def installation(folder: Path) -> Settings:
    return load_settings({}, database_url=f"sqlite://{folder / 'data' / 'contest.sqlite3'}", data_dir=folder / "data",
                         upload_dir=folder / "uploads", secret_key=KEY)


def seeded(folder: Path) -> Settings:
    """An installation with two rows, the development key file, and one upload: its original and a derivative."""
    settings = installation(folder)
    settings.data_dir.mkdir(parents=True)
    with closing(sqlite3.connect(settings.data_dir / "contest.sqlite3")) as connection, connection:
        connection.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, title TEXT)")
        connection.executemany("INSERT INTO entry VALUES (?, ?)", [(1, "劳模笔记本"), (2, "工运百年帆布包")])
    (settings.data_dir / "secret_key").write_text(KEY)
    add_upload(settings, b"original bytes")
    return settings


def add_upload(settings: Settings, data: bytes) -> str:
    store, key = UploadStore(settings.upload_dir), new_key()
    store.ensure_dirs()
    for path, content in ((store.original_path(key), data), (store.derived_path(key, "thumb", "WEBP"), data[::-1])):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, content)
    return key


def file_hashes(settings: Settings) -> dict[str, str]:
    root = settings.upload_dir
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for area in ("originals", "derived") for p in (root / area).rglob("*") if p.is_file()}


def rows(settings: Settings) -> list[tuple]:
    with closing(sqlite3.connect(settings.data_dir / "contest.sqlite3")) as connection:
        return connection.execute("SELECT * FROM entry ORDER BY id").fetchall()


def objects(folder: Path) -> dict[str, int]:
    """Each object's name and inode: an object copied again would get a new inode."""
    return {path.name: path.stat().st_ino for path in (folder / "objects").glob("*/*") if path.is_file()}


async def test_a_restore_brings_back_every_row_every_file_and_the_key(tmp_path):
    source = seeded(tmp_path / "source")
    snapshot = await backup.back_up(source, tmp_path / "backups", now=NOW)
    target = installation(tmp_path / "target")

    restored = await backup.restore(target, tmp_path / "backups")

    assert (restored.path, restored.files) == (snapshot.path, 3)  # two upload files and the key
    assert rows(target) == [(1, "劳模笔记本"), (2, "工运百年帆布包")]
    assert file_hashes(target) == file_hashes(source)
    assert (target.data_dir / "secret_key").read_text() == KEY
    assert stat.S_IMODE((target.data_dir / "secret_key").stat().st_mode) == 0o600
    assert backup.secret_matches(target, restored.secret_fingerprint)
    assert not backup.secret_matches(load_settings({}, data_dir=tmp_path / "other", secret_key="x" * 40),
                                     restored.secret_fingerprint)


async def test_the_snapshot_lists_each_file_with_its_hash_and_keeps_the_bytes_under_it(tmp_path):
    source = seeded(tmp_path / "source")
    snapshot = await backup.back_up(source, tmp_path / "backups", now=NOW)

    assert snapshot.path == tmp_path / "backups" / "snapshots" / "2026-06-01T020000Z"
    manifest = json.loads((snapshot.path / "manifest.json").read_text())
    uploads = {entry["name"]: entry["sha256"] for entry in manifest["files"] if entry["area"] == "uploads"}
    assert uploads == file_hashes(source)
    for entry in manifest["files"]:
        stored = tmp_path / "backups" / "objects" / entry["sha256"][:2] / entry["sha256"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == entry["sha256"]
        assert stored.stat().st_size == entry["size"]
    assert manifest["database"]["engine"] == "sqlite"
    assert KEY not in (snapshot.path / "manifest.json").read_text()
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700


async def test_a_second_backup_copies_only_the_files_that_are_new(tmp_path):
    source = seeded(tmp_path / "source")
    first = await backup.back_up(source, tmp_path / "backups", now=NOW)
    before = objects(tmp_path / "backups")
    add_upload(source, b"a later upload")

    second = await backup.back_up(source, tmp_path / "backups", now=NOW + timedelta(days=1))

    assert (first.files, first.new_files) == (3, 3)
    assert (second.files, second.new_files, second.new_bytes) == (5, 2, 2 * len(b"a later upload"))
    after = objects(tmp_path / "backups")
    assert {name: after[name] for name in before} == before  # the same objects, not copied again
    assert len(after) == len(before) + 2


async def test_a_changed_copy_is_refused_and_nothing_is_restored(tmp_path):
    source = seeded(tmp_path / "source")
    await backup.back_up(source, tmp_path / "backups", now=NOW)
    original = next(name for name in file_hashes(source) if name.startswith("originals/"))
    stored = tmp_path / "backups" / "objects" / file_hashes(source)[original][:2] / file_hashes(source)[original]
    stored.write_bytes(b"original bytez")
    target = installation(tmp_path / "target")

    with pytest.raises(BackupRefused) as refused:
        await backup.restore(target, tmp_path / "backups")

    assert (refused.value.message, refused.value.params) == (backup.DAMAGED, {"name": original})
    assert not target.upload_dir.exists()
    assert not (target.data_dir / "contest.sqlite3").exists()


async def test_a_missing_copy_or_a_name_outside_the_store_is_refused(tmp_path):
    source = seeded(tmp_path / "source")
    snapshot = await backup.back_up(source, tmp_path / "backups", now=NOW)
    manifest_path = snapshot.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"][0]["name"] = "../../elsewhere"
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(BackupRefused) as outside:
        await backup.restore(installation(tmp_path / "target"), snapshot.path)
    manifest["files"][0]["name"], manifest["files"][0]["sha256"] = "originals/ab/" + "ab" * 16, "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupRefused) as missing:
        await backup.restore(installation(tmp_path / "target"), snapshot.path)

    assert outside.value.params == {"name": "../../elsewhere"}
    assert missing.value.params == {"name": "originals/ab/" + "ab" * 16}
    assert not (tmp_path / "target" / "uploads").exists()


def cli_env(folder: Path) -> dict[str, str]:
    return {"CONTEST_DATA_DIR": str(folder / "data"), "CONTEST_UPLOAD_DIR": str(folder / "uploads"),
            "CONTEST_DATABASE_URL": f"sqlite://{folder / 'data' / 'contest.sqlite3'}", "LANG": "en_US.UTF-8"}


def test_restore_refuses_a_target_that_already_holds_files_tables_or_another_key(tmp_path):
    source = cli_env(tmp_path / "source")
    seeded(tmp_path / "source")
    assert run_cli("backup", str(tmp_path / "backups"), env=source).returncode == 0
    with_files, with_tables, with_key = (installation(tmp_path / name) for name in ("files", "tables", "key"))
    add_upload(with_files, b"someone else's upload")
    theirs = file_hashes(with_files)
    with_tables.data_dir.mkdir(parents=True)
    sqlite3.connect(with_tables.data_dir / "contest.sqlite3").execute("CREATE TABLE entry (id INTEGER)").connection.close()
    with_key.data_dir.mkdir(parents=True)
    (with_key.data_dir / "secret_key").write_text("another key")

    refused = {name: run_cli("restore", str(tmp_path / "backups"), env=cli_env(tmp_path / name))
               for name in ("files", "tables", "key")}

    assert {name: done.returncode for name, done in refused.items()} == {"files": 1, "tables": 1, "key": 1}
    assert refused["files"].stderr == (f"contest: The upload folder {tmp_path / 'files' / 'uploads'} already holds "
                                       "files. Restore only into an empty installation.\n")
    assert "already holds tables" in refused["tables"].stderr
    assert "already holds another secret key" in refused["key"].stderr
    assert file_hashes(with_files) == theirs
    assert (with_key.data_dir / "secret_key").read_text() == "another key"
    assert not (with_key.data_dir / "contest.sqlite3").exists()


def test_restore_by_the_command_line_says_what_it_did(tmp_path):
    seeded(tmp_path / "source")
    backed_up = run_cli("backup", str(tmp_path / "backups"), env=cli_env(tmp_path / "source"))
    restored = run_cli("restore", str(tmp_path / "backups"), env=cli_env(tmp_path / "target"))

    assert backed_up.returncode == 0, backed_up.stderr
    assert "and 3 files, 3 of them new" in backed_up.stdout
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("Restored ")
    assert "secret key" not in restored.stdout  # the development key came back with the snapshot
    assert (tmp_path / "target" / "data" / "secret_key").read_text() == KEY


async def test_keep_removes_old_snapshots_and_the_files_only_they_needed(tmp_path):
    source = seeded(tmp_path / "source")
    folder = tmp_path / "backups"
    await backup.back_up(source, folder, now=NOW)
    gone = add_upload(source, b"withdrawn later")
    await backup.back_up(source, folder, now=NOW + timedelta(days=1))
    UploadStore(source.upload_dir).original_path(gone).unlink()
    for derived in (source.upload_dir / "derived").rglob(f"{gone}-*"):
        derived.unlink()
    needed_before = objects(folder)

    third = await backup.back_up(source, folder, now=NOW + timedelta(days=2), keep=2)

    assert [path.name for path in backup.snapshots(folder)] == ["2026-06-02T020000Z", "2026-06-03T020000Z"]
    assert (third.removed_snapshots, third.removed_objects) == (1, 0)  # the withdrawn file is still in day 2's
    fourth = await backup.back_up(source, folder, now=NOW + timedelta(days=3), keep=1)
    assert (fourth.removed_snapshots, fourth.removed_objects) == (2, 2)
    assert set(objects(folder)) == set(needed_before) - {hashlib.sha256(b"withdrawn later").hexdigest(),
                                                         hashlib.sha256(b"withdrawn later"[::-1]).hexdigest()}
    target = installation(tmp_path / "target")
    await backup.restore(target, folder)
    assert file_hashes(target) == file_hashes(source)


async def test_a_half_written_snapshot_is_never_taken_for_one(tmp_path, monkeypatch):
    source = seeded(tmp_path / "source")

    async def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_store_object", disk_full)
    with pytest.raises(OSError):
        await backup.back_up(source, tmp_path / "backups", now=NOW)
    monkeypatch.undo()

    assert backup.snapshots(tmp_path / "backups") == []
    with pytest.raises(BackupRefused) as refused:
        await backup.restore(installation(tmp_path / "target"), tmp_path / "backups")
    assert refused.value.message == backup.NO_SNAPSHOT
    await backup.back_up(source, tmp_path / "backups", now=NOW, keep=1)
    assert [path.name for path in (tmp_path / "backups" / "snapshots").iterdir()] == ["2026-06-01T020000Z"]


async def test_a_file_deleted_while_the_backup_runs_is_left_out_and_the_backup_completes(tmp_path, monkeypatch):
    source = seeded(tmp_path / "source")
    gone = UploadStore(source.upload_dir).original_path(add_upload(source, b"deleted by its designer"))
    listing = backup_files.stored_files

    async def deleted_after_listing(store):
        async for file in listing(store):
            gone.unlink(missing_ok=True)
            yield file

    monkeypatch.setattr(backup, "stored_files", deleted_after_listing)
    snapshot = await backup.back_up(source, tmp_path / "backups", now=NOW)

    names = [entry["name"] for entry in backup.read_manifest(snapshot.path)["files"]]
    assert snapshot.files == len(names) == 4  # two uploads' derivatives, one original, the key
    assert gone.relative_to(source.upload_dir).as_posix() not in names


async def test_one_backup_at_a_time_in_a_folder(tmp_path):
    source = seeded(tmp_path / "source")
    with backup._locked(tmp_path / "backups"), pytest.raises(BackupRefused) as refused:
        await backup.back_up(source, tmp_path / "backups", now=NOW)
    assert refused.value.message == backup.BUSY


async def test_a_snapshot_restores_only_into_the_same_kind_of_database(tmp_path):
    source = seeded(tmp_path / "source")
    await backup.back_up(source, tmp_path / "backups", now=NOW)
    postgres = load_settings({}, database_url="postgres://postgres@127.0.0.1:1/none", data_dir=tmp_path / "pg",
                             upload_dir=tmp_path / "pg" / "uploads", secret_key=KEY)

    with pytest.raises(BackupRefused) as refused:
        await backup.restore(postgres, tmp_path / "backups")

    assert refused.value.params == {"snapshot": "sqlite", "target": "postgres"}


@pytest.fixture
def old_server(monkeypatch):
    """A PostgreSQL server one major version ahead of this machine's pg_dump."""
    ahead = (client_major() + 1) * 10000

    async def server_version(settings, sql):
        return ahead

    monkeypatch.setattr(backup_database, "_pg_fetch", server_version)
    return load_settings({}, database_url="postgres://postgres@127.0.0.1:5432/any", secret_key=KEY)


def client_major() -> int:
    import subprocess

    return backup_database._major_version(subprocess.run(["pg_dump", "--version"], capture_output=True, text=True,
                                                         check=True).stdout)


async def test_pg_dump_older_than_the_server_or_missing_is_refused_with_what_to_install(old_server, tmp_path,
                                                                                        monkeypatch):
    server = client_major() + 1
    with pytest.raises(BackupRefused) as older:
        await backup_database.dump_database(old_server, tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupRefused) as missing:
        await backup_database.dump_database(old_server, tmp_path)

    assert (older.value.message, older.value.params) == (
        backup_database.PG_TOOL_OLD, {"tool": "pg_dump", "client": server - 1, "server": server})
    assert (missing.value.message, missing.value.params) == (
        backup_database.PG_TOOL_MISSING, {"tool": "pg_dump", "server": server})
    assert os.listdir(tmp_path) == []
