"""Plain-default factories for tests. Passwords are hashed once per run (argon2 is deliberately slow)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from functools import cache

import httpx
from argon2 import PasswordHasher

from contest.accounts import sessions
from contest.accounts.models import EntrantProfile, User
from contest.contests.models import Contest, Track
from contest.web.infra import csrf

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@cache
def password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


async def make_user(**fields: object) -> User:
    n = next(_counter)
    values = {"email": f"user{n}@example.org", "display_name": f"User {n}", "password_hash": password_hash()}
    values.update(fields)
    user = await User.create(**values)
    await EntrantProfile.create(user=user)
    return user


async def make_contest(**fields: object) -> Contest:
    n = next(_counter)
    values = {
        "slug": f"contest-{n}",
        "title": f"文创设计大赛 {n}",
        "submissions_open_at": NOW - timedelta(days=10),
        "submissions_close_at": NOW + timedelta(days=10),
        "announce_at": NOW + timedelta(days=40),
    }
    values.update(fields)
    return await Contest.create(**values)


async def make_track(contest: Contest, **fields: object) -> Track:
    n = next(_counter)
    values = {"contest": contest, "slug": f"track-{n}", "name": f"赛道 {n}", "position": n}
    values.update(fields)
    return await Track.create(**values)


async def login_as(client: httpx.AsyncClient, user: User, *, secret: str) -> str:
    """Sign the client in as `user`; returns the CSRF token bound to the new session."""

    key = await sessions.start_session(user, now=datetime.now(UTC))
    set_session_cookie(client, key)
    return csrf.make_token(secret, key)


def set_session_cookie(client: httpx.AsyncClient, key: str) -> None:
    client.cookies.set("contest_session", key, domain="testserver.local", path="/")


async def make_field(track: Track, key: str, kind: str = "text", **fields: object):
    from contest.contests.models import TrackField

    values = {"track": track, "key": key, "kind": kind, "label": key, "position": next(_counter)}
    values.update(fields)
    return await TrackField.create(**values)


async def make_entry(contest: Contest, track: Track, owner: User, **fields: object):
    from contest.entries.models import Entry

    values = {"contest": contest, "track": track, "owner": owner, "title": "海派剪纸", "concept": "以剪纸讲述百年工运。"}
    values.update(fields)
    return await Entry.create(**values)


async def chunks(data: bytes):
    """`data` as an upload's stream of chunks (one chunk), for the services that store uploads."""
    yield data
