"""The state of the ceremony browser test, built without the demo:

- ceremony-a: an edition waiting for its ceremony (no announcement time, the 公布 press as its mode), the demo's
  first two tracks with three grades each and their twelve entries as confirmed winners with demo pictures
  (the docs' screenshot shows one), a 网络人气奖 that nobody holds;
- a 「匠心校园」 contest whose preliminary round is open now, its two entries assigned to one judge.

`python -m tests.browser.ceremony_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from datetime import datetime

from contest import clock, demo
from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.accounts.passwords import hash_password
from contest.contests.models import AwardTier, Contest
from contest.entries.models import Entry
from contest.media.storage import Storage
from contest.results.models import Award, AwardStatus
from tests.browser.states import DAY, account, fill, open_round, state_store, submitted_entries
from tests.factories import make_track
from tests.results.gallery_builders import tiers_for

PASSWORD = "ceremony-test-2026"
ORGANISER = "organiser@ceremony.test"
JUDGE = "judge@jury.ceremony.test"  # not the designer's e-mail domain: that would be a conflict
SLUG = "ceremony-a"


async def _press_edition(organiser: User, designer: User, store: Storage, now: datetime) -> None:
    contest = await Contest.create(slug=SLUG, title="人民城市 百年工运 2025", is_published=True,
                                   submissions_open_at=now - 60 * DAY, submissions_close_at=now - 30 * DAY,
                                   announce_by_press=True)
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await AwardTier.create(contest=contest, name="网络人气奖", rank=5, is_special=True)
    for position, spec in enumerate(demo.TRACKS[:2], start=1):
        track = await make_track(contest, slug=spec["slug"], name=spec["name"], position=position, min_width=100,
                                 min_height=100)
        places = [tier for tier in await tiers_for(contest, track) for _ in range(tier.rank)]  # 1, 2 and 3 winners
        entries = await submitted_entries(contest, track, designer, spec["titles"], store=store,
                                          at=now - 50 * DAY, art=spec["art"], seed=2025_000 + 10 * position)
        for n, (entry, tier) in enumerate(zip(entries, places, strict=True)):
            await Entry.filter(id=entry.id).update(public_name=demo.DESIGNERS[(n + position) % 6][1])
            await Award.create(contest=contest, tier=tier, entry=entry, status=AwardStatus.CONFIRMED)


async def _judging(organiser: User, judge: User, designer: User, store: Storage, now: datetime) -> None:
    contest = await Contest.create(slug="campus-a", title="「匠心校园」工会文创设计大赛", is_published=True,
                                   submissions_open_at=now - 20 * DAY, submissions_close_at=now - 2 * DAY,
                                   announce_at=now + 30 * DAY)
    await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    track = await make_track(contest, slug="ip", name="工运IP赛道", position=1, min_width=100, min_height=100)
    await submitted_entries(contest, track, designer, ["铆钉小匠", "纺织姐妹"], store=store, at=now - 7 * DAY)
    await open_round(contest, [judge], by=organiser, now=now, kind="preliminary", name="初评")


async def build(now: datetime) -> None:
    store = state_store()
    hashed = await hash_password(PASSWORD)
    organiser = await account(ORGANISER, "大会主持", hashed, staff=True)
    judge = await account(JUDGE, "王教授", hashed)
    designer = await account("designer@ceremony.test", "设计者", hashed)
    await _press_edition(organiser, designer, store, now)
    await _judging(organiser, judge, designer, store, now)


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
