"""Who may vote: an e-mail address proven by a 6-digit code sent through the outbox.

Only a bare address is accepted (no display name, comment or quoting), and the voter is its canonical
mailbox (case, +tag, and for Gmail the dots and googlemail.com folded): li.ming+1@googlemail.com and
LiMing@gmail.com are one voter, in the quota and in the stuffing rules. Only a hash of the code is
kept, with its expiry in the same column since Voter has no other: "<expiry, Unix seconds>:<hash>".
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from contest.accounts import throttle
from contest.accounts.queries import locale_of
from contest.accounts.service import normalise_email
from contest.contests.models import Contest
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.notifications.outbox import queue_wording
from contest.notifications.templates import Bilingual, Wording
from contest.results.models import Voter
from contest.results.vote.phones import EmailNotUsed
from contest.results.vote.window import Phase, VoteClosed, final_round, phase

CODE_LIFETIME = timedelta(minutes=15)
CODE_DIGEST_LENGTH = 48  # hex digits: the expiry and the hash must fit Voter.code_hash (64)
CODES_PER_EMAIL = 3  # per throttle.WINDOW, per canonical mailbox
CODES_PER_ADDRESS = 20
WRONG_CODES_PER_EMAIL = 5
WRONG_CODES_PER_ADDRESS = 30
WRONG_CODE = N_("This code is not correct. Check the latest e-mail, or ask for a new code.")
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
BARE_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})")
GMAIL = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}  # where dots in the local part are ignored


def mailbox(email: str) -> str:
    """The canonical mailbox, where the mail lands: Name+anything@domain is name@domain, and on Gmail
    l.i.ming@googlemail.com is liming@gmail.com."""
    local, _, domain = email.casefold().rpartition("@")
    local, domain = local.split("+", 1)[0], GMAIL.get(domain, domain)
    return f"{local.replace('.', '') if domain in GMAIL else local}@{domain}"


def _code_digest(voter_id: int, expires: int, code: str) -> str:
    return hashlib.sha256(f"popular-vote:{voter_id}:{expires}:{code}".encode()).hexdigest()[:CODE_DIGEST_LENGTH]


def seal_code(voter_id: int, code: str, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{expires}:{_code_digest(voter_id, expires, code)}"


def _digits(code: str) -> str:
    """As typed: full-width digits from a Chinese input method, spaces between groups."""
    return "".join(unicodedata.normalize("NFKC", code).split())


def code_problem(sealed: str, voter_id: int, code: str, now: datetime) -> str | None:
    """None when `code` is the live code sealed in `sealed`; otherwise what to tell the voter."""
    expires, _, digest = sealed.partition(":")
    if not expires.isdigit() or not hmac.compare_digest(digest, _code_digest(voter_id, int(expires), code)):
        return WRONG_CODE
    if now.timestamp() >= int(expires):
        return N_("This code has expired. Ask for a new one.")
    return None


def _limits(kind: str, contest: Contest, mailbox_: str, ip: str, per_email: int,
            per_address: int) -> list[throttle.Limit]:
    return [throttle.Limit(f"{kind}:{contest.id}:{mailbox_}", per_email, throttle.WINDOW),
            throttle.Limit(f"{kind}-ip:{ip}", per_address, throttle.WINDOW)]


def checked_email(email: str) -> str:
    """The bare address as typed (lower case); InvalidInput for anything else, display names and comments too."""
    email = normalise_email(email)
    local, _, _ = mailbox(email).rpartition("@")
    if not BARE_EMAIL.fullmatch(email) or len(email) > 254 or not 0 < len(local) <= 64:
        raise InvalidInput({"email": N_("Enter a valid e-mail address.")})
    return email


VOTE_CODE = Wording(
    subject_zh="【{contest}】网络人气奖投票验证码",
    body_zh="{contest}\n\n您的网络人气奖投票验证码是 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本邮件。",
    subject_en="Popular vote code: {contest}",
    body_en="{contest}\n\nYour popular vote code is {code}. It is valid for {minutes} minutes. "
    "If you did not ask for it, ignore this e-mail.",
)


async def request_code(contest: Contest, email: str, *, ip: str, now: datetime, locale: str | None = None) -> None:
    """Send a new code to `email` in `locale` (the page's language), the old one stops working. Side effects: the
    Voter row (created on first use) keeps the new code's hash, one outbox message, two throttle records. Raises
    InvalidInput for a bad address, VoteClosed, TooManyAttempts past CODES_PER_EMAIL / CODES_PER_ADDRESS."""
    email = checked_email(email)
    if contest.popular_vote_phone:
        raise EmailNotUsed()
    if phase(contest, await final_round(contest), now) != Phase.OPEN:
        raise VoteClosed()
    await throttle.attempt(_limits("vote-code", contest, mailbox(email), ip, CODES_PER_EMAIL, CODES_PER_ADDRESS),
                           now=now)
    code = f"{secrets.randbelow(10**6):06d}"
    async with in_transaction():
        voter, _ = await Voter.get_or_create(contest_id=contest.id, email=mailbox(email))
        voter.code_hash = seal_code(voter.id, code, now + CODE_LIFETIME)
        await voter.save(update_fields=["code_hash"])
        await queue_wording("vote_code", VOTE_CODE, to_email=email, contest_id=contest.id, secret="code",
                            locale=locale or await locale_of(email),
                            values={"contest": Bilingual(contest.title, contest.title_en or contest.title),
                                                   "code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)})


async def verify_code(contest: Contest, email: str, code: str, *, ip: str, now: datetime) -> Voter:
    """Mark the voter verified and use the code up. Raises InvalidInput (a wrong or expired code, the
    same for an address that never asked for one) or TooManyAttempts past the wrong-code limits. Each
    check is counted before it is made; the right code takes back the mailbox's count."""
    email = checked_email(email)
    limits = _limits("vote-wrong", contest, mailbox(email), ip, WRONG_CODES_PER_EMAIL, WRONG_CODES_PER_ADDRESS)
    counted = await throttle.attempt(limits, now=now)
    voter = await Voter.get_or_none(contest_id=contest.id, email=mailbox(email))
    problem = code_problem(voter.code_hash, voter.id, _digits(code), now) if voter else WRONG_CODE
    if voter is None or problem is not None:
        raise InvalidInput({"code": problem or WRONG_CODE})
    voter.code_hash = ""
    voter.verified_at = voter.verified_at or now
    await voter.save(update_fields=["code_hash", "verified_at"])
    await throttle.forget(counted, keys=[limits[0].key])
    return voter


async def verified_voter(contest: Contest, voter_id: int) -> Voter | None:
    return await Voter.get_or_none(id=voter_id, contest_id=contest.id, verified_at__isnull=False)
