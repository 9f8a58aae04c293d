"""Small builders for judging tests (rows made directly, so each test shows what it sets up)."""

from __future__ import annotations

import io
from datetime import timedelta
from itertools import count

from contest.entries.models import Entry
from contest.entries.states import EntryState
from contest.judging.models import (
    Assignment,
    Criterion,
    Panel,
    PanelMember,
    Round,
    RoundEntry,
)
from tests.factories import NOW, attach_picture, chunks, make_contest, make_entry, make_track, make_user


async def make_round(contest, **fields):
    values = {"contest": contest, "kind": "preliminary", "name": "初评", "position": 1, "secret": "round-secret-1",
              "opens_at": NOW - timedelta(days=1), "closes_at": NOW + timedelta(days=1)}
    values.update(fields)
    return await Round.create(**values)


async def submitted_entry(contest, track, owner=None, **fields):
    owner = owner or await make_user()
    fields.setdefault("state", EntryState.SUBMITTED)
    return await make_entry(contest, track, owner, **fields)


async def scoring_setup(**round_fields):
    """A contest with an open round, one criterion 0..10, a judge assigned to one submitted entry."""
    contest = await make_contest()
    track = await make_track(contest)
    round_ = await make_round(contest, **round_fields)
    criterion = await Criterion.create(round=round_, name="创意", scale_min=0, scale_max=10)
    judge = await make_user(email="judge@jury.example.org", display_name="评委甲")
    entry = await submitted_entry(contest, track)
    await RoundEntry.create(round=round_, entry=entry, alias="AAA-BBB")
    assignment = await Assignment.create(round=round_, entry=entry, judge=judge)
    return round_, criterion, judge, entry, assignment


async def panel_with(round_, judges, track=None, name="评审组"):
    panel = await Panel.create(round=round_, track=track, name=name)
    for judge in judges:
        await PanelMember.create(panel=panel, judge=judge)
    return panel


_judges = iter(range(1, 10_000))


async def make_judge(**fields):
    """A judge whose e-mail domain is their own (make_user's shared example.org would be a detected conflict)."""
    n = next(_judges)
    fields.setdefault("email", f"judge{n}@jury{n}.example.net")
    return await make_user(**fields)


_owners = count(1)


def jpeg(image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


async def entry_with_image(store, picture, *, title="海上花"):
    """A submitted entry by 陈晓明 of 青禾设计工作室 with `picture` attached, its text read as at upload."""
    contest = await make_contest()
    track = await make_track(contest, min_width=64, min_height=64)
    owner = await make_user(display_name="陈晓明", email=f"cxm{next(_owners)}@qq.com")
    entry = await submitted_entry(contest, track, owner, title=title, organisation="青禾设计工作室")
    entry = await Entry.get(id=entry.id).prefetch_related("contest", "track")
    image = await attach_picture(entry, chunks(jpeg(picture)), store=store, original_name="a.jpg",
                                            by=owner, now=NOW)
    return entry, image
