from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts import service, sessions
from contest.accounts.models import Session
from tests.factories import NOW, make_user

pytestmark = pytest.mark.unit


async def test_session_key_is_stored_only_as_its_hash(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW)
    stored = await Session.get(user_id=user.id)
    assert stored.key_hash == sessions.key_hash(key)
    assert key not in stored.key_hash


async def test_session_resumes_within_the_idle_limit(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW)
    info = await sessions.resume_session(key, now=NOW + timedelta(minutes=59))
    assert info is not None and info.user.id == user.id


async def test_session_dies_after_an_hour_idle(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW)
    assert await sessions.resume_session(key, now=NOW + timedelta(minutes=60)) is None
    assert await Session.all().count() == 0


async def test_session_dies_at_the_absolute_limit_even_when_active(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW)
    for minutes in range(50, 12 * 60, 50):
        assert await sessions.resume_session(key, now=NOW + timedelta(minutes=minutes)) is not None
    assert await sessions.resume_session(key, now=NOW + timedelta(hours=12)) is None


async def test_organiser_sessions_are_shorter(db):
    organiser = await make_user(is_staff=True)
    key = await sessions.start_session(organiser, now=NOW)
    assert await sessions.resume_session(key, now=NOW + timedelta(minutes=30)) is None


async def test_disabling_an_account_ends_its_sessions_at_once(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW)
    await service.set_active(user, False)
    assert await sessions.resume_session(key, now=NOW) is None
    assert await Session.filter(user_id=user.id).count() == 0


async def _four_hours(user, now):
    return timedelta(hours=4)


async def test_the_idle_limit_granted_at_the_last_activity_is_the_one_enforced(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW, idle=timedelta(hours=4))
    assert await sessions.resume_session(key, now=NOW + timedelta(hours=3, minutes=59)) is not None
    assert await sessions.resume_session(key, now=NOW + timedelta(hours=4, minutes=59)) is None  # this activity's 60 min


async def test_each_activity_takes_the_idle_limit_its_rule_gives_at_that_moment(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW)
    assert await sessions.resume_session(key, now=NOW + timedelta(minutes=30), idle_for=_four_hours) is not None
    assert (await Session.get(user_id=user.id)).idle_seconds == 4 * 3600
    assert await sessions.resume_session(key, now=NOW + timedelta(hours=4, minutes=29)) is not None


async def test_a_longer_idle_limit_never_outlives_the_absolute_limit(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW, idle=timedelta(hours=4))
    for hours in (3, 6, 9):
        assert await sessions.resume_session(key, now=NOW + timedelta(hours=hours), idle_for=_four_hours) is not None
    info = await sessions.resume_session(key, now=NOW + timedelta(hours=11, minutes=59), idle_for=_four_hours)
    assert info is not None and info.expires_at == NOW + sessions.ABSOLUTE[False]
    assert await sessions.resume_session(key, now=NOW + timedelta(hours=12), idle_for=_four_hours) is None
