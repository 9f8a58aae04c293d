"""A real `contest serve` on a SQLite file in a folder of its own, with one designer and one open draft entry,
for the tests that must kill the server or talk to it over raw sockets."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

from tests.browser.conftest import free_port, wait_until_up

REPO = Path(__file__).resolve().parents[2]
SECRET = "crash-test-secret-" + "Zq8Lw" * 8
VARIANTS = ("display.jpg", "display.webp", "judging.jpg", "judging.webp", "thumb.jpg", "thumb.webp")

SETUP = """
import asyncio, json
from datetime import timedelta
from tortoise import Tortoise
from contest import clock
from contest.accounts import sessions
from contest.db import apply_migrations, settings_config
from contest.settings import load_settings
from contest.web.infra import csrf
from tests.factories import make_contest, make_entry, make_track, make_user

async def main():
    settings = load_settings()
    await apply_migrations(settings)
    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=1), submissions_close_at=now + timedelta(days=1))
    track = await make_track(contest, min_width=64, min_height=64)
    user = await make_user()
    entry = await make_entry(contest, track, user)
    key = await sessions.start_session(user, now=now)
    print(json.dumps({"entry": entry.id, "session": key, "csrf": csrf.make_token(settings.secret_key, key)}))
    await Tortoise.close_connections()

asyncio.run(main())
"""


def env_for(work: Path) -> dict[str, str]:
    env = {**os.environ, "CONTEST_DATA_DIR": str(work / "data"), "CONTEST_UPLOAD_DIR": str(work / "uploads"),
           "CONTEST_DATABASE_URL": f"sqlite://{work / 'data' / 'e2e.sqlite3'}", "CONTEST_SECRET_KEY": SECRET}
    env.pop("CONTEST_TEST_DATABASE_URL", None)
    return env


class Site:
    """A real server on a SQLite file, with one designer and one open draft entry."""

    def __init__(self, work: Path, **env: str) -> None:
        self.work = work
        self.env = {**env_for(work), **env}
        self.uploads = work / "uploads"
        self.database = work / "data" / "e2e.sqlite3"
        (work / "data").mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-c", SETUP], env=self.env, cwd=REPO, capture_output=True,
                              text=True, timeout=60, check=True)
        facts = json.loads(done.stdout.strip().splitlines()[-1])
        self.entry, self.session, self.csrf = facts["entry"], facts["session"], facts["csrf"]
        self.server: subprocess.Popen | None = None
        self.base_url = ""

    def start(self) -> None:
        port = free_port()
        log = self.log = self.work / f"server-{port}.log"
        with log.open("w") as out:
            self.server = subprocess.Popen([sys.executable, "-m", "contest", "serve", "--port", str(port)],
                                           env=self.env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        self.base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{self.base_url}/healthz", self.server, timeout=60)
        except RuntimeError:
            self.kill()
            raise RuntimeError(log.read_text()) from None

    def kill(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGKILL)
            self.server.wait(timeout=10)

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    async def upload(self, body, name: str = "design.jpg") -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30,
                                     cookies={"contest_session": self.session}) as client:
            return await client.post(f"/me/entries/{self.entry}/slots/images/files", params={"name": name}, content=body,
                                     headers={"x-csrf-token": self.csrf, "accept": "application/json"})

    def files(self, folder: str) -> list[Path]:
        base = self.uploads / folder
        return sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []

    def rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as connection:
            return connection.execute(sql).fetchall()

    def referenced_keys(self) -> set[str]:
        keys = {key for (key,) in self.rows("SELECT key FROM entry_image")}
        keys |= {key for (key,) in self.rows("SELECT key FROM reference_image")}
        keys |= {key for (key,) in self.rows("SELECT poster_key FROM contest WHERE poster_key != ''")}
        keys |= {key for (key,) in self.rows("SELECT attachment_key FROM objection WHERE attachment_key != ''")}
        return keys

    def assert_consistent(self) -> None:
        """G5: no temp file, no unreferenced file, no row without its files."""
        assert self.files("tmp") == []
        keys = self.referenced_keys()
        stored = self.files("originals") + self.files("derived")
        assert [p for p in stored if p.name.split("-", 1)[0].split(".", 1)[0] not in keys] == []
        for (key,) in self.rows("SELECT key FROM entry_image"):
            expected = [self.uploads / "originals" / key[:2] / key]
            expected += [self.uploads / "derived" / key[:2] / f"{key}-{variant}" for variant in VARIANTS]
            assert [p.is_file() for p in expected] == [True] * 7
