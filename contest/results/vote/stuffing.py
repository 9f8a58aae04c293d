"""Votes that look stuffed, and voiding them.

detect() flags velocity (one address or one voter voting faster than people do) and clusters (many
voters behind one address or one /24, one mailbox behind plus-addressing, numbered local parts on
one domain). Nothing is voided automatically: a campus or an office behind one address looks like a
cluster too, so an organiser decides, and each voiding is audited and counted in the public summary
by its rule, never with an address or a name.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from contest.audit.log import record
from contest.contests.models import Contest
from contest.errors import Conflict
from contest.i18n import N_
from contest.results.models import Vote
from contest.results.vote.codes import mailbox
from contest.results.vote.window import final_round

ADDRESS_BURST = (30, timedelta(minutes=10))  # votes from one address within the span
VOTER_BURST = (3, timedelta(seconds=5))  # votes of one voter within the span: a page per vote takes longer
VOTERS_PER_ADDRESS = 10
VOTERS_PER_SUBNET = 25
VOTERS_PER_MAILBOX = 2
VOTERS_PER_NUMBERED_PATTERN = 5
NUMBERED_LOCAL_PART = re.compile(r"(?P<stem>[a-z][a-z._-]{2,}?)[._-]?(?P<n>\d{1,3})")


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


class RoundLocked(Conflict):
    message = N_("The final round is locked: its figures, votes included, can no longer change.")


class NothingToVoid(Conflict):
    message = N_("These votes changed since the page was shown; nothing was voided. Look at the list again.")


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
