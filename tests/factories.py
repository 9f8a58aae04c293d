"""Plain-default factories for tests. Passwords are hashed once per run (argon2 is deliberately slow)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from functools import cache

import httpx
from argon2 import PasswordHasher

from contest.accounts import privacy, sessions
from contest.accounts.models import EntrantProfile, User
from contest.contests.models import Contest, Track
from contest.web.infra import csrf

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@cache
def password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


async def make_user(*, consented: bool = True, **fields: object) -> User:
    """An account with its entrant profile that accepted the current privacy notice, as registering does
    (`consented=False`: one that has not, as before the notice existed)."""
    n = next(_counter)
    values = {"email": f"user{n}@example.org", "display_name": f"User {n}", "password_hash": password_hash()}
    values.update(fields)
    user = await User.create(**values)
    await EntrantProfile.create(user=user)
    if consented:
        await privacy.record_consent(user, await privacy.current_notice(), sensitive=False, ip="", now=NOW)
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


# The image rules tests used to give a track, now its first slot's (contest_config.DEFAULT_SLOT)
SLOT_RULES = {"min_images": "min_count", "max_images": "max_count", "max_file_mb": "max_mb",
              "min_short_edge": "min_short_edge", "min_long_edge": "min_long_edge"}


async def make_track(contest: Contest, *, min_width: int = 1200, min_height: int = 800, **fields: object) -> Track:
    """A track with the default image slot; `min_images`, `max_images`, `max_file_mb` and the minimum size set
    that slot's rules."""
    from contest.console.contest_config import DEFAULT_SLOT
    from contest.contests.models import FileSlot

    n = next(_counter)
    rules = {SLOT_RULES[name]: fields.pop(name) for name in list(fields) if name in SLOT_RULES}
    values = {"contest": contest, "slug": f"track-{n}", "name": f"赛道 {n}", "position": n, **fields}
    track = await Track.create(**values)
    edges = sorted((min_width, min_height))
    await FileSlot.create(track_id=track.id, **{**DEFAULT_SLOT, "min_short_edge": edges[0],
                                                "min_long_edge": edges[1], **rules})
    return track


async def image_slot(track: Track):
    """The track's first slot that takes images."""
    from contest.contests.models import FileSlot

    slots = await FileSlot.filter(track_id=track.id).order_by("position", "id")
    return next(slot for slot in slots if "image" in slot.kinds)


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


async def attach_picture(entry, chunks, *, store, original_name: str = "a.jpg", by, now, read_text: bool = True):
    """An image put in the entry's image slot without the designer's checks (deadline, state), as a scene's
    set-up needs; the image pipeline, quotas and the row are the real ones."""
    from contest.contests.models import FileSlot
    from contest.entries import uploads

    slots = await FileSlot.filter(track_id=entry.track_id).order_by("position", "id")
    slot = next(slot for slot in slots if "image" in slot.kinds)
    temp = await store.receive(chunks, max_bytes=slot.max_mb * 2**20)
    return await uploads.attach(entry, slot, temp, store=store, original_name=original_name, by=by, now=now,
                                read_text=read_text)


async def slot_of_entry(entry):
    """The first slot that takes images in the entry's track: where rows made by hand in tests belong."""
    from contest.contests.models import FileSlot

    slots = await FileSlot.filter(track_id=entry.track_id).order_by("position", "id")
    return next(slot for slot in slots if "image" in slot.kinds)
