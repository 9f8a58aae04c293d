"""The database half of a backup: SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore.

Both are safe while the app serves: SQLite's backup copies every page inside one read transaction (WAL lets the
app keep writing), and pg_dump reads one snapshot of a repeatable-read transaction.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote, urlsplit

import asyncpg

from contest.i18n import N_
from contest.settings import Settings

DUMP_FILES = {"sqlite": "database.sqlite3", "postgres": "database.pgdump"}

PG_TOOL_MISSING = N_("{tool} was not found: install PostgreSQL's client programs (on Debian: apt install "
                     "postgresql-client), of the server's version {server} or newer.")
PG_TOOL_OLD = N_("{tool} is version {client}, older than the database server's version {server}: install "
                 "PostgreSQL's client programs of version {server} or newer.")
PG_TOOL_FAILED = N_("{tool} failed: {detail}")
DATABASE_UNREACHABLE = N_("Cannot open the database {where}: {detail}")
DATABASE_NOT_EMPTY = N_("The database {where} already holds tables. Restore only into an empty installation: a new "
                        "SQLite file, or a newly created PostgreSQL database.")


class BackupRefused(Exception):
    """A backup or restore that must not go on; ``message`` is an English msgid, said in the operator's language."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


def engine(settings: Settings) -> str:
    return "sqlite" if settings.uses_sqlite else "postgres"


async def dump_database(settings: Settings, folder: Path) -> Path:
    """Write a consistent copy of the database into ``folder``; returns the file."""
    target = folder / DUMP_FILES[engine(settings)]
    if settings.uses_sqlite:
        await asyncio.to_thread(_copy_sqlite, _sqlite_path(settings), target)
    else:
        env = await _pg_tool_env(settings, "pg_dump")
        await _run_pg_tool(["pg_dump", "--format=custom", f"--file={target}"], env)
    return target


async def require_empty_database(settings: Settings) -> None:
    if settings.uses_sqlite:
        path = _sqlite_path(settings)
        tables = await asyncio.to_thread(_sqlite_tables, path) if path.exists() else 0
    else:
        tables = await _pg_fetch(settings, "SELECT count(*) FROM pg_tables "
                                           "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
    if tables:
        raise BackupRefused(DATABASE_NOT_EMPTY, where=_where(settings))


async def load_database(settings: Settings, dump: Path) -> None:
    """Rebuild the (empty) database from ``dump``, which the caller has checked against its hash."""
    if settings.uses_sqlite:
        await asyncio.to_thread(_place_sqlite, dump, _sqlite_path(settings))
        return
    env = await _pg_tool_env(settings, "pg_restore")
    await _run_pg_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                        f"--dbname={env['PGDATABASE']}", str(dump)], env)


# --- SQLite ---------------------------------------------------------------------------------------------------------


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.split("://", 1)[1])


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.exists():  # connecting would create an empty database where the operator expects theirs
        raise BackupRefused(DATABASE_UNREACHABLE, where=source, detail="no such file")
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
        # one self-contained file (no -wal beside it); the app turns WAL back on when it opens the restored file
        copy.execute("PRAGMA journal_mode=DELETE")
        if copy.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupRefused(PG_TOOL_FAILED, tool="sqlite3 backup", detail="the copy fails its quick_check")


def _sqlite_tables(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]


def _place_sqlite(dump: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (target, target.with_name(f"{target.name}-wal"), target.with_name(f"{target.name}-shm")):
        leftover.unlink(missing_ok=True)  # an empty database's files (require_empty_database said so)
    partial = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(dump, partial)
    with partial.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(partial, target)


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


def _pg_params(settings: Settings) -> dict[str, str]:
    """Connection parameters from the URL (its query holds Tortoise's pool options, which libpq would refuse)."""
    url = urlsplit(settings.database_url)
    return {"host": url.hostname or "localhost", "port": str(url.port or 5432), "user": unquote(url.username or ""),
            "password": unquote(url.password or ""), "database": url.path.lstrip("/")}


def _where(settings: Settings) -> str:
    if settings.uses_sqlite:
        return str(_sqlite_path(settings))
    params = _pg_params(settings)  # never the password
    return f"postgres://{params['user']}@{params['host']}:{params['port']}/{params['database']}"


async def _pg_fetch(settings: Settings, sql: str) -> int:
    params = _pg_params(settings)
    try:
        connection = await asyncpg.connect(host=params["host"], port=int(params["port"]), user=params["user"],
                                           password=params["password"] or None, database=params["database"],
                                           timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise BackupRefused(DATABASE_UNREACHABLE, where=_where(settings), detail=exc) from exc
    try:
        return int(await connection.fetchval(sql))
    finally:
        await connection.close()


async def _pg_tool_env(settings: Settings, tool: str) -> dict[str, str]:
    """The environment for a client program (the password stays out of its command line), once it is known to be
    there and not older than the server: an older pg_dump refuses a newer server, and pg_restore its archives."""
    server = await _pg_fetch(settings, "SELECT current_setting('server_version_num')::int") // 10000
    if shutil.which(tool) is None:
        raise BackupRefused(PG_TOOL_MISSING, tool=tool, server=server)
    client = _major_version(await _run_pg_tool([tool, "--version"], dict(os.environ)))
    if client < server:
        raise BackupRefused(PG_TOOL_OLD, tool=tool, client=client, server=server)
    params = _pg_params(settings)
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "database": "PGDATABASE"}
    return {**os.environ, **{names[key]: value for key, value in params.items() if value}}


def _major_version(banner: str) -> int:
    found = re.search(r"\)\s+(\d+)", banner)  # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    return int(found.group(1)) if found else 0


async def _run_pg_tool(command: list[str], env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(*command, env=env, stdin=asyncio.subprocess.DEVNULL,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise BackupRefused(PG_TOOL_FAILED, tool=command[0], detail=err.decode(errors="replace").strip())
    return out.decode()
