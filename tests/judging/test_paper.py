"""The chair enters a judge's paper score sheet: through the judges' own scoring rules, audited as the chair's
act for the judge with the reason, and never over a sheet the judge already submitted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from contest.audit.models import AuditEvent
from contest.errors import InvalidInput
from contest.judging import paper
from contest.judging.models import Assignment, Conflict, ConflictSource, Round, Score
from contest.judging.scoring import NotOpenInTheRoom, RoundNotScoring, complete_assignment, field_name, save_score
from contest.meeting import sessions
from contest.meeting.screens import screen
from tests.factories import NOW
from tests.judging.helpers import make_judge
from tests.meeting.builders import final_room, open_room

pytestmark = pytest.mark.unit

REASON = "手机没电，改用纸质评分表"


async def _room_on_screen():
    room = await final_room()
    session = await open_room(room)
    await sessions.move_to(session, await Round.get(id=room.round.id), 0, by=room.chair, now=NOW)
    return room, session


def _sheet(room, judge, value="8.5", *, entry=None, reason=REASON):
    entry = entry or room.entries[0]
    return paper.PaperSheet(judge_id=judge.id, entry_id=entry.id, values={field_name(room.criterion.id): value}, reason=reason)


async def _assignment(room, judge, entry=None):
    return await Assignment.get(round_id=room.round.id, entry_id=(entry or room.entries[0]).id, judge_id=judge.id)


async def test_the_chair_enters_and_submits_a_judges_sheet_audited_as_the_chairs_act_for_the_judge(db):
    room, session = await _room_on_screen()
    judge = room.judges[1]
    await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, judge), chair=room.chair, now=NOW)

    stored = await _assignment(room, judge)
    assert stored.completed_at == NOW
    assert (stored.entered_by_id, stored.entered_reason) == (room.chair.id, REASON)
    assert await Score.filter(assignment_id=stored.id).values_list("value", flat=True) == [Decimal("8.50")]
    events = await AuditEvent.filter(subject=f"assignment:{stored.id}").order_by("seq").values("action", "actor_id", "data")
    assert [e["action"] for e in events] == ["score.saved", "assignment.paper_entered"]
    for event in events:
        assert event["actor_id"] == room.chair.id
        assert (event["data"]["judge"], event["data"]["reason"]) == (judge.id, REASON)
    marks = {j.judge_id: j for j in (await screen(session.id)).on_screen.judges}
    assert marks[judge.id].scored and marks[judge.id].entered_by == room.chair.display_name
    assert not marks[room.judges[0].id].scored and marks[room.judges[0].id].entered_by is None


async def test_the_judges_own_submission_after_a_rescore_clears_the_chairs_mark(db):
    room, session = await _room_on_screen()
    judge = room.judges[0]
    await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, judge), chair=room.chair, now=NOW)
    for other in room.judges[1:]:
        await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, other), chair=room.chair, now=NOW)
    round_ = await Round.get(id=room.round.id)
    await sessions.reveal(session, round_, by=room.chair, now=NOW)
    item = (await session.items.all().order_by("position"))[0]
    await sessions.rescore(session, round_, item, reason="纸质评分表誊录有误", by=room.chair, now=NOW)

    assignment = await _assignment(room, judge)
    await save_score(assignment, criterion=room.criterion, value=7, now=NOW, by=judge)
    await complete_assignment(assignment, now=NOW, by=judge)
    stored = await _assignment(room, judge)
    assert (stored.entered_by_id, stored.entered_reason) == (None, "")


async def test_a_submitted_sheet_is_not_overwritten(db):
    room, _ = await _room_on_screen()
    judge = room.judges[0]
    assignment = await _assignment(room, judge)
    await save_score(assignment, criterion=room.criterion, value=6, now=NOW, by=judge)
    await complete_assignment(assignment, now=NOW, by=judge)
    with pytest.raises(paper.AlreadySubmitted):
        await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, judge, "9"), chair=room.chair,
                                      now=NOW)
    assert await Score.filter(assignment_id=assignment.id).values_list("value", flat=True) == [Decimal("6.00")]
    assert (await _assignment(room, judge)).entered_by_id is None


@pytest.mark.parametrize(("value", "reason", "fields"), [
    ("11", REASON, {"criterion"}),  # the criterion's range is 0–10
    ("-1", REASON, {"criterion"}),
    ("abc", REASON, {"criterion"}),
    ("", REASON, {"criterion"}),  # a paper sheet is entered whole
    ("8", "   ", {"reason"}),
    ("12", "", {"criterion", "reason"}),
])
async def test_values_out_of_range_a_blank_and_no_reason_are_refused_and_nothing_is_saved(db, value, reason, fields):
    room, _ = await _room_on_screen()
    with pytest.raises(InvalidInput) as refused:
        await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, room.judges[0], value,
                                                                                 reason=reason), chair=room.chair, now=NOW)
    names = {"criterion": field_name(room.criterion.id), "reason": "reason"}
    assert set(refused.value.field_errors) == {names[f] for f in fields}
    assert not await Score.filter(assignment__round_id=room.round.id).exists()


async def test_a_judge_not_seated_for_the_entry_is_refused(db):
    room, _ = await _room_on_screen()
    stranger = await make_judge(display_name="旁听者")
    with pytest.raises(paper.JudgeNotSeated):
        await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, stranger), chair=room.chair,
                                      now=NOW)
    assert not await Assignment.filter(judge_id=stranger.id).exists()


async def test_a_judge_in_conflict_with_the_entry_is_refused(db):
    room, _ = await _room_on_screen()
    judge = room.judges[2]
    await Conflict.create(contest=room.contest, judge=judge, entry=room.entries[0], source=ConflictSource.DECLARED,
                          reason="亲属")
    with pytest.raises(paper.JudgeInConflict):
        await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, judge), chair=room.chair, now=NOW)
    assert not await Score.filter(assignment__judge_id=judge.id).exists()


async def test_a_locked_round_and_an_entry_not_on_screen_are_refused(db):
    room, _ = await _room_on_screen()
    judge = room.judges[0]
    with pytest.raises(NotOpenInTheRoom):  # the chair has the first entry open, not the second
        await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, judge, entry=room.entries[1]),
                                      chair=room.chair, now=NOW)
    await Round.filter(id=room.round.id).update(locked_at=NOW - timedelta(minutes=1))
    with pytest.raises(RoundNotScoring):
        await paper.enter_paper_sheet(await Round.get(id=room.round.id), _sheet(room, judge), chair=room.chair, now=NOW)
    assert not await Score.filter(assignment__round_id=room.round.id).exists()
