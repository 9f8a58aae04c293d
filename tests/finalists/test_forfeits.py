"""A place forfeited for a missing task: only under the contest's rule, with a reason, audited; the next entry of
the previous round's standings moves up into the final."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts.models import User
from contest.audit.models import AuditEvent
from contest.errors import InvalidInput, NotFound
from contest.finalists import forfeits
from contest.finalists.forfeits import ForfeitsOff, NothingMissing
from contest.finalists.models import Forfeit, Sample
from contest.judging.aggregation import EntryResult, Method
from contest.judging.locking import RoundLocked
from contest.judging.models import Assignment, RoundEntry
from contest.notifications.models import OutboxMessage
from tests.finalists.helpers import DUE, final_world
from tests.finalists.test_tasks import add_file
from tests.judging.helpers import panel_with

pytestmark = pytest.mark.unit
LATE = DUE + timedelta(hours=1)


async def in_final(world) -> list[int]:
    return sorted(await RoundEntry.filter(round_id=world.final.id).values_list("entry_id", flat=True))


async def advanced(world) -> list[int]:
    return sorted(await RoundEntry.filter(round_id=world.second.id, advanced=True).values_list("entry_id", flat=True))


async def test_the_next_entry_moves_up_when_a_finalist_forfeits(db):
    world = await final_world()
    first, second, third, _ = world.entries
    alias = await world.alias(second)
    forfeit = await forfeits.forfeit_place(world.final, second.id, reason="未按时提交源文件", by=world.organiser, now=LATE)
    assert (forfeit.alias, forfeit.replaced_by_id, forfeit.missing) == (alias, third.id, ["slot:source", "sample"])
    assert await in_final(world) == [first.id, third.id]
    assert await advanced(world) == [first.id, third.id]
    told = {m.kind: m for m in await OutboxMessage.all()}
    assert sorted(told) == ["finalist_forfeited", "finalist_moved_up"]
    assert (told["finalist_forfeited"].to_email, "未按时提交源文件" in told["finalist_forfeited"].body_text) == (
        (await User.get(id=second.owner_id)).email, True)
    assert (told["finalist_moved_up"].to_email, "作品2" in told["finalist_moved_up"].body_text) == (
        (await User.get(id=third.owner_id)).email, True)
    event = await AuditEvent.filter(action="finalist.forfeited").get()
    assert (event.actor_id, event.data["reason"], event.data["moved_up"]) == (world.organiser.id, "未按时提交源文件",
                                                                              third.id)


async def test_the_entry_moved_up_is_assigned_when_the_final_was_assigned(db):
    world = await final_world()
    first, second, third, _ = world.entries
    judge = await Assignment.filter(round_id=world.second.id).first().values_list("judge_id", flat=True)
    await panel_with(world.final, [await User.get(id=judge)], track=world.track)
    for entry in (first, second):
        await Assignment.create(round=world.final, entry=entry, judge_id=judge)
    await forfeits.forfeit_place(world.final, second.id, reason="未寄样品", by=world.organiser, now=LATE)
    assert sorted(await Assignment.filter(round_id=world.final.id).values_list("entry_id", flat=True)) == [
        first.id, third.id]


async def test_the_next_in_line_skips_entries_forfeited_before(db):
    world = await final_world()
    first, second, third, fourth = world.entries
    await forfeits.forfeit_place(world.final, second.id, reason="缺", by=world.organiser, now=LATE)
    await forfeits.forfeit_place(world.final, third.id, reason="缺", by=world.organiser, now=LATE)
    assert await in_final(world) == [first.id, fourth.id]
    assert await forfeits.next_in_line(world.final, world.track.id) is None


async def test_without_the_contests_rule_nothing_is_forfeited(db):
    world = await final_world(forfeits=False)
    with pytest.raises(ForfeitsOff):
        await forfeits.forfeit_place(world.final, world.entries[1].id, reason="缺", by=world.organiser, now=LATE)
    assert await in_final(world) == [world.entries[0].id, world.entries[1].id]


async def test_a_finalist_with_every_task_done_keeps_the_place(db):
    world = await final_world()
    entry = world.entries[1]
    await add_file(entry, world.slot)
    await Sample.create(round=world.final, entry=entry, courier="顺丰", tracking_number="SF1", sent_at=DUE)
    with pytest.raises(NothingMissing):
        await forfeits.forfeit_place(world.final, entry.id, reason="缺", by=world.organiser, now=LATE)


async def test_before_the_deadline_nothing_is_missing_yet(db):
    world = await final_world()
    with pytest.raises(NothingMissing):
        await forfeits.forfeit_place(world.final, world.entries[1].id, reason="缺", by=world.organiser,
                                     now=DUE - timedelta(seconds=1))


async def test_a_reason_is_required_and_nothing_changes_without_it(db):
    world = await final_world()
    with pytest.raises(InvalidInput) as refused:
        await forfeits.forfeit_place(world.final, world.entries[1].id, reason="  ", by=world.organiser, now=LATE)
    assert list(refused.value.field_errors) == ["reason"]
    assert (await in_final(world), await Forfeit.all().count()) == ([world.entries[0].id, world.entries[1].id], 0)


async def test_an_entry_outside_the_final_or_a_locked_final_is_refused(db):
    world = await final_world()
    with pytest.raises(NotFound):
        await forfeits.forfeit_place(world.final, world.entries[2].id, reason="缺", by=world.organiser, now=LATE)
    world.final.locked_at = LATE
    with pytest.raises(RoundLocked):
        await forfeits.forfeit_place(world.final, world.entries[1].id, reason="缺", by=world.organiser, now=LATE)


def test_the_best_not_advanced_entry_of_the_same_track_is_next():
    def result(entry_id, track_id, figure):
        return EntryResult(entry_id, track_id, Method.MEAN, figure, figure, figure, None, None, None, None, 1, (), (), ())

    ranking = [result(1, 10, 9.0), result(2, 10, 7.0), result(3, 11, 8.0), result(4, 10, 7.0), result(5, 10, None)]
    assert forfeits.best_not_advanced(ranking, track_id=10, excluded={1}) == 2
    assert forfeits.best_not_advanced(ranking, track_id=10, excluded={1, 2, 4}) is None
    assert forfeits.best_not_advanced(ranking, track_id=11, excluded=set()) == 3
