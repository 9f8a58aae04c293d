"""Sessions over HTTP: a judge's longer idle limit while their round is open, and the keep-alive an open
scoring or meeting page sends (docs/security.md, "Sessions")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts import sessions
from contest.accounts.models import Session
from tests.factories import NOW, make_user, set_session_cookie
from tests.judging.helpers import scoring_setup

pytestmark = pytest.mark.web

JSON = {"accept": "application/json"}


async def signed_in(client, user, at) -> None:
    at(NOW)
    set_session_cookie(client, await sessions.start_session(user, now=NOW))


async def test_a_judge_idle_past_the_usual_limit_is_still_signed_in_while_the_round_is_open(client, at):
    round_, _, judge, _, _ = await scoring_setup()
    await signed_in(client, judge, at)
    at(NOW + timedelta(minutes=5))
    assert (await client.get(f"/judge/r/{round_.id}/AAA-BBB")).status_code == 200
    at(NOW + timedelta(minutes=5) + sessions.IDLE_WHILE_JUDGING - timedelta(seconds=1))
    assert (await client.get("/judge/")).status_code == 200
    assert (await Session.get(user_id=judge.id)).idle_seconds == sessions.IDLE_WHILE_JUDGING.total_seconds()


async def test_a_judge_of_no_open_round_keeps_the_usual_limit(client, at):
    round_, _, judge, _, _ = await scoring_setup(opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=2))
    await signed_in(client, judge, at)
    at(NOW + timedelta(minutes=5))
    assert (await client.get("/judge/")).status_code == 200
    at(NOW + timedelta(minutes=5) + sessions.IDLE[False])
    answer = await client.get("/judge/")
    assert (answer.status_code, answer.headers["location"]) == (303, "http://testserver/account/login?next=%2Fjudge%2F")


async def test_the_keep_alive_refreshes_activity_up_to_the_absolute_limit_and_no_further(client, at):
    designer = await make_user()
    await signed_in(client, designer, at)
    ends = NOW + sessions.ABSOLUTE[False]
    for minutes in range(50, 12 * 60, 50):
        at(NOW + timedelta(minutes=minutes))
        answer = await client.get("/account/keep-alive", headers=JSON)
        assert (answer.status_code, answer.json()) == (200, {"ends_in": (ends - NOW).total_seconds() - minutes * 60})
        assert answer.headers["cache-control"] == "no-store"
        assert (await Session.get(user_id=designer.id)).last_seen_at == NOW + timedelta(minutes=minutes)
    at(ends)
    answer = await client.get("/account/keep-alive", headers=JSON)
    assert answer.status_code == 401
    assert await Session.filter(user_id=designer.id).count() == 0


async def test_the_keep_alive_cannot_revive_a_session_idle_too_long(client, at):
    designer = await make_user()
    await signed_in(client, designer, at)
    at(NOW + sessions.IDLE[False])
    assert (await client.get("/account/keep-alive", headers=JSON)).status_code == 401


@pytest.mark.parametrize("path", ["/judge/r/{round}/AAA-BBB", "/judge/"])
async def test_the_scoring_page_carries_the_keep_alive_and_other_judge_pages_do_not(client, at, path):
    round_, _, judge, _, _ = await scoring_setup()
    await signed_in(client, judge, at)
    page = await client.get(path.format(round=round_.id))
    has_script = 'src="/static/common/js/keep-alive.js' in page.text and 'data-url="/account/keep-alive"' in page.text
    assert has_script == ("AAA-BBB" in path)
