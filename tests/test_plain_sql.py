"""Plain SQL reads: the same rows on both databases; on SQLite, a reader that never hides a write."""

from __future__ import annotations

import sqlite3

import pytest
from tortoise.transactions import in_transaction

from contest import plain_sql
from contest.accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.unit


async def emails() -> list[str]:
    return [r["email"] for r in await plain_sql.select('SELECT "email" FROM "user" ORDER BY "id"')]


async def test_a_committed_write_is_read_at_once(db):
    assert await emails() == []
    user = await make_user(email="a@example.org")
    assert await emails() == ["a@example.org"]
    await User.filter(id=user.id).update(email="b@example.org")
    assert await emails() == ["b@example.org"]


async def test_a_read_inside_a_transaction_sees_its_own_uncommitted_writes(db):
    async with in_transaction():
        await make_user(email="inside@example.org")
        assert await emails() == ["inside@example.org"]
    assert await emails() == ["inside@example.org"]


async def test_a_write_rolled_back_is_never_read(db):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon):  # noqa: PT012 - the error raised inside the transaction is what rolls it back
        async with in_transaction():
            await make_user(email="gone@example.org")
            raise Abandon()
    assert await emails() == []


async def test_the_row_becomes_the_model_the_orm_would_build(db):
    made = await make_user(email="model@example.org", display_name="张三")
    [row] = await plain_sql.select('SELECT * FROM "user" WHERE "id" = ?', [made.id])
    built = plain_sql.model_from_row(User, row)
    fetched = await User.get(id=made.id)
    columns = User._meta.db_fields
    assert {f: getattr(built, f) for f in columns} == {f: getattr(fetched, f) for f in columns}
    built.display_name = "李四"
    await built.save()  # an update of the row, not a second user
    assert [u.display_name for u in await User.all()] == ["李四"]


async def test_a_busy_sqlite_reader_falls_back_to_the_orm_connection(db, database, monkeypatch):
    if not database.startswith("sqlite"):
        pytest.skip("the SQLite reader is not used on PostgreSQL")
    await make_user(email="busy@example.org")

    def busy(*_: object) -> None:
        error = sqlite3.OperationalError("database is locked")
        error.sqlite_errorcode = sqlite3.SQLITE_BUSY
        raise error

    monkeypatch.setattr(plain_sql._SQLITE_READER, "select", busy)
    assert await emails() == ["busy@example.org"]


async def test_the_sqlite_reader_refuses_writes(db, database):
    if not database.startswith("sqlite"):
        pytest.skip("the SQLite reader is not used on PostgreSQL")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await plain_sql.select("DELETE FROM \"user\"")
