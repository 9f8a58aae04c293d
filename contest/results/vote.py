"""The popular vote (网络人气奖): when it runs, who may vote, how often, and which votes look stuffed.

When: while the final round runs. The vote opens with the contest's final round (its last round by
position, of the final kind) and closes at the earliest of that round's closing time, its locking
and the announcement (embargo.results_public). So every vote counted is in the final round's
figures, which blend in non-voided votes with contest.popular_vote_share (judging.standings),
before anyone proposes awards from them, and nothing moves the figures of a locked round.

Who: an e-mail address proven by a 6-digit code sent through the outbox. Only a bare address is
accepted (no display name, comment or quoting), and the voter is its canonical mailbox (case,
+tag, and for Gmail the dots and googlemail.com folded): li.ming+1@googlemail.com and
LiMing@gmail.com are one voter, in the quota and in the stuffing rules. Only a hash of the code is
kept, with its expiry in the same column since Voter has no other: "<expiry, Unix seconds>:<hash>".

How often: contest.popular_vote_daily_quota votes per voter per day of the contest's time zone, at
most one per entry and day. A voided vote still used up its place in the quota.

Stuffing: detect() flags velocity (one address or one voter voting faster than people do) and
clusters (many voters behind one address or one /24, one mailbox behind plus-addressing, numbered
local parts on one domain). Nothing is voided automatically: a campus or an office behind one
address looks like a cluster too, so an organiser decides, and each voiding is audited and counted
in the public summary by its rule, never with an address or a name.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import re
import secrets
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from contest import clock
from contest.accounts import throttle
from contest.accounts.queries import locale_of
from contest.accounts.service import normalise_email
from contest.audit.log import record
from contest.columns import fits
from contest.contests.models import Contest
from contest.entries.models import EntryImage
from contest.entries.states import JUDGEABLE_STATES
from contest.errors import Conflict, InvalidInput, NotFound
from contest.i18n import N_
from contest.judging.models import Round, RoundEntry, RoundKind
from contest.notifications.outbox import queue_wording
from contest.notifications.templates import Bilingual, Wording
from contest.results import embargo
from contest.results.gallery import Picture, picture
from contest.results.models import Vote, Voter

CODE_LIFETIME = timedelta(minutes=15)
CODE_DIGEST_LENGTH = 48  # hex digits: the expiry and the hash must fit Voter.code_hash (64)
CODES_PER_EMAIL = 3  # per throttle.WINDOW, per canonical mailbox
CODES_PER_ADDRESS = 20
WRONG_CODES_PER_EMAIL = 5
WRONG_CODES_PER_ADDRESS = 30

ADDRESS_BURST = (30, timedelta(minutes=10))  # votes from one address within the span
VOTER_BURST = (3, timedelta(seconds=5))  # votes of one voter within the span: a page per vote takes longer
VOTERS_PER_ADDRESS = 10
VOTERS_PER_SUBNET = 25
VOTERS_PER_MAILBOX = 2
VOTERS_PER_NUMBERED_PATTERN = 5
WRONG_CODE = N_("This code is not correct. Check the latest e-mail, or ask for a new code.")
NUMBERED_LOCAL_PART = re.compile(r"(?P<stem>[a-z][a-z._-]{2,}?)[._-]?(?P<n>\d{1,3})")
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
BARE_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})")
GMAIL = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}  # where dots in the local part are ignored


class Phase(StrEnum):
    SOON = "soon"
    OPEN = "open"
    CLOSED = "closed"


class Rule(StrEnum):
    ADDRESS_VELOCITY = "address_velocity"
    VOTER_VELOCITY = "voter_velocity"
    SHARED_ADDRESS = "shared_address"
    SHARED_SUBNET = "shared_subnet"
    PLUS_ADDRESSING = "plus_addressing"
    NUMBERED_EMAILS = "numbered_emails"


RULE_LABELS = {
    Rule.ADDRESS_VELOCITY: N_("Many votes from one network address in a short time"),
    Rule.VOTER_VELOCITY: N_("One voter voting faster than a person can"),
    Rule.SHARED_ADDRESS: N_("Many voters behind one network address"),
    Rule.SHARED_SUBNET: N_("Many voters from one block of network addresses"),
    Rule.PLUS_ADDRESSING: N_("Several voters sharing one mailbox (plus-addressing)"),
    Rule.NUMBERED_EMAILS: N_("Numbered e-mail addresses on one domain"),
}


class VoteClosed(Conflict):
    message = N_("The popular vote is not open now.")


class AlreadyVoted(Conflict):
    message = N_("You have already voted for this entry today.")


class QuotaReached(Conflict):
    message = N_("You have used all your votes for today. Come back tomorrow.")


class RoundLocked(Conflict):
    message = N_("The final round is locked: its figures, votes included, can no longer change.")


class NothingToVoid(Conflict):
    message = N_("These votes changed since the page was shown; nothing was voided. Look at the list again.")


# --- the window ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime


def window(contest: Any, final: Any) -> Window | None:
    """None when the contest has no vote, or no final round with opening and closing times."""
    if not contest.popular_vote_enabled or final is None or final.opens_at is None or final.closes_at is None:
        return None
    return Window(final.opens_at, final.closes_at)


def phase(contest: Any, final: Any, now: datetime) -> Phase | None:
    span = window(contest, final)
    if span is None:
        return None
    if now < span.opens_at:
        return Phase.SOON
    if now >= span.closes_at or final.locked_at is not None or embargo.results_public(contest, now):
        return Phase.CLOSED
    return Phase.OPEN


def voting_day(contest: Any, now: datetime) -> date:
    """Quotas reset at midnight where the contest is held."""
    return clock.to_zone(now, contest.time_zone).date()


async def final_round(contest: Contest) -> Round | None:
    last = await Round.filter(contest_id=contest.id).order_by("-position", "-id").first()
    return last if last is not None and last.kind == RoundKind.FINAL else None


# --- candidates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    entry_id: int
    key: str  # what forms and pages name it by: never the entry's id, which follows submission order
    title: str
    public_name: str
    track_name: str
    track_name_en: str
    cover: Picture | None


def candidate_key(secret: str, entry_id: int) -> str:
    return hmac.new(secret.encode(), f"popular-vote:{entry_id}".encode(), hashlib.sha256).hexdigest()[:16]


def shuffled(candidates: Iterable[Candidate], *, seed: str) -> list[Candidate]:
    """A visitor's own order: the same seed gives the same order, so nothing follows rank or id."""
    ordered = sorted(candidates, key=lambda c: c.key)
    random.Random(seed).shuffle(ordered)
    return ordered


async def candidates(final: Round) -> list[Candidate]:
    """The final round's entries still in a judgeable state, each with its cover image."""
    rows = await RoundEntry.filter(round_id=final.id, entry__state__in=list(JUDGEABLE_STATES)).values(
        "entry_id", "entry__title", "entry__public_name", "entry__track__name", "entry__track__name_en")
    covers = await _covers([row["entry_id"] for row in rows])
    return [Candidate(row["entry_id"], candidate_key(final.secret, row["entry_id"]), row["entry__title"],
                      row["entry__public_name"], row["entry__track__name"], row["entry__track__name_en"],
                      covers.get(row["entry_id"])) for row in rows]


async def _candidate_entry(final: Round, key: str) -> int | None:
    ids = await RoundEntry.filter(round_id=final.id, entry__state__in=list(JUDGEABLE_STATES)).values_list(
        "entry_id", flat=True)
    return next((entry_id for entry_id in ids if candidate_key(final.secret, entry_id) == key), None)


async def _covers(entry_ids: list[int]) -> dict[int, Picture]:
    rows = await EntryImage.filter(entry_id__in=entry_ids).order_by("entry_id", "-is_cover", "position", "id").values(
        "entry_id", "key", "derivatives")
    covers: dict[int, Picture] = {}
    for row in rows:
        covers.setdefault(row["entry_id"], picture(row))
    return covers


async def candidate_picture(final: Round, key: str) -> Picture | None:
    """An image of a candidate entry, None for any other image."""
    if not fits(EntryImage, "key", key):
        return None
    rows = await EntryImage.filter(
        key=key, entry__round_entries__round_id=final.id, entry__state__in=list(JUDGEABLE_STATES)
    ).limit(1).values("key", "derivatives")
    return picture(rows[0]) if rows else None


# --- voters --------------------------------------------------------------------------------------


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
    """Send a new code to `email` in `locale` (the page's language), the old one stops working. Side effects: the Voter row (created
    on first use) keeps the new code's hash, one outbox message, two throttle records. Raises
    InvalidInput for a bad address, VoteClosed, TooManyAttempts past CODES_PER_EMAIL / CODES_PER_ADDRESS."""
    email = checked_email(email)
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
        raise InvalidInput({"code": problem})
    voter.code_hash = ""
    voter.verified_at = voter.verified_at or now
    await voter.save(update_fields=["code_hash", "verified_at"])
    await throttle.forget(counted, keys=[limits[0].key])
    return voter


async def verified_voter(contest: Contest, voter_id: int) -> Voter | None:
    return await Voter.get_or_none(id=voter_id, contest_id=contest.id, verified_at__isnull=False)


# --- votes ---------------------------------------------------------------------------------------


async def votes_today(voter: Voter, day: date) -> set[int]:
    """The entries this voter voted for on `day` (voided or not: each used a place in the quota)."""
    return set(await Vote.filter(voter_id=voter.id, day=day).values_list("entry_id", flat=True))


async def cast_vote(contest: Contest, voter: Voter, *, candidate: str, ip: str, now: datetime) -> int:
    """One vote for the candidate keyed `candidate`; returns the votes left today. Raises VoteClosed,
    NotFound for a key that is no candidate, AlreadyVoted, QuotaReached."""
    final = await final_round(contest)
    if phase(contest, final, now) != Phase.OPEN:
        raise VoteClosed()
    entry_id = await _candidate_entry(final, candidate)  # type: ignore[arg-type]
    if entry_id is None:
        raise NotFound()
    day, quota = voting_day(contest, now), contest.popular_vote_daily_quota
    try:
        async with in_transaction():
            # The voter's row lock makes "count, then insert" atomic on PostgreSQL; SQLite runs one transaction at a time.
            await Voter.select_for_update().filter(id=voter.id).first()
            used = await votes_today(voter, day)
            if entry_id in used:
                raise AlreadyVoted()
            if len(used) >= quota:
                raise QuotaReached()
            await Vote.create(voter_id=voter.id, entry_id=entry_id, day=day, ip=ip[:64], created_at=now)
    except IntegrityError:
        raise AlreadyVoted() from None
    return quota - len(used) - 1


# --- stuffing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteFact:
    id: int
    voter_id: int
    email: str
    ip: str
    at: datetime


@dataclass(frozen=True)
class Suspicion:
    rule: Rule
    key: str  # the address, block, mailbox or pattern it is about: for organisers only
    vote_ids: tuple[int, ...]  # its votes not voided yet
    voters: int
    first_at: datetime
    last_at: datetime


def subnet(ip: str) -> str | None:
    """The /24 of an IPv4 address, the /64 of an IPv6 one."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def mailbox(email: str) -> str:
    """The canonical mailbox, where the mail lands: Name+anything@domain is name@domain, and on Gmail
    l.i.ming@googlemail.com is liming@gmail.com."""
    local, _, domain = email.casefold().rpartition("@")
    local, domain = local.split("+", 1)[0], GMAIL.get(domain, domain)
    return f"{local.replace('.', '') if domain in GMAIL else local}@{domain}"


def numbered_pattern(email: str) -> str | None:
    """name7@domain and name8@domain share "name#@domain"; all-digit local parts (QQ numbers) share none."""
    local, _, domain = mailbox(email).rpartition("@")
    match = NUMBERED_LOCAL_PART.fullmatch(local)
    return f"{match['stem']}#@{domain}" if match else None


def _voters(facts: Iterable[VoteFact]) -> int:
    """One voter per canonical mailbox (voters from before addresses were canonical may share one)."""
    return len({mailbox(f.email) for f in facts})


def _suspicion(rule: Rule, key: str, facts: Sequence[VoteFact],
               count: Callable[[Iterable[VoteFact]], int] = _voters) -> Suspicion:
    return Suspicion(rule, key, tuple(sorted(f.id for f in facts)), count(facts),
                     min(f.at for f in facts), max(f.at for f in facts))


def _grouped(facts: Iterable[VoteFact], key: Callable[[VoteFact], str | None]) -> dict[str, list[VoteFact]]:
    groups: dict[str, list[VoteFact]] = defaultdict(list)
    for fact in facts:
        value = key(fact)
        if value:
            groups[value].append(fact)
    return groups


def _bursts(facts: Sequence[VoteFact], size: int, span: timedelta) -> list[VoteFact]:
    """The votes that lie in some run of `size` votes within `span`."""
    ordered = sorted(facts, key=lambda f: (f.at, f.id))
    marked: set[int] = set()
    for end in range(size - 1, len(ordered)):
        if ordered[end].at - ordered[end - size + 1].at <= span:
            marked.update(range(end - size + 1, end + 1))
    return [ordered[i] for i in sorted(marked)]


def velocity(facts: Sequence[VoteFact], rule: Rule, key: Callable[[VoteFact], str | None],
             burst: tuple[int, timedelta]) -> list[Suspicion]:
    found = ((value, _bursts(group, *burst)) for value, group in _grouped(facts, key).items())
    return [_suspicion(rule, value, marked) for value, marked in found if marked]


def clusters(facts: Sequence[VoteFact], rule: Rule, key: Callable[[VoteFact], str | None], min_voters: int,
             count: Callable[[Iterable[VoteFact]], int] = _voters) -> list[Suspicion]:
    return [_suspicion(rule, value, group, count) for value, group in _grouped(facts, key).items()
            if count(group) >= min_voters]


def detect(facts: Sequence[VoteFact]) -> list[Suspicion]:
    """Pure: every suspicion among the (not voided) votes, the largest first."""
    found = [
        *velocity(facts, Rule.ADDRESS_VELOCITY, lambda f: f.ip, ADDRESS_BURST),
        *velocity(facts, Rule.VOTER_VELOCITY, lambda f: mailbox(f.email), VOTER_BURST),
        *clusters(facts, Rule.SHARED_ADDRESS, lambda f: f.ip, VOTERS_PER_ADDRESS),
        *clusters(facts, Rule.SHARED_SUBNET, lambda f: subnet(f.ip), VOTERS_PER_SUBNET),
        *clusters(facts, Rule.PLUS_ADDRESSING, lambda f: mailbox(f.email), VOTERS_PER_MAILBOX,
                  lambda group: len({f.voter_id for f in group})),
        *clusters(facts, Rule.NUMBERED_EMAILS, lambda f: numbered_pattern(f.email), VOTERS_PER_NUMBERED_PATTERN),
    ]
    return sorted(found, key=lambda s: (-len(s.vote_ids), s.rule, s.key))


async def live_facts(contest: Contest) -> list[VoteFact]:
    rows = await Vote.filter(voter__contest_id=contest.id, voided=False).order_by("created_at", "id").values_list(
        "id", "voter_id", "voter__email", "ip", "created_at")
    return [VoteFact(*row) for row in rows]


async def void_suspicion(contest: Contest, rule: Rule, key: str, vote_ids: Iterable[int], *, note: str, by: Any,
                         now: datetime) -> int:
    """Void the shown votes of a suspicion that still holds them; returns how many. Side effects in one
    transaction: Vote.voided with the rule as void_reason, one audit event (rule, key, vote ids, note).
    Raises RoundLocked once the final round is locked, NothingToVoid when none of them is still flagged."""
    final = await final_round(contest)
    if final is not None and final.locked_at is not None:
        raise RoundLocked()
    current = next((s for s in detect(await live_facts(contest)) if (s.rule, s.key) == (rule, key)), None)
    chosen = sorted(set(vote_ids) & set(current.vote_ids if current else ()))
    if not chosen:
        raise NothingToVoid()
    async with in_transaction():
        await Vote.filter(id__in=chosen).update(voided=True, void_reason=rule.value)
        await record("vote.voided", subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                     data={"rule": rule.value, "key": key, "votes": chosen, "note": note})
    return len(chosen)


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What the public sees after the vote: totals and voided votes by rule, nothing personal."""

    cast: int
    counted: int
    voters: int
    voided_by_rule: tuple[tuple[str, int], ...]

    @property
    def voided(self) -> int:
        return self.cast - self.counted


def summarise(rows: Iterable[tuple[int, bool, str]]) -> Summary:
    """Pure: (voter id, voided, void reason) per vote."""
    rows = list(rows)
    reasons = Counter(reason for _, voided, reason in rows if voided)
    return Summary(len(rows), sum(1 for _, voided, _ in rows if not voided), len({voter for voter, _, _ in rows}),
                   tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))))


async def summary(contest: Contest) -> Summary:
    return summarise(await Vote.filter(voter__contest_id=contest.id).values_list("voter_id", "voided", "void_reason"))


@dataclass(frozen=True)
class Tally:
    candidate: Candidate
    counted: int
    voided: int


async def tallies(final: Round) -> list[Tally]:
    """Organisers only: each candidate's counted and voided votes, the most counted first."""
    found = await candidates(final)
    rows = await Vote.filter(entry_id__in=[c.entry_id for c in found]).values_list("entry_id", "voided")
    counts = Counter(rows)
    table = [Tally(c, counts[(c.entry_id, False)], counts[(c.entry_id, True)]) for c in found]
    return sorted(table, key=lambda t: (-t.counted, t.candidate.title, t.candidate.key))
