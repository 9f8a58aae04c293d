"""The popular vote's rules: its window, e-mail codes, daily quotas (also under concurrency), stuffing
detection, voiding and the public summary."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from contest.audit.models import AuditEvent
from contest.entries.states import EntryState
from contest.errors import InvalidInput, NotFound, TooManyAttempts
from contest.judging.models import RoundEntry
from contest.notifications.models import OutboxMessage
from contest.notifications.outbox import outgoing
from contest.results import standings
from contest.results.models import Vote, Voter
from contest.results.vote import ballots, candidates, codes, counts, stuffing, window
from contest.results.vote.stuffing import Rule, VoteFact
from tests.factories import NOW, make_user
from tests.results.vote_builders import CLOSES, OPENS, vote_contest

pytestmark = pytest.mark.unit

SECOND = timedelta(seconds=1)


# --- the window (pure) ---------------------------------------------------------------------------


def contest_ns(**fields):
    return SimpleNamespace(**{"popular_vote_enabled": True, "announce_at": CLOSES + timedelta(days=5),
                              "time_zone": "Asia/Shanghai", **fields})


def final_ns(**fields):
    return SimpleNamespace(**{"opens_at": OPENS, "closes_at": CLOSES, "locked_at": None, **fields})


def test_the_vote_runs_from_the_final_rounds_opening_until_its_closing():
    phases = [window.phase(contest_ns(), final_ns(), t) for t in (OPENS - SECOND, OPENS, CLOSES - SECOND, CLOSES)]
    assert phases == [window.Phase.SOON, window.Phase.OPEN, window.Phase.OPEN, window.Phase.CLOSED]


def test_locking_the_round_or_announcing_the_results_closes_it_early():
    assert window.phase(contest_ns(), final_ns(locked_at=NOW - SECOND), NOW) == window.Phase.CLOSED
    announced = contest_ns(announce_at=NOW)
    assert [window.phase(announced, final_ns(), t) for t in (NOW - SECOND, NOW)] == [
        window.Phase.OPEN, window.Phase.CLOSED]


def test_no_vote_without_the_switch_a_final_round_or_its_times():
    assert window.phase(contest_ns(popular_vote_enabled=False), final_ns(), NOW) is None
    assert window.phase(contest_ns(), None, NOW) is None
    assert window.phase(contest_ns(), final_ns(opens_at=None), NOW) is None


def test_the_voting_day_turns_at_midnight_in_the_contests_zone():
    before, after = NOW.replace(hour=15, minute=59, second=59), NOW.replace(hour=16)  # 23:59:59 and 00:00 in Shanghai
    assert [window.voting_day(contest_ns(), t) for t in (before, after)] == [date(2026, 6, 1), date(2026, 6, 2)]


def candidate(n: int) -> candidates.Candidate:
    return candidates.Candidate(n, candidates.candidate_key("secret", n), f"作品{n}", "", "赛道", "Track", None)


def test_each_seed_has_its_own_stable_order_unrelated_to_ids():
    found = [candidate(n) for n in range(1, 11)]
    first = [c.entry_id for c in candidates.shuffled(found, seed="a")]
    assert first == [c.entry_id for c in candidates.shuffled(reversed(found), seed="a")]
    assert first != [c.entry_id for c in candidates.shuffled(found, seed="b")]
    assert sorted(first) == list(range(1, 11))


def test_candidate_keys_do_not_show_the_entry_id():
    keys = [candidates.candidate_key("secret", n) for n in (1, 2, 3)]
    assert len(set(keys)) == 3 and all(len(k) == 16 and str(n) != k for n, k in zip((1, 2, 3), keys, strict=True))
    assert candidates.candidate_key("other", 1) != keys[0]


# --- detection (pure) ----------------------------------------------------------------------------


def fact(n: int, voter: int, email: str, ip: str = "198.51.100.7", seconds: int = 0) -> VoteFact:
    return VoteFact(n, voter, email, ip, NOW + timedelta(seconds=seconds))


def rules_found(facts) -> dict[tuple[Rule, str], tuple[int, ...]]:
    return {(s.rule, s.key): s.vote_ids for s in stuffing.detect(facts)}


def test_plus_addressing_is_one_mailbox():
    facts = [fact(1, 1, "li.ming@163.com", seconds=0), fact(2, 2, "li.ming+a@163.com", "203.0.113.9", 600),
             fact(3, 3, "wang@163.com", "192.0.2.1", 1200)]
    assert rules_found(facts) == {(Rule.PLUS_ADDRESSING, "li.ming@163.com"): (1, 2)}


def test_numbered_local_parts_on_one_domain_form_a_cluster_but_qq_numbers_do_not():
    numbered = [fact(n, n, f"fan{n}@126.com", f"192.0.2.{n}", n * 600) for n in range(1, 6)]
    qq = [fact(10 + n, 10 + n, f"1234567{n}@qq.com", f"198.51.100.{n}", n * 600) for n in range(1, 9)]
    assert rules_found(numbered + qq) == {(Rule.NUMBERED_EMAILS, "fan#@126.com"): (1, 2, 3, 4, 5)}
    assert rules_found(numbered[:4]) == {}


def test_many_voters_behind_one_address_or_one_block():
    same_ip = [fact(n, n, f"p{n}x@example.com", "203.0.113.5", n * 600) for n in range(stuffing.VOTERS_PER_ADDRESS)]
    block = [fact(100 + n, 100 + n, f"q{n}y@example.com", f"198.51.100.{n}", n * 600)
             for n in range(stuffing.VOTERS_PER_SUBNET)]
    found = rules_found(same_ip + block)
    assert set(found) == {(Rule.SHARED_ADDRESS, "203.0.113.5"), (Rule.SHARED_SUBNET, "198.51.100.0/24")}
    assert len(found[(Rule.SHARED_SUBNET, "198.51.100.0/24")]) == stuffing.VOTERS_PER_SUBNET
    assert rules_found(same_ip[:-1] + block[:-1]) == {}


def test_velocity_flags_only_the_votes_inside_a_burst():
    size, span = stuffing.ADDRESS_BURST
    burst = [fact(n, n % 5, f"v{n % 5}z@example.com", "192.0.2.77", n * 10) for n in range(size)]
    assert burst[-1].at - burst[0].at <= span
    later = fact(999, 1, "v1z@example.com", "192.0.2.77", 86_400)
    assert rules_found([*burst, later]) == {(Rule.ADDRESS_VELOCITY, "192.0.2.77"): tuple(range(size))}


def test_a_voter_faster_than_a_person_is_flagged_and_a_person_is_not():
    quick = [fact(n, 1, "bot@example.com", f"192.0.2.{n}", n) for n in range(3)]
    human = [fact(10 + n, 2, "person@example.com", "198.51.100.9", n * 20) for n in range(3)]
    assert rules_found(quick + human) == {(Rule.VOTER_VELOCITY, "bot@example.com"): (0, 1, 2)}


def test_spellings_of_one_mailbox_are_one_voter_in_the_stuffing_rules():
    spellings = ["li.ming@gmail.com", "liming@googlemail.com", "LiMing+2@gmail.com"]
    quick = [fact(n, n, email, f"192.0.2.{n}", n) for n, email in enumerate(spellings)]
    assert rules_found(quick)[(Rule.VOTER_VELOCITY, "liming@gmail.com")] == (0, 1, 2)
    crowd = [fact(10 + n, 10 + n, f"p{n}x@example.com", "203.0.113.5", n * 600) for n in range(stuffing.VOTERS_PER_ADDRESS - 2)]
    dotted = [fact(30 + n, 30 + n, email, "203.0.113.5", 9000 + n * 600)
              for n, email in enumerate(["f.an@gmail.com", "fan@gmail.com"])]
    assert (Rule.SHARED_ADDRESS, "203.0.113.5") not in rules_found(crowd + dotted)
    assert codes.mailbox("Li.Ming+x@GoogleMail.com") == "liming@gmail.com"
    assert codes.mailbox("li.ming+x@163.com") == "li.ming@163.com"


def test_subnets_of_both_address_families_and_junk():
    assert stuffing.subnet("203.0.113.200") == "203.0.113.0/24"
    assert stuffing.subnet("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert stuffing.subnet("") is None and stuffing.subnet("testclient") is None


def test_the_summary_counts_voided_votes_by_rule_and_nothing_personal():
    found = counts.summarise([(1, False, ""), (2, True, "shared_address"), (2, True, "shared_address"),
                              (3, True, "plus_addressing")])
    assert (found.cast, found.counted, found.voided, found.voters) == (4, 1, 3, 3)
    assert found.voided_by_rule == (("shared_address", 2), ("plus_addressing", 1))


# --- with the database ---------------------------------------------------------------------------


async def verified(contest, email: str = "fan@example.com") -> Voter:
    return await Voter.create(contest=contest, email=email, verified_at=NOW)


async def sent_code(contest, email: str) -> str:
    await codes.request_code(contest, email, ip="192.0.2.1", now=NOW)
    message = await OutboxMessage.filter(kind="vote_code").order_by("-id").first()
    return outgoing(message)[1].split("验证码是 ")[1][:6]


async def test_a_code_verifies_the_voter_and_only_its_hash_is_kept(db):
    contest, _, _ = await vote_contest()
    code = await sent_code(contest, " Fan@Example.com ")
    voter = await Voter.get(contest=contest, email="fan@example.com")
    assert code.isdigit() and code not in voter.code_hash and voter.verified_at is None
    expires, _, digest = voter.code_hash.partition(":")
    assert int(expires) == int((NOW + codes.CODE_LIFETIME).timestamp()) and len(digest) == codes.CODE_DIGEST_LENGTH
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in code)  # as a Chinese input method types digits
    verified_voter = await codes.verify_code(contest, "fan@example.com", full_width, ip="192.0.2.1", now=NOW)
    assert verified_voter.verified_at == NOW
    assert (await Voter.get(id=voter.id)).code_hash == ""
    with pytest.raises(InvalidInput):  # used up
        await codes.verify_code(contest, "fan@example.com", code, ip="192.0.2.1", now=NOW)


async def test_a_wrong_or_expired_code_verifies_nobody_and_says_which(db):
    contest, _, _ = await vote_contest()
    code = await sent_code(contest, "fan@example.com")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(InvalidInput) as wrong_error:
        await codes.verify_code(contest, "fan@example.com", wrong, ip="192.0.2.1", now=NOW)
    with pytest.raises(InvalidInput) as expired_error:
        await codes.verify_code(contest, "fan@example.com", code, ip="192.0.2.1", now=NOW + codes.CODE_LIFETIME)
    with pytest.raises(InvalidInput) as unknown_error:
        await codes.verify_code(contest, "nobody@example.com", code, ip="192.0.2.1", now=NOW)
    assert wrong_error.value.field_errors == unknown_error.value.field_errors == {"code": codes.WRONG_CODE}
    assert expired_error.value.field_errors == {"code": "This code has expired. Ask for a new one."}
    assert await Voter.filter(verified_at__isnull=False).count() == 0


async def test_wrong_codes_are_throttled_even_before_the_right_one(db):
    contest, _, _ = await vote_contest()
    code = await sent_code(contest, "fan@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(codes.WRONG_CODES_PER_EMAIL):
        with pytest.raises(InvalidInput):
            await codes.verify_code(contest, "fan@example.com", wrong, ip="192.0.2.1", now=NOW)
    with pytest.raises(TooManyAttempts):
        await codes.verify_code(contest, "fan@example.com", code, ip="192.0.2.2", now=NOW + SECOND)
    assert await Voter.filter(verified_at__isnull=False).count() == 0


async def test_codes_per_email_are_throttled_and_a_new_code_replaces_the_old(db):
    contest, _, _ = await vote_contest()
    first = await sent_code(contest, "fan@example.com")
    for _ in range(codes.CODES_PER_EMAIL - 1):
        latest = await sent_code(contest, "fan@example.com")
    with pytest.raises(TooManyAttempts):
        await codes.request_code(contest, "fan@example.com", ip="192.0.2.9", now=NOW + SECOND)
    assert await OutboxMessage.filter(kind="vote_code").count() == codes.CODES_PER_EMAIL
    if first != latest:
        with pytest.raises(InvalidInput):
            await codes.verify_code(contest, "fan@example.com", first, ip="192.0.2.1", now=NOW)
    assert (await codes.verify_code(contest, "fan@example.com", latest, ip="192.0.2.1", now=NOW)).verified_at == NOW


async def test_a_concurrent_burst_of_code_checks_is_evaluated_only_up_to_the_limit(db):
    contest, _, _ = await vote_contest()
    code = await sent_code(contest, "fan@example.com")
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 40)]
    outcomes = await asyncio.gather(
        *(codes.verify_code(contest, "fan@example.com", guess, ip="192.0.2.1", now=NOW) for guess in [*wrong, code]),
        return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["InvalidInput"] * 5 + ["TooManyAttempts"] * 35
    assert await Voter.filter(verified_at__isnull=False).count() == 0


async def test_a_concurrent_burst_of_code_requests_sends_only_the_limit(db):
    contest, _, _ = await vote_contest()
    outcomes = await asyncio.gather(
        *(codes.request_code(contest, "fan@example.com", ip="192.0.2.1", now=NOW) for _ in range(20)),
        return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType"] * 3 + ["TooManyAttempts"] * 17
    assert await OutboxMessage.filter(kind="vote_code").count() == 3


@pytest.mark.parametrize("written", [
    "a<fan@example.com", "(c)fan@example.com", "fan@example.com (c)", "李明 <fan@example.com>", '"fan"@example.com',
    "fan@example.com, other@example.com", "+tag@example.com", "fan..x@example.com", "fan@localhost"])
async def test_only_a_bare_address_can_ask_for_a_code(db, written):
    contest, _, _ = await vote_contest()
    with pytest.raises(InvalidInput) as caught:
        await codes.request_code(contest, written, ip="192.0.2.1", now=NOW)
    assert caught.value.field_errors == {"email": "Enter a valid e-mail address."}
    assert (await OutboxMessage.all().count(), await Voter.all().count()) == (0, 0)


async def test_one_mailbox_is_one_voter_however_it_is_written(db):
    contest, _, found = await vote_contest(quota=2)
    written = ["Li.Ming@gmail.com", "liming+vote@gmail.com", "l.i.m.i.n.g@googlemail.com"]
    voters = []
    for email in written:
        code = await sent_code(contest, email)
        voters.append((await codes.verify_code(contest, email, code, ip="192.0.2.1", now=NOW)).id)
    assert len(set(voters)) == 1
    with pytest.raises(TooManyAttempts):  # codes per mailbox, however it is written
        await codes.request_code(contest, "LIMING@GMAIL.COM", ip="198.51.100.1", now=NOW)
    assert await Voter.all().values_list("email", flat=True) == ["liming@gmail.com"]
    assert await OutboxMessage.all().order_by("id").values_list("to_email", flat=True) == [e.lower() for e in written]
    first, last = (await Voter.get(id=voters[0]), await Voter.get(id=voters[-1]))
    await ballots.cast_vote(contest, first, candidate=found[0].key, ip="192.0.2.1", now=NOW)
    await ballots.cast_vote(contest, last, candidate=found[1].key, ip="192.0.2.1", now=NOW)
    with pytest.raises(ballots.QuotaReached):
        await ballots.cast_vote(contest, last, candidate=found[2].key, ip="192.0.2.1", now=NOW)


async def test_wrong_codes_count_against_the_mailbox_however_it_is_written(db):
    contest, _, _ = await vote_contest()
    code = await sent_code(contest, "fan@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for n in range(codes.WRONG_CODES_PER_EMAIL):
        with pytest.raises(InvalidInput):
            await codes.verify_code(contest, f"Fan+{n}@example.com", wrong, ip=f"192.0.2.{n}", now=NOW)
    with pytest.raises(TooManyAttempts):
        await codes.verify_code(contest, "fan@example.com", code, ip="198.51.100.1", now=NOW)


async def test_no_code_is_sent_to_a_bad_address_or_outside_the_window(db):
    contest, _, _ = await vote_contest()
    with pytest.raises(InvalidInput):
        await codes.request_code(contest, "not-an-address", ip="192.0.2.1", now=NOW)
    with pytest.raises(window.VoteClosed):
        await codes.request_code(contest, "fan@example.com", ip="192.0.2.1", now=CLOSES)
    assert await OutboxMessage.all().count() == 0


async def test_the_daily_quota_then_a_new_day(db):
    contest, _, found = await vote_contest(quota=2)
    voter = await verified(contest)
    cast = [await ballots.cast_vote(contest, voter, candidate=c.key, ip="192.0.2.1", now=NOW) for c in found[:2]]
    assert cast == [1, 0]
    with pytest.raises(ballots.QuotaReached):
        await ballots.cast_vote(contest, voter, candidate=found[2].key, ip="192.0.2.1", now=NOW)
    tomorrow = NOW + timedelta(hours=12)  # past midnight in Shanghai
    assert await ballots.cast_vote(contest, voter, candidate=found[0].key, ip="192.0.2.1", now=tomorrow) == 1
    days = await Vote.filter(voter=voter).order_by("id").values_list("day", flat=True)
    assert days == [date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 2)]


async def test_one_vote_per_entry_a_day_and_voided_votes_still_use_the_quota(db):
    contest, _, found = await vote_contest(quota=2)
    voter = await verified(contest)
    await ballots.cast_vote(contest, voter, candidate=found[0].key, ip="192.0.2.1", now=NOW)
    with pytest.raises(ballots.AlreadyVoted):
        await ballots.cast_vote(contest, voter, candidate=found[0].key, ip="192.0.2.1", now=NOW)
    await Vote.filter(voter=voter).update(voided=True, void_reason="shared_address")
    await ballots.cast_vote(contest, voter, candidate=found[1].key, ip="192.0.2.1", now=NOW)
    with pytest.raises(ballots.QuotaReached):
        await ballots.cast_vote(contest, voter, candidate=found[2].key, ip="192.0.2.1", now=NOW)


@pytest.mark.parametrize(("quota", "attempts"), [(3, 8), (1, 5)])
async def test_concurrent_votes_never_pass_the_quota(db, quota, attempts):
    contest, _, found = await vote_contest(quota=quota, entries=attempts)
    voter = await verified(contest)
    outcomes = await asyncio.gather(
        *(ballots.cast_vote(contest, voter, candidate=c.key, ip="192.0.2.1", now=NOW) for c in found),
        return_exceptions=True)
    assert await Vote.filter(voter=voter).count() == quota
    assert sorted(type(o).__name__ for o in outcomes) == sorted(["int"] * quota + ["QuotaReached"] * (attempts - quota))


async def test_concurrent_votes_for_one_entry_leave_one_row(db):
    contest, _, found = await vote_contest(quota=5)
    voter = await verified(contest)
    outcomes = await asyncio.gather(
        *(ballots.cast_vote(contest, voter, candidate=found[0].key, ip="192.0.2.1", now=NOW) for _ in range(6)),
        return_exceptions=True)
    assert await Vote.filter(voter=voter).count() == 1
    assert sum(isinstance(o, ballots.AlreadyVoted) for o in outcomes) == 5


async def test_only_finalists_in_a_judgeable_state_can_be_voted_for_and_only_while_open(db):
    contest, final, found = await vote_contest()
    voter = await verified(contest)
    withdrawn = await RoundEntry.filter(round=final).prefetch_related("entry").first()
    withdrawn.entry.state = EntryState.WITHDRAWN
    await withdrawn.entry.save()
    key = candidates.candidate_key(final.secret, withdrawn.entry_id)
    assert key not in [c.key for c in await candidates.candidates(final)]
    with pytest.raises(NotFound):
        await ballots.cast_vote(contest, voter, candidate=key, ip="192.0.2.1", now=NOW)
    live = next(c for c in found if c.key != key)
    with pytest.raises(window.VoteClosed):
        await ballots.cast_vote(contest, voter, candidate=live.key, ip="192.0.2.1", now=CLOSES)
    assert await Vote.all().count() == 0


async def stuffed(contest, found):
    """Ten voters behind one address, one honest voter elsewhere."""
    for n in range(stuffing.VOTERS_PER_ADDRESS):
        voter = await verified(contest, f"x{n}q@example.com")
        await ballots.cast_vote(contest, voter, candidate=found[0].key, ip="203.0.113.5", now=NOW + n * timedelta(minutes=5))
    honest = await verified(contest, "honest@example.org")
    await ballots.cast_vote(contest, honest, candidate=found[1].key, ip="192.0.2.1", now=NOW)


async def test_voiding_a_cluster_is_audited_summarised_and_leaves_the_final_figures(db):
    contest, final, found = await vote_contest()
    await stuffed(contest, found)
    organiser = await make_user()
    [suspicion] = stuffing.detect(await stuffing.live_facts(contest))
    assert (suspicion.rule, suspicion.key, suspicion.voters) == (Rule.SHARED_ADDRESS, "203.0.113.5", 10)
    count = await stuffing.void_suspicion(contest, suspicion.rule, suspicion.key, suspicion.vote_ids, note="同一网吧",
                                          by=organiser, now=NOW)
    assert count == 10
    assert set(await Vote.filter(voided=True).values_list("void_reason", flat=True)) == {"shared_address"}
    event = await AuditEvent.get(action="vote.voided")
    assert (event.actor_id, event.contest_id) == (organiser.id, contest.id)
    assert event.data == {"rule": "shared_address", "key": "203.0.113.5", "votes": list(suspicion.vote_ids),
                          "note": "同一网吧"}
    summary = await counts.summary(contest)
    assert (summary.cast, summary.counted, summary.voided_by_rule) == (11, 1, (("shared_address", 10),))
    inputs = await standings.round_inputs(final)
    assert inputs.vote.counts == {found[1].entry_id: 1} and inputs.vote.weight == 0.2
    assert stuffing.detect(await stuffing.live_facts(contest)) == []


async def test_voiding_takes_only_votes_still_flagged_and_nothing_once_the_round_is_locked(db):
    contest, final, found = await vote_contest()
    await stuffed(contest, found)
    organiser = await make_user()
    [suspicion] = stuffing.detect(await stuffing.live_facts(contest))
    honest = await Vote.get(ip="192.0.2.1")
    with pytest.raises(stuffing.NothingToVoid):
        await stuffing.void_suspicion(contest, suspicion.rule, suspicion.key, [honest.id], note="", by=organiser,
                                      now=NOW)
    with pytest.raises(stuffing.NothingToVoid):
        await stuffing.void_suspicion(contest, Rule.SHARED_SUBNET, suspicion.key, suspicion.vote_ids, note="",
                                      by=organiser, now=NOW)
    final.locked_at = NOW
    await final.save()
    with pytest.raises(stuffing.RoundLocked):
        await stuffing.void_suspicion(contest, suspicion.rule, suspicion.key, suspicion.vote_ids, note="",
                                      by=organiser, now=NOW)
    assert await Vote.filter(voided=True).count() == 0
    assert await AuditEvent.filter(action="vote.voided").count() == 0


async def test_the_organisers_tally_counts_per_finalist(db):
    contest, final, found = await vote_contest()
    await stuffed(contest, found)
    first = await Vote.filter(ip="203.0.113.5").order_by("id").first()
    await Vote.filter(id=first.id).update(voided=True, void_reason="shared_address")
    tallies = {t.candidate.entry_id: (t.counted, t.voided) for t in await counts.tallies(final)}
    assert tallies == {found[0].entry_id: (9, 1), found[1].entry_id: (1, 0), found[2].entry_id: (0, 0)}
