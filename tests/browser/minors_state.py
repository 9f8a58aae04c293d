"""The state of the minors' browser test: a school contest open for submissions that accepts entrants under 14,
and a pupil's draft with its title and concept written.

`python -m tests.browser.minors_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from datetime import datetime

from contest import clock
from contest.accounts.passwords import hash_password
from contest.contests.models import Contest
from contest.entries.models import Entry
from tests.browser.states import DAY, account, fill
from tests.factories import make_track

PASSWORD = "minors-test-2026"
DESIGNER = "pupil@minors.test"
TITLE = "我的铆钉小精灵"


async def build(now: datetime) -> None:
    pupil = await account(DESIGNER, "张小明", await hash_password(PASSWORD))
    contest = await Contest.create(slug="school-2026", title="中小学工运文创大赛", is_published=True, accepts_minors=True,
                                   submissions_open_at=now - DAY, submissions_close_at=now + 10 * DAY,
                                   announce_at=now + 40 * DAY)
    track = await make_track(contest, slug="draw", name="绘画赛道", position=1, min_images=0)
    await Entry.create(contest=contest, track=track, owner=pupil, title=TITLE, concept="一个会修铆钉的小精灵。",
                       public_name="张小明", school="杨浦区实验小学")


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
