"""Turn the demo's announced edition back into one that waits for its ceremony: no announcement time, the
公布 press as its mode, awards confirmed as they are. What an organiser does on the settings page before
the results are out (tested on its own in tests/web/test_ceremony.py), done here in a second.

`python -m tests.browser.ceremony_state <slug>` works on the database named by CONTEST_DATABASE_URL (the live
server's), and tells the server's page cache, as the settings page would.
"""

from __future__ import annotations

import asyncio
import sys

from tortoise import Tortoise

from contest import cache_stamp
from contest.contests.models import Contest
from contest.db import settings_config
from contest.settings import load_settings


async def await_the_press(slug: str) -> None:
    contest = await Contest.get(slug=slug)
    await Contest.filter(id=contest.id).update(announce_at=None, announce_by_press=True)
    await cache_stamp.invalidate_results(contest.id)


async def main(slug: str) -> None:
    settings = load_settings()
    cache_stamp.configure(settings.data_dir)
    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    try:
        await await_the_press(slug)
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
