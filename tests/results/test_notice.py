"""What the 公示 lists and counts: each track's grades, the special awards across tracks in their own
section, and every entry counted once however many awards it holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.contests.models import Contest
from contest.results import awarding, notice
from contest.results.models import NoticeKind
from tests.factories import NOW, make_user
from tests.results.award_builders import final_round

pytestmark = pytest.mark.unit

SEVEN = (95, 90, 85, 80, 75, 70, 65)
NOTICE_START = NOW + timedelta(days=1)


def line(entry_id: int, track: str, grade: str, *, special: bool = False) -> notice.Listed:
    return notice.Listed(entry_id, f"N{entry_id}", f"作品{entry_id}", f"设计师{entry_id}", track, "", grade,
                         special=special)


async def awarded_final(*, special_places: tuple[int, ...]):
    """Seven entries of one track with the proposal stored (places 1–6 hold a grade) and 网络人气奖, the
    special award across tracks, given by hand to each of `special_places`."""
    final = await final_round(SEVEN, special_quota=len(special_places), notice_days=7,
                              notice_starts_at=NOTICE_START, announce_at=NOW + timedelta(days=20))
    organiser = await make_user(display_name="组委会")
    proposal = await awarding.current_proposal(final.contest)
    await awarding.store_proposal(final.contest, token=awarding.proposal_token(proposal), by=organiser, now=NOW)
    for place in special_places:
        await awarding.add_award(final.contest, entry=final.entries[place - 1], tier=final.tiers["网络人气奖"],
                                 reason="网络投票第一", by=organiser, now=NOW)
    final.contest = await Contest.get(id=final.contest.id)
    return final


def test_special_awards_leave_the_tracks_and_each_entry_counts_once():
    ip, toys = "工运IP赛道", "潮玩老字号赛道"
    listed = [line(1, ip, "一等奖"), line(2, toys, "一等奖"), line(3, toys, "二等奖"),
              line(2, toys, "网络人气奖", special=True), line(4, ip, "最佳创意奖", special=True)]
    listing = notice.arrange(listed)
    assert [(group.track, [x.entry_id for x in group.lines]) for group in listing.tracks] == [(ip, [1]), (toys, [2, 3])]
    assert [(x.entry_id, x.grade) for x in listing.special] == [(2, "网络人气奖"), (4, "最佳创意奖")]
    assert (listing.entries, listing.holding_both) == (4, 1)


def test_a_shortlist_has_no_special_section():
    listing = notice.arrange([line(1, "工运IP赛道", ""), line(2, "工运IP赛道", "")])
    assert (len(listing.tracks), listing.special, listing.entries) == (1, [], 2)


async def test_a_special_award_to_a_graded_entry_is_listed_apart_and_not_counted_twice(db):
    final = await awarded_final(special_places=(1,))
    listing = notice.arrange(await notice.listed(final.contest, NoticeKind.PROPOSED_WINNERS))
    assert [[x.grade for x in group.lines] for group in listing.tracks] == [
        ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"]]
    assert [(x.entry_id, x.grade, x.special) for x in listing.special] == [(final.entries[0].id, "网络人气奖", True)]
    _, body = notice.draft(final.contest, NoticeKind.PROPOSED_WINNERS, await notice.proposed_winners(final.contest))
    assert body.endswith(f"名单共 6 件作品，其中 1 件同时获特别奖：\n\n- {final.track.name}：一等奖 1 件、二等奖 2 件、"
                         "三等奖 3 件\n\n特别奖（不分赛道）：\n\n- 网络人气奖 1 件")


async def test_a_special_award_to_an_entry_without_a_grade_adds_that_entry(db):
    final = await awarded_final(special_places=(7,))
    _, body = notice.draft(final.contest, NoticeKind.PROPOSED_WINNERS, await notice.proposed_winners(final.contest))
    assert body.endswith(f"名单共 7 件作品：\n\n- {final.track.name}：一等奖 1 件、二等奖 2 件、三等奖 3 件"
                         "\n\n特别奖（不分赛道）：\n\n- 网络人气奖 1 件")


def test_once_the_period_ends_the_phase_is_what_the_open_cases_make_it():
    assert [notice.ended(open_cases=n) for n in (0, 1)] == [notice.Phase.FINAL, notice.Phase.CLOSED]
