"""Database configuration: the model modules under one app label, SQLite pragmas, migrations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

from contest.settings import Settings, load_settings

MODEL_MODULES = [
    "contest.accounts.models",
    "contest.contests.models",
    "contest.entries.models",
    "contest.judging.models",
    "contest.finalists.models",
    "contest.results.models",
    "contest.meeting.models",
    "contest.audit.models",
    "contest.notifications.models",
]

# Durability first: every acknowledged write survives a crash (docs/stack.md, "SQLite").
SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "synchronous": "FULL",
    "busy_timeout": 5000,
    "foreign_keys": "ON",
}


class PooledConnection(asyncpg.Connection):
    """asyncpg resets each connection it takes back into its pool with a round trip of its own
    (unlock advisory locks, CLOSE ALL, UNLISTEN, RESET ALL): half of all round trips, since Tortoise
    takes a connection from the pool for every query outside a transaction. Nothing here leaves such
    state behind (advisory locks are transaction-scoped; no LISTEN, SET or WITH HOLD cursor), so the
    reset is skipped; asyncpg still rolls back a transaction left open."""

    def get_reset_query(self) -> str:
        return ""


def connection_config(database_url: str) -> dict[str, Any]:
    if not database_url.startswith("sqlite"):
        config = expand_db_url(database_url)
        if config["engine"] == "tortoise.backends.asyncpg":
            config["credentials"]["connection_class"] = PooledConnection
        return config
    path = database_url.split("://", 1)[1]
    return {"engine": "contest.sqlite_backend", "credentials": {"file_path": path, **SQLITE_PRAGMAS}}


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "contest.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def settings_config(settings: Settings) -> dict[str, Any]:
    if settings.uses_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return tortoise_config(settings.database_url)


def __getattr__(name: str) -> Any:
    # The `tortoise` CLI reads TORTOISE_ORM ([tool.tortoise]); built lazily so importing is free.
    if name == "TORTOISE_ORM":
        return settings_config(load_settings())
    raise AttributeError(name)


async def sqlite_pragmas() -> dict[str, object]:
    """The pragmas the live SQLite connection actually runs with."""
    from tortoise.connection import get_connection

    connection = get_connection("default")
    values = {}
    for name in SQLITE_PRAGMAS:
        _, rows = await connection.execute_query(f"PRAGMA {name}")
        values[name] = next(iter(dict(rows[0]).values()))
    return values


EXPECTED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 5000, "foreign_keys": 1}


async def check_sqlite_pragmas() -> None:
    actual = await sqlite_pragmas()
    wrong = {k: v for k, v in actual.items() if v != EXPECTED_PRAGMAS[k]}
    if wrong:
        raise RuntimeError(f"SQLite is not running with the durability pragmas: {wrong}")


async def apply_migrations(settings: Settings) -> None:
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate

    try:
        await migrate(config=settings_config(settings))
    finally:
        await Tortoise.close_connections()


@dataclass(frozen=True)
class MigrationState:
    pending: list[str]  # files not applied yet: `contest migrate` applies them
    unknown: list[str]  # applied, but no such file: the database is newer than this code


async def migration_state(settings: Settings) -> MigrationState:
    """Compare the migrations Tortoise recorded as applied with the files under contest/migrations."""
    from tortoise.connection import get_connection
    from tortoise.migrations.loader import MigrationLoader
    from tortoise.migrations.recorder import MigrationRecorder

    apps = settings_config(settings)["apps"]
    loader = MigrationLoader(apps, MigrationRecorder(get_connection("default")))
    await loader.build_graph()
    on_disk, applied = set(loader.disk_migrations), loader.applied_migrations
    return MigrationState(pending=sorted(key.name for key in on_disk - applied),
                          unknown=sorted(key.name for key in applied - on_disk))
