"""Who may vote when the contest counts votes per phone number (contest.popular_vote_phone): a mainland
mobile number proven by a text message (accounts.phones). The voter is the number, kept as a tel: URI in
Voter.email (the voter's identity: a mailbox, or a number), so the daily quota and the stuffing rules
apply per number: one person with two e-mail addresses and one phone has one quota.
"""

from __future__ import annotations

from datetime import datetime

from contest.accounts import phones
from contest.contests.models import Contest
from contest.errors import Conflict
from contest.i18n import N_
from contest.results.models import Voter
from contest.results.vote.window import Phase, VoteClosed, final_round, phase
from contest.sms import SmsSender

TEL = "tel:+86"


class PhoneRequired(Conflict):
    message = N_("This vote counts one quota per phone number: verify your phone number first, then vote.")


class PhoneNotUsed(Conflict):
    message = N_("This vote does not ask for a phone number.")


class EmailNotUsed(Conflict):
    message = N_("This vote asks for a phone number, not an e-mail address.")


def purpose(contest: Contest) -> str:
    return f"vote:{contest.id}"


def is_phone_voter(voter: Voter) -> bool:
    return voter.email.startswith(TEL)


def number_of(voter: Voter) -> str:
    """The 11 digits of a phone voter's number ("" for a voter by e-mail)."""
    return voter.email.removeprefix(TEL) if is_phone_voter(voter) else ""


def may_vote(contest: Contest, voter: Voter) -> bool:
    """A phone vote takes only voters proven by phone; any verified voter votes otherwise."""
    return is_phone_voter(voter) or not contest.popular_vote_phone


async def _open(contest: Contest, now: datetime) -> None:
    if not contest.popular_vote_phone:
        raise PhoneNotUsed()
    if phase(contest, await final_round(contest), now) != Phase.OPEN:
        raise VoteClosed()


async def request_code(contest: Contest, phone: str, *, sender: SmsSender, secret: str, ip: str, now: datetime,
                       locale: str) -> str:
    """Text a code to `phone` (as typed) for this contest's vote; returns the number normalised. Raises
    InvalidInput, VoteClosed, TooManyAttempts, SmsNotSent."""
    number = phones.normalise_phone(phone)
    await _open(contest, now)
    await phones.send_code(purpose(contest), number, sender=sender, secret=secret, ip=ip, now=now, locale=locale)
    return number


async def verify_code(contest: Contest, phone: str, code: str, *, secret: str, ip: str, now: datetime) -> Voter:
    """The voter of this number, verified (made on first use). Raises InvalidInput, VoteClosed,
    TooManyAttempts."""
    number = phones.normalise_phone(phone)
    await _open(contest, now)
    await phones.check_code(purpose(contest), number, code, secret=secret, ip=ip, now=now)
    voter, _ = await Voter.get_or_create(contest_id=contest.id, email=f"{TEL}{number}")
    if voter.verified_at is None:
        voter.verified_at = now
        await voter.save(update_fields=["verified_at"])
    return voter
