"""Withdrawing consent reaches the payee details given under it (docs/privacy.md, "Prize payouts")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contest.accounts import privacy
from contest.accounts.models import ConsentKind, PrivacyConsent
from contest.audit.models import AuditEvent
from contest.console import consent_withdrawal
from contest.results import payees, payouts
from contest.results.models import Payout, PayoutState
from contest.results.payouts import PayoutStatus
from contest.results.sealing import Sealer, new_key
from tests.factories import NOW, make_user
from tests.results.payout_builders import payee_form, prize

pytestmark = pytest.mark.unit

SEALER = Sealer([new_key()])
LATER = NOW + timedelta(hours=1)


async def winner_with_payee():
    found = await prize()  # its winner consented to the notice without the separate sensitive consent
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    payee = payees.parse_payee(payee_form(), team_members=None, keeps_numbers=False)
    await payouts.save_payee(claim, payee, sealer=SEALER, by=found.winner, now=NOW, ip="10.0.0.2")
    return found


async def test_giving_payee_details_is_the_accounts_consent_to_sensitive_information(db):
    found = await winner_with_payee()
    assert await privacy.has_sensitive_consent(found.winner)
    latest = await privacy.latest_consent(found.winner)
    assert (latest.kind, latest.sensitive, latest.ip, latest.accepted_at) == (ConsentKind.GIVEN, True, "10.0.0.2", NOW)
    unconsented = await make_user(consented=False)  # no consent to the notice in force: none is made up
    assert await privacy.give_sensitive(unconsented, ip="10.0.0.2", now=NOW) is None
    assert not await PrivacyConsent.exists(user_id=unconsented.id)
    assert await privacy.give_sensitive(found.winner, ip="10.0.0.2", now=LATER) is None  # already in force


@pytest.mark.parametrize("withdraw", [consent_withdrawal.withdraw_sensitive, consent_withdrawal.withdraw_consent])
async def test_withdrawing_deletes_unpaid_payee_details_and_audits_it(db, withdraw):
    found = await winner_with_payee()
    await withdraw(found.winner, confirmed=True, ip="10.0.0.3", now=LATER)
    assert not await Payout.exists()
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=LATER)
    assert (claim.status, claim.editable) == (PayoutStatus.NOT_STARTED, True)  # may be given again before the deadline
    event = await AuditEvent.get(action="payout.consent_withdrawn")
    assert (event.subject, event.actor_id, event.data) == (f"entry:{found.entry.id}", found.winner.id,
                                                           {"award": found.award.id})


async def test_a_paid_prize_keeps_its_payee_for_the_tax_withheld(db):
    found = await winner_with_payee()
    payout = await payouts.payout_of_contest(found.contest, found.award.id)
    await payouts.mark_paid(payout, found.contest, paid_on=date(2026, 6, 5), by=await make_user(), now=NOW)
    await consent_withdrawal.withdraw_sensitive(found.winner, confirmed=True, ip="10.0.0.3", now=LATER)
    kept = await Payout.get(id=payout.id)
    assert (kept.state, kept.payee_name, kept.id_number_masked) == (PayoutState.PAID, "陈晓雯", "1101**********7475")
    assert not await AuditEvent.exists(action="payout.consent_withdrawn")


async def test_other_winners_and_a_consent_in_force_keep_their_details(db):
    found, other = await winner_with_payee(), await winner_with_payee()
    assert await payouts.forget_unpaid_payees(found.winner, now=LATER) == 0  # the consent is in force
    await consent_withdrawal.withdraw_sensitive(found.winner, confirmed=True, ip="10.0.0.3", now=LATER)
    assert await Payout.filter(award__entry__owner_id=other.winner.id).count() == 1
    assert await Payout.filter(award__entry__owner_id=found.winner.id).count() == 0
