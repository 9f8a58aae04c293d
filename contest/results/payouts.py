"""Prize payouts (奖金发放): a winner names who receives their award's prize, or declines it; organisers see
each winner's status with the numbers masked and mark a prize paid; the finance office's export
(contest.exports.payouts) is the one place the numbers appear in full.

A winner is the entrant of an entry with a confirmed award whose tier carries a prize, once the results are
public and the contest's payouts are open. Until the contest's claim deadline they may fill in, change or decline;
after it a prize nobody claimed counts as declined (shown as "expired"), and details already given stay to be
paid. The status is computed here (status_of), never stored apart from what the winner or an organiser did.
Every change is audited, naming the fact and never the numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import cast

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from contest.accounts import privacy
from contest.accounts.models import EntrantKind, User
from contest.audit.log import record
from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.errors import Conflict
from contest.i18n import N_
from contest.results import payees
from contest.results.awarding import award_for_winner
from contest.results.models import Award, AwardStatus, PayeeKind, Payout, PayoutState
from contest.results.payees import Amounts, Payee
from contest.results.sealing import Sealer


class PayoutStatus(StrEnum):
    NOT_STARTED = "not_started"
    SUBMITTED = "submitted"
    DECLINED = "declined"
    EXPIRED = "expired"  # the deadline passed with nothing given: counts as declined
    PAID = "paid"


OPEN_STATUSES = (PayoutStatus.NOT_STARTED, PayoutStatus.SUBMITTED, PayoutStatus.DECLINED)


class PayoutClosed(Conflict):
    message = N_("This prize can no longer be changed: its claim deadline has passed, payouts are closed, or it "
                 "has been paid.")


class NotSubmitted(Conflict):
    message = N_("Only a prize whose payee details were given can be marked paid.")


def deadline_passed(contest: Contest, now: datetime) -> bool:
    return contest.payout_deadline is not None and now >= contest.payout_deadline


def status_of(payout: Payout | None, contest: Contest, now: datetime) -> PayoutStatus:
    """Pure: what the winner did, an organiser's payment, or the deadline's verdict on nothing done."""
    if payout is not None:
        return PayoutStatus(payout.state.value)
    return PayoutStatus.EXPIRED if deadline_passed(contest, now) else PayoutStatus.NOT_STARTED


def amounts_of(award: Award, payout: Payout | None, contest: Contest) -> Amounts:
    """The amounts as paid once paid; before, by the tier's prize and the contest's current rule (an individual's
    until the winner says otherwise). Reads the award's prefetched tier."""
    if payout is not None and payout.paid_pre_tax_fen is not None and payout.paid_tax_fen is not None:
        return Amounts(payout.paid_pre_tax_fen, payout.paid_tax_fen)
    kind = payout.payee_kind if payout is not None else PayeeKind.INDIVIDUAL
    return payees.amounts(award.tier.prize_fen, kind, contest.payout_tax_bp)


def team_members(entry: Entry) -> list[str] | None:
    """The names a proxy for the team may have (the entry's prefetched members and its owner); None unless the
    entry is a team's."""
    if entry.entrant_kind != EntrantKind.TEAM:
        return None
    return list(dict.fromkeys([entry.owner.display_name, *(member.name for member in entry.members)]))


@dataclass
class Claim:
    """A winner's view of one prize."""

    award: Award  # with contest, tier, entry (owner, members)
    payout: Payout | None
    status: PayoutStatus
    editable: bool

    @property
    def contest(self) -> Contest:
        return self.award.contest

    def amounts(self, kind: PayeeKind | None = None) -> Amounts:
        if kind is None or self.status == PayoutStatus.PAID:
            return amounts_of(self.award, self.payout, self.contest)
        return payees.amounts(self.award.tier.prize_fen, kind, self.contest.payout_tax_bp)


async def claim_for_winner(user: User, award_id: int, *, now: datetime) -> Claim | None:
    """`user`'s prize of a confirmed award once results are public, while payouts are open or once they gave
    something (closing payouts stops changes, not the winner's view); None otherwise (a 404, like another
    designer's award or one that does not exist)."""
    award = await award_for_winner(user, award_id, now=now)
    if award is None or award.tier.prize_fen <= 0:
        return None
    payout = await Payout.get_or_none(award_id=award.id)
    contest = award.contest
    if payout is None and not contest.payouts_open:
        return None
    status = status_of(payout, contest, now)
    return Claim(award, payout, status,
                 status in OPEN_STATUSES and contest.payouts_open and not deadline_passed(contest, now))


async def claimable_award_ids(user: User, award_ids: list[int]) -> set[int]:
    """Which of `user`'s awards (from their results page) have a payout page (claim_for_winner's rule)."""
    rows = await Award.filter(Q(contest__payouts_open=True) | Q(payout__id__isnull=False), id__in=award_ids,
                              entry__owner_id=user.id, tier__prize_fen__gt=0).values_list("id", flat=True)
    return set(cast(list[int], rows))


def _require_open(claim: Claim) -> None:
    if not claim.editable:
        raise PayoutClosed


async def save_payee(claim: Claim, payee: Payee, *, sealer: Sealer, by: User, now: datetime, ip: str = "") -> Payout:
    """Keep the winner's payee details with their consent, the numbers sealed and masked; an empty number keeps
    the saved one. The form's consent is also the account's separate consent to sensitive personal information
    (privacy.give_sensitive, from `ip`). Audited as payout.submitted (whether it changed details, never the
    numbers). Raises PayoutClosed after the deadline or once paid."""
    _require_open(claim)
    payout = claim.payout or Payout(award_id=claim.award.id)
    changed = claim.payout is not None and claim.payout.state != PayoutState.DECLINED
    if payee.id_number:
        payout.id_number_sealed, payout.id_number_masked = sealer.seal(payee.id_number), payees.masked_id(payee.id_number)
    if payee.account:
        payout.account_sealed, payout.account_masked = sealer.seal(payee.account), payees.masked_account(payee.account)
    payout.state, payout.payee_kind, payout.payee_name, payout.id_type = (
        PayoutState.SUBMITTED, payee.kind, payee.name, payee.id_type.value)
    payout.bank_name, payout.account_holder, payout.phone = payee.bank_name, payee.account_holder, payee.phone
    payout.team_agreed, payout.consented_at, payout.submitted_at = payee.team_agreed, now, now
    payout.declined_at, payout.updated_at = None, now
    async with in_transaction():
        await payout.save()
        await privacy.give_sensitive(by, ip=ip, now=now)
        await record("payout.submitted", subject=f"entry:{claim.award.entry_id}", now=now, actor=by,
                     contest_id=claim.contest.id,
                     data={"award": claim.award.id, "payee_kind": payee.kind.value, "changed": changed})
    return payout


def keeps_numbers(claim: Claim, kind: PayeeKind, id_type: str) -> bool:
    """Whether the saved numbers may stay when the form leaves them empty: they were given, for the same kind
    of payee and document."""
    payout = claim.payout
    return (payout is not None and payout.state == PayoutState.SUBMITTED and payout.payee_kind == kind
            and (kind == PayeeKind.ORGANISATION or payout.id_type == id_type))


async def decline(claim: Claim, *, by: User, now: datetime) -> None:
    """The winner gives up the prize: any details given are erased. Audited as payout.declined."""
    _require_open(claim)
    payout = claim.payout or Payout(award_id=claim.award.id)
    _erase(payout)
    payout.state, payout.declined_at, payout.submitted_at, payout.consented_at = PayoutState.DECLINED, now, None, None
    payout.updated_at = now
    async with in_transaction():
        await payout.save()
        await record("payout.declined", subject=f"entry:{claim.award.entry_id}", now=now, actor=by,
                     contest_id=claim.contest.id, data={"award": claim.award.id})


def _erase(payout: Payout) -> None:
    for name, value in ERASED.items():
        setattr(payout, name, value)


# what names or identifies the payee: erased on declining, deleting the account, and the retention purge
ERASED = {"payee_name": "", "id_number_sealed": "", "id_number_masked": "", "bank_name": "", "account_sealed": "",
          "account_masked": "", "account_holder": "", "phone": ""}


async def forget_unpaid_payees(user: User, *, now: datetime) -> int:
    """The winner's consent to sensitive personal information is withdrawn: the payee details of their prizes not
    yet paid are deleted (each back to not started, to be given again with a new consent before the deadline),
    audited as payout.consent_withdrawn. Paid prizes keep theirs: the tax withheld must be accounted for. Returns
    how many were deleted; none when the consent is in force."""
    if await privacy.has_sensitive_consent(user):
        return 0
    unpaid = await Payout.filter(award__entry__owner_id=user.id, state=PayoutState.SUBMITTED).prefetch_related(
        "award__entry")
    async with in_transaction():
        for payout in unpaid:
            await payout.delete()
            await record("payout.consent_withdrawn", subject=f"entry:{payout.award.entry_id}", now=now, actor=user,
                         contest_id=payout.award.entry.contest_id, data={"award": payout.award_id})
    return len(unpaid)


async def erase_payees(entry_ids: list[int]) -> None:
    """Erase the payees of the entries' awards; amounts, states and dates stay for the finance record."""
    await Payout.filter(award__entry_id__in=entry_ids).update(**ERASED)


# --- the organisers' side ------------------------------------------------------------------------


@dataclass(frozen=True)
class PayoutRow:
    award: Award  # with tier, entry__track
    payout: Payout | None
    status: PayoutStatus
    amounts: Amounts


async def payout_rows(contest: Contest, *, now: datetime) -> list[PayoutRow]:
    """Every confirmed award of the contest whose tier carries a prize, by track, grade and entry number."""
    awards = await Award.filter(contest_id=contest.id, status=AwardStatus.CONFIRMED, tier__prize_fen__gt=0
                                ).prefetch_related("tier", "entry__track").order_by(
        "entry__track__position", "tier__is_special", "tier__rank", "entry__number", "id")
    if not awards:
        return []
    payouts = {p.award_id: p for p in await Payout.filter(award_id__in=[a.id for a in awards])}
    return [PayoutRow(a, payouts.get(a.id), status_of(payouts.get(a.id), contest, now),
                      amounts_of(a, payouts.get(a.id), contest)) for a in awards]


def status_counts(rows: list[PayoutRow]) -> dict[PayoutStatus, int]:
    """Pure: how many winners are in each status, every status named."""
    counts = Counter(row.status for row in rows)
    return {status: counts.get(status, 0) for status in PayoutStatus}


async def payout_of_contest(contest: Contest, award_id: int) -> Payout | None:
    return await Payout.get_or_none(award_id=award_id, award__contest_id=contest.id).prefetch_related("award__tier")


async def mark_paid(payout: Payout, contest: Contest, *, paid_on: date, by: User, now: datetime) -> None:
    """Record that the prize was paid on `paid_on`, keeping the amounts paid. Audited as payout.paid. Raises
    NotSubmitted unless the winner's details were given."""
    if payout.state != PayoutState.SUBMITTED:
        raise NotSubmitted
    paid = amounts_of(payout.award, payout, contest)
    payout.state, payout.paid_on, payout.updated_at = PayoutState.PAID, paid_on, now
    payout.paid_pre_tax_fen, payout.paid_tax_fen = paid.pre_tax_fen, paid.tax_fen
    async with in_transaction():
        await payout.save()
        await record("payout.paid", subject=f"entry:{payout.award.entry_id}", now=now, actor=by, contest_id=contest.id,
                     data={"award": payout.award_id, "paid_on": paid_on.isoformat(),
                           "after_tax": payees.yuan(paid.after_tax_fen)})


async def payouts_in_use() -> bool:
    """Whether any contest takes payouts or keeps a payee (the production check asks for a key then)."""
    return await Contest.exists(payouts_open=True) or await Payout.exists()
