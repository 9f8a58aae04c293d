from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from contest.audit.models import AuditEvent
from contest.entries import queries
from contest.entries.models import Entry
from contest.entries.service import EntryInput
from contest.entries.states import EntryState, LeakStatus
from contest.judging import edits
from contest.judging.models import RoundEntry
from tests.factories import NOW, make_contest, make_field, make_track, make_user
from tests.judging.helpers import make_round

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("opens", "closes", "locked", "unfinished"), [
    (-1, 1, False, True),  # open
    (1, 2, False, True),  # scheduled
    (None, None, False, True),  # being set up, no dates yet
    (-2, 0, False, False),  # closed at this very second
    (-2, 1, True, False),  # locked early
])
def test_a_round_is_unfinished_until_it_closes_or_is_locked(opens, closes, locked, unfinished):
    at = {None: None} | {n: NOW + timedelta(hours=n) for n in (-2, -1, 0, 1, 2)}
    round_ = SimpleNamespace(opens_at=at[opens], closes_at=at[closes], locked_at=NOW if locked else None)
    assert edits.round_unfinished(round_, NOW) is unfinished


async def entry_with(state: EntryState, concept: str):
    contest = await make_contest()
    track = await make_track(contest, position=1, min_images=0)
    await make_field(track, "character_name", "text", required=False)
    owner = await make_user(display_name="林青禾")
    entry = await Entry.create(contest=contest, track=track, owner=owner, state=state, title="海派剪纸", concept="剪纸")
    return await queries.entry_for_designer(owner, entry.id), owner, EntryInput(title="海派剪纸", concept=concept)


async def test_a_submitted_entry_is_checked_when_it_changes_before_any_round_takes_it(db):
    entry, owner, values = await entry_with(EntryState.SUBMITTED, "林青禾的剪纸")
    await edits.save_entry(entry, values, by=owner, now=NOW)
    assert (await Entry.get(id=entry.id)).leak_status == LeakStatus.FLAGGED


async def test_a_draft_outside_rounds_waits_for_the_check_when_a_round_takes_it(db):
    entry, owner, values = await entry_with(EntryState.DRAFT, "林青禾的剪纸")
    await edits.save_entry(entry, values, by=owner, now=NOW)
    saved = await Entry.get(id=entry.id)
    assert (saved.concept, saved.leak_status) == ("林青禾的剪纸", LeakStatus.UNCHECKED)
    assert await AuditEvent.filter(action="entry.leak_check").count() == 0


async def test_a_refused_edit_changes_nothing_and_is_not_audited(db):
    entry, owner, values = await entry_with(EntryState.SUBMITTED, "林青禾的剪纸")
    round_ = await make_round(entry.contest, opens_at=None, closes_at=None)
    await RoundEntry.create(round=round_, entry=entry, alias="AAA-BBB")
    assert await edits.frozen(entry, now=NOW) is True
    with pytest.raises(edits.EditsClosed):
        await edits.save_entry(entry, values, by=owner, now=NOW)
    saved = await Entry.get(id=entry.id)
    assert (saved.concept, saved.leak_status) == ("剪纸", LeakStatus.UNCHECKED)
    assert await AuditEvent.filter(subject=f"entry:{entry.id}").count() == 0
