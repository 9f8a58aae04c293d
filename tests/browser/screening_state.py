"""The state of the screening browser test: a contest open for submissions with two entries its designer
submitted, and its organiser.

`python -m tests.browser.screening_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from datetime import datetime

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.accounts.passwords import hash_password
from contest.contests.models import Contest
from tests.browser.states import DAY, account, fill, state_store, submitted_entries
from tests.factories import make_track

PASSWORD = "screening-test-2026"
ORGANISER = "organiser@screening.test"
SLUG = "screening-a"


async def build(now: datetime) -> None:
    hashed = await hash_password(PASSWORD)
    organiser = await account(ORGANISER, "组委会", hashed, staff=True)
    designer = await account("designer@screening.test", "设计者", hashed)
    contest = await Contest.create(slug=SLUG, title="工会文创设计大赛", is_published=True,
                                   submissions_open_at=now - 20 * DAY, submissions_close_at=now + 10 * DAY,
                                   announce_at=now + 40 * DAY)
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    track = await make_track(contest, slug="ip", name="工运IP赛道", position=1, min_width=100, min_height=100)
    await submitted_entries(contest, track, designer, ["铆钉小匠", "纺织姐妹"], store=state_store(),
                            at=now - 7 * DAY)


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
