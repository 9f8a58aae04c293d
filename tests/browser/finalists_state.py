"""A small state for the finalists' browser test: a contest whose second round sent two of four entries to the
final, with a finalists' slot and a sample asked (tests/finalists/helpers.py), its organiser and the first
finalist's designer able to sign in.

`python -m tests.browser.finalists_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind, User
from tests.browser.states import fill
from tests.factories import PASSWORD
from tests.finalists.helpers import final_world

ORGANISER = "organiser@finals.test"
FINALIST = "finalist@finals.test"
SLUG = "finals-a"


async def build() -> None:
    world = await final_world(now=clock.now(), slug=SLUG, time_zone="Asia/Shanghai")
    await User.filter(id=world.organiser.id).update(email=ORGANISER)
    await User.filter(id=world.entries[0].owner_id).update(email=FINALIST)
    await ContestRole.create(contest=world.contest, user=world.organiser, role=ContestRoleKind.ORGANISER)


if __name__ == "__main__":
    fill(build)


__all__ = ["FINALIST", "ORGANISER", "PASSWORD", "SLUG"]
