from __future__ import annotations

import asyncio
import os
import sqlite3
import threading

import pytest

from contest.db import EXPECTED_PRAGMAS, MODEL_MODULES, sqlite_pragmas
from tests import pg
from tests.commands import run_cli

pytestmark = pytest.mark.unit

PG_URL = os.environ.get("CONTEST_TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/test"
TABLES = {"contest", "track", "track_field", "award_tier", "terms_text", "user", "entrant_profile", "contest_role",
          "invitation", "session", "login_attempt", "entry", "team_member", "entry_image", "declaration",
          "reference_image", "round", "judge_group", "panel", "panel_member", "criterion", "round_entry",
          "assignment", "conflict", "score", "sample", "forfeit", "award", "notice", "objection", "voter", "vote",
          "meeting_session", "meeting_item", "meeting_rescore", "meeting_grade_vote", "meeting_grade_ballot",
          "audit_event", "outbox_message"}


async def test_live_sqlite_connection_uses_the_durability_pragmas(database):
    if not database.startswith("sqlite"):
        pytest.skip("this run uses PostgreSQL; the SQLite run checks the pragmas")
    assert await sqlite_pragmas() == EXPECTED_PRAGMAS


async def test_a_transaction_that_reads_then_writes_waits_for_the_other_process_instead_of_failing(db):
    """The outbox sender writes to the same SQLite file from its own process. A transaction that has read
    must not fail with "database is locked" when that process commits before the transaction's first write."""
    if not db.startswith("sqlite"):
        pytest.skip("this run uses PostgreSQL; the SQLite run checks SQLite's locking")
    from tortoise.transactions import in_transaction

    from contest.contests.models import Contest
    from tests.factories import make_contest

    contest = await make_contest(title="旧标题")
    about_to_write = threading.Event()

    def other_process_writes() -> None:
        with sqlite3.connect(db.split("://", 1)[1], timeout=30) as other:
            about_to_write.set()
            other.execute("UPDATE contest SET title = '新标题' WHERE id = ?", (contest.id,))

    async with in_transaction():
        assert (await Contest.get(id=contest.id)).title == "旧标题"
        writer = asyncio.create_task(asyncio.to_thread(other_process_writes))
        await asyncio.to_thread(about_to_write.wait, 30)
        await asyncio.sleep(0.2)  # the other write commits here unless this transaction already holds the lock
        await Contest.filter(id=contest.id).update(title_en="New title")
    await writer
    assert await Contest.filter(id=contest.id).values_list("title", "title_en") == [("新标题", "New title")]


@pytest.mark.any_database
def test_migrations_build_the_whole_schema_on_an_empty_sqlite_file(tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/fresh.sqlite3"}
    first = run_cli("migrate", env=env)
    second = run_cli("migrate", env=env)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    tables = sqlite3.connect(tmp_path / "fresh.sqlite3").execute("select name from sqlite_master where type='table'")
    names = {row[0] for row in tables}
    assert TABLES | {"tortoise_migrations"} <= names


@pytest.mark.any_database
def test_migrations_build_the_whole_schema_on_an_empty_postgres_database(tmp_path):
    if not asyncio.run(pg.reachable(PG_URL)):
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    url = asyncio.run(pg.create_database(PG_URL, f"contest_migrate_{os.getpid()}"))
    try:
        result = run_cli("migrate", env={"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
        names = asyncio.run(_pg_tables(url))
        assert TABLES | {"tortoise_migrations"} <= names
    finally:
        asyncio.run(pg.drop_database(PG_URL, url))


async def _pg_tables(url: str) -> set[str]:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await connection.fetch("select tablename from pg_tables where schemaname = 'public'")
    finally:
        await connection.close()
    return {row["tablename"] for row in rows}


def test_every_model_module_is_registered():
    from pathlib import Path

    found = {f"contest.{p.parent.name}.models" for p in Path("contest").glob("*/models.py")}
    assert found == set(MODEL_MODULES)
