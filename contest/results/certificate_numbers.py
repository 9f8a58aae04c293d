"""Certificate numbers, and the public check of a certificate by its number or its QR code's key.

A contest may set a pattern such as `〔{year}〕工运文创第{seq:03}号`: `{year}` is the year of issue (the
announcement's, on the contest's clock) and `{seq}` counts the contest's certificates in a stable order (track,
grade, entry number); `{seq:03}` pads it to three digits. Without a pattern a number is the contest's slug and the
award's id (RENMIN-2025-00042), as before patterns existed.

Numbers are issued once results are public, the first time anything asks for them, and stored on the award: a later
change of the pattern, or a revocation, renumbers nothing, and a certificate issued later (an entry that moved up
after a revocation) takes the next `{seq}`. Before then organisers see the numbers as they would be issued.
Every award also gets a random key for the QR code, so the check page cannot be walked through by guessing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from contest import clock
from contest.accounts import throttle
from contest.contests.models import Contest
from contest.i18n import N_
from contest.media import cjk_font
from contest.results.embargo import results_public
from contest.results.models import Award, AwardStatus

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
SEQ = re.compile(r"seq(?::0([1-9]))?")
PATTERN_MAX = 100
NUMBER_MAX = 120
CHECKS_PER_ADDRESS = 30  # number look-ups per throttle.WINDOW from one address: plenty for people, slow for a walk
ACTIVE = (AwardStatus.PROPOSED, AwardStatus.CONFIRMED)
RELATED = ("contest", "tier__track", "entry__members", "entry__owner")
# What people type for the brackets of 〔2026〕 on a keyboard without them
BRACKETS = str.maketrans({"[": "〔", "(": "〔", "（": "〔", "【": "〔", "［": "〔",
                          "]": "〕", ")": "〕", "）": "〕", "】": "〕", "］": "〕"})


# --- the pattern ----------------------------------------------------------------------------------


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with a number pattern (a message to show by the field), or None."""
    if not pattern:
        return None
    names = PLACEHOLDER.findall(pattern)
    literal = PLACEHOLDER.sub("", pattern)
    if "{" in literal or "}" in literal:
        return N_("A brace in the pattern is not closed: write placeholders as {year} or {seq:03}.")
    if any(name != "year" and not SEQ.fullmatch(name) for name in names):
        return N_("The pattern knows only {year} and {seq}; {seq:03} pads the sequence to three digits.")
    if sum(1 for name in names if SEQ.fullmatch(name)) != 1:
        return N_("Put {seq} in the pattern exactly once, so that every certificate has its own number.")
    if cjk_font.missing_characters(literal):
        return N_("The certificate font cannot print some characters of the pattern.")
    return None


def render_number(pattern: str, *, year: int, seq: int) -> str:
    """The number `pattern` (checked by pattern_problem) gives the `seq`th certificate issued in `year`."""
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "year":
            return str(year)
        counter = SEQ.fullmatch(name)
        return f"{seq:0{(counter.group(1) if counter else None) or 1}d}"
    return PLACEHOLDER.sub(fill, pattern)


def _number(contest: Contest, award: Award, seq: int) -> str:
    if not contest.certificate_number_pattern:
        return f"{contest.slug.upper()}-{award.id:05d}"
    issued = clock.to_zone(contest.announce_at or clock.now(), contest.time_zone)
    return render_number(contest.certificate_number_pattern, year=issued.year, seq=seq)


def _order(award: Award) -> tuple[Any, ...]:
    """Track order, then grade order, then entry number; special awards after every track."""
    tier, entry = award.tier, award.entry
    track = tier.track if tier.track is not None and not tier.is_special else None
    return (track is None, track.position if track else 0, track.id if track else 0, tier.rank, tier.id,
            entry.number or "", entry.id)


# --- issuing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    number: str
    token: str  # the check page's key, for the QR code
    provisional: bool  # results are not public yet: the number it would be issued


async def _top_seq(contest: Contest) -> int:
    row = await Award.filter(contest_id=contest.id).annotate(top=Max("certificate_seq")).first().values("top")
    return int(row["top"] or 0) if row else 0


async def issue_numbers(contest: Contest, *, now: datetime) -> int:
    """Store a number on each confirmed award of `contest` without one, once its results are public (before, nothing
    happens). Returns how many were issued. One issuer at a time per contest (the contest row is locked), with the
    pattern as it is then."""
    unnumbered = Award.filter(contest_id=contest.id, status=AwardStatus.CONFIRMED, certificate_number__isnull=True)
    if not results_public(contest, now) or not await unnumbered.exists():
        return 0
    async with in_transaction() as connection:
        locked = await Contest.filter(id=contest.id).select_for_update().using_db(connection).get()
        pending = await unnumbered.prefetch_related(*RELATED).using_db(connection)
        start = await _top_seq(contest) + 1
        for seq, award in enumerate(sorted(pending, key=_order), start=start):
            await Award.filter(id=award.id).using_db(connection).update(
                certificate_seq=seq, certificate_number=_number(locked, award, seq))
    return len(pending)


async def _with_tokens(awards: list[Award]) -> None:
    """Give each award without a check key its random one (kept when another request gave it one first)."""
    missing = {a.id: a for a in awards if a.certificate_token is None}
    for award_id in missing:
        await Award.filter(id=award_id, certificate_token__isnull=True).update(
            certificate_token=secrets.token_urlsafe(16))
    if missing:
        for award_id, token in await Award.filter(id__in=list(missing)).values_list("id", "certificate_token"):
            missing[award_id].certificate_token = token


async def numbers_of(contest: Contest, *, now: datetime) -> dict[int, Issued]:
    """Each award's certificate number and check key, by award id: the stored number, issued first when results are
    public; for an award without one (before the announcement) the number it would be issued."""
    await issue_numbers(contest, now=now)
    awards = await Award.filter(contest_id=contest.id).prefetch_related(*RELATED)
    await _with_tokens(awards)
    issued = {a.id: Issued(a.certificate_number, a.certificate_token or "", False) for a in awards
              if a.certificate_number is not None}
    waiting = sorted((a for a in awards if a.certificate_number is None and a.status in ACTIVE), key=_order)
    start = max((a.certificate_seq or 0 for a in awards), default=0) + 1
    issued.update({a.id: Issued(_number(contest, a, seq), a.certificate_token or "", True)
                   for seq, a in enumerate(waiting, start=start)})
    return issued


async def certificate_number(award_id: int, *, now: datetime) -> Issued | None:
    """One award's certificate number and check key (issuing the contest's numbers when results are public);
    None for no such award. The check page is /certificates/<token>, or /certificates/check?number=<number>."""
    award = await Award.filter(id=award_id).prefetch_related("contest").first()
    if award is None:
        return None
    return (await numbers_of(award.contest, now=now)).get(award_id)


# --- the public check -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """What the public check page says of one certificate: a valid award's public facts, or only that it was revoked."""

    number: str
    contest: str
    revoked_on: date | None
    track: str = ""
    grade: str = ""
    title: str = ""
    winner: str = ""
    issued_on: date | None = None


def _check(award: Award) -> Check:
    contest, tier, entry = award.contest, award.tier, award.entry
    if award.status == AwardStatus.REVOKED:
        revoked = clock.to_zone(award.decided_at or clock.now(), contest.time_zone).date()
        return Check(number=award.certificate_number or "", contest=contest.title, revoked_on=revoked)
    track = tier.track.name if tier.track is not None and not tier.is_special else ""
    issued = clock.to_zone(contest.announce_at, contest.time_zone).date()
    return Check(number=award.certificate_number or "", contest=contest.title, revoked_on=None, track=track,
                 grade=tier.name, title=entry.title, winner=entry.public_name.strip() or entry.owner.display_name,
                 issued_on=issued)


def _public(awards: Iterable[Award], now: datetime) -> list[Check]:
    return [_check(a) for a in awards if a.contest.is_published and results_public(a.contest, now)]


def number_spellings(number: str) -> list[str]:
    """The number as typed, without spaces, and with the brackets people type for 〔〕 and lower-case letters put
    right."""
    typed = [number.strip(), "".join(number.split())]
    return list(dict.fromkeys(variant for t in typed for variant in (t, t.translate(BRACKETS), t.upper(),
                                                                     t.translate(BRACKETS).upper())))


async def check_by_number(number: str, *, now: datetime) -> list[Check]:
    """The issued certificates with this number whose contest's results are public (two contests may share a
    pattern, so there may be several); [] otherwise, the same before the announcement as for a wrong number."""
    spellings = [s for s in number_spellings(number) if s]
    if not spellings:
        return []
    awards = await Award.filter(certificate_number__in=spellings).prefetch_related(
        "contest", "tier__track", "entry__owner").order_by("contest_id", "id")
    return _public(awards, now)


async def check_number(number: str, *, ip: str, now: datetime) -> list[Check]:
    """check_by_number, counted against the asking address: numbers follow a pattern, so they could be walked
    through. Raises TooManyAttempts past CHECKS_PER_ADDRESS look-ups in throttle.WINDOW."""
    await throttle.attempt([throttle.Limit(f"certificate-check-ip:{ip}", CHECKS_PER_ADDRESS, throttle.WINDOW)],
                           now=now)
    return await check_by_number(number[:NUMBER_MAX], now=now)


async def check_by_token(token: str, *, now: datetime) -> Check | None:
    """The certificate whose QR code carries `token`, once it is issued and public; else None."""
    award = await Award.filter(certificate_token=token, certificate_number__isnull=False).prefetch_related(
        "contest", "tier__track", "entry__owner").first() if token else None
    checks = _public([award], now) if award is not None else []
    return checks[0] if checks else None
