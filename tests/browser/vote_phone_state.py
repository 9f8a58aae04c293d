"""The state of the phone vote's browser test, built without the demo:

- vote-phone: a published contest whose final round (and so its popular vote) is open now, counting votes per
  phone number, with three finalists from the demo's 文创IP track, each with a picture.

`python -m tests.browser.vote_phone_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from datetime import datetime

from contest import clock, demo
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.accounts.passwords import hash_password
from contest.contests.models import Contest
from tests.browser.states import DAY, account, fill, open_round, state_store, submitted_entries
from tests.factories import make_track

SLUG = "vote-phone"


async def build(now: datetime) -> None:
    hashed = await hash_password("vote-phone-2026")
    organiser = await account("organiser@vote.test", "组委会秘书处", hashed)
    judge = await account("judge@vote.test", "评委", hashed)
    designer = await account("designer@vote.test", "设计者", hashed)
    contest = await Contest.create(slug=SLUG, title="人民城市 百年工运 2026", is_published=True,
                                   submissions_open_at=now - 60 * DAY, submissions_close_at=now - 30 * DAY,
                                   announce_at=now + 20 * DAY, popular_vote_enabled=True, popular_vote_daily_quota=2,
                                   popular_vote_phone=True)
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    spec = demo.TRACKS[0]
    track = await make_track(contest, slug=spec["slug"], name=spec["name"], name_en=spec["name_en"],
                             min_width=100, min_height=100)
    await submitted_entries(contest, track, designer, spec["titles"][:3], store=state_store(), at=now - 50 * DAY,
                            art=spec["art"], seed=2026_017)
    await open_round(contest, [judge], by=organiser, now=now)


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
