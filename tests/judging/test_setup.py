"""Configuring rounds, criteria and panels: every field's problem reported at once, nothing saved half,
rule changes on a scored round only when confirmed, and every change in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind, Invitation
from contest.audit.models import AuditEvent
from contest.errors import InvalidInput
from contest.judging import setup
from contest.judging.aggregation import Method
from contest.judging.locking import RoundLocked
from contest.judging.models import Assignment, Criterion, JudgeGroup, Panel, PanelMember, Round, RoundKind, Score
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import scoring_setup

pytestmark = pytest.mark.unit

ZONE = "Asia/Shanghai"
GOOD = {"kind": "final", "name": "终评", "name_en": "Final", "opens_at": "2026-12-01T09:00",
        "closes_at": "2026-12-05T18:00", "entry_source": "advanced", "assignment_mode": "k_per_entry",
        "judges_per_entry": "5", "method": "trimmed_mean", "judges_see_others_scores": "after_own",
        "judges_may_score": "on", "judges_see_only_assigned": "1"}


def test_round_settings_are_read_in_the_contests_zone_with_switches():
    settings = setup.parse_round_settings(GOOD, zone=ZONE)
    assert settings.kind is RoundKind.FINAL and settings.method is Method.TRIMMED_MEAN
    assert settings.opens_at.isoformat() == "2026-12-01T01:00:00+00:00"  # 09:00 in Shanghai
    assert settings.judges_per_entry == 5
    assert (settings.judges_may_score, settings.judges_see_only_assigned) == (True, True)
    assert (settings.designers_may_edit, settings.judges_see_identity) == (False, False)


def test_round_settings_report_every_bad_field_at_once():
    raw = {**GOOD, "name": " ", "kind": "semi", "judges_per_entry": "0", "method": "median",
           "opens_at": "tomorrow", "closes_at": "2026-11-30T09:00"}
    with pytest.raises(InvalidInput) as caught:
        setup.parse_round_settings(raw, zone=ZONE)
    assert set(caught.value.field_errors) == {"name", "kind", "judges_per_entry", "method", "opens_at"}


def test_a_window_closing_before_it_opens_is_refused_at_the_close():
    with pytest.raises(InvalidInput) as caught:
        setup.parse_round_settings({**GOOD, "closes_at": "2026-12-01T09:00"}, zone=ZONE)
    assert caught.value.field_errors == {"closes_at": "The window must close after it opens."}


@pytest.mark.parametrize(("field", "value"), [("weight", "0"), ("weight", "-1"), ("weight", "x"), ("weight", "nan"),
                                              ("scale_max", "0"), ("scale_min", "1.5"), ("name", "")])
def test_criterion_rejects(field, value):
    raw = {"name": "创意", "weight": "2", "scale_min": "0", "scale_max": "10", field: value}
    with pytest.raises(InvalidInput) as caught:
        setup.parse_criterion(raw)
    assert field in caught.value.field_errors


async def test_create_round_checks_the_contest_timeline_and_other_rounds(db):
    contest = await make_contest(submissions_close_at=NOW + timedelta(days=10))
    organiser = await make_user()
    early = setup.parse_round_settings({**GOOD, "opens_at": "", "closes_at": (NOW + timedelta(days=9)).strftime(
        "%Y-%m-%dT%H:%M")}, zone="UTC")
    with pytest.raises(InvalidInput) as caught:
        await setup.create_round(contest, early, by=organiser, now=NOW)
    assert caught.value.field_errors == {"closes_at": "A round must close after submissions close."}
    window = {"opens_at": (NOW + timedelta(days=11)).strftime("%Y-%m-%dT%H:%M"),
              "closes_at": (NOW + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")}
    first = await setup.create_round(contest, setup.parse_round_settings({**GOOD, **window}, zone="UTC"),
                                     by=organiser, now=NOW)
    assert first.position == 1 and len(first.secret) == 32
    overlapping = {**window, "opens_at": (NOW + timedelta(days=19)).strftime("%Y-%m-%dT%H:%M"),
                   "closes_at": (NOW + timedelta(days=25)).strftime("%Y-%m-%dT%H:%M")}
    with pytest.raises(InvalidInput) as caught:
        await setup.create_round(contest, setup.parse_round_settings({**GOOD, **overlapping}, zone="UTC"),
                                 by=organiser, now=NOW)
    assert "opens_at" in caught.value.field_errors
    assert await Round.filter(contest=contest).count() == 1
    assert await AuditEvent.filter(action="round.created").count() == 1


async def _scored_round():
    round_, criterion, judge, entry, assignment = await scoring_setup()
    await Score.create(assignment=assignment, criterion=criterion, value=7, updated_at=NOW)
    return round_, criterion


def _settings_of(round_: Round, **changes) -> setup.RoundSettings:
    fields = {k: getattr(round_, k) for k in setup.RoundSettings.__dataclass_fields__}
    return setup.RoundSettings(**{**fields, **changes})


async def test_changing_the_rules_of_a_scored_round_needs_confirmation_and_is_logged(db):
    round_, _ = await _scored_round()
    organiser = await make_user()
    changed = _settings_of(round_, method=Method.ZSCORE)
    with pytest.raises(setup.NeedsConfirmation):
        await setup.update_round(round_, changed, by=organiser, now=NOW)
    assert (await Round.get(id=round_.id)).method == Method.MEAN
    assert await setup.update_round(round_, changed, by=organiser, now=NOW, confirmed=True) == {"method": Method.ZSCORE}
    assert (await Round.get(id=round_.id)).method == Method.ZSCORE
    event = await AuditEvent.get(action="round.updated")
    assert event.data == {"changes": {"method": "zscore"}, "had_scores": True}


async def test_an_unchanged_save_changes_nothing_and_needs_no_confirmation(db):
    round_, _ = await _scored_round()
    assert await setup.update_round(round_, _settings_of(round_), by=await make_user(), now=NOW) == {}
    assert not await AuditEvent.filter(action="round.updated").exists()


async def test_criteria_changes_on_scored_rounds(db):
    round_, criterion = await _scored_round()
    organiser = await make_user()
    spec = setup.parse_criterion({"name": "创意", "weight": "2", "scale_min": "0", "scale_max": "5"})
    with pytest.raises(setup.NeedsConfirmation):
        await setup.update_criterion(criterion, spec, by=organiser, now=NOW)
    with pytest.raises(InvalidInput) as caught:  # a 7 was given: a 0..5 scale would orphan it
        await setup.update_criterion(criterion, spec, by=organiser, now=NOW, confirmed=True)
    assert "scale_min" in caught.value.field_errors
    with pytest.raises(setup.NeedsConfirmation):
        await setup.add_criterion(round_, spec, by=organiser, now=NOW)
    with pytest.raises(setup.NeedsConfirmation):
        await setup.delete_criterion(criterion, by=organiser, now=NOW)
    await setup.delete_criterion(criterion, by=organiser, now=NOW, confirmed=True)
    assert not await Score.exists() and not await Criterion.filter(round=round_).exists()
    assert (await AuditEvent.get(action="criterion.deleted")).data["scores_removed"] == 1


async def test_a_locked_round_refuses_every_change(db):
    round_, criterion = await _scored_round()
    await Round.filter(id=round_.id).update(locked_at=NOW)
    round_ = await Round.get(id=round_.id)
    organiser = await make_user()
    with pytest.raises(RoundLocked):
        await setup.update_round(round_, _settings_of(round_, name="改名"), by=organiser, now=NOW, confirmed=True)
    with pytest.raises(RoundLocked):
        await setup.create_panel(round_, name="A", track_id=None, by=organiser, now=NOW)


async def test_panels_take_only_the_contests_judges_tracks_and_groups(db):
    round_, _ = await _scored_round()
    contest = await round_.contest
    other_contest = await make_contest()
    organiser, judge, stranger = await make_user(), await make_user(), await make_user()
    await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    foreign_track = await make_track(other_contest)
    with pytest.raises(InvalidInput) as caught:
        await setup.create_panel(round_, name="", track_id=foreign_track.id, by=organiser, now=NOW)
    assert set(caught.value.field_errors) == {"name", "track"}
    panel = await setup.create_panel(round_, name="专家组", track_id=None, by=organiser, now=NOW)
    experts = await JudgeGroup.create(contest=contest, name="专家", weight=0.7)
    foreign_group = await JudgeGroup.create(contest=other_contest, name="外", weight=1)
    with pytest.raises(InvalidInput) as caught:
        await setup.add_panel_member(panel, round_, judge_id=stranger.id, group_id=foreign_group.id, by=organiser,
                                     now=NOW)
    assert set(caught.value.field_errors) == {"judge", "group"}
    member = await setup.add_panel_member(panel, round_, judge_id=judge.id, group_id=experts.id, by=organiser, now=NOW)
    with pytest.raises(InvalidInput):
        await setup.add_panel_member(panel, round_, judge_id=judge.id, group_id=None, by=organiser, now=NOW)
    await setup.remove_panel_member(member, round_, by=organiser, now=NOW)
    await setup.delete_panel(panel, round_, by=organiser, now=NOW)
    assert not await PanelMember.exists() and not await Panel.exists()
    actions = await AuditEvent.filter(action__startswith="panel.").order_by("id").values_list("action", flat=True)
    assert actions == ["panel.created", "panel.member_added", "panel.member_removed", "panel.deleted"]


def test_a_round_locked_early_holds_the_calendar_only_until_the_minute_it_was_locked():
    opens, closes = NOW - timedelta(days=1), NOW + timedelta(days=5)
    locked = NOW.replace(second=42)
    assert setup.busy_until(Round(opens_at=opens, closes_at=closes)) == closes
    assert setup.busy_until(Round(opens_at=opens, closes_at=closes, locked_at=locked)) == locked.replace(second=0)
    assert setup.busy_until(Round(opens_at=opens, closes_at=closes, locked_at=closes + timedelta(hours=1))) == closes


async def test_the_next_round_may_start_the_minute_the_previous_one_was_locked(db):
    round_, _ = await _scored_round()
    contest = await round_.contest
    organiser = await make_user()
    final = await setup.create_round(contest, _settings_of(round_, name="终评", opens_at=NOW + timedelta(days=3),
                                                          closes_at=NOW + timedelta(days=12)), by=organiser, now=NOW)
    starting_now = _settings_of(final, opens_at=NOW.replace(second=0))
    with pytest.raises(InvalidInput) as caught:
        await setup.update_round(final, starting_now, by=organiser, now=NOW)
    assert caught.value.field_errors == {"opens_at": "This window overlaps another round of the contest."}
    await Round.filter(id=round_.id).update(locked_at=NOW + timedelta(seconds=30))
    assert await setup.update_round(final, starting_now, by=organiser, now=NOW) == {"opens_at": NOW.replace(second=0)}


async def _grouped_contest_judge(*, invited_into: str | None):
    round_, _ = await _scored_round()
    contest = await round_.contest
    experts = await JudgeGroup.create(contest=contest, name="专家", weight=0.7)
    await JudgeGroup.create(contest=contest, name="工会", weight=0.3)
    judge = await make_user(email="invited@jury.example.net")
    await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    await Invitation.create(contest=contest, email=judge.email, role=ContestRoleKind.JUDGE, token_hash="t" * 64,
                            judge_group=experts if invited_into else None, expires_at=NOW, used_at=NOW)
    panel = await Panel.create(round=round_, name="全体评委")
    return round_, panel, judge, experts


async def test_a_judge_is_seated_in_the_group_they_were_invited_into(db):
    round_, panel, judge, experts = await _grouped_contest_judge(invited_into="experts")
    member = await setup.add_panel_member(panel, round_, judge_id=judge.id, group_id=None, by=judge, now=NOW)
    assert member.group_id == experts.id
    event = await AuditEvent.get(action="panel.member_added")
    assert event.data == {"panel": panel.id, "judge": judge.id, "group": experts.id, "group_from_invitation": True}


async def test_a_judge_without_a_group_is_not_seated_outside_the_weighted_groups(db):
    round_, panel, judge, experts = await _grouped_contest_judge(invited_into=None)
    with pytest.raises(InvalidInput) as caught:
        await setup.add_panel_member(panel, round_, judge_id=judge.id, group_id=None, by=judge, now=NOW)
    assert list(caught.value.field_errors) == ["group"]
    assert not await PanelMember.filter(judge_id=judge.id).exists()
    member = await setup.add_panel_member(panel, round_, judge_id=judge.id, group_id=experts.id, by=judge, now=NOW)
    assert member.group_id == experts.id


async def test_a_criterion_added_after_submissions_reopens_them(db):
    round_, criterion, judge, entry, assignment = await scoring_setup()
    await Score.create(assignment=assignment, criterion=criterion, value=7, updated_at=NOW)
    await Assignment.filter(id=assignment.id).update(completed_at=NOW)
    spec = setup.parse_criterion({"name": "工艺", "weight": "1", "scale_min": "0", "scale_max": "10"})
    await setup.add_criterion(round_, spec, by=await make_user(), now=NOW, confirmed=True)
    assert (await Assignment.get(id=assignment.id)).completed_at is None
    assert (await AuditEvent.get(action="criterion.added")).data["submissions_reopened"] == 1
