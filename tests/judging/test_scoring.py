from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from contest.audit.models import AuditEvent
from contest.errors import InvalidInput, NotFound
from contest.judging import aggregation, scoring
from contest.judging.models import Assignment, Conflict, Criterion, Round, Score
from contest.judging.scoring import (
    RoundNotScoring,
    complete_assignment,
    save_comment,
    save_score,
)
from tests.factories import NOW, make_user
from tests.judging.helpers import scoring_setup

pytestmark = pytest.mark.unit


async def test_a_score_is_saved_then_replaced_in_one_row_and_audited(db):
    _, criterion, judge, _, assignment = await scoring_setup()
    assert await save_score(assignment, criterion=criterion, value="7.5", now=NOW, by=judge) == Decimal("7.50")
    later = NOW + timedelta(minutes=3)
    await save_score(assignment, criterion=criterion, value=8, now=later, by=judge)
    rows = await Score.filter(assignment_id=assignment.id).values("criterion_id", "value", "updated_at")
    assert rows == [{"criterion_id": criterion.id, "value": Decimal("8.00"), "updated_at": later}]
    events = await AuditEvent.filter(action="score.saved").order_by("seq").values_list("subject", "data")
    assert events == [(f"assignment:{assignment.id}", {"criterion": criterion.id, "value": "7.50"}),
                      (f"assignment:{assignment.id}", {"criterion": criterion.id, "value": "8.00"})]


async def test_fifty_concurrent_saves_leave_one_row_with_the_last_acknowledged_value(db):
    _, criterion, judge, _, assignment = await scoring_setup()
    acknowledged = []

    async def save(value: int) -> None:
        await save_score(assignment, criterion=criterion, value=Decimal(value) / 10, now=NOW, by=judge)
        acknowledged.append(Decimal(value) / 10)

    await asyncio.gather(*(save(v) for v in range(50)))
    rows = await Score.filter(assignment_id=assignment.id, criterion_id=criterion.id).values_list("value", flat=True)
    assert len(acknowledged) == 50
    assert len(rows) == 1
    assert rows[0] in {Decimal(v) / 10 for v in range(50)}
    assert rows[0] == acknowledged[-1]
    assert await AuditEvent.filter(action="score.saved").count() == 50


@pytest.mark.parametrize("value", ["10.01", "-1", "11", "abc", "", "NaN", "Infinity", "7.125"])
async def test_values_outside_the_scale_or_not_numbers_save_nothing(db, value):
    _, criterion, judge, _, assignment = await scoring_setup()
    with pytest.raises(InvalidInput) as caught:
        await save_score(assignment, criterion=criterion, value=value, now=NOW, by=judge)
    assert list(caught.value.field_errors) == [f"criterion_{criterion.id}"]
    assert await Score.all().count() == 0
    assert await AuditEvent.filter(action="score.saved").count() == 0


async def test_the_scale_bounds_themselves_are_accepted(db):
    round_, criterion, judge, _, assignment = await scoring_setup()
    other = await Criterion.create(round=round_, name="工艺", scale_min=1, scale_max=5)
    await save_score(assignment, criterion=criterion, value="0", now=NOW, by=judge)
    await save_score(assignment, criterion=other, value="5", now=NOW, by=judge)
    assert sorted(await Score.all().values_list("criterion_id", "value")) == sorted(
        [(criterion.id, Decimal("0.00")), (other.id, Decimal("5.00"))])


@pytest.mark.parametrize(("when", "changes"), [
    ("closed", {}), ("at_close", {}), ("before_open", {}), ("locked", {}), ("switched_off", {}), ("never_opened", {}),
])
async def test_a_round_that_does_not_take_scores_saves_nothing(db, when, changes):
    round_, criterion, judge, _, assignment = await scoring_setup()
    now = NOW
    if when == "closed":
        now = round_.closes_at + timedelta(seconds=1)
    elif when == "at_close":
        now = round_.closes_at
    elif when == "before_open":
        now = round_.opens_at - timedelta(seconds=1)
    elif when == "locked":
        await Round.filter(id=round_.id).update(locked_at=NOW - timedelta(minutes=1))
    elif when == "switched_off":
        await Round.filter(id=round_.id).update(judges_may_score=False)
    elif when == "never_opened":
        await Round.filter(id=round_.id).update(opens_at=None)
    with pytest.raises(RoundNotScoring) as caught:
        await save_score(assignment, criterion=criterion, value="5", now=now, by=judge)
    assert caught.value.status_code == 409
    with pytest.raises(RoundNotScoring):
        await save_comment(assignment, comment="很好", now=now, by=judge)
    assert await Score.all().count() == 0
    assert (await Assignment.get(id=assignment.id)).comment == ""
    assert await AuditEvent.all().count() == 0


async def test_the_round_is_open_from_opens_at_to_just_before_closes_at(db):
    round_, _criterion, _judge, _, _assignment = await scoring_setup()
    assert scoring.round_accepts_scores(round_, round_.opens_at) is True
    assert scoring.round_accepts_scores(round_, round_.closes_at - timedelta(microseconds=1)) is True
    assert scoring.round_accepts_scores(round_, round_.closes_at) is False


async def test_another_judge_or_a_criterion_of_another_round_is_not_found(db):
    round_, criterion, judge, _, assignment = await scoring_setup()
    other_judge = await make_user()
    with pytest.raises(NotFound):
        await save_score(assignment, criterion=criterion, value="5", now=NOW, by=other_judge)
    other_round = await Round.create(contest_id=round_.contest_id, kind="final", name="终评", position=3, secret="s2")
    foreign = await Criterion.create(round=other_round, name="外", scale_min=0, scale_max=10)
    with pytest.raises(NotFound):
        await save_score(assignment, criterion=foreign, value="5", now=NOW, by=judge)
    assert await Score.all().count() == 0


async def test_a_removed_assignment_takes_no_score(db):
    _, criterion, judge, _, assignment = await scoring_setup()
    await Assignment.filter(id=assignment.id).delete()
    with pytest.raises(NotFound):
        await save_score(assignment, criterion=criterion, value="5", now=NOW, by=judge)
    assert await Score.all().count() == 0


async def test_a_conflicted_assignment_takes_no_score(db):
    round_, criterion, judge, entry, assignment = await scoring_setup()
    await Conflict.create(contest_id=round_.contest_id, judge=judge, entry=entry, source="detected",
                          reason="same_organisation")
    with pytest.raises(NotFound):
        await save_score(assignment, criterion=criterion, value="5", now=NOW, by=judge)
    assert await Score.all().count() == 0


async def test_comment_is_saved_trimmed_and_audited(db):
    _, _, judge, _, assignment = await scoring_setup()
    await save_comment(assignment, comment="  构思新颖 \n", now=NOW, by=judge)
    assert (await Assignment.get(id=assignment.id)).comment == "构思新颖"
    assert await AuditEvent.filter(action="assignment.comment").values_list("data", flat=True) == [{"length": 4}]
    with pytest.raises(InvalidInput):
        await save_comment(assignment, comment="字" * 4001, now=NOW, by=judge)
    assert (await Assignment.get(id=assignment.id)).comment == "构思新颖"


async def test_submitting_requires_every_criterion_scored(db):
    round_, criterion, judge, _, assignment = await scoring_setup()
    second = await Criterion.create(round=round_, name="工艺", scale_min=0, scale_max=10, position=2)
    await save_score(assignment, criterion=criterion, value="6", now=NOW, by=judge)
    with pytest.raises(InvalidInput) as caught:
        await complete_assignment(assignment, now=NOW, by=judge)
    assert caught.value.field_errors == {f"criterion_{second.id}": "Please score this criterion."}
    assert (await Assignment.get(id=assignment.id)).completed_at is None
    await save_score(assignment, criterion=second, value="9", now=NOW, by=judge)
    await complete_assignment(assignment, now=NOW, by=judge)
    assert (await Assignment.get(id=assignment.id)).completed_at == NOW
    assert await AuditEvent.filter(action="assignment.completed").count() == 1


def test_the_running_total_weighs_the_criteria_scored_so_far_and_leaves_out_invalid_values():
    rows = [{"id": 1, "weight": 0.3, "scale_min": 0, "scale_max": 10},
            {"id": 2, "weight": 0.4, "scale_min": 0, "scale_max": 10},
            {"id": 3, "weight": 0.3, "scale_min": 1, "scale_max": 5}]
    assert scoring.running_total(rows, {}) == (None, 0)
    assert scoring.running_total(rows, {"criterion_1": "9", "criterion_3": "11"}) == (90, 1)
    total, counted = scoring.running_total(rows, {"criterion_1": "9", "criterion_2": "8.5", "criterion_3": "3"})
    assert (float(total), counted) == (0.3 * 90 + 0.4 * 85 + 0.3 * 50, 3)
    weighted = [aggregation.Criterion(r["id"], r["weight"], r["scale_min"], r["scale_max"]) for r in rows]
    assert total == aggregation.weighted_total({1: 9, 2: Decimal("8.5"), 3: 3}, weighted)
