"""The round's switches judges depend on, read by the judging queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contest.audit.models import AuditEvent
from contest.errors import NotFound
from contest.judging import queries, scoring
from contest.judging.models import Assignment, OthersScores, Panel, PanelMember, Round, RoundEntry
from contest.judging.scoring import RoundNotScoring
from tests.factories import NOW, make_track
from tests.judging.helpers import make_judge, panel_with, scoring_setup, submitted_entry

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("setting", "before", "after"), [
    (OthersScores.NEVER, False, False), (OthersScores.AFTER_OWN, False, True), (OthersScores.ALWAYS, True, True)])
def test_others_scores_show_by_the_switch_and_the_judges_own_submission(setting, before, after):
    round_ = Round(judges_see_others_scores=setting)
    assert (queries.shows_others_scores(round_, own_submitted=False),
            queries.shows_others_scores(round_, own_submitted=True)) == (before, after)


async def test_others_scores_are_the_submitted_ones_of_the_other_judges_unnamed(db):
    round_, criterion, judge, entry, mine = await scoring_setup(judges_see_others_scores=OthersScores.ALWAYS)
    others = [await make_judge() for _ in range(3)]
    for other, value, submit in zip(others, ("8", "3.5", "9"), (True, True, False), strict=True):
        assignment = await Assignment.create(round=round_, entry=entry, judge=other)
        await scoring.save_score(assignment, criterion=criterion, value=value, now=NOW, by=other)
        if submit:
            await scoring.complete_assignment(assignment, now=NOW, by=other)
    await scoring.save_score(mine, criterion=criterion, value="5", now=NOW, by=judge)
    assert await queries.others_scores(judge, round_, mine) == [{criterion.id: Decimal("3.50")},
                                                                {criterion.id: Decimal("8.00")}]
    await Round.filter(id=round_.id).update(judges_see_others_scores=OthersScores.AFTER_OWN)
    round_ = await Round.get(id=round_.id)
    assert await queries.others_scores(judge, round_, mine) is None


async def _open_round():
    """Only-assigned off; the judge's panel takes one track and is assigned one of its two entries."""
    round_, criterion, judge, entry, assignment = await scoring_setup(judges_see_only_assigned=False)
    contest, track = await round_.contest, await entry.track
    panel = await panel_with(round_, [judge], track=track)
    await Assignment.filter(id=assignment.id).update(panel=panel)
    unassigned = await submitted_entry(contest, track, title="未分配")
    await RoundEntry.create(round=round_, entry=unassigned, alias="CCC-DDD")
    elsewhere = await submitted_entry(contest, await make_track(contest), title="别的赛道")
    await RoundEntry.create(round=round_, entry=elsewhere, alias="EEE-FFF")
    return round_, criterion, judge, panel


async def test_with_only_assigned_off_the_queue_is_the_panels_track(db):
    round_, _, judge, _ = await _open_round()
    queue = await queries.judge_queue(judge, round_, now=NOW)
    assert (sorted(i.entry.alias for i in queue.items), queue.total) == (["AAA-BBB", "CCC-DDD"], 2)
    await Round.filter(id=round_.id).update(judges_see_only_assigned=True)
    queue = await queries.judge_queue(judge, await Round.get(id=round_.id), now=NOW)
    assert [i.entry.alias for i in queue.items] == ["AAA-BBB"]


async def test_a_judge_takes_an_unassigned_entry_on_the_first_save_only(db):
    round_, criterion, judge, panel = await _open_round()
    found = await queries.assignment_for_judge(judge, round_, "CCC-DDD", now=NOW)
    assert (found.id, found.panel_id, found.judge_id) == (None, panel.id, judge.id)
    taken = await scoring.take_assignment(found, now=NOW, by=judge)
    again = await scoring.take_assignment(
        await queries.assignment_for_judge(judge, round_, "CCC-DDD", now=NOW), now=NOW, by=judge)
    assert (again.id, taken.panel_id) == (taken.id, panel.id)
    assert await AuditEvent.filter(action="assignment.taken").values_list("data", flat=True) == [
        {"entry": taken.entry_id, "panel": panel.id}]
    assert await queries.assignment_for_judge(judge, round_, "EEE-FFF", now=NOW) is None


async def test_nothing_is_taken_while_the_round_takes_no_scores_or_after_leaving_the_panel(db):
    round_, criterion, judge, panel = await _open_round()
    found = await queries.assignment_for_judge(judge, round_, "CCC-DDD", now=NOW)
    await Round.filter(id=round_.id).update(judges_may_score=False)
    with pytest.raises(RoundNotScoring):
        await scoring.save_score(await scoring.take_assignment(found, now=NOW, by=judge), criterion=criterion,
                                 value="5", now=NOW, by=judge)
    await Round.filter(id=round_.id).update(judges_may_score=True)
    await PanelMember.filter(panel=panel, judge=judge).delete()
    with pytest.raises(NotFound):
        await scoring.take_assignment(found, now=NOW, by=judge)
    assert await Assignment.filter(judge=judge, entry__title="未分配").count() == 0
    assert await Panel.filter(id=panel.id).exists()
