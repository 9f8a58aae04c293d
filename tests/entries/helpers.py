"""A track with form fields to enter, a complete entry's input, and submitting as the designer does: for the
entry service and declaration tests."""

from __future__ import annotations

from datetime import timedelta

from contest.entries import queries, service
from contest.entries.models import Entry
from contest.entries.service import EntryInput
from tests.factories import NOW, make_contest, make_field, make_track


async def setup_track(min_images: int = 0, **track_fields):
    contest = await make_contest(submissions_open_at=NOW - timedelta(days=1), submissions_close_at=NOW + timedelta(hours=1))
    track = await make_track(contest, min_images=min_images, position=1, **track_fields)
    await make_field(track, "character_name", "text")
    await make_field(track, "materials", "multi_choice", required=False,
                     options=[{"value": "paper", "label": "纸"}, {"value": "wood", "label": "木"}])
    await make_field(track, "height_cm", "number", required=False)
    return contest, track


async def fresh(entry: Entry) -> Entry:
    return await queries.entry_for_designer(await entry.owner, entry.id)


def complete_input(**changes) -> EntryInput:
    values = {"title": "百年工运拼图盒", "concept": "一只讲述工运历史的拼图盒。", "answers": {"character_name": ["小工"]}}
    values.update(changes)
    return EntryInput(**values)


async def submit(entry: Entry, user, now=NOW):
    originality, ip_terms = await service.current_terms(entry.contest)
    return await service.submit_entry(entry, by=user, now=now, originality_id=originality.id, ip_terms_id=ip_terms.id)
