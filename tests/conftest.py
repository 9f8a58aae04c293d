"""Shared fixtures: one migrated database per run (SQLite file, or PostgreSQL when
CONTEST_TEST_DATABASE_URL is set), emptied after every test that used it; the app and an HTTP client;
`at`, which stops the application's clock. With CONTEST_TEST_STORAGE=s3 the app stores files in a bucket of
its own per test, on one moto S3 server per run (tests/s3.py), instead of the local upload folder."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise
from tortoise.contrib.test import truncate_all_models

from contest import clock
from contest.app import create_app
from contest.db import tortoise_config
from contest.jobs import queue
from contest.settings import Settings, load_settings
from tests import jobs, pg, s3

TEST_SECRET = "test-secret-" + "x7Kq9" * 8
LAYERS = ("unit", "web", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test names its layer, so `-m "not browser"` and the layer counts can be trusted."""
    unmarked = sorted({item.nodeid.split("::")[0] for item in items
                       if not any(item.get_closest_marker(layer) for layer in LAYERS)})
    if unmarked:
        raise pytest.UsageError(f"test modules without a layer marker ({', '.join(LAYERS)}): {', '.join(unmarked)}")


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contest")


@pytest.fixture(scope="session")
async def database_url(run_dir: Path) -> AsyncIterator[str]:
    base = os.environ.get("CONTEST_TEST_DATABASE_URL", "")
    if not base:
        yield f"sqlite://{run_dir / 'test.sqlite3'}"
        return
    url = await pg.create_database(base, f"contest_test_{secrets.token_hex(4)}")
    try:
        yield url
    finally:
        await pg.drop_database(base, url)


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[str]:
    from tortoise.migrations.api import migrate

    config = tortoise_config(database_url)
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)
    try:
        yield database_url
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="session")
async def job_queue(database: str) -> AsyncIterator[None]:
    """The job queue of the test database: its procrastinate tables on PostgreSQL, memory on SQLite."""
    async with queue.opened(database):
        yield


@pytest.fixture
async def db(database: str, job_queue: None) -> AsyncIterator[str]:
    yield database
    await truncate_all_models()
    await jobs.clear_queue()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[s3.S3Server]:
    with s3.running_server() as server:
        yield server


@pytest.fixture
def storage_settings(request: pytest.FixtureRequest) -> dict[str, object]:
    """Nothing for the local folder; with CONTEST_TEST_STORAGE=s3, a new bucket on the run's S3 server."""
    if os.environ.get("CONTEST_TEST_STORAGE", "local") != "s3":
        return {}
    server: s3.S3Server = request.getfixturevalue("s3_server")
    return server.settings(server.new_bucket())


@pytest.fixture
def settings(run_dir: Path, database_url: str, tmp_path: Path, storage_settings: dict[str, object]) -> Settings:
    return load_settings(
        {},
        database_url=database_url,
        secret_key=TEST_SECRET,
        public_url="http://testserver",
        data_dir=run_dir,
        upload_dir=tmp_path / "uploads",
        event_stream_seconds=0.0,  # a live stream sends the state it opens on, then ends (tests read it whole)
        # one process: the stamp files on both test databases (tests/test_results_signal.py runs the database's
        # signal between real processes)
        results_signal="files",
        # uploads made in the request on both databases, so a test reads its images at once (tests/entries/
        # test_held.py and the benchmark run the jobs)
        media_work="request",
        **storage_settings,
    )


@pytest.fixture
def app(settings: Settings, db: str):
    return create_app(settings, manage_database=False)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """`at(moment)` stops the application's clock at `moment` for the rest of the test."""

    def freeze(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return freeze
