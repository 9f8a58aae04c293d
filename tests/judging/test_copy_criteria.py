"""Criteria copied from another round of the same contest: missing ones only, after the round's own."""

from __future__ import annotations

import pytest

from contest.errors import InvalidInput
from contest.judging import setup
from contest.judging.models import Criterion, Score
from tests.factories import NOW, make_contest, make_user
from tests.judging.helpers import make_round, scoring_setup

pytestmark = pytest.mark.unit


async def test_the_missing_criteria_are_copied_in_order_after_the_rounds_own(db):
    contest, organiser = await make_contest(), await make_user()
    preliminary, final = await make_round(contest), await make_round(contest, name="终评", position=2)
    for position, (name, weight) in enumerate([("文化内涵", 0.3), ("创意设计", 0.4), ("转化可行性", 0.3)]):
        await Criterion.create(round=preliminary, name=name, weight=weight, scale_max=10, position=position)
    await Criterion.create(round=final, name="创意设计", weight=1, scale_max=100, position=1)
    assert [r.id for r in await setup.rounds_to_copy_from(final)] == [preliminary.id]
    copied = await setup.copy_criteria(final, source_id=preliminary.id, by=organiser, now=NOW)
    rows = await Criterion.filter(round_id=final.id).order_by("position").values_list("name", "weight", "scale_max")
    assert (copied, rows) == (2, [("创意设计", 1.0, 100), ("文化内涵", 0.3, 10), ("转化可行性", 0.3, 10)])


async def test_a_round_of_another_contest_or_a_round_with_scores_is_refused(db):
    round_, criterion, _judge, _entry, assignment = await scoring_setup()
    organiser = await make_user()
    elsewhere = await make_round(await make_contest())
    earlier = await make_round(await round_.contest, name="资格审查", position=0)
    for source in (elsewhere, earlier):
        await Criterion.create(round=source, name="美观", scale_max=10)
    with pytest.raises(InvalidInput) as caught:
        await setup.copy_criteria(round_, source_id=elsewhere.id, by=organiser, now=NOW)
    assert caught.value.field_errors == {"source": "Choose one of the options."}
    await Score.create(assignment=assignment, criterion=criterion, value=8, updated_at=NOW)
    with pytest.raises(InvalidInput) as caught:
        await setup.copy_criteria(round_, source_id=earlier.id, by=organiser, now=NOW)
    assert caught.value.field_errors == {"source": "This round already has scores: add criteria one at a time instead."}
    assert await Criterion.filter(round_id=round_.id).values_list("name", flat=True) == ["创意"]
