"""The ceremony's reveal order, what the big screen shows, and the 公布 press that makes it the announcement."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest import cache_stamp, clock
from contest.audit.models import AuditEvent
from contest.console import contest_config as config
from contest.contests import timeline
from contest.contests.models import AwardTier, Contest
from contest.errors import InvalidInput
from contest.results import ceremony, embargo
from contest.results.gallery import TrackInfo
from contest.results.models import Award, AwardStatus
from tests.factories import make_track
from tests.results.ceremony_builders import press_edition
from tests.results.gallery_builders import winner

pytestmark = pytest.mark.unit

IP, PRODUCT = TrackInfo(1, "ip", "工运IP赛道", "", 1), TrackInfo(2, "product", "生活实用产品赛道", "", 2)


def tier(id_: int, track_id: int | None, rank: int, name: str, special: bool = False) -> dict:
    return {"id": id_, "track_id": track_id, "name": name, "name_en": "", "rank": rank, "quota": 1,
            "is_special": special}


def test_the_reveal_climbs_from_the_lowest_grade_track_by_track_with_specials_before_the_top():
    tiers = [tier(11, 1, 1, "一等奖"), tier(12, 1, 2, "二等奖"), tier(13, 1, 3, "优秀奖"),
             tier(21, 2, 1, "一等奖"), tier(22, 2, 2, "二等奖"), tier(23, 2, 3, "优秀奖"),
             tier(31, None, 5, "网络人气奖", special=True), tier(32, None, 4, "评委会特别奖", special=True)]
    awards = [(11, 100), (21, 200), (12, 101), (13, 102), (13, 103), (23, 202), (31, 100), (32, 201)]
    steps = ceremony.reveal_order(tiers, awards, [PRODUCT, IP][::-1])
    assert [(s.name, s.track.slug if s.track else None, s.entry_ids) for s in steps] == [
        ("优秀奖", "ip", (102, 103)), ("优秀奖", "product", (202,)), ("二等奖", "ip", (101,)),
        ("网络人气奖", None, (100,)), ("评委会特别奖", None, (201,)),
        ("一等奖", "ip", (100,)), ("一等奖", "product", (200,))]


def test_a_vacant_grade_is_no_step_and_specials_alone_still_show():
    tiers = [tier(11, 1, 1, "一等奖"), tier(12, 1, 2, "二等奖"), tier(31, None, 5, "网络人气奖", special=True)]
    assert [s.tier_id for s in ceremony.reveal_order(tiers, [(12, 1), (31, 2)], [IP])] == [31, 12]
    assert [s.tier_id for s in ceremony.reveal_order(tiers, [(31, 2)], [IP])] == [31]
    assert ceremony.reveal_order(tiers, [], [IP]) == []


async def test_the_screen_shows_confirmed_winners_with_title_public_name_and_public_pictures(app):
    show = await press_edition(app.state.store)
    track = await make_track(show.contest, slug="extra", name="额外赛道", position=3)
    proposed = await AwardTier.create(contest=show.contest, track=track, name="一等奖", rank=1)
    await winner(show.contest, track, proposed, app.state.store, title="待定作品", number="P-9999",
                 status=AwardStatus.PROPOSED)
    shown = await ceremony.ceremony_of(show.contest, now=clock.now())
    assert [(s.step.name, s.step.track.name if s.step.track else None, [h.title for h in s.honorees])
            for s in shown.steps] == [
        ("优秀奖", "工运IP赛道", ["铆钉书签"]), ("优秀奖", "生活实用产品赛道", ["劳模笔记本"]),
        ("二等奖", "工运IP赛道", ["钢花"]), ("网络人气奖", None, ["小工匠·阿铆"]),
        ("一等奖", "工运IP赛道", ["小工匠·阿铆"]), ("一等奖", "生活实用产品赛道", ["海派剪纸茶杯"])]
    first = shown.steps[0].honorees[0]
    assert (first.number, first.public_name, len(first.pictures)) == ("P-0003", "设计师3", 2)
    assert set(first.pictures[0].variants) == {"thumb.webp", "thumb.jpeg", "display.webp", "display.jpeg"}
    assert len(shown.pictures) == 12  # six reveals of two pictures each, 阿铆's twice
    assert (shown.by_press, shown.announced, shown.pending, shown.may_press) == (True, False, 1, False)


async def test_the_press_announces_at_that_moment_audited_and_tells_the_caches(app):
    show = await press_edition(app.state.store)
    now = clock.now()
    assert not embargo.results_public(show.contest, now)
    before = cache_stamp.local_changes()
    assert (await ceremony.ceremony_of(show.contest, now=now)).may_press
    await ceremony.announce_at_press(show.contest, by=show.organiser, now=now)
    stored = await Contest.get(id=show.contest.id)
    assert stored.announce_at == now
    assert [embargo.results_public(stored, now + d) for d in (-timedelta(seconds=1), timedelta(0))] == [False, True]
    assert cache_stamp.local_changes() == before + 1
    event = await AuditEvent.get(action="results.announced_at_press")
    assert (event.subject, event.actor_id, event.contest_id, event.data) == (
        f"contest:{show.contest.id}", show.organiser.id, show.contest.id, {"announce_at": now.isoformat()})
    with pytest.raises(ceremony.AlreadyAnnounced):
        await ceremony.announce_at_press(stored, by=show.organiser, now=now + timedelta(minutes=1))
    assert (await Contest.get(id=show.contest.id)).announce_at == now
    assert await AuditEvent.filter(action="results.announced_at_press").count() == 1


async def test_the_press_is_refused_in_the_scheduled_mode_and_with_awards_unconfirmed(app):
    show = await press_edition(app.state.store)
    now = clock.now()
    await Award.filter(contest_id=show.contest.id, tier_id=show.tiers["ip-2"].id).update(status=AwardStatus.PROPOSED)
    with pytest.raises(ceremony.AwardsNotConfirmed):
        await ceremony.announce_at_press(show.contest, by=show.organiser, now=now)
    await Award.filter(contest_id=show.contest.id).delete()
    with pytest.raises(ceremony.AwardsNotConfirmed):
        await ceremony.announce_at_press(show.contest, by=show.organiser, now=now)
    await Contest.filter(id=show.contest.id).update(announce_by_press=False)
    with pytest.raises(ceremony.NotPressMode):
        await ceremony.announce_at_press(show.contest, by=show.organiser, now=now)
    assert (await Contest.get(id=show.contest.id)).announce_at is None
    assert not await AuditEvent.filter(action="results.announced_at_press").exists()


def settings_of(contest: Contest, **changes) -> config.ContestSettings:
    fields = {name: getattr(contest, name) for name in config.ContestSettings.__dataclass_fields__}
    return config.ContestSettings(**{**fields, "is_published": False, **changes})  # published needs saved terms


async def test_settings_refuse_a_time_in_press_mode_and_keep_the_press_time_after_it(app):
    show = await press_edition(app.state.store)
    now = clock.now()
    with pytest.raises(InvalidInput) as refused:
        await config.update_contest(show.contest, settings_of(show.contest, announce_at=now + timedelta(days=1)),
                                    by=show.organiser, now=now)
    assert refused.value.field_errors == {"announce_at": config.PRESS_SETS_TIME}
    await ceremony.announce_at_press(show.contest, by=show.organiser, now=now)
    later = now + timedelta(hours=1)
    contest = await Contest.get(id=show.contest.id)
    await config.update_contest(contest, settings_of(contest, announce_at=None, title="新标题"), by=show.organiser,
                                now=later)
    assert ((await Contest.get(id=contest.id)).announce_at, contest.title) == (now, "新标题")
    with pytest.raises(InvalidInput) as refused:
        await config.update_contest(contest, settings_of(contest, announce_by_press=False), by=show.organiser, now=later)
    assert set(refused.value.field_errors) == {"announce_by_press"}


async def test_the_timeline_names_the_press_and_does_not_claim_results_before_it(app):
    show = await press_edition(app.state.store)
    now = clock.now()
    assert timeline.timeline(show.contest, [], now)[-1].label == "Results announced at the ceremony press"
    phase = timeline.current_phase(show.contest, now)
    assert (phase.key, phase.countdown_to) == ("judging", None)
    await ceremony.announce_at_press(show.contest, by=show.organiser, now=now)
    contest = await Contest.get(id=show.contest.id)
    assert timeline.current_phase(contest, now).key == "announced"
    assert timeline.timeline(contest, [], now)[-1].state == "current"
