"""The state of the 公示 browser test, built without the demo:

- notice-a: the demo's three tracks with 一等奖 (1) and 二等奖 (2) each, their nine entries as confirmed winners with
  a demo picture, and 网络人气奖, the special award across tracks, held by the 潮玩老字号 track's 一等奖 as well:
  ten awards for nine entries. Its approved notice started an hour ago and lasts a day; the test shortens it.

`python -m tests.browser.notice_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from contest import clock, demo
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.accounts.passwords import hash_password
from contest.contests.models import AwardTier, Contest
from contest.results import notice
from contest.results.models import Award, AwardStatus
from tests.browser.states import DAY, account, fill, state_store, submitted_entries
from tests.factories import make_track
from tests.results.gallery_builders import tiers_for

PASSWORD = "notice-test-2026"
ORGANISER = "organiser@notice.test"
SLUG = "notice-a"
SPECIAL_HOLDER = demo.TRACKS[2]["titles"][0]  # 大白兔·劳动最光荣, the 潮玩老字号 track's 一等奖


async def build(now: datetime) -> None:
    store = state_store()
    hashed = await hash_password(PASSWORD)
    organiser = await account(ORGANISER, "组委会秘书处", hashed, staff=True)
    designer = await account("designer@notice.test", "设计者", hashed)
    contest = await Contest.create(slug=SLUG, title="人民城市 百年工运 2026", is_published=True,
                                   submissions_open_at=now - 60 * DAY, submissions_close_at=now - 30 * DAY,
                                   notice_starts_at=now - timedelta(hours=1), notice_days=1,
                                   announce_at=now + 10 * DAY)
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    popular = await AwardTier.create(contest=contest, name="网络人气奖", name_en="Popular vote award", rank=5,
                                     is_special=True)
    for position, spec in enumerate(demo.TRACKS, start=1):
        track = await make_track(contest, slug=spec["slug"], name=spec["name"], name_en=spec["name_en"],
                                 position=position, min_width=100, min_height=100)
        places = [tier for tier in await tiers_for(contest, track, names=("一等奖", "二等奖")) for _ in range(tier.rank)]
        entries = await submitted_entries(contest, track, designer, spec["titles"][:3], store=store,
                                          at=now - 50 * DAY, art=spec["art"], seed=2026_000 + 10 * position)
        for entry, tier in zip(entries, places, strict=True):
            await Award.create(contest=contest, tier=tier, entry=entry, status=AwardStatus.CONFIRMED)
            if entry.title == SPECIAL_HOLDER:
                await Award.create(contest=contest, tier=popular, entry=entry, status=AwardStatus.CONFIRMED)
    shown = await notice.current(contest)
    await notice.save_notice(contest, kind=shown.kind.value, title=shown.title, body_md=shown.body_md, by=organiser,
                             now=now, approve=True)


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
