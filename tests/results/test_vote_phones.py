"""A popular vote counted per phone number: the number is the voter, the quota is the number's, and
only a voter proven by phone may vote while the contest asks for one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.errors import InvalidInput
from contest.notifications.models import OutboxMessage
from contest.results.models import Vote, Voter
from contest.results.vote import ballots, codes, phones, window
from tests.factories import NOW
from tests.results.vote_builders import CLOSES, vote_contest
from tests.sms_servers import Inbox

pytestmark = pytest.mark.unit

SECRET = "s" * 40


async def phone_voter(contest, typed: str, *, inbox: Inbox | None = None, ip: str = "192.0.2.1", now=NOW) -> Voter:
    inbox = inbox or Inbox()
    number = await phones.request_code(contest, typed, sender=inbox, secret=SECRET, ip=ip, now=now, locale="zh_CN")
    return await phones.verify_code(contest, typed, inbox.last_code(number), secret=SECRET, ip=ip, now=now)


async def test_a_verified_number_is_one_voter_however_it_is_typed(db):
    contest, _, _ = await vote_contest(popular_vote_phone=True)
    first = await phone_voter(contest, "138 1234 5678")
    again = await phone_voter(contest, "+86-138-1234-5678", ip="192.0.2.99")
    assert (first.id, first.email, first.verified_at) == (again.id, "tel:+8613812345678", NOW)
    assert await Voter.all().count() == 1


async def test_the_daily_quota_is_the_numbers_across_browsers_and_addresses(db):
    contest, _, found = await vote_contest(quota=2, popular_vote_phone=True)
    on_phone = await phone_voter(contest, "13812345678", ip="192.0.2.1")
    on_laptop = await phone_voter(contest, "+86 13812345678", ip="198.51.100.7")
    other = await phone_voter(contest, "13912345678")
    assert await ballots.cast_vote(contest, on_phone, candidate=found[0].key, ip="192.0.2.1", now=NOW) == 1
    with pytest.raises(ballots.AlreadyVoted):
        await ballots.cast_vote(contest, on_laptop, candidate=found[0].key, ip="198.51.100.7", now=NOW)
    assert await ballots.cast_vote(contest, on_laptop, candidate=found[1].key, ip="198.51.100.7", now=NOW) == 0
    with pytest.raises(ballots.QuotaReached):
        await ballots.cast_vote(contest, on_phone, candidate=found[2].key, ip="192.0.2.1", now=NOW)
    assert await ballots.cast_vote(contest, other, candidate=found[2].key, ip="192.0.2.1", now=NOW) == 1
    per_voter = sorted(await Vote.all().values_list("voter__email", flat=True))
    assert per_voter == ["tel:+8613812345678", "tel:+8613812345678", "tel:+8613912345678"]


async def test_an_email_voter_cannot_vote_while_the_contest_counts_numbers(db):
    contest, _, found = await vote_contest(popular_vote_phone=True)
    by_email = await Voter.create(contest=contest, email="fan@example.com", verified_at=NOW)
    with pytest.raises(phones.PhoneRequired):
        await ballots.cast_vote(contest, by_email, candidate=found[0].key, ip="192.0.2.1", now=NOW)
    with pytest.raises(phones.EmailNotUsed):
        await codes.request_code(contest, "fan@example.com", ip="192.0.2.1", now=NOW)
    assert (await Vote.all().count(), await OutboxMessage.all().count()) == (0, 0)


async def test_without_the_setting_no_code_is_texted_and_email_voters_vote(db):
    contest, _, found = await vote_contest()
    inbox = Inbox()
    with pytest.raises(phones.PhoneNotUsed):
        await phones.request_code(contest, "13812345678", sender=inbox, secret=SECRET, ip="192.0.2.1", now=NOW,
                                  locale="zh_CN")
    by_email = await Voter.create(contest=contest, email="fan@example.com", verified_at=NOW)
    assert await ballots.cast_vote(contest, by_email, candidate=found[0].key, ip="192.0.2.1", now=NOW) == 2
    assert inbox.sent == []


async def test_no_code_is_texted_to_a_bad_number_or_outside_the_window(db):
    contest, _, _ = await vote_contest(popular_vote_phone=True)
    inbox = Inbox()
    with pytest.raises(InvalidInput):
        await phones.request_code(contest, "12345", sender=inbox, secret=SECRET, ip="192.0.2.1", now=NOW,
                                  locale="zh_CN")
    with pytest.raises(window.VoteClosed):
        await phones.request_code(contest, "13812345678", sender=inbox, secret=SECRET, ip="192.0.2.1",
                                  now=CLOSES + timedelta(seconds=1), locale="zh_CN")
    assert inbox.sent == []


async def test_a_wrong_code_verifies_nobody(db):
    contest, _, _ = await vote_contest(popular_vote_phone=True)
    inbox = Inbox()
    await phones.request_code(contest, "13812345678", sender=inbox, secret=SECRET, ip="192.0.2.1", now=NOW,
                              locale="zh_CN")
    wrong = f"{(int(inbox.last_code('13812345678')) + 1) % 10**6:06d}"
    with pytest.raises(InvalidInput):
        await phones.verify_code(contest, "13812345678", wrong, secret=SECRET, ip="192.0.2.1", now=NOW)
    assert await Voter.all().count() == 0
