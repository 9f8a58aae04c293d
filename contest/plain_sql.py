"""Plain SQL reads for what every request or every judge's page runs.

Tortoise spends 0.2-0.4 ms of CPU building each query with pypika (and more with `select_related`),
several times the database's own work (~0.05 ms here). The session lookup runs on every request and
a judge's queue page runs five queries, so those are written once in SQL with `?` marks (numbered
for PostgreSQL) and read into dicts or, where callers need one, into the model Tortoise would build.

On SQLite these small indexed reads run on the event loop's thread through a read-only connection of
their own. Through Tortoise's aiosqlite connection each read is a hop to its worker thread and back,
~0.1 ms of CPU under load, more than the read itself: the queue page went from 1.0-1.1 to 0.7-0.8 ms
of CPU per request. WAL lets this reader see every committed write without waiting for writers; a
read inside a transaction, or one SQLite answers "busy", goes through Tortoise's connection as before.
"""

from __future__ import annotations

import functools
import itertools
import re
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from tortoise.connection import get_connection
from tortoise.models import Model

from contest.sqlite_backend import WriteReadySqliteClient

M = TypeVar("M", bound=Model)

_MARK = re.compile(r"\?")
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


@functools.lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    numbers = itertools.count(1)
    return _MARK.sub(lambda _: f"${next(numbers)}", sql)


def placeholders(values: Sequence[object]) -> str:
    """`?, ?, ?` for an IN list of these values."""
    return ", ".join("?" for _ in values)


async def select(sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
    """Rows as dicts. Keep these reads small: on SQLite they hold the event loop while they run."""
    connection = get_connection("default")
    if connection.capabilities.dialect == "postgres":
        sql = _numbered(sql)
    elif type(connection) is WriteReadySqliteClient and connection.filename != ":memory:":  # not in a transaction
        try:
            rows = _SQLITE_READER.select(connection.filename, sql, params)
            connection.log.debug("%s: %s", sql, params)  # as Tortoise logs its statements
            return rows
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF not in _BUSY:
                raise
            # wait in line on Tortoise's connection instead
    return await connection.execute_query_dict(sql, list(params))


class _SqliteReader:
    """One read-only connection per process, to the database file Tortoise uses now."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.connection: sqlite3.Connection | None = None

    def select(self, path: str, sql: str, params: Sequence[object]) -> list[dict[str, Any]]:
        if self.connection is None or self.path != path:
            self.close()
            # timeout=0: never block the event loop waiting for a lock; the caller falls back instead.
            self.connection = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
            self.connection.row_factory = sqlite3.Row
            self.connection.execute("PRAGMA query_only = ON")
            self.path = path
        return [dict(row) for row in self.connection.execute(sql, list(params)).fetchall()]

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection, self.path = None, None


_SQLITE_READER = _SqliteReader()


def close_sqlite_reader() -> None:
    """Called when the app stops, beside Tortoise's own connections."""
    _SQLITE_READER.close()


def model_from_row(model: type[M], row: Mapping[str, Any]) -> M:
    """The instance Tortoise's own executor builds from a whole row of the model's table (`SELECT t.*`),
    column values converted by each field; it saves and deletes like one fetched through the ORM."""
    return model._init_from_db(**row)


def take_prefixed(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Remove the `prefix`ed columns (extra columns beside a `t.*`) from `row` and return them unprefixed."""
    return {key[len(prefix):]: row.pop(key) for key in [k for k in row if k.startswith(prefix)]}
