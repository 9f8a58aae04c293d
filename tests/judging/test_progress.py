"""A round's progress for organisers: what "submitted" means, and who is behind when."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.audit.models import AuditEvent
from contest.judging import progress
from contest.judging.models import Assignment, Criterion, Score
from contest.judging.progress import CellState
from contest.notifications.models import OutboxMessage
from tests.factories import NOW, make_user
from tests.judging.helpers import scoring_setup

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("submitted", "scored", "state"), [
    (True, 2, CellState.COMPLETE), (False, 2, CellState.SCORED), (False, 1, CellState.PARTIAL),
    (False, 0, CellState.ASSIGNED)])
def test_only_submit_my_scores_makes_an_assignment_submitted(submitted, scored, state):
    assert progress.cell_state(submitted=submitted, scored=scored, criteria=2) == state


async def _round_with_two_scored_criteria(**round_fields):
    round_, criterion, judge, entry, assignment = await scoring_setup(**round_fields)
    second = await Criterion.create(round=round_, name="工艺", scale_min=0, scale_max=10)
    for c in (criterion, second):
        await Score.create(assignment=assignment, criterion=c, value=6, updated_at=NOW)
    return round_, judge, entry, assignment


async def test_every_criterion_scored_is_not_yet_submitted(db):
    round_, judge, entry, assignment = await _round_with_two_scored_criteria()
    matrix = await progress.progress_matrix(round_, now=NOW)
    assert (matrix.cell(judge.id, entry.id), matrix.complete, matrix.judges[0].behind) == (CellState.SCORED, 0, True)
    await Assignment.filter(id=assignment.id).update(completed_at=NOW)
    matrix = await progress.progress_matrix(round_, now=NOW)
    assert (matrix.cell(judge.id, entry.id), matrix.complete, matrix.judges[0].behind) == (CellState.COMPLETE, 1, False)


async def test_nobody_is_behind_or_reminded_before_the_round_opens(db):
    round_, judge, _, _ = await _round_with_two_scored_criteria(opens_at=NOW + timedelta(days=2),
                                                                   closes_at=NOW + timedelta(days=5))
    row = (await progress.progress_matrix(round_, now=NOW)).judges[0]
    assert (row.assigned, row.complete, row.behind, row.waiting) == (1, 0, False, True)
    assert await progress.send_reminders(round_, link="https://example.org/j", by=await make_user(), now=NOW) == []
    assert not await OutboxMessage.exists(kind="reminder")
    opened = NOW + timedelta(days=2)
    row = (await progress.progress_matrix(round_, now=opened)).judges[0]
    assert (row.behind, row.waiting) == (True, False)
    assert await progress.send_reminders(round_, link="https://example.org/j", by=await make_user(), now=opened) == [
        judge.id]
    assert (await AuditEvent.filter(action="round.reminders_sent").order_by("id").values_list("data", flat=True)) == [
        {"judges": []}, {"judges": [judge.id]}]
