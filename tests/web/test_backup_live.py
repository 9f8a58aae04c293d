"""The backup the issue asks for: `contest backup` of the demo while a real server serves it (a designer autosaving,
the gallery read), `contest restore` into an empty installation elsewhere, then every table's rows and every file's
hash compared. On the test database's dialect: a SQLite file, or throwaway PostgreSQL databases of its own when
CONTEST_TEST_DATABASE_URL names a server."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests import pg
from tests.browser.conftest import free_port, wait_until_up

pytestmark = [pytest.mark.web, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DESIGNER = "designer@demo.wenchuang.cn"
GALLERY = "/c/renmin-2025/gallery"

SESSION = """
import asyncio, json
from tortoise import Tortoise
from contest import clock
from contest.accounts import sessions
from contest.accounts.models import User
from contest.db import settings_config
from contest.settings import load_settings
from contest.web.infra import csrf

async def main():
    settings = load_settings()
    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    key = await sessions.start_session(await User.get(email="designer@demo.wenchuang.cn"), now=clock.now())
    print(json.dumps({"session": key, "csrf": csrf.make_token(settings.secret_key, key)}))
    await Tortoise.close_connections()

asyncio.run(main())
"""


class Installation:
    """A data folder, an upload folder and a database: what `contest` runs on, given by its environment."""

    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder, self.database_url = folder, database_url
        folder.mkdir(parents=True, exist_ok=True)
        self.uploads = folder / "uploads"
        self.env = {**os.environ, "CONTEST_DATA_DIR": str(folder / "data"), "CONTEST_UPLOAD_DIR": str(self.uploads),
                    "CONTEST_DATABASE_URL": database_url, "LANG": "en_US.UTF-8"}
        self.env.pop("CONTEST_TEST_DATABASE_URL", None)
        self.env.pop("CONTEST_SECRET_KEY", None)  # the development key file: a restore must bring it back

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "contest", *args], env=self.env, cwd=REPO, capture_output=True,
                              text=True, timeout=300, check=False)

    def file_hashes(self) -> dict[str, str]:
        return {path.relative_to(self.uploads).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
                for area in ("originals", "derived") for path in (self.uploads / area).rglob("*") if path.is_file()}

    async def tables(self) -> dict[str, list[dict]]:
        """Every row of every table, by plain SQL, in a stable order."""
        if self.database_url.startswith("sqlite"):
            with closing(sqlite3.connect(self.database_url.split("://", 1)[1])) as connection:
                connection.row_factory = sqlite3.Row
                names = [name for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
                return {name: sorted((dict(row) for row in connection.execute(f'SELECT * FROM "{name}"')), key=repr)
                        for name in names}
        connection = await asyncpg.connect(self.database_url.replace("postgres://", "postgresql://", 1))
        try:
            names = [row[0] for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            return {name: sorted((dict(row) for row in await connection.fetch(f'SELECT * FROM "{name}"')), key=repr)
                    for name in names}
        finally:
            await connection.close()


class Server:
    def __init__(self, installation: Installation, *args: str) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = installation.folder / f"server-{port}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "contest", "serve", "--port", str(port), *args],
                                            env=installation.env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_up(f"{self.base_url}/healthz", self.process, timeout=300)
        except RuntimeError:
            self.stop()
            raise RuntimeError(self.log.read_text()) from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
async def database_urls() -> AsyncIterator[tuple[str, str] | None]:
    """Two throwaway PostgreSQL databases (the demo's and the restore's), or None on SQLite."""
    base = os.environ.get("CONTEST_TEST_DATABASE_URL", "")
    if not base:
        yield None
        return
    tag = secrets.token_hex(4)
    urls = (await pg.create_database(base, f"contest_backup_{tag}"), await pg.create_database(base, f"contest_restore_{tag}"))
    try:
        yield urls
    finally:
        for url in urls:
            await pg.drop_database(base, url)


@pytest.fixture
def installations(tmp_path: Path, database_urls: tuple[str, str] | None) -> tuple[Installation, Installation]:
    source, target = tmp_path / "source", tmp_path / "restored"
    if database_urls is None:
        database_urls = (f"sqlite://{source / 'data' / 'contest.sqlite3'}", f"sqlite://{target / 'data' / 'contest.sqlite3'}")
    return Installation(source, database_urls[0]), Installation(target, database_urls[1])


class Designer:
    """Autosaves a draft's title over and over while reading the gallery, as long as it is told to."""

    def __init__(self, server: Server, session: dict, draft: dict) -> None:
        self.server, self.session, self.entry_id = server, session, draft["id"]
        self.form = {"entrant_kind": draft["entrant_kind"], "entrant_category": draft["entrant_category"]}
        self.saved: list[str] = []  # the titles saved, in order
        self.started, self.stop = asyncio.Event(), asyncio.Event()

    async def work(self) -> None:
        async with httpx.AsyncClient(base_url=self.server.base_url, timeout=60, headers={"x-csrf-token": self.session["csrf"]},
                                     cookies={"contest_session": self.session["session"]}) as client:
            while not self.stop.is_set():
                title = f"劳模笔记本 {len(self.saved)}"
                saved = await client.post(f"/me/entries/{self.entry_id}/autosave", data={**self.form, "title": title})
                gallery = await client.get(GALLERY)
                assert (saved.status_code, gallery.status_code) == (200, 200), saved.text
                self.saved.append(title)
                self.started.set()


# What the serving processes were doing, not what the contest holds: the job queue's progress (on PostgreSQL the
# worker went on running jobs after the snapshot, and stopped), and the leases of the processes listening for results changes.
PROCESS_STATE = {"procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers", "procrastinate_workers",
                 "results_reader"}


def job_of(row: dict) -> tuple:
    return row["id"], row["task_name"], str(row["args"])


def without(row: dict, *columns: str) -> dict:
    return {name: value for name, value in row.items() if name not in columns}


def by_seq(events: list[dict]) -> list[dict]:
    return sorted(events, key=lambda event: event["seq"])


def draft_of(tables: dict[str, list[dict]]) -> dict:
    designer = next(row["id"] for row in tables["user"] if row["email"] == DESIGNER)
    return next(row for row in tables["entry"] if row["state"] == "draft" and row["owner_id"] == designer)


async def test_a_backup_taken_while_the_demo_serves_restores_every_row_and_file(installations, tmp_path):
    source, target = installations
    server = Server(source, "--demo")
    try:
        session = json.loads(subprocess.run([sys.executable, "-c", SESSION], env=source.env, cwd=REPO, check=True,
                                            capture_output=True, text=True, timeout=60).stdout.splitlines()[-1])
        designer = Designer(server, session, draft_of(await source.tables()))
        writer = asyncio.create_task(designer.work())
        await asyncio.wait_for(designer.started.wait(), timeout=60)  # saving before the backup starts, and after
        at_start = len(designer.saved)
        done = await asyncio.to_thread(source.run, "backup", str(tmp_path / "backups"))
        at_end = len(designer.saved)
        designer.stop.set()
        await writer
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert "written" in done.stdout

    restored = target.run("restore", str(tmp_path / "backups"))
    assert restored.returncode == 0, restored.stderr
    assert "Note:" not in restored.stdout  # the development key came back with the rest

    before, after = await source.tables(), await target.tables()
    assert set(after) == set(before)
    assert target.file_hashes() == source.file_hashes()
    assert (target.folder / "data" / "secret_key").read_text() == (source.folder / "data" / "secret_key").read_text()
    # The designer went on saving after the snapshot, so the draft may be behind: by a title saved while the backup
    # ran (the last one answered before it started, up to one answered just after it ended), and the audit log by
    # the events of the saves after it. Nothing else differs.
    draft, moving = designer.entry_id, {"entry", "audit_event", *PROCESS_STATE}
    assert {name: rows for name, rows in after.items() if name not in moving} == \
           {name: rows for name, rows in before.items() if name not in moving}
    assert {job_of(row) for row in after.get("procrastinate_jobs", [])} <= \
           {job_of(row) for row in before.get("procrastinate_jobs", [])}  # the jobs went on running; none was made up
    assert [row for row in after["entry"] if row["id"] != draft] == [row for row in before["entry"] if row["id"] != draft]
    restored_draft = next(row for row in after["entry"] if row["id"] == draft)
    assert restored_draft["title"] in designer.saved[at_start - 1:at_end + 1]
    final_draft = next(row for row in before["entry"] if row["id"] == draft)
    assert without(restored_draft, "title", "updated_at") == without(final_draft, "title", "updated_at")
    events, restored_events = by_seq(before["audit_event"]), by_seq(after["audit_event"])
    assert restored_events == events[:len(restored_events)]
    assert {(event["action"], event["subject"]) for event in events[len(restored_events):]} <= \
           {("entry.updated", f"entry:{draft}")}

    server = Server(target)  # the restored installation serves: its migrations are current, its files in place
    try:
        assert httpx.get(f"{server.base_url}{GALLERY}", timeout=30).status_code == 200
    finally:
        server.stop()
