"""Feedback to entrants: each designer's criterion averages and the comments judges shared, after the
announcement, where the contest gives it; and the judge's choice to share a comment or keep it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from contest import clock
from contest.audit.models import AuditEvent
from contest.contests.models import Contest
from contest.errors import NotFound
from contest.judging import scoring
from contest.judging.models import Assignment, Criterion, RoundEntry, Score
from contest.results.designer_results import averages, feedback_for_entry, results_for_designer
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, make_round, scoring_setup, submitted_entry

pytestmark = pytest.mark.unit


@dataclass
class Scene:
    contest: Contest
    designer: object
    mine: object
    other: object
    judges: list


async def scored(round_, entry, judge, criteria, values, *, comment="", shared=False):
    assignment = await Assignment.create(round=round_, entry=entry, judge=judge, comment=comment,
                                         comment_shared=shared)
    for criterion, value in zip(criteria, values, strict=True):
        await Score.create(assignment=assignment, criterion=criterion, value=Decimal(value), updated_at=NOW)


async def scene(**contest_fields) -> Scene:
    """Two rounds; the designer's entry scored in both by three named judges; another designer's entry too."""
    now = clock.now()
    contest = await make_contest(**{"submissions_open_at": now - timedelta(days=60),
                                    "submissions_close_at": now - timedelta(days=30),
                                    "announce_at": now - timedelta(days=1), "feedback_to_entrants": True,
                                    **contest_fields})
    track = await make_track(contest)
    designer = await make_user(display_name="设计师甲")
    mine = await submitted_entry(contest, track, designer, title="我的作品")
    other = await submitted_entry(contest, track, await make_user(display_name="设计师乙"), title="别人的作品")
    judges = [await make_judge(display_name=name) for name in ("王评委", "李评委", "赵评委")]
    first = await make_round(contest, name="初评", position=1, secret="first")
    final = await make_round(contest, kind="final", name="终评", name_en="Final", position=2, secret="final")
    first_criteria = [await Criterion.create(round=first, name="初评创意", position=1)]
    final_criteria = [await Criterion.create(round=final, name="创意", name_en="Creativity", position=1, scale_max=10),
                      await Criterion.create(round=final, name="工艺", name_en="Craft", position=2, scale_max=10)]
    for round_ in (first, final):
        await RoundEntry.create(round=round_, entry=mine, alias=f"M-{round_.position}")
        await RoundEntry.create(round=round_, entry=other, alias=f"O-{round_.position}")
    await scored(first, mine, judges[0], first_criteria, ["3"], comment="初评的话，分享", shared=True)
    await scored(final, mine, judges[0], final_criteria, ["8", "6"], comment="造型大胆，色彩稍乱。", shared=True)
    await scored(final, mine, judges[1], final_criteria, ["9", "7"], comment="只给组委会：疑似参考了某品牌。")
    await scored(final, mine, judges[2], final_criteria, ["7", "6"], comment="故事完整。", shared=True)
    await scored(final, other, judges[0], final_criteria, ["2", "2"], comment="别人的评语。", shared=True)
    return Scene(contest, designer, mine, other, judges)


def test_averages_keep_the_criteria_order_to_one_decimal_and_leave_out_the_unscored():
    creativity = Criterion(id=1, name="创意", name_en="", scale_min=0, scale_max=10)
    craft = Criterion(id=2, name="工艺", name_en="", scale_min=0, scale_max=10)
    story = Criterion(id=3, name="故事", name_en="", scale_min=0, scale_max=10)
    rows = averages([creativity, craft, story], [(2, Decimal(7)), (1, Decimal(8)), (1, Decimal("9.5")),
                                                 (2, Decimal(6))])
    assert [(r.name, r.average, r.judges) for r in rows] == [("创意", Decimal("8.8"), 2), ("工艺", Decimal("6.5"), 2)]


async def test_the_designer_reads_the_last_rounds_averages_and_only_the_shared_comments(db):
    s = await scene()
    [found] = await results_for_designer(s.designer, now=clock.now())
    feedback = found.entries[0].feedback
    assert (feedback.round_name, feedback.round_name_en) == ("终评", "Final")
    assert [(r.name, r.average, r.scale_max, r.judges) for r in feedback.averages] == [
        ("创意", Decimal("8.0"), 10, 3), ("工艺", Decimal("6.3"), 10, 3)]
    assert feedback.comments == ("故事完整。", "造型大胆，色彩稍乱。")
    shown = repr(feedback)
    assert all(j.display_name not in shown and j.email not in shown for j in s.judges)
    assert "别人的评语" not in shown and "只给组委会" not in shown and "初评的话" not in shown


async def test_an_entry_that_stopped_in_the_first_round_reads_that_rounds_figures(db):
    s = await scene()
    await Score.filter(assignment__entry_id=s.mine.id, assignment__round__position=2).delete()
    feedback = await feedback_for_entry(s.mine.id)
    assert (feedback.round_name, [r.name for r in feedback.averages], feedback.comments) == (
        "初评", ["初评创意"], ("初评的话，分享",))


async def test_nothing_before_the_announcement(db):
    s = await scene(announce_at=clock.now() + timedelta(days=3))
    [found] = await results_for_designer(s.designer, now=clock.now())
    assert (found.public, [e.feedback for e in found.entries]) == (False, [None])


async def test_nothing_under_the_press_before_it(db):
    s = await scene(announce_at=None, announce_by_press=True)
    [found] = await results_for_designer(s.designer, now=clock.now())
    assert (found.public, [e.feedback for e in found.entries]) == (False, [None])


async def test_nothing_when_the_contest_gives_no_feedback(db):
    s = await scene(feedback_to_entrants=False)
    [found] = await results_for_designer(s.designer, now=clock.now())
    assert (found.public, [e.feedback for e in found.entries]) == (True, [None])


async def test_an_entry_nobody_scored_has_no_feedback(db):
    s = await scene()
    await Score.filter(assignment__entry_id=s.mine.id).delete()
    assert await feedback_for_entry(s.mine.id) is None


async def test_a_comment_is_for_the_committee_until_the_judge_shares_it_audited(db):
    _, _, judge, _, assignment = await scoring_setup()
    assert (await Assignment.get(id=assignment.id)).comment_shared is False
    await scoring.set_comment_shared(assignment, shared=True, now=NOW, by=judge)
    assert (await Assignment.get(id=assignment.id)).comment_shared is True
    await scoring.set_comment_shared(assignment, shared=False, now=NOW, by=judge)
    assert (await Assignment.get(id=assignment.id)).comment_shared is False
    assert await AuditEvent.filter(action="assignment.comment_shared").order_by("seq").values_list(
        "data", flat=True) == [{"shared": True}, {"shared": False}]


async def test_only_the_judge_may_share_and_only_while_the_round_takes_scores(db):
    round_, _, judge, _, assignment = await scoring_setup()
    with pytest.raises(NotFound):
        await scoring.set_comment_shared(assignment, shared=True, now=NOW, by=await make_user())
    with pytest.raises(scoring.RoundNotScoring):
        await scoring.set_comment_shared(assignment, shared=True, now=round_.closes_at, by=judge)
    assert (await Assignment.get(id=assignment.id)).comment_shared is False
    assert not await AuditEvent.filter(action="assignment.comment_shared").exists()
