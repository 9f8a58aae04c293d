"""PostgreSQL helpers for tests: a throwaway database per run on the server the URL names."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def create_database(base_url: str, name: str) -> str:
    connection = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return with_database(base_url, name)


async def drop_database(base_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    connection = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def reachable(base_url: str) -> bool:
    try:
        connection = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1), timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True
