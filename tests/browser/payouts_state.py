"""The state of the payouts' browser test, built without the demo: last year's contest announced a day ago, its
一等奖 carrying a prize of 8,000 yuan, payouts open until 30 days from now at the default 20 %; one winner, who has
given nothing yet, and the contest's organiser.

`python -m tests.browser.payouts_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from datetime import datetime

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.accounts.passwords import hash_password
from contest.contests.models import AwardTier, Contest
from contest.entries.models import Entry
from contest.entries.states import EntryState
from contest.results.models import Award, AwardStatus
from tests.browser.states import DAY, account, fill
from tests.factories import make_track

PASSWORD = "payouts-test-2026"
WINNER, ORGANISER = "winner@payouts.test", "organiser@payouts.test"
SLUG, NUMBER, TITLE, TRACK = "renmin-2025", "RM25-01-0001", "小工匠·阿铆", "工运IP赛道"
PRIZE_YUAN = 8000


async def build(now: datetime) -> None:
    hashed = await hash_password(PASSWORD)
    winner = await account(WINNER, "陈晓雯", hashed)
    organiser = await account(ORGANISER, "组委会秘书处", hashed)
    contest = await Contest.create(slug=SLUG, title="「人民城市 百年工运」文创设计大赛 2025", is_published=True,
                                   submissions_open_at=now - 90 * DAY, submissions_close_at=now - 60 * DAY,
                                   announce_at=now - DAY, payouts_open=True, payout_deadline=now + 30 * DAY)
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    track = await make_track(contest, slug="ip", name=TRACK, position=1)
    tier = await AwardTier.create(contest=contest, track=track, name="一等奖", rank=1, prize_fen=PRIZE_YUAN * 100)
    entry = await Entry.create(contest=contest, track=track, owner=winner, title=TITLE, concept="一颗铆钉成了精。",
                               public_name="陈晓雯", number=NUMBER, state=EntryState.SUBMITTED,
                               submitted_at=now - 70 * DAY)
    await Award.create(contest=contest, tier=tier, entry=entry, status=AwardStatus.CONFIRMED, decided_at=now - 5 * DAY)


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
