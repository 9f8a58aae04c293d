"""Plain SQL reads for what every request or every judge's page runs.

Tortoise spends 0.2-0.4 ms of CPU building each query with pypika (and more with `select_related`),
several times the database's own work (~0.05 ms here). The session lookup runs on every request and
a judge's queue page runs five queries, so those are written once in SQL with `?` marks (numbered
for PostgreSQL) and read into dicts or, where callers need one, into the model Tortoise would build.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from tortoise.connection import get_connection
from tortoise.models import Model

M = TypeVar("M", bound=Model)

_MARK = re.compile(r"\?")


@functools.lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    numbers = itertools.count(1)
    return _MARK.sub(lambda _: f"${next(numbers)}", sql)


def placeholders(values: Sequence[object]) -> str:
    """`?, ?, ?` for an IN list of these values."""
    return ", ".join("?" for _ in values)


async def select(sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
    connection = get_connection("default")
    if connection.capabilities.dialect == "postgres":
        sql = _numbered(sql)
    return await connection.execute_query_dict(sql, list(params))


def model_from_row(model: type[M], row: Mapping[str, Any]) -> M:
    """The instance Tortoise's own executor builds from a whole row of the model's table (`SELECT t.*`),
    column values converted by each field; it saves and deletes like one fetched through the ORM."""
    return model._init_from_db(**row)


def take_prefixed(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Remove the `prefix`ed columns (extra columns beside a `t.*`) from `row` and return them unprefixed."""
    return {key[len(prefix):]: row.pop(key) for key in [k for k in row if k.startswith(prefix)]}
