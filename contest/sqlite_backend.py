"""Tortoise's SQLite client with transactions that take the write lock when they begin.

Two processes write to one SQLite file: the web server and the outbox sender beside it. Tortoise opens a
transaction with a plain BEGIN, which locks nothing until the first write. When the sender commits between
a transaction's first read and its first write, SQLite refuses the write at once with "database is locked"
(the transaction's snapshot is stale; the busy timeout does not apply), and the organiser sees an error
page. BEGIN IMMEDIATE takes the write lock first, waiting up to busy_timeout for the sender to finish, so a
transaction that reads then writes goes through. SQLite runs one writer at a time anyway.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class _WriteReadyTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class WriteReadySqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_WriteReadyTransaction(self), self._lock)


client_class = WriteReadySqliteClient
