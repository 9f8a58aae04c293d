from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts.sessions import IDLE, IDLE_WHILE_JUDGING
from contest.judging import presence
from tests.factories import NOW, make_contest, make_user
from tests.judging.helpers import make_round, panel_with, scoring_setup

pytestmark = pytest.mark.unit

HOUR = timedelta(hours=1)


async def test_a_judge_assigned_in_an_open_round_may_stay_idle_longer(db):
    round_, _, judge, _, _ = await scoring_setup(opens_at=NOW - HOUR, closes_at=NOW + HOUR)
    assert await presence.idle_limit(judge, NOW - HOUR) == IDLE_WHILE_JUDGING
    assert await presence.idle_limit(judge, NOW + HOUR - timedelta(seconds=1)) == IDLE_WHILE_JUDGING
    assert IDLE_WHILE_JUDGING == 4 * HOUR > IDLE[False]


async def test_before_the_round_opens_and_once_it_closes_the_judge_has_the_usual_limit(db):
    round_, _, judge, _, _ = await scoring_setup(opens_at=NOW - HOUR, closes_at=NOW + HOUR)
    assert await presence.idle_limit(judge, NOW - HOUR - timedelta(seconds=1)) == IDLE[False]
    assert await presence.idle_limit(judge, NOW + HOUR) == IDLE[False]


async def test_a_locked_round_no_longer_lengthens_the_limit(db):
    round_, _, judge, _, _ = await scoring_setup(opens_at=NOW - HOUR, closes_at=None)
    assert await presence.idle_limit(judge, NOW) == IDLE_WHILE_JUDGING
    round_.locked_at = NOW
    await round_.save()
    assert await presence.idle_limit(judge, NOW) == IDLE[False]


async def test_a_seat_on_an_open_rounds_panel_counts_without_an_assignment(db):
    round_ = await make_round(await make_contest(), opens_at=NOW - HOUR, closes_at=NOW + HOUR)
    judge, designer = await make_user(), await make_user()
    await panel_with(round_, [judge])
    assert await presence.idle_limit(judge, NOW) == IDLE_WHILE_JUDGING
    assert await presence.idle_limit(designer, NOW) == IDLE[False]


async def test_an_organiser_who_judges_gets_the_judges_limit_within_the_organisers_absolute_limit(db):
    _, _, judge, _, _ = await scoring_setup()
    judge.is_staff = True
    await judge.save()
    assert await presence.idle_limit(judge, NOW) == IDLE_WHILE_JUDGING
    assert await presence.idle_limit(await make_user(is_staff=True), NOW) == IDLE[True]
