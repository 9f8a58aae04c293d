from __future__ import annotations

from types import SimpleNamespace

import pytest

from contest.audit.models import AuditEvent
from contest.entries.models import Entry
from contest.entries.states import EntryState, LeakStatus
from contest.errors import InvalidInput
from contest.judging import advancing, conflicts, locking, round_assignments, round_entries
from contest.judging.assignment import Shortfall, make_aliases
from contest.judging.locking import RoundLocked
from contest.judging.models import (
    Assignment,
    Conflict,
    Criterion,
    Round,
    RoundEntry,
    Score,
)
from contest.judging.round_entries import NoPreviousRound
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, make_round, panel_with, submitted_entry

pytestmark = pytest.mark.unit


async def contest_with_entries(n=3):
    contest = await make_contest()
    track = await make_track(contest)
    entries = [await submitted_entry(contest, track, title=f"作品{i}") for i in range(n)]
    return contest, track, entries


async def test_opening_takes_submitted_entries_with_the_secret_aliases_and_is_idempotent(db):
    contest, track, entries = await contest_with_entries(3)
    draft = await submitted_entry(contest, track, state=EntryState.DRAFT)
    other_contest = await make_contest()
    await submitted_entry(other_contest, await make_track(other_contest))
    round_ = await make_round(contest, secret="alias-secret")
    assert await round_entries.open_round_entries(round_, now=NOW) == 3
    rows = dict(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", "alias"))
    assert rows == make_aliases([e.id for e in entries], "alias-secret")
    assert draft.id not in rows
    assert await round_entries.open_round_entries(round_, now=NOW) == 0
    assert await RoundEntry.filter(round_id=round_.id).count() == 3
    late = await submitted_entry(contest, track)
    assert await round_entries.open_round_entries(round_, now=NOW) == 1
    assert dict(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", "alias")) == rows | {
        late.id: make_aliases([late.id], "alias-secret")[late.id]}
    assert await AuditEvent.filter(action="round.entries_opened").values_list("data", flat=True) == [
        {"added": 3, "total": 3}, {"added": 0, "total": 3}, {"added": 1, "total": 4}]


async def test_opening_leak_checks_unchecked_entries(db):
    contest = await make_contest()
    track = await make_track(contest)
    owner = await make_user(display_name="周大福")
    leaky = await submitted_entry(contest, track, owner, title="周大福设计")
    clean = await submitted_entry(contest, track, owner, title="无名")
    await round_entries.open_round_entries(await make_round(contest), now=NOW)
    assert dict(await Entry.filter(id__in=[leaky.id, clean.id]).values_list("id", "leak_status")) == {
        leaky.id: LeakStatus.FLAGGED, clean.id: LeakStatus.CLEAR}


async def test_an_advanced_round_takes_only_entries_advanced_in_the_previous_round(db):
    contest, _, entries = await contest_with_entries(3)
    first = await make_round(contest, position=1, secret="one")
    second = await make_round(contest, kind="final", name="终评", position=2, secret="two", entry_source="advanced")
    with pytest.raises(NoPreviousRound):
        await round_entries.open_round_entries(await make_round(contest, position=0, secret="zero", entry_source="advanced"),
                                         now=NOW)
    await round_entries.open_round_entries(first, now=NOW)
    await RoundEntry.filter(round_id=first.id, entry_id__in=[entries[0].id, entries[2].id]).update(advanced=True)
    assert await round_entries.open_round_entries(second, now=NOW) == 2
    assert sorted(await RoundEntry.filter(round_id=second.id).values_list("entry_id", flat=True)) == [
        entries[0].id, entries[2].id]


async def test_whole_panel_assignment_skips_stored_and_detected_conflicts_and_is_idempotent(db):
    contest = await make_contest()
    track_a, track_b = await make_track(contest), await make_track(contest)
    owner = await make_user(email="designer@acme-design.cn")
    a1 = await submitted_entry(contest, track_a, owner, organisation="")
    a2 = await submitted_entry(contest, track_a, supervisor_name="孙老师")
    b1 = await submitted_entry(contest, track_b)
    round_ = await make_round(contest)
    await round_entries.open_round_entries(round_, now=NOW)
    colleague = await make_user(email="boss@acme-design.cn")  # same e-mail domain as a1's owner
    teacher = await make_judge(display_name="孙老师")  # a2's supervisor
    declared = await make_judge()
    plain = await make_judge()
    await Conflict.create(contest=contest, judge=declared, entry=a1, source="declared", reason="亲属")
    await panel_with(round_, [colleague, teacher, declared, plain], track=track_a)
    await panel_with(round_, [plain], track=None)
    organiser = await make_user()

    summary = await round_assignments.assign_round(round_, by=organiser, now=NOW)
    pairs = set(await Assignment.filter(round_id=round_.id).values_list("entry_id", "judge_id"))
    assert pairs == {(a1.id, teacher.id), (a1.id, plain.id), (a2.id, colleague.id), (a2.id, declared.id),
                     (a2.id, plain.id), (b1.id, plain.id)}
    assert (summary.created, summary.total, summary.detected_conflicts, summary.shortfalls) == (6, 6, 2, [])
    detected = set(await Conflict.filter(source="detected").values_list("judge_id", "entry_id", "reason"))
    assert detected == {(colleague.id, a1.id, "same_email_domain"), (teacher.id, a2.id, "supervisor")}

    again = await round_assignments.assign_round(round_, by=organiser, now=NOW)
    assert (again.created, again.total, again.detected_conflicts) == (0, 6, 0)
    assert await AuditEvent.filter(action="round.assigned").values_list("data", flat=True) == [
        {"created": 6, "total": 6, "detected_conflicts": 2, "shortfalls": 0},
        {"created": 0, "total": 6, "detected_conflicts": 0, "shortfalls": 0}]


async def test_k_per_entry_balances_load_and_reports_shortfalls(db):
    contest, track, entries = await contest_with_entries(4)
    round_ = await make_round(contest, assignment_mode="k_per_entry", judges_per_entry=2)
    await round_entries.open_round_entries(round_, now=NOW)
    judges = [await make_judge() for _ in range(4)]
    await panel_with(round_, judges, track=track)
    organiser = await make_user()
    summary = await round_assignments.assign_round(round_, by=organiser, now=NOW)
    assert (summary.created, summary.shortfalls) == (8, [])
    per_entry = await Assignment.filter(round_id=round_.id).values_list("entry_id", "judge_id")
    assert sorted(e for e, _ in per_entry) == sorted([e.id for e in entries] * 2)
    assert sorted(sum(1 for _, j in per_entry if j == judge.id) for judge in judges) == [2, 2, 2, 2]

    # Three judges declare against the last entry: it can have only one judge left.
    last = entries[-1]
    for judge in judges[:3]:
        await conflicts.declare_conflict(judge, last, reason="同单位", now=NOW)
    summary = await round_assignments.assign_round(round_, by=organiser, now=NOW)
    assert summary.shortfalls == [Shortfall(last.id, 2, 1)]
    assert set(await Assignment.filter(round_id=round_.id, entry_id=last.id).values_list("judge_id", flat=True)) == {
        judges[3].id}


async def test_an_entry_no_panel_covers_is_a_shortfall(db):
    contest, _track, entries = await contest_with_entries(1)
    round_ = await make_round(contest)
    await round_entries.open_round_entries(round_, now=NOW)
    await panel_with(round_, [await make_judge()], track=await make_track(contest))
    summary = await round_assignments.assign_round(round_, by=await make_user(), now=NOW)
    assert (summary.created, summary.shortfalls) == (0, [Shortfall(entries[0].id, 1, 0)])


async def test_a_declared_conflict_removes_the_entry_and_its_scores_from_the_judge_at_once(db):
    contest, _track, entries = await contest_with_entries(2)
    round_ = await make_round(contest)
    locked = await make_round(contest, position=0, secret="old", locked_at=NOW)
    criterion = await Criterion.create(round=round_, name="创意")
    judge, other = await make_user(), await make_user()
    target = entries[0]
    mine = await Assignment.create(round=round_, entry=target, judge=judge)
    kept_other = await Assignment.create(round=round_, entry=target, judge=other)
    kept_entry = await Assignment.create(round=round_, entry=entries[1], judge=judge)
    kept_locked = await Assignment.create(round=locked, entry=target, judge=judge)
    for a in (mine, kept_other, kept_entry):
        await Score.create(assignment=a, criterion=criterion, value=7, updated_at=NOW)

    with pytest.raises(InvalidInput):
        await conflicts.declare_conflict(judge, target, reason="  ", now=NOW)
    assert await Conflict.all().count() == 0
    conflict = await conflicts.declare_conflict(judge, target, reason="是我的学生", now=NOW)
    assert (conflict.source, conflict.reason, conflict.judge_id, conflict.entry_id) == (
        "declared", "是我的学生", judge.id, target.id)
    assert sorted(await Assignment.all().values_list("id", flat=True)) == sorted(
        [kept_other.id, kept_entry.id, kept_locked.id])
    assert sorted(await Score.all().values_list("assignment_id", flat=True)) == sorted([kept_other.id, kept_entry.id])
    assert await AuditEvent.filter(action="conflict.declared").values_list("actor_id", "data") == [
        (judge.id, {"judge": judge.id, "reason": "是我的学生", "assignments_removed": 1, "scores_removed": 1})]


async def test_an_organiser_sets_a_conflict(db):
    contest, _, entries = await contest_with_entries(1)
    round_ = await make_round(contest)
    judge, organiser = await make_user(), await make_user()
    await Assignment.create(round=round_, entry=entries[0], judge=judge)
    await conflicts.set_conflict(judge, entries[0], reason="同一单位", by=organiser, now=NOW)
    assert await Conflict.all().values_list("source", "reason") == [("organiser", "同一单位")]
    assert await Assignment.all().count() == 0
    assert await AuditEvent.filter(action="conflict.organiser").values_list("actor_id", flat=True) == [organiser.id]


def result(entry_id, track_id, figure):
    return SimpleNamespace(entry_id=entry_id, track_id=track_id, figure=figure)


def test_top_n_per_track_and_overall_with_ties_at_the_cut():
    ranking = [result(1, 10, 90.0), result(2, 10, 80.0), result(3, 10, 80.00001), result(4, 10, 70.0),
               result(5, 20, 85.0), result(6, 20, 60.0), result(7, 20, None)]
    assert advancing.top_n(ranking, n=2, per_track=True) == [1, 2, 3, 5, 6]
    assert advancing.top_n(ranking, n=1, per_track=True) == [1, 5]
    assert advancing.top_n(ranking, n=2, per_track=False) == [1, 5]
    assert advancing.top_n(ranking, n=3, per_track=False) == [1, 2, 3, 5]
    assert advancing.top_n(ranking, n=0, per_track=False) == []


async def test_advance_marks_the_top_n_and_unmarks_the_rest(db):
    contest, _, entries = await contest_with_entries(3)
    round_ = await make_round(contest)
    await round_entries.open_round_entries(round_, now=NOW)
    organiser = await make_user()
    ids = [e.id for e in entries]
    ranking = [result(ids[0], 1, 50.0), result(ids[1], 1, 90.0), result(ids[2], 1, 70.0)]
    assert await advancing.advance_top_n(round_, ranking=ranking, n=2, per_track=False, by=organiser, now=NOW) == sorted(
        [ids[1], ids[2]])
    assert await advancing.advance_top_n(round_, ranking=ranking, n=1, per_track=False, by=organiser, now=NOW) == [ids[1]]
    assert dict(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", "advanced")) == {
        ids[0]: False, ids[1]: True, ids[2]: False}
    assert [d["entries"] for d in await AuditEvent.filter(action="round.advanced").order_by("seq").values_list(
        "data", flat=True)] == [sorted([ids[1], ids[2]]), [ids[1]]]


async def test_lock_once_then_everything_is_refused(db):
    contest, _, entries = await contest_with_entries(1)
    round_ = await make_round(contest)
    organiser = await make_user()
    await locking.lock_round(round_, by=organiser, now=NOW)
    assert (await Round.get(id=round_.id)).locked_at == NOW
    with pytest.raises(RoundLocked) as caught:
        await locking.lock_round(await Round.get(id=round_.id), by=organiser, now=NOW)
    assert caught.value.status_code == 409
    with pytest.raises(RoundLocked):
        await advancing.advance_top_n(round_, ranking=[result(entries[0].id, 1, 1.0)], n=1, per_track=False,
                                      by=organiser, now=NOW)
    with pytest.raises(RoundLocked):
        await round_assignments.assign_round(round_, by=organiser, now=NOW)
    with pytest.raises(RoundLocked):
        await round_entries.open_round_entries(round_, now=NOW)
    assert await AuditEvent.filter(action="round.locked").count() == 1
    assert await RoundEntry.all().count() == 0
