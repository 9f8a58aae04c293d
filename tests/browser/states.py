"""What the browser tests' own small states share: filling the database a server will serve, and its accounts.

A state module (`python -m tests.browser.<name>_state`) builds rows through the domain services; `fill`
migrates the database CONTEST_DATABASE_URL names and runs the build in it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tortoise import Tortoise

from contest.accounts.models import EntrantProfile, User
from contest.db import apply_migrations, settings_config
from contest.settings import load_settings


def fill(build: Callable[[], Awaitable[None]]) -> None:
    async def run() -> None:
        settings = load_settings()
        await apply_migrations(settings)
        await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
        try:
            await build()
        finally:
            await Tortoise.close_connections()

    asyncio.run(run())


async def account(email: str, name: str, password_hash: str, *, staff: bool = False) -> User:
    """A user who can log in with the password behind `password_hash`, with the profile every account has."""
    user = await User.create(email=email, display_name=name, password_hash=password_hash, is_staff=staff)
    await EntrantProfile.create(user=user)
    return user
