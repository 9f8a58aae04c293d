"""A judge taken off a panel (or whose panel is deleted) leaves the round: assignments made through
that panel and their scores go, the figures of the unlocked round follow, the audit log keeps all."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind
from contest.audit.models import AuditEvent
from contest.contests.models import Contest
from contest.errors import NotFound
from contest.judging import scoring, setup
from contest.judging.locking import RoundLocked, lock_round
from contest.judging.models import Assignment, Criterion, Panel, PanelMember, Round, RoundEntry, Score
from contest.results import bundle
from contest.results.standings import round_results
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, make_round, panel_with, submitted_entry

pytestmark = pytest.mark.unit


async def _scored_panel():
    """Two judges on one panel, a third on a second panel; each scored both entries (A: 9, B: 5, C: 7)."""
    contest = await make_contest()
    track = await make_track(contest)
    round_ = await make_round(contest)
    criterion = await Criterion.create(round=round_, name="创意", scale_min=0, scale_max=10)
    entries = [await submitted_entry(contest, track) for _ in range(2)]
    for entry, alias in zip(entries, ("AAA-111", "BBB-222"), strict=True):
        await RoundEntry.create(round=round_, entry=entry, alias=alias)
    a, b, c = await make_judge(), await make_judge(), await make_judge()
    panel, second = await panel_with(round_, [a, b]), await panel_with(round_, [c], name="第二组")
    for judge, seat, value in ((a, panel, "9"), (b, panel, "5"), (c, second, "7")):
        for entry in entries:
            assignment = await Assignment.create(round=round_, entry=entry, judge=judge, panel=seat)
            await scoring.save_score(assignment, criterion=criterion, value=value, now=NOW, by=judge)
    return round_, panel, second, (a, b, c), entries


async def _figures(round_):
    return [(r.entry_id, r.figure) for r in await round_results(await Round.get(id=round_.id))]


async def test_removing_a_judge_drops_their_assignments_and_scores_from_the_figures(db):
    round_, panel, _, (a, b, c), entries = await _scored_panel()
    organiser = await make_user()
    assert await _figures(round_) == [(entries[0].id, 70.0), (entries[1].id, 70.0)]  # (90 + 50 + 70) / 3
    member = await PanelMember.get(panel=panel, judge=a)
    with pytest.raises(setup.RemovesScores):
        await setup.remove_panel_member(member, round_, by=organiser, now=NOW)
    assert (await Assignment.filter(judge=a).count(), await _figures(round_)) == (2, [(entries[0].id, 70.0),
                                                                                       (entries[1].id, 70.0)])
    await setup.remove_panel_member(member, round_, by=organiser, now=NOW, confirmed=True)
    assert await Assignment.filter(judge=a).count() == 0
    assert sorted(await Score.filter(assignment__round=round_).values_list("assignment__judge_id", "value")) == sorted(
        [(b.id, Decimal("5.00"))] * 2 + [(c.id, Decimal("7.00"))] * 2)
    assert await _figures(round_) == [(entries[0].id, 60.0), (entries[1].id, 60.0)]
    removed = await AuditEvent.get(action="panel.member_removed")
    criterion = (await Criterion.get(round=round_)).id
    assert removed.data == {"panel": panel.id, "judge": a.id, "assignments_removed": 2,
                            "scores_removed": [{"entry": e.id, "criterion": criterion, "value": "9.00"} for e in entries]}
    saved = await AuditEvent.filter(action="score.saved", actor_label=f"user:{a.id}").values_list("data", flat=True)
    assert [d["value"] for d in saved] == ["9.00", "9.00"]  # the audit log still holds what they gave


async def test_a_removed_judges_scores_are_not_in_the_locked_rounds_bundle(db):
    round_, panel, _, (a, b, c), _ = await _scored_panel()
    organiser = await make_user()
    await setup.remove_panel_member(await PanelMember.get(panel=panel, judge=a), round_, by=organiser, now=NOW,
                                    confirmed=True)
    await lock_round(round_, by=organiser, now=NOW)
    built = await bundle.build_bundle(await Round.get(id=round_.id), now=NOW, by=organiser)
    assert sorted({s["judge_id"] for s in built["inputs"]["scores"]}) == sorted([b.id, c.id])
    assert bundle.verify_bundle(built) == []


async def test_a_judge_removed_from_one_panel_keeps_what_came_through_another(db):
    round_, panel, second, (a, b, c), entries = await _scored_panel()
    await PanelMember.create(panel=second, judge=a)
    await setup.remove_panel_member(await PanelMember.get(panel=panel, judge=a), round_, by=await make_user(), now=NOW,
                                    confirmed=True)
    assert await Assignment.filter(judge=a).count() == 0  # what came through the panel they left
    await Assignment.create(round=round_, entry=entries[0], judge=a, panel=second)
    await setup.remove_panel_member(await PanelMember.get(panel=panel, judge=b), round_, by=await make_user(), now=NOW,
                                    confirmed=True)
    assert await Assignment.filter(judge=a).values_list("panel_id", flat=True) == [second.id]


async def test_deleting_a_panel_takes_every_judge_of_it_out_of_the_round(db):
    round_, panel, second, (a, b, c), entries = await _scored_panel()
    with pytest.raises(setup.RemovesScores):
        await setup.delete_panel(panel, round_, by=await make_user(), now=NOW)
    assert await Assignment.filter(round=round_).count() == 6
    await setup.delete_panel(panel, round_, by=await make_user(), now=NOW, confirmed=True)
    assert await Assignment.filter(round=round_).values_list("judge_id", flat=True) == [c.id, c.id]
    assert await _figures(round_) == [(entries[0].id, 70.0), (entries[1].id, 70.0)]
    deleted = await AuditEvent.get(action="panel.deleted")
    assert (deleted.data["assignments_removed"], len(deleted.data["scores_removed"])) == (4, 4)


async def test_a_locked_round_keeps_its_panels_judges_and_scores(db):
    round_, panel, _, (a, b, c), entries = await _scored_panel()
    await Round.filter(id=round_.id).update(locked_at=NOW)
    round_ = await Round.get(id=round_.id)
    before = await _figures(round_)
    with pytest.raises(RoundLocked):
        await setup.remove_panel_member(await PanelMember.get(panel=panel, judge=a), round_, by=await make_user(),
                                        now=NOW)
    with pytest.raises(RoundLocked):
        await setup.delete_panel(await Panel.get(id=panel.id), round_, by=await make_user(), now=NOW)
    assert await Assignment.filter(round=round_).count() == 6
    assert await _figures(round_) == before


async def test_a_judge_removed_from_the_contest_leaves_every_unlocked_panel_with_their_scores(db):
    round_, panel, second, (a, b, c), entries = await _scored_panel()
    contest = await Contest.get(id=round_.contest_id)
    await ContestRole.create(contest=contest, user=a, role=ContestRoleKind.JUDGE)
    await PanelMember.create(panel=second, judge=a)
    organiser = await make_user()
    assert await setup.remove_from_contest(a, contest=contest, by=organiser, now=NOW) == ["judge"]
    assert (await ContestRole.filter(user=a).count(), await PanelMember.filter(judge=a).count(),
            await Assignment.filter(judge=a).count()) == (0, 0, 0)
    assert await _figures(round_) == [(entries[0].id, 60.0), (entries[1].id, 60.0)]
    assert sorted(await AuditEvent.filter(action__in=["panel.member_removed", "contest_role.removed"])
                  .values_list("action", flat=True)) == ["contest_role.removed", "panel.member_removed",
                                                         "panel.member_removed"]


async def test_autosaves_racing_the_removal_either_land_before_it_or_find_nothing(db):
    round_, panel, _, (a, _b, _c), entries = await _scored_panel()
    criterion = await Criterion.get(round=round_)
    member = await PanelMember.get(panel=panel, judge=a)
    assignments = await Assignment.filter(judge=a)
    organiser = await make_user()

    async def autosave(n: int):
        try:
            return await scoring.save_score(assignments[n % 2], criterion=criterion, value=str(n % 10), now=NOW, by=a)
        except NotFound:
            return "gone"

    outcomes = await asyncio.gather(*(autosave(n) for n in range(20)),
                                    setup.remove_panel_member(member, round_, by=organiser, now=NOW, confirmed=True))
    assert outcomes[-1].assignments == 2
    assert {type(o).__name__ for o in outcomes[:-1]} <= {"Decimal", "str"}
    assert (await Assignment.filter(judge=a).count(), await Score.filter(assignment__judge=a).count()) == (0, 0)
