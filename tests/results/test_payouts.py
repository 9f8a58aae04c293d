"""Payouts against the database: who may claim, the sealed and masked numbers, the deadline's verdict, declining,
marking paid, the erasure that keeps amounts, and the finance workbook read back cell by cell."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from cryptography.fernet import Fernet

from contest.audit.models import AuditEvent
from contest.contests.models import AwardTier, Contest
from contest.exports.payouts import payouts_workbook
from contest.results import payees, payouts
from contest.results.models import PayeeKind, Payout, PayoutState
from contest.results.payouts import PayoutClosed, PayoutStatus
from contest.results.sealing import PayoutKeyMissing, Sealer
from contest.settings import payout_keys
from tests.factories import NOW, make_user
from tests.judging.helpers import make_judge
from tests.results.payout_builders import ACCOUNT, PRIZE_FEN, RESIDENT_ID, payee_form, prize

pytestmark = pytest.mark.unit

SEALER = Sealer([Fernet.generate_key().decode()])


async def saved(found, **changes) -> Payout:
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    payee = payees.parse_payee(payee_form(**changes), team_members=payouts.team_members(claim.award.entry),
                               keeps_numbers=False)
    return await payouts.save_payee(claim, payee, sealer=SEALER, by=found.winner, now=NOW)


def test_a_sealed_number_opens_only_under_its_keys_and_a_new_key_goes_first():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = Sealer([old]).seal(RESIDENT_ID)
    assert RESIDENT_ID not in sealed
    assert Sealer([new, old]).open(sealed) == RESIDENT_ID
    with pytest.raises(PayoutKeyMissing):
        Sealer([new]).open(sealed)
    with pytest.raises(PayoutKeyMissing):
        Sealer([]).seal(RESIDENT_ID)
    assert Sealer([]).open("") == ""


def test_development_derives_a_key_and_production_has_none_without_its_own(settings):
    from dataclasses import replace

    assert len(payout_keys(settings)) == 1 and Sealer.from_settings(settings).open(
        Sealer.from_settings(settings).seal("x")) == "x"
    assert payout_keys(replace(settings, env="production")) == []
    assert payout_keys(replace(settings, payout_key="a, b")) == ["a", "b"]


async def test_only_the_winner_gets_the_claim_and_only_while_payouts_are_open(db):
    found = await prize()
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    assert (claim.status, claim.editable, claim.amounts().after_tax_fen) == (PayoutStatus.NOT_STARTED, True, 640_000)
    assert await payouts.claim_for_winner(await make_user(), found.award.id, now=NOW) is None
    assert await payouts.claim_for_winner(await make_judge(), found.award.id, now=NOW) is None
    assert await payouts.claim_for_winner(found.winner, found.award.id + 999, now=NOW) is None
    assert await payouts.claim_for_winner(found.winner, found.award.id, now=NOW - timedelta(days=2)) is None
    await Contest.filter(id=found.contest.id).update(payouts_open=False)
    assert await payouts.claim_for_winner(found.winner, found.award.id, now=NOW) is None
    await Contest.filter(id=found.contest.id).update(payouts_open=True)
    await AwardTier.filter(id=found.tier.id).update(prize_fen=0)
    assert await payouts.claim_for_winner(found.winner, found.award.id, now=NOW) is None


async def test_saving_seals_the_numbers_keeps_masks_and_audits_the_fact_only(db):
    found = await prize()
    payout = await saved(found)
    stored = await Payout.get(id=payout.id)
    assert (stored.state, stored.id_number_masked, stored.account_masked) == (
        PayoutState.SUBMITTED, "1101**********7475", "****4455")
    assert (SEALER.open(stored.id_number_sealed), SEALER.open(stored.account_sealed)) == (RESIDENT_ID, ACCOUNT)
    assert stored.consented_at == NOW
    event = await AuditEvent.get(action="payout.submitted")
    assert (event.subject, event.data) == (f"entry:{found.entry.id}",
                                           {"award": found.award.id, "payee_kind": "individual", "changed": False})
    assert RESIDENT_ID not in str(event.data) and ACCOUNT not in str(event.data)


async def test_a_change_may_keep_the_saved_numbers_for_the_same_kind_of_payee(db):
    found = await prize()
    await saved(found)
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    assert payouts.keeps_numbers(claim, PayeeKind.INDIVIDUAL, "resident_id") is True
    assert payouts.keeps_numbers(claim, PayeeKind.INDIVIDUAL, "passport") is False
    assert payouts.keeps_numbers(claim, PayeeKind.ORGANISATION, "uscc") is False
    payee = payees.parse_payee(payee_form(id_number="", account="", bank_name="中国银行"), team_members=None,
                               keeps_numbers=True)
    await payouts.save_payee(claim, payee, sealer=SEALER, by=found.winner, now=NOW)
    stored = await Payout.get(award_id=found.award.id)
    assert (stored.bank_name, SEALER.open(stored.id_number_sealed), stored.account_masked) == (
        "中国银行", RESIDENT_ID, "****4455")
    assert (await AuditEvent.filter(action="payout.submitted").order_by("-seq").first()).data["changed"] is True


async def test_after_the_deadline_an_unclaimed_prize_is_expired_and_nothing_can_be_saved(db):
    found = await prize()
    later = NOW + timedelta(days=31)
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=later)
    assert (claim.status, claim.editable) == (PayoutStatus.EXPIRED, False)
    payee = payees.parse_payee(payee_form(), team_members=None, keeps_numbers=False)
    with pytest.raises(PayoutClosed):
        await payouts.save_payee(claim, payee, sealer=SEALER, by=found.winner, now=later)
    with pytest.raises(PayoutClosed):
        await payouts.decline(claim, by=found.winner, now=later)
    assert await Payout.exists(award_id=found.award.id) is False


def test_the_status_is_what_was_done_or_the_deadlines_verdict():
    contest = Contest(payout_deadline=NOW)
    assert payouts.status_of(None, contest, NOW - timedelta(seconds=1)) == PayoutStatus.NOT_STARTED
    assert payouts.status_of(None, contest, NOW) == PayoutStatus.EXPIRED
    assert payouts.status_of(None, Contest(payout_deadline=None), NOW) == PayoutStatus.NOT_STARTED
    for state in PayoutState:
        assert payouts.status_of(Payout(state=state), contest, NOW) == PayoutStatus(state.value)


async def test_declining_erases_what_was_given_and_audits_it(db):
    found = await prize()
    await saved(found)
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    await payouts.decline(claim, by=found.winner, now=NOW)
    stored = await Payout.get(award_id=found.award.id)
    assert (stored.state, stored.payee_name, stored.id_number_sealed, stored.account_masked, stored.declined_at) == (
        PayoutState.DECLINED, "", "", "", NOW)
    assert await AuditEvent.filter(action="payout.declined").count() == 1
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    assert (claim.status, claim.editable) == (PayoutStatus.DECLINED, True)


async def test_a_team_may_name_a_member_as_proxy(db):
    found = await prize(team=True)
    payout = await saved(found, payee_kind="team_proxy", payee_name="李工", account_holder="李工", team_agreed="1")
    assert (payout.payee_kind, payout.team_agreed) == (PayeeKind.TEAM_PROXY, True)


async def test_marking_paid_keeps_the_amounts_paid_whatever_the_rule_becomes(db):
    found = await prize()
    payout = await saved(found, payee_kind="organisation", payee_name="上海电气集团", id_number="91350100M000100Y43")
    organiser = await make_user()
    stored = await payouts.payout_of_contest(found.contest, found.award.id)
    await payouts.mark_paid(stored, found.contest, paid_on=date(2026, 6, 5), by=organiser, now=NOW)
    await AwardTier.filter(id=found.tier.id).update(prize_fen=1)
    [row] = await payouts.payout_rows(await Contest.get(id=found.contest.id), now=NOW)
    assert (row.status, row.amounts) == (PayoutStatus.PAID, payees.Amounts(PRIZE_FEN, 0))
    assert (await Payout.get(id=payout.id)).paid_on == date(2026, 6, 5)
    assert (await AuditEvent.get(action="payout.paid")).data == {"award": found.award.id, "paid_on": "2026-06-05",
                                                                  "after_tax": "8,000.00"}
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    assert (claim.status, claim.editable) == (PayoutStatus.PAID, False)


async def test_only_a_payout_with_details_is_marked_paid_and_only_in_its_own_contest(db):
    found, other = await prize(), await prize()
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    await payouts.decline(claim, by=found.winner, now=NOW)
    stored = await payouts.payout_of_contest(found.contest, found.award.id)
    with pytest.raises(payouts.NotSubmitted):
        await payouts.mark_paid(stored, found.contest, paid_on=date(2026, 6, 5), by=found.winner, now=NOW)
    assert await payouts.payout_of_contest(other.contest, found.award.id) is None


async def test_status_counts_name_every_status(db):
    found = await prize()
    rows = await payouts.payout_rows(found.contest, now=NOW)
    assert payouts.status_counts(rows) == {PayoutStatus.NOT_STARTED: 1, PayoutStatus.SUBMITTED: 0,
                                           PayoutStatus.DECLINED: 0, PayoutStatus.EXPIRED: 0, PayoutStatus.PAID: 0}


async def test_erasing_a_payee_keeps_its_amounts_and_status(db):
    found = await prize()
    await saved(found)
    organiser = await make_user()
    await payouts.mark_paid(await payouts.payout_of_contest(found.contest, found.award.id), found.contest,
                            paid_on=date(2026, 6, 5), by=organiser, now=NOW)
    await payouts.erase_payees([found.entry.id])
    stored = await Payout.get(award_id=found.award.id)
    assert [getattr(stored, name) for name in payouts.ERASED] == [""] * len(payouts.ERASED)
    assert (stored.state, stored.paid_pre_tax_fen, stored.paid_tax_fen) == (PayoutState.PAID, PRIZE_FEN, 160_000)


async def test_the_finance_workbook_has_the_numbers_in_full_and_figures_with_two_decimals(db):
    found = await prize()
    await saved(found)
    organiser = await make_user()
    with await payouts_workbook(found.contest, sealer=SEALER, headers=("zh",), by=organiser, now=NOW) as file:
        sheet = openpyxl.load_workbook(io.BytesIO(file.read()))["奖金发放"]
    header, row = [c.value for c in sheet[1]], list(sheet[2])
    assert header[:8] == ["作品编号", "作品名称", "赛道", "奖项", "收款人类型", "收款人", "证件类型", "证件号码"]
    assert [c.value for c in row[:12]] == [found.entry.number, "小工匠·阿铆", "工运IP赛道", "一等奖", "个人", "陈晓雯",
                                           "居民身份证", RESIDENT_ID, "中国工商银行上海市杨浦支行", ACCOUNT, "陈晓雯",
                                           "13800138000"]
    assert [(c.value, c.number_format) for c in row[12:15]] == [(8000, "0.00"), (1600, "0.00"), (6400, "0.00")]
    assert [c.value for c in row[15:]] == ["已提交", datetime(2026, 6, 1, 20, 0), datetime(2026, 6, 1, 20, 0)]
    event = await AuditEvent.get(action="payout.exported")
    assert (event.actor_id, event.data) == (organiser.id, {"rows": 1})


async def test_closing_payouts_stops_changes_but_a_winner_who_gave_details_still_sees_them(db):
    found, other = await prize(), await prize()
    await saved(found)
    await Contest.filter(id__in=[found.contest.id, other.contest.id]).update(payouts_open=False)
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    assert (claim.status, claim.editable) == (PayoutStatus.SUBMITTED, False)
    assert await payouts.claimable_award_ids(found.winner, [found.award.id]) == {found.award.id}
    assert await payouts.claim_for_winner(other.winner, other.award.id, now=NOW) is None
    assert await payouts.claimable_award_ids(other.winner, [other.award.id]) == set()
