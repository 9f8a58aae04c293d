"""Two app processes as two machines (separate data folders, one PostgreSQL database): a results change made
through A reaches B's cached results page before B answers the next request, also when the listeners'
connections are cut. The same pair with the stamp files shows the test can see a stale page.

It opens its own database on the PostgreSQL server CONTEST_TEST_DATABASE_URL names, or the local one, so it
runs once, in the SQLite pass (.ci/run starts PostgreSQL before it)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from contest.cache_stamp_db import LISTENER_NAME
from contest.settings import PROJECT_ROOT
from tests import pg

pytestmark = [pytest.mark.web, pytest.mark.any_database]

PG_URL = os.environ.get("CONTEST_TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/test"
SECRET = "results-signal-" + "k3Zp8" * 8
CHANGES = 50

# Run in a process of its own (not this one: pytest's database may be open here): the announced edition the
# gallery tests use, and an organiser's session on it.
SEED = """
import asyncio, json, sys
from pathlib import Path
from datetime import UTC, datetime
from tortoise import Tortoise
from contest.accounts import sessions
from contest.contests.models import AwardTier
from contest.db import tortoise_config
from contest.media.storage import UploadStore
from tests.factories import make_user
from tests.results.gallery_builders import announced_edition

async def main(url, uploads):
    await Tortoise.init(config=tortoise_config(url))
    try:
        contest = await announced_edition(UploadStore(Path(uploads)))
        tier = await AwardTier.filter(contest_id=contest.id, rank=1, is_special=False).order_by("id").first()
        organiser = await make_user(is_staff=True)
        key = await sessions.start_session(organiser, now=datetime.now(UTC))
        print(json.dumps({"slug": contest.slug, "tier": tier.id, "track": tier.track_id, "name": tier.name,
                          "name_en": tier.name_en, "quota": tier.quota, "session": key}))
    finally:
        await Tortoise.close_connections()

asyncio.run(main(*sys.argv[1:]))
"""


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=300, check=False)


def base_env(url: str, data: Path, signal_via: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "CONTEST_DATABASE_URL": url,
            "CONTEST_DATA_DIR": str(data), "CONTEST_UPLOAD_DIR": str(data / "uploads"),
            "CONTEST_SECRET_KEY": SECRET, "CONTEST_RESULTS_SIGNAL": signal_via, "CONTEST_MAIL_DIR": ""}


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    if not asyncio.run(pg.reachable(PG_URL)):
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: the results signal between machines is not tested")
    url = asyncio.run(pg.create_database(PG_URL, f"contest_signal_{secrets.token_hex(4)}"))
    try:
        yield url
    finally:
        asyncio.run(pg.drop_database(PG_URL, url))


@pytest.fixture(scope="module")
def scene(database: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The database, migrated and seeded once for the module's tests (each starts its own two machines)."""
    seed = tmp_path_factory.mktemp("seed")
    env = base_env(database, seed, "database")
    migrated = run_cli("-m", "contest", "migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    seeded = run_cli("-c", SEED, database, str(seed / "uploads"), env=env)
    assert seeded.returncode == 0, seeded.stderr
    return {**json.loads(seeded.stdout.strip().splitlines()[-1]), "url": database}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(url: str, data: Path, signal_via: str) -> Iterator[str]:
    port = free_port()
    log = (data.parent / f"{data.name}.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "contest", "serve", "--port", str(port)], cwd=PROJECT_ROOT,
                               env=base_env(url, data, signal_via), stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def until_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):
            try:
                if (await client.get("/")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{base} did not start")


@asynccontextmanager
async def two_machines(scene: dict, tmp_path: Path, signal_via: str) -> AsyncIterator[tuple[str, str]]:
    with (server(scene["url"], tmp_path / "machine-a", signal_via) as a,
          server(scene["url"], tmp_path / "machine-b", signal_via) as b):
        await asyncio.gather(until_up(a), until_up(b))
        yield a, b


class Organiser:
    """Renames an award tier through machine A, as the settings page's form does."""

    def __init__(self, scene: dict, base: str) -> None:
        self.scene = scene
        self.client = httpx.AsyncClient(base_url=base, headers={
            "cookie": f"contest_session={scene['session']}", "origin": base,
            "x-csrf-token": _csrf_token(scene["session"])})

    async def rename_tier(self, name: str) -> None:
        scene = self.scene
        form = {"track": str(scene["track"]), "name": name, "name_en": scene["name_en"], "rank": "1",
                "quota": str(scene["quota"])}
        response = await self.client.post(f"/admin/c/{scene['slug']}/tiers/{scene['tier']}", data=form)
        assert response.status_code == 303, response.text[:500]


def _csrf_token(session: str) -> str:
    from contest.web.infra import csrf

    return csrf.make_token(SECRET, session)


async def stale_pages(scene: dict, a: str, b: str, *, changes: int, cut_listeners: bool = False) -> list[int]:
    """Warm B's gallery, then per change: rename the tier through A, and read B's gallery at once."""
    gallery = f"/c/{scene['slug']}/gallery"
    organiser = Organiser(scene, a)
    stale = []
    async with httpx.AsyncClient(base_url=b) as visitor, organiser.client:
        for n in range(changes):
            for _ in range(2):  # warm: the second answer comes from B's memory
                page = await visitor.get(gallery)
                assert page.status_code == 200 and page.headers["cache-control"].startswith("public")
            if cut_listeners:
                await terminate_listeners(scene["url"])
            name = f"{scene['name']}{n}号"
            await organiser.rename_tier(name)
            if name not in (await visitor.get(gallery)).text:
                stale.append(n)
    return stale


async def leases_held(url: str) -> int:
    """Readers trusting their memory: a page they serve from it costs no query."""
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return await connection.fetchval("SELECT count(*) FROM results_reader WHERE expires_at > now()")
    finally:
        await connection.close()


async def terminate_listeners(url: str) -> int:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return len(await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 "
            "AND datname = current_database()", LISTENER_NAME))
    finally:
        await connection.close()


async def test_a_change_through_one_machine_reaches_the_other_before_its_next_answer(scene, tmp_path):
    async with two_machines(scene, tmp_path, "database") as (a, b):
        assert await stale_pages(scene, a, b, changes=CHANGES) == []
        assert await leases_held(scene["url"]) == 2
        # the listeners' connections cut (both machines'), just before each change: still none stale
        assert await terminate_listeners(scene["url"]) == 2
        assert await stale_pages(scene, a, b, changes=20, cut_listeners=True) == []


async def test_stamp_files_on_separate_disks_do_not_reach_the_other_machine(scene, tmp_path):
    """What the database's signal is for: the test above would see this stale page."""
    async with two_machines(scene, tmp_path, "files") as (a, b):
        assert await stale_pages(scene, a, b, changes=3) == [0, 1, 2]
