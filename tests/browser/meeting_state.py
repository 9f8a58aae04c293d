"""The state of the meeting browser test: a final round open now with three entries taken in and assigned
to a panel of three judges, grades with one seat each, and the announcement left to the ceremony's press
(no announcement time).

`python -m tests.browser.meeting_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from datetime import datetime

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.accounts.passwords import hash_password
from contest.contests.models import AwardTier, Contest
from contest.entries.models import Entry
from contest.media.storage import Storage
from tests.browser.states import DAY, account, fill, open_round, state_store, submitted_entries
from tests.factories import make_track

PASSWORD = "meeting-test-2026"
CHAIR = "chair@meeting.test"
JUDGES = {"j1": "王教授", "j2": "李设计师", "j3": "赵主席"}
TITLES = ["铆钉小匠", "纺织姐妹", "弄堂饭盒"]
SLUG = "meeting-a"


def judge_email(key: str) -> str:
    return f"{key}@jury.meeting.test"


async def _entries(contest: Contest, designer: User, store: Storage, now: datetime) -> list[Entry]:
    track = await make_track(contest, slug="ip", name="工运IP赛道", position=1, min_width=100, min_height=100)
    for name, rank in (("一等奖", 1), ("二等奖", 2), ("三等奖", 3)):
        await AwardTier.create(contest=contest, track=track, name=name, rank=rank, quota=1)
    return await submitted_entries(contest, track, designer, TITLES, store=store, at=now - 7 * DAY)


async def build(now: datetime) -> None:
    store = state_store()
    hashed = await hash_password(PASSWORD)
    chair = await account(CHAIR, "组委会秘书长", hashed, staff=True)
    judges = {key: await account(judge_email(key), name, hashed) for key, name in JUDGES.items()}
    designer = await account("designer@meeting.test", "设计者", hashed)
    contest = await Contest.create(slug=SLUG, title="工会文创设计大赛", is_published=True,
                                   submissions_open_at=now - 20 * DAY, submissions_close_at=now - 2 * DAY,
                                   announce_by_press=True, host_bodies="市总工会")  # the ceremony's press announces
    await ContestRole.create(contest=contest, user=chair, role=ContestRoleKind.ORGANISER)
    for judge in judges.values():
        await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    await _entries(contest, designer, store, now)
    await open_round(contest, list(judges.values()), by=chair, now=now)


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
