from __future__ import annotations

from datetime import timedelta

import pytest

from contest.audit.models import AuditEvent
from contest.contests.models import AwardTier
from contest.errors import InvalidInput
from contest.results import awarding
from contest.results.award_seats import RankedEntry, Tier
from contest.results.awarding import (
    AwardsConfirmed,
    NothingToConfirm,
    Promotion,
    ProposalChanged,
    ResultsAnnounced,
)
from contest.results.models import Award, AwardStatus
from tests.factories import NOW, make_track, make_user
from tests.judging.helpers import submitted_entry
from tests.results.award_builders import final_round

pytestmark = pytest.mark.unit

EIGHT = (95, 90, 85, 80, 75, 70, 65, 60)


async def stored(final, *, organiser=None):
    organiser = organiser or await make_user(display_name="组委会")
    proposal = await awarding.current_proposal(final.contest)
    await awarding.store_proposal(final.contest, token=awarding.proposal_token(proposal), by=organiser,
                                  now=NOW)
    return organiser


async def held(final) -> dict[str, list[int]]:
    """Active awards as {tier name: [entry place, …]} (places 1-based, in ranking order)."""
    place = {e.id: i for i, e in enumerate(final.entries, start=1)}
    names = {t.id: name for name, t in final.tiers.items()}
    rows = await Award.filter(contest_id=final.contest.id, status__in=awarding.ACTIVE).values_list(
        "tier_id", "entry_id")
    result: dict[str, list[int]] = {}
    for tier_id, entry_id in rows:
        result.setdefault(names[tier_id], []).append(place[entry_id])
    return {name: sorted(places) for name, places in result.items()}


async def actions(final) -> list[str]:
    return list(await AuditEvent.filter(contest_id=final.contest.id).order_by("seq").values_list("action", flat=True))


async def test_store_proposal_fills_each_grade_best_first_within_its_quota(db):
    final = await final_round(EIGHT)
    await stored(final)
    assert await held(final) == {"一等奖": [1], "二等奖": [2, 3], "三等奖": [4, 5, 6]}
    statuses = set(await Award.filter(contest_id=final.contest.id).values_list("status", flat=True))
    assert statuses == {AwardStatus.PROPOSED}
    event = await AuditEvent.get(contest_id=final.contest.id, action="awards.proposal_stored")
    assert event.data["awards"] == [[final.tiers[t].id, e] for t, e in zip(
        ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"], final.ids(1, 2, 3, 4, 5, 6), strict=True)]


async def test_grades_stay_vacant_when_too_few_entries_are_ranked(db):
    final = await final_round((90, 80))
    proposal = await awarding.current_proposal(final.contest)
    await stored(final)
    assert await held(final) == {"一等奖": [1], "二等奖": [2]}
    assert [(v.tier_id, v.seats, v.reason.value) for v in proposal.vacancies] == [
        (final.tiers["二等奖"].id, 1, "too_few_entries"), (final.tiers["三等奖"].id, 3, "too_few_entries")]


async def test_tied_entries_across_a_boundary_leave_their_seats_for_the_organisers(db):
    final = await final_round((95, 88, 88, 70), tiers=(("一等奖", 1, 1), ("二等奖", 2, 1), ("三等奖", 3, 2)))
    proposal = await awarding.current_proposal(final.contest)
    await stored(final)
    assert [(t.entry_ids, t.seats) for t in proposal.boundary_ties] == [
        (tuple(final.ids(2, 3)), (final.tiers["二等奖"].id, final.tiers["三等奖"].id))]
    assert await held(final) == {"一等奖": [1], "三等奖": [4]}


async def test_a_proposal_that_changed_since_it_was_shown_is_not_stored(db):
    final = await final_round(EIGHT)
    organiser = await make_user()
    with pytest.raises(ProposalChanged):
        await awarding.store_proposal(final.contest, token="1:2", by=organiser, now=NOW)
    assert (await Award.filter(contest_id=final.contest.id).count(), await actions(final)) == (0, [])


async def test_storing_again_replaces_proposed_track_awards_and_keeps_special_awards(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    await awarding.add_award(final.contest, entry=final.entries[7], tier=final.tiers["网络人气奖"],
                             reason="网络投票第一", by=organiser, now=NOW)
    await awarding.move_award(await Award.get(entry_id=final.entries[0].id), tier=final.tiers["二等奖"],
                              reason="评审复核", override_quota=True, by=organiser, now=NOW)
    await stored(final, organiser=organiser)
    assert await held(final) == {"一等奖": [1], "二等奖": [2, 3], "三等奖": [4, 5, 6], "网络人气奖": [8]}


async def test_the_proposal_cannot_replace_confirmed_awards(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    await awarding.confirm_awards(final.contest, by=organiser, now=NOW)
    with pytest.raises(AwardsConfirmed):
        await stored(final, organiser=organiser)
    assert await Award.filter(contest_id=final.contest.id, status=AwardStatus.CONFIRMED).count() == 6


async def test_an_adjustment_without_a_reason_changes_nothing(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    award = await Award.get(entry_id=final.entries[3].id)
    before = await actions(final)
    with pytest.raises(InvalidInput) as refused:
        await awarding.move_award(award, tier=final.tiers["二等奖"], reason="   ", override_quota=True,
                                  by=organiser, now=NOW)
    assert list(refused.value.field_errors) == ["reason"]
    assert (await held(final), await actions(final)) == (
        {"一等奖": [1], "二等奖": [2, 3], "三等奖": [4, 5, 6]}, before)


async def test_moving_into_a_full_grade_needs_the_quota_override(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    award = await Award.get(entry_id=final.entries[3].id)
    with pytest.raises(InvalidInput) as refused:
        await awarding.move_award(award, tier=final.tiers["二等奖"], reason="造型更完整", by=organiser, now=NOW)
    assert list(refused.value.field_errors) == ["tier"]
    await awarding.move_award(award, tier=final.tiers["二等奖"], reason="造型更完整", override_quota=True,
                              by=organiser, now=NOW + timedelta(minutes=1))
    moved = await Award.get(id=award.id)
    assert (moved.tier_id, moved.status, moved.reason, moved.decided_by_id, moved.decided_at) == (
        final.tiers["二等奖"].id, AwardStatus.PROPOSED, "造型更完整", organiser.id, NOW + timedelta(minutes=1))
    event = await AuditEvent.filter(action="award.moved").get()
    assert (event.actor_id, event.subject, event.data) == (organiser.id, f"award:{award.id}", {
        "entry": final.entries[3].id, "from_tier": final.tiers["三等奖"].id, "to_tier": final.tiers["二等奖"].id,
        "reason": "造型更完整", "override_quota": True})


async def test_a_grade_of_another_track_is_refused(db):
    final = await final_round(EIGHT)
    other = await AwardTier.create(contest=final.contest, track=await make_track(final.contest), name="金奖", rank=1)
    organiser = await stored(final)
    with pytest.raises(InvalidInput) as refused:
        await awarding.move_award(await Award.get(entry_id=final.entries[5].id), tier=other,
                                  reason="x", override_quota=True, by=organiser, now=NOW)
    assert refused.value.field_errors == {"tier": "This grade belongs to another track."}


async def test_special_awards_are_added_by_hand_with_a_reason_and_respect_their_quota(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    award = await awarding.add_award(final.contest, entry=final.entries[0], tier=final.tiers["网络人气奖"],
                                     reason="网络投票第一", by=organiser, now=NOW)
    assert (award.status, award.reason, award.decided_by_id) == (AwardStatus.PROPOSED, "网络投票第一", organiser.id)
    with pytest.raises(InvalidInput) as refused:
        await awarding.add_award(final.contest, entry=final.entries[7], tier=final.tiers["网络人气奖"],
                                 reason="并列第一", by=organiser, now=NOW)
    assert list(refused.value.field_errors) == ["tier"]
    assert (await held(final))["网络人气奖"] == [1]
    assert (await actions(final))[-1] == "award.added"


async def test_an_entry_holds_one_grade_of_its_track(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    with pytest.raises(InvalidInput) as refused:
        await awarding.add_award(final.contest, entry=final.entries[1], tier=final.tiers["一等奖"],
                                 reason="x", override_quota=True, by=organiser, now=NOW)
    assert list(refused.value.field_errors) == ["tier"]


async def test_a_withdrawn_or_foreign_entry_cannot_be_given_a_grade(db):
    final = await final_round(EIGHT)
    other = await final_round((90,))
    organiser = await stored(final)
    draft = await submitted_entry(final.contest, final.track, state="draft")
    for entry in (draft, other.entries[0]):
        with pytest.raises(InvalidInput) as refused:
            await awarding.add_award(final.contest, entry=entry, tier=final.tiers["网络人气奖"], reason="x",
                                     by=organiser, now=NOW)
        assert list(refused.value.field_errors) == ["entry"]


async def test_removing_an_award_can_leave_its_grade_vacant(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    award = await Award.get(entry_id=final.entries[0].id)
    promoted = await awarding.remove_award(award, policy="leave_vacant", reason="一等奖空缺", by=organiser,
                                           now=NOW)
    assert (promoted, await held(final)) == ([], {"二等奖": [2, 3], "三等奖": [4, 5, 6]})
    assert not await Award.exists(id=award.id)
    event = await AuditEvent.filter(action="award.removed").get()
    assert event.data == {"entry": final.entries[0].id, "tier": final.tiers["一等奖"].id, "policy": "leave_vacant",
                          "reason": "一等奖空缺"}


async def test_removing_an_award_can_promote_the_next_entries(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    promoted = await awarding.remove_award(await Award.get(entry_id=final.entries[0].id), policy="promote_next",
                                           reason="原创性存疑", by=organiser, now=NOW)
    gold, silver, bronze = (final.tiers[n].id for n in ("一等奖", "二等奖", "三等奖"))
    assert promoted == [Promotion(final.entries[1].id, silver, gold), Promotion(final.entries[3].id, bronze, silver),
                        Promotion(final.entries[6].id, None, bronze)]
    assert await held(final) == {"一等奖": [2], "二等奖": [3, 4], "三等奖": [5, 6, 7]}
    assert (await actions(final))[-4:] == ["award.removed", "award.promoted", "award.promoted", "award.promoted"]


async def test_revoking_a_confirmed_award_keeps_it_as_revoked_and_promotes_as_confirmed(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    await awarding.confirm_awards(final.contest, by=organiser, now=NOW)
    gold = await Award.get(entry_id=final.entries[0].id)
    await awarding.revoke_award(gold, policy="promote_next", reason="异议成立：抄袭", by=organiser,
                                now=NOW + timedelta(days=1))
    revoked = await Award.get(id=gold.id)
    assert (revoked.status, revoked.reason, revoked.decided_at) == (
        AwardStatus.REVOKED, "异议成立：抄袭", NOW + timedelta(days=1))
    assert await held(final) == {"一等奖": [2], "二等奖": [3, 4], "三等奖": [5, 6, 7]}
    joined = await Award.get(entry_id=final.entries[6].id)
    assert (joined.status, joined.reason) == (AwardStatus.CONFIRMED, "异议成立：抄袭")
    statuses = set(await Award.filter(status__in=awarding.ACTIVE).values_list("status", flat=True))
    assert statuses == {AwardStatus.CONFIRMED}


async def test_revocation_keeps_the_vacancies_the_organisers_left(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    await awarding.remove_award(await Award.get(entry_id=final.entries[5].id), policy="leave_vacant",
                                reason="三等奖只评两名", by=organiser, now=NOW)
    await awarding.revoke_award(await Award.get(entry_id=final.entries[0].id), policy="promote_next",
                                reason="异议成立", by=organiser, now=NOW)
    assert await held(final) == {"一等奖": [2], "二等奖": [3, 4], "三等奖": [5, 7]}


async def test_a_revoked_entry_is_never_promoted_again(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    await awarding.revoke_award(await Award.get(entry_id=final.entries[5].id), policy="leave_vacant",
                                reason="异议成立", by=organiser, now=NOW)
    await awarding.revoke_award(await Award.get(entry_id=final.entries[0].id), policy="promote_next",
                                reason="异议成立", by=organiser, now=NOW)
    assert await held(final) == {"一等奖": [2], "二等奖": [3, 4], "三等奖": [5, 7]}


async def test_a_revoked_special_award_stays_vacant(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    special = await awarding.add_award(final.contest, entry=final.entries[7], tier=final.tiers["网络人气奖"],
                                       reason="网络投票第一", by=organiser, now=NOW)
    promoted = await awarding.revoke_award(special, policy="promote_next", reason="刷票", by=organiser, now=NOW)
    assert (promoted, "网络人气奖" in await held(final)) == ([], False)


async def test_confirming_marks_every_proposed_award_and_is_audited_once(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    count = await awarding.confirm_awards(final.contest, by=organiser, now=NOW)
    rows = await Award.filter(contest_id=final.contest.id).values_list("status", "decided_by_id", "decided_at")
    assert (count, set(rows)) == (6, {(AwardStatus.CONFIRMED, organiser.id, NOW)})
    assert (await actions(final))[-1] == "awards.confirmed"
    with pytest.raises(NothingToConfirm):
        await awarding.confirm_awards(final.contest, by=organiser, now=NOW)


async def test_after_the_announcement_only_a_revocation_changes_awards(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    await awarding.confirm_awards(final.contest, by=organiser, now=NOW)
    at = final.contest.announce_at
    award = await Award.get(entry_id=final.entries[3].id)
    with pytest.raises(ResultsAnnounced):
        await awarding.move_award(award, tier=final.tiers["二等奖"], reason="x", override_quota=True,
                                  by=organiser, now=at)
    with pytest.raises(ResultsAnnounced):
        await awarding.confirm_awards(final.contest, by=organiser, now=at)
    await awarding.move_award(award, tier=final.tiers["二等奖"], reason="x", override_quota=True, by=organiser,
                              now=at - timedelta(seconds=1))
    await awarding.revoke_award(award, policy="leave_vacant", reason="异议成立", by=organiser, now=at)
    assert (await Award.get(id=award.id)).status == AwardStatus.REVOKED


def test_stored_awards_as_a_proposal_keep_the_organisers_order_and_vacancies():
    tiers = [Tier(1, "一等奖", 1, 1, 7), Tier(2, "二等奖", 2, 2, 7), Tier(3, "三等奖", 3, 3, 7)]
    ranking = [RankedEntry(e, 100 - e, False) for e in range(1, 9)]
    held_now = {2: 1, 1: 2, 3: 2, 4: 3}  # the committee swapped 1 and 2 and left two bronze seats vacant
    proposal = awarding.stored_as_proposal(7, tiers, held_now, ranking, barred={5})
    assert [(a.tier_id, a.entry_id) for a in proposal.awards] == [(1, 2), (2, 1), (2, 3), (3, 4)]
    assert [e.entry_id for e in proposal.ranking[7]] == [2, 1, 3, 4, 6, 7, 8]


async def test_the_winner_gets_their_award_from_the_announcement_to_the_second(db):
    final = await final_round(EIGHT)
    organiser = await stored(final)
    gold = await Award.get(entry_id=final.entries[0].id)
    winner = await final.entries[0].owner
    at = final.contest.announce_at
    assert await awarding.award_for_winner(winner, gold.id, now=at) is None  # proposed only
    await awarding.confirm_awards(final.contest, by=organiser, now=NOW)
    assert await awarding.award_for_winner(winner, gold.id, now=at - timedelta(seconds=1)) is None
    assert (await awarding.award_for_winner(winner, gold.id, now=at)).id == gold.id
    assert await awarding.award_for_winner(await final.entries[1].owner, gold.id, now=at) is None
    assert [a.id for a in await awarding.awards_for_designer(winner, now=at)] == [gold.id]
    assert await awarding.awards_for_designer(winner, now=at - timedelta(seconds=1)) == []
