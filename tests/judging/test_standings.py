from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.entries.states import EntryState
from contest.judging import aggregation
from contest.judging.aggregation import Flag
from contest.judging.models import (
    Assignment,
    Criterion,
    JudgeGroup,
    Panel,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)
from contest.judging.standings import (
    EntryLabel,
    PopularVote,
    judge_groups,
    vote_shares,
)
from contest.results.models import Vote, Voter
from contest.results.standings import round_inputs, round_results
from tests.factories import NOW, make_contest, make_track
from tests.judging.helpers import make_judge, make_round, submitted_entry

pytestmark = pytest.mark.unit


@dataclass
class Scene:
    round_: Round
    a: object
    b: object
    withdrawn: object
    j1: object
    j2: object
    j3: object
    experts: JudgeGroup
    committee: JudgeGroup
    creativity: Criterion
    craft: Criterion


async def seat(panel, judge, group):
    await PanelMember.create(panel=panel, judge=judge, group=group)


async def score(round_, entry, judge, values):
    assignment = await Assignment.get(round_id=round_.id, entry_id=entry.id, judge_id=judge.id)
    for criterion, value in values.items():
        await Score.create(assignment=assignment, criterion=criterion, value=Decimal(value), updated_at=NOW)


async def scene(**round_fields) -> Scene:
    """Creativity 0..10 weight 2, craft 0..5 weight 1; experts (J1, J2) weigh 0.7, the committee (J3) 0.3.

    J3 also holds an experts seat on the experts panel, but is assigned through the committee panel.
    """
    contest = await make_contest(popular_vote_share=0.2)
    track = await make_track(contest)
    round_ = await make_round(contest, **round_fields)
    creativity = await Criterion.create(round=round_, name="创意", weight=2, scale_min=0, scale_max=10, position=1)
    craft = await Criterion.create(round=round_, name="工艺", weight=1, scale_min=0, scale_max=5, position=2)
    experts = await JudgeGroup.create(contest=contest, name="专家", weight=0.7)
    committee = await JudgeGroup.create(contest=contest, name="评委会", weight=0.3)
    j1, j2, j3 = [await make_judge(display_name=n) for n in ("甲", "乙", "丙")]
    expert_panel = await Panel.create(round=round_, name="专家组")
    committee_panel = await Panel.create(round=round_, name="评委会组")
    for judge in (j1, j2, j3):
        await seat(expert_panel, judge, experts)
    await seat(committee_panel, j3, committee)
    a = await submitted_entry(contest, track, title="甲作品", number="WC-001")
    b = await submitted_entry(contest, track, title="乙作品", number="WC-002")
    withdrawn = await submitted_entry(contest, track, title="撤回", number="WC-003", state=EntryState.WITHDRAWN)
    for entry, alias in ((a, "AAA-AAA"), (b, "BBB-BBB"), (withdrawn, "WWW-WWW")):
        await RoundEntry.create(round=round_, entry=entry, alias=alias)
        for judge, panel in ((j1, expert_panel), (j2, expert_panel), (j3, committee_panel)):
            await Assignment.create(round=round_, entry=entry, judge=judge, panel=panel)
    await score(round_, a, j1, {creativity: "8", craft: "4"})
    await score(round_, a, j2, {creativity: "6", craft: "5"})
    await score(round_, a, j3, {creativity: "10", craft: "2.5"})
    await score(round_, b, j1, {creativity: "5", craft: "5"})
    await score(round_, b, j2, {creativity: "9"})
    await score(round_, withdrawn, j1, {creativity: "1", craft: "1"})
    return Scene(round_, a, b, withdrawn, j1, j2, j3, experts, committee, creativity, craft)


async def cast_votes(contest_id, entry, count, *, voided=0):
    for n in range(count + voided):
        voter = await Voter.create(contest_id=contest_id, email=f"v{entry.id}-{n}@voters.example.com")
        await Vote.create(voter=voter, entry=entry, day=date(2026, 6, 1), created_at=NOW, voided=n >= count)


async def test_round_inputs_are_the_judgeable_entries_with_their_scores_judges_and_groups(db):
    s = await scene()
    inputs = await round_inputs(s.round_)
    track_id = s.a.track_id
    assert inputs.entries == (aggregation.Entry(s.a.id, track_id), aggregation.Entry(s.b.id, track_id))
    assert inputs.criteria == (aggregation.Criterion(s.creativity.id, 2, 0, 10), aggregation.Criterion(s.craft.id, 1, 0, 5))
    assert inputs.judges == (aggregation.Judge(s.j1.id, s.experts.id), aggregation.Judge(s.j2.id, s.experts.id),
                             aggregation.Judge(s.j3.id, s.committee.id))
    assert inputs.groups == (aggregation.JudgeGroup(s.experts.id, 0.7), aggregation.JudgeGroup(s.committee.id, 0.3))
    assert inputs.assignments == tuple((e.id, j.id) for e in (s.a, s.b) for j in (s.j1, s.j2, s.j3))
    assert inputs.scores == (
        aggregation.Score(s.a.id, s.j1.id, s.creativity.id, Decimal(8)),
        aggregation.Score(s.a.id, s.j1.id, s.craft.id, Decimal(4)),
        aggregation.Score(s.a.id, s.j2.id, s.creativity.id, Decimal(6)),
        aggregation.Score(s.a.id, s.j2.id, s.craft.id, Decimal(5)),
        aggregation.Score(s.a.id, s.j3.id, s.creativity.id, Decimal(10)),
        aggregation.Score(s.a.id, s.j3.id, s.craft.id, Decimal("2.5")),
        aggregation.Score(s.b.id, s.j1.id, s.creativity.id, Decimal(5)),
        aggregation.Score(s.b.id, s.j1.id, s.craft.id, Decimal(5)),
        aggregation.Score(s.b.id, s.j2.id, s.creativity.id, Decimal(9)),
    )
    assert inputs.vote is None


async def test_round_inputs_carry_the_labels_for_the_organisers_page(db):
    s = await scene()
    labels = (await round_inputs(s.round_)).labels
    assert labels.entries == {s.a.id: EntryLabel("AAA-AAA", "WC-001", "甲作品", s.a.track_id),
                              s.b.id: EntryLabel("BBB-BBB", "WC-002", "乙作品", s.b.track_id)}
    assert labels.judges == {s.j1.id: "甲", s.j2.id: "乙", s.j3.id: "丙"}
    assert labels.groups == {s.experts.id: "专家", s.committee.id: "评委会"}
    assert labels.criteria == {s.creativity.id: "创意", s.craft.id: "工艺"}


async def test_round_results_weigh_groups_and_flag_the_missing_and_incomplete_judges(db):
    s = await scene()
    results = {r.entry_id: r for r in await round_results(s.round_)}
    # A: J1 (2·80 + 80)/3 = 80, J2 (2·60 + 100)/3 = 220/3, J3 (2·100 + 50)/3 = 250/3
    # experts (80 + 220/3)/2 = 230/3, committee 250/3; 0.7·230/3 + 0.3·250/3 = 236/3
    # B: J1 (2·50 + 100)/3 = 200/3; J2 left craft unscored; J3 scored nothing: experts alone
    assert {e: (r.figure, r.rank, r.missing_judges, r.flags) for e, r in results.items()} == {
        s.a.id: (236 / 3, 1, (), ()),
        s.b.id: (200 / 3, 2, (s.j3.id,), (Flag.MISSING_SCORES, Flag.INCOMPLETE_JUDGE)),
    }
    assert [(g.group_id, g.mean) for g in results[s.a.id].groups] == [(s.experts.id, 230 / 3), (s.committee.id, 250 / 3)]
    assert [(t.judge_id, t.missing_criteria) for t in results[s.b.id].judge_totals] == [
        (s.j1.id, ()), (s.j2.id, (s.craft.id,))]


async def test_an_entry_withdrawn_after_scoring_drops_out_of_the_round(db):
    s = await scene()
    await Entry.filter(id=s.b.id).update(state=EntryState.WITHDRAWN)
    inputs = await round_inputs(s.round_)
    assert [e.id for e in inputs.entries] == [s.a.id]
    assert {sc.entry_id for sc in inputs.scores} == {s.a.id}
    assert [(r.entry_id, r.rank) for r in await round_results(s.round_)] == [(s.a.id, 1)]


async def test_the_final_round_blends_the_non_voided_votes_of_a_contest_with_the_popular_vote(db):
    s = await scene(kind="final", name="终评")
    await Contest.filter(id=s.round_.contest_id).update(popular_vote_enabled=True)
    await cast_votes(s.round_.contest_id, s.a, 3, voided=2)
    await cast_votes(s.round_.contest_id, s.b, 1)
    await cast_votes(s.round_.contest_id, s.withdrawn, 4)
    inputs = await round_inputs(s.round_)
    assert inputs.vote == PopularVote(counts={s.a.id: 3, s.b.id: 1}, weight=0.2)
    results = {r.entry_id: (r.vote_share, r.figure) for r in await round_results(s.round_)}
    assert results == {
        s.a.id: (0.75, float(Fraction(4, 5) * Fraction(236, 3) + Fraction(1, 5) * 75)),
        s.b.id: (0.25, float(Fraction(4, 5) * Fraction(200, 3) + Fraction(1, 5) * 25)),
    }


async def test_no_vote_outside_the_final_round_or_when_the_contest_has_none(db):
    s = await scene(kind="final", name="终评")
    await cast_votes(s.round_.contest_id, s.a, 2)
    assert (await round_inputs(s.round_)).vote is None
    await Contest.filter(id=s.round_.contest_id).update(popular_vote_enabled=True)
    second = await make_round(await s.round_.contest, kind="second", name="复评", position=2, secret="two")
    assert (await round_inputs(second)).vote is None


def test_vote_shares_are_per_track_and_zero_in_a_track_without_votes():
    entries = [aggregation.Entry(1, 10), aggregation.Entry(2, 10), aggregation.Entry(3, 20), aggregation.Entry(4, 30)]
    assert vote_shares(entries, {1: 3, 2: 1, 3: 5}) == {1: Fraction(3, 4), 2: Fraction(1, 4), 3: 1, 4: 0}


@pytest.mark.parametrize(("assignments", "seats", "expected"), [
    ([(1, 7, 100)], [(100, 7, 1)], {7: 1}),
    ([(1, 7, 200), (2, 7, 100)], [(100, 7, 1), (200, 7, 2)], {7: 1}),
    ([(1, 7, 200)], [(100, 7, 1), (200, 7, 2)], {7: 2}),
    ([(1, 7, None)], [(200, 7, 2), (100, 7, None)], {7: None}),
    ([(1, 7, None)], [(200, 7, 2)], {7: 2}),
    ([(1, 7, 100), (1, 8, 100)], [(100, 7, 1)], {7: 1, 8: None}),
])
def test_judge_groups_come_from_the_seat_on_the_assignments_panel_lowest_panel_first(assignments, seats, expected):
    assert judge_groups(assignments, seats) == expected
