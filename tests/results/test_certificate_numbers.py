"""Certificate numbers: the pattern language, issuing in a stable order once results are public, numbers that
never change after, and the public check by number or QR key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contest.contests.models import AwardTier, Contest
from contest.errors import TooManyAttempts
from contest.results import awarding, certificate_numbers
from contest.results.certificate_numbers import pattern_problem, render_number
from contest.results.models import Award, AwardStatus
from tests.factories import NOW, make_track
from tests.results.award_builders import final_round

pytestmark = pytest.mark.unit

PATTERN = "〔{year}〕工运文创第{seq:03}号"
ANNOUNCE = datetime(2026, 10, 18, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
AFTER = ANNOUNCE + timedelta(days=1)


@pytest.mark.parametrize(("pattern", "seq", "number"), [
    (PATTERN, 1, "〔2026〕工运文创第001号"),
    (PATTERN, 1234, "〔2026〕工运文创第1234号"),
    ("ZG-{year}-{seq}", 7, "ZG-2026-7"),
    ("第{seq:05}号（{year}）", 42, "第00042号（2026）"),
])
def test_a_pattern_fills_in_the_year_and_the_sequence(pattern, seq, number):
    assert (pattern_problem(pattern), render_number(pattern, year=2026, seq=seq)) == (None, number)


@pytest.mark.parametrize(("pattern", "problem"), [
    ("", None),
    ("工运文创第{seq:03号", "A brace in the pattern is not closed: write placeholders as {year} or {seq:03}."),
    ("工运文创}第{seq}号", "A brace in the pattern is not closed: write placeholders as {year} or {seq:03}."),
    ("〔{yr}〕第{seq}号", "The pattern knows only {year} and {seq}; {seq:03} pads the sequence to three digits."),
    ("第{seq:3}号", "The pattern knows only {year} and {seq}; {seq:03} pads the sequence to three digits."),
    ("〔{year}〕工运文创", "Put {seq} in the pattern exactly once, so that every certificate has its own number."),
    ("{seq}-{seq:02}", "Put {seq} in the pattern exactly once, so that every certificate has its own number."),
    ("𠮷字第{seq}号", "The certificate font cannot print some characters of the pattern."),
])
def test_a_pattern_is_checked_with_a_message_for_each_mistake(pattern, problem):
    assert pattern_problem(pattern) == problem


async def award(final, place: int, tier: str, *, status: AwardStatus = AwardStatus.CONFIRMED) -> Award:
    return await Award.create(contest=final.contest, tier=final.tiers[tier], entry=final.entries[place - 1],
                              status=status, decided_at=NOW)


async def stored(contest) -> dict[int, tuple[str | None, int | None]]:
    return {a.id: (a.certificate_number, a.certificate_seq) for a in await Award.filter(contest_id=contest.id)}


async def test_numbers_follow_track_then_grade_then_entry_number_with_special_awards_last(db):
    final = await final_round((95, 90, 85), announce_at=ANNOUNCE, certificate_number_pattern=PATTERN)
    later_track = await make_track(final.contest)  # placed after the first track
    second = await final_round((80,), contest=final.contest, track=later_track)
    # made in an order unlike the numbering, so the ids do not give it away
    popular = await award(final, 3, "网络人气奖")
    other_track = await award(second, 1, "一等奖")
    silver_3, silver_2, gold = await award(final, 3, "二等奖"), await award(final, 2, "二等奖"), await award(final, 1, "一等奖")
    assert await certificate_numbers.issue_numbers(final.contest, now=AFTER) == 5
    assert await stored(final.contest) == {
        gold.id: ("〔2026〕工运文创第001号", 1), silver_2.id: ("〔2026〕工运文创第002号", 2),
        silver_3.id: ("〔2026〕工运文创第003号", 3), other_track.id: ("〔2026〕工运文创第004号", 4),
        popular.id: ("〔2026〕工运文创第005号", 5)}
    assert await certificate_numbers.issue_numbers(final.contest, now=AFTER) == 0  # issued once


async def test_before_the_announcement_numbers_are_shown_as_they_would_be_and_nothing_is_stored(db):
    final = await final_round((95, 90), announce_at=ANNOUNCE, certificate_number_pattern=PATTERN)
    gold, silver = await award(final, 1, "一等奖"), await award(final, 2, "二等奖", status=AwardStatus.PROPOSED)
    numbers = await certificate_numbers.numbers_of(final.contest, now=ANNOUNCE - timedelta(seconds=1))
    assert {k: (v.number, v.provisional) for k, v in numbers.items()} == {
        gold.id: ("〔2026〕工运文创第001号", True), silver.id: ("〔2026〕工运文创第002号", True)}
    assert await stored(final.contest) == {gold.id: (None, None), silver.id: (None, None)}
    assert len({v.token for v in numbers.values()}) == 2 and all(len(v.token) >= 20 for v in numbers.values())


async def test_a_contest_without_a_pattern_keeps_the_numbers_made_before_patterns(db):
    final = await final_round((95,), slug="renmin-2026", announce_at=ANNOUNCE)
    gold = await award(final, 1, "一等奖")
    issued = await certificate_numbers.certificate_number(gold.id, now=AFTER)
    assert (issued.number, issued.provisional) == (f"RENMIN-2026-{gold.id:05d}", False)
    assert (await Award.get(id=gold.id)).certificate_number == f"RENMIN-2026-{gold.id:05d}"


async def test_issued_numbers_survive_a_pattern_change_and_a_revocation_and_a_newcomer_takes_the_next(db):
    final = await final_round((95, 90, 85, 80), announce_at=ANNOUNCE, certificate_number_pattern=PATTERN)
    gold, silver, silver_2 = await award(final, 1, "一等奖"), await award(final, 2, "二等奖"), await award(final, 3, "二等奖")
    await certificate_numbers.issue_numbers(final.contest, now=AFTER)
    before = await stored(final.contest)
    await Contest.filter(id=final.contest.id).update(certificate_number_pattern="新{year}-{seq}")
    contest = await Contest.get(id=final.contest.id)
    promotions = await awarding.revoke_award(gold, policy="promote_next", reason="异议成立：非原创", by=None,
                                             now=AFTER + timedelta(days=1))
    numbers = await certificate_numbers.numbers_of(contest, now=AFTER + timedelta(days=2))
    after = await stored(contest)
    assert {k: after[k] for k in before} == before  # the revoked award too
    newcomer = await Award.get(entry_id=final.entries[3].id)
    assert [p.entry_id for p in promotions][-1] == newcomer.entry_id
    assert after[newcomer.id] == ("新2026-4", 4)
    assert (numbers[newcomer.id].number, numbers[newcomer.id].provisional) == ("新2026-4", False)
    assert (await Award.get(id=silver.id)).tier_id == final.tiers["一等奖"].id  # moved up, same number
    assert after[silver.id] == before[silver.id] and after[silver_2.id] == before[silver_2.id]


async def test_the_check_tells_a_valid_award_a_revoked_one_and_nothing_before_the_announcement(db):
    final = await final_round((95, 90), announce_at=ANNOUNCE, certificate_number_pattern=PATTERN,
                              title="工运文创大赛")
    gold, silver = await award(final, 1, "一等奖"), await award(final, 2, "二等奖")
    assert await certificate_numbers.check_by_number("〔2026〕工运文创第001号", now=AFTER) == []  # not issued yet
    numbers = await certificate_numbers.numbers_of(final.contest, now=AFTER)
    await awarding.revoke_award(silver, policy="leave_vacant", reason="异议成立", by=None,
                                now=datetime(2026, 10, 25, 17, 0, tzinfo=UTC))  # the 26th in Shanghai
    (valid,) = await certificate_numbers.check_by_number("〔2026〕工运文创第001号", now=AFTER)
    assert (valid.contest, valid.track, valid.grade, valid.title, valid.winner, valid.revoked_on,
            str(valid.issued_on)) == ("工运文创大赛", final.track.name, "一等奖", "作品1", "设计师1", None, "2026-10-18")
    revoked = await certificate_numbers.check_by_token(numbers[silver.id].token, now=AFTER)
    assert (revoked.number, revoked.contest, str(revoked.revoked_on), revoked.grade, revoked.title, revoked.winner) == (
        "〔2026〕工运文创第002号", "工运文创大赛", "2026-10-26", "", "", "")
    for typed in ("[2026]工运文创第001号", "（2026）工运文创第001号", " 〔2026〕 工运文创第001号 "):
        assert await certificate_numbers.check_by_number(typed, now=AFTER) == [valid]
    assert await certificate_numbers.check_by_number("〔2026〕工运文创第009号", now=AFTER) == []
    assert await certificate_numbers.check_by_token("not-a-key", now=AFTER) is None
    await Contest.filter(id=final.contest.id).update(announce_at=AFTER + timedelta(days=30))  # moved: embargoed again
    assert await certificate_numbers.check_by_number("〔2026〕工运文创第001号", now=AFTER) == []
    assert await certificate_numbers.check_by_token(numbers[gold.id].token, now=AFTER) is None


def test_a_number_is_looked_up_as_typed_and_as_meant():
    assert certificate_numbers.number_spellings(" zg 2026-7 ") == ["zg 2026-7", "ZG 2026-7", "zg2026-7", "ZG2026-7"]
    assert "〔2026〕第1号" in certificate_numbers.number_spellings("【2026】第1号")


async def test_number_look_ups_from_one_address_are_limited(db):
    for _ in range(certificate_numbers.CHECKS_PER_ADDRESS):
        assert await certificate_numbers.check_number("第001号", ip="203.0.113.9", now=NOW) == []
    with pytest.raises(TooManyAttempts):
        await certificate_numbers.check_number("第001号", ip="203.0.113.9", now=NOW)
    assert await certificate_numbers.check_number("第001号", ip="203.0.113.10", now=NOW) == []


async def test_a_special_award_has_no_track_on_the_check(db):
    final = await final_round((95,), announce_at=ANNOUNCE, certificate_number_pattern=PATTERN)
    popular = await award(final, 1, "网络人气奖")
    numbers = await certificate_numbers.numbers_of(final.contest, now=AFTER)
    check = await certificate_numbers.check_by_token(numbers[popular.id].token, now=AFTER)
    assert (check.track, check.grade) == ("", (await AwardTier.get(id=popular.tier_id)).name)
