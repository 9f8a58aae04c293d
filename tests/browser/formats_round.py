"""Close the demo's open contest and open a round that holds one entry, for the entry-formats browser test:
what an organiser does in the console (tested on its own in test_console_rounds), done here in a second.

`python -m tests.browser.formats_round <entry number>` works on the database named by CONTEST_DATABASE_URL
(the live server's), with the same domain functions the console calls.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
from datetime import timedelta

from tortoise import Tortoise

from contest import clock
from contest.accounts.models import User
from contest.contests.models import Contest
from contest.db import settings_config
from contest.entries.models import Entry
from contest.judging import round_assignments, round_entries
from contest.judging.models import Criterion, Panel, PanelMember, Round, RoundEntry, RoundKind
from contest.settings import load_settings
from tests.browser.helpers import JUDGE, ORGANISER


async def open_round_for(number: str) -> str:
    """The entry's alias in a round opened a minute ago, judged by the demo judge alone."""
    now = clock.now()
    entry = await Entry.get(number=number)
    await Contest.filter(id=entry.contest_id).update(submissions_close_at=now - timedelta(minutes=2))
    round_ = await Round.create(contest_id=entry.contest_id, kind=RoundKind.PRELIMINARY, name="格式初评", position=1,
                                opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=3),
                                secret=secrets.token_hex(16))
    await Criterion.create(round=round_, name="创意", position=0)
    panel = await Panel.create(round=round_, name="全体评委", track_id=entry.track_id)
    await PanelMember.create(panel=panel, judge=await User.get(email=JUDGE[0]))
    await round_entries.open_round_entries(round_, now=now)
    await round_assignments.assign_round(round_, by=await User.get(email=ORGANISER[0]), now=now)
    return (await RoundEntry.get(round=round_, entry=entry)).alias


async def main(number: str) -> None:
    await Tortoise.init(config=settings_config(load_settings()), _enable_global_fallback=True)
    try:
        print(await open_round_for(number))
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
