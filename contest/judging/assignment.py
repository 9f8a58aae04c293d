"""Who judges what, in which order, under which alias. Pure: data in, plan out; no I/O."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

EntryId = int
JudgeId = int
Pair = tuple[EntryId, JudgeId]

SAME_ORGANISATION = "same_organisation"
SAME_EMAIL_DOMAIN = "same_email_domain"
SUPERVISOR = "supervisor"
ENTRANT = "entrant"  # the judge is the entrant (same e-mail)

# Shared mailbox providers say nothing about where someone works.
COMMON_MAIL_DOMAINS = frozenset(
    {
        "qq.com", "vip.qq.com", "foxmail.com", "163.com", "vip.163.com", "126.com", "vip.126.com",
        "yeah.net", "188.com", "sina.com", "sina.cn", "vip.sina.com", "sohu.com", "139.com", "189.cn",
        "wo.cn", "21cn.com", "tom.com", "aliyun.com", "gmail.com", "googlemail.com", "outlook.com",
        "hotmail.com", "live.com", "msn.com", "yahoo.com", "yahoo.com.cn", "icloud.com", "me.com",
        "mac.com", "protonmail.com", "proton.me",
    }
)

# Longest first, so "股份有限公司" goes before "有限公司". Latin ones only as whole trailing words.
_CJK_ORG_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "集团")
_LATIN_ORG_SUFFIXES = frozenset({"co", "company", "corp", "corporation", "gmbh", "inc", "limited", "llc", "ltd"})
_PUNCTUATION = re.compile(r"[\s\.,，。、·・()（）\-_&'\"]+")

ALIAS_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0, 1
ALIAS_LENGTH = 6


# --- plans ---------------------------------------------------------------------------------------


def _conflict_pairs(conflicts: Iterable[Sequence[Any]]) -> set[tuple[JudgeId, EntryId]]:
    return {(c[0], c[1]) for c in conflicts}


def assign_whole_panel(
    entries: Iterable[EntryId], judges: Iterable[JudgeId], conflicts: Iterable[Sequence[Any]] = ()
) -> list[Pair]:
    """Every judge gets every entry, except conflicted (judge_id, entry_id) pairs.

    `conflicts` takes pairs, or the triples that detect_conflicts returns.
    """
    blocked = _conflict_pairs(conflicts)
    judge_ids = list(judges)
    return [(e, j) for e in entries for j in judge_ids if (j, e) not in blocked]


@dataclass(frozen=True)
class Shortfall:
    entry_id: EntryId
    needed: int
    assigned: int


@dataclass(frozen=True)
class AssignmentPlan:
    pairs: list[Pair]  # (entry_id, judge_id), in entry input order
    load: dict[JudgeId, int]  # including existing_load
    shortfalls: list[Shortfall] = field(default_factory=list)


def _seed_bytes(seed: bytes | str | int | None) -> bytes:
    if seed is None:
        return secrets.token_bytes(16)
    return seed if isinstance(seed, bytes) else str(seed).encode()


def _draw(seed: bytes, *parts: object) -> bytes:
    message = ":".join(str(p) for p in parts).encode()
    return hmac.new(seed, message, hashlib.sha256).digest()


def _pick(
    entry_id: EntryId, eligible: list[JudgeId], k: int, load: Mapping[JudgeId, int], seed: bytes
) -> list[JudgeId]:
    # A per-(entry, judge) draw breaks load ties, so the same judges do not always sit together.
    ranked = sorted(eligible, key=lambda j: (load[j], _draw(seed, "pick", entry_id, j)))
    return ranked[:k]


def assign_k_per_entry(
    entries: Sequence[EntryId],
    judges: Sequence[JudgeId],
    k: int,
    conflicts: Iterable[Sequence[Any]] = (),
    existing_load: Mapping[JudgeId, int] | None = None,
    seed: bytes | str | int | None = None,
) -> AssignmentPlan:
    """k distinct, non-conflicted judges per entry, each time the least-loaded ones.

    Entries with the fewest eligible judges go first, so conflicts squeeze balance as little as
    possible; without conflicts the loads end at most 1 apart (when they start so). An entry with
    fewer than k eligible judges takes them all and is listed in `shortfalls`; nothing raises.
    The plan depends only on the input and `seed` (a random one when None).
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    blocked, salt = _conflict_pairs(conflicts), _seed_bytes(seed)
    load = {j: (existing_load or {}).get(j, 0) for j in judges}
    eligible = {e: [j for j in judges if (j, e) not in blocked] for e in entries}
    chosen: dict[EntryId, list[JudgeId]] = {}
    for entry_id in sorted(entries, key=lambda e: (len(eligible[e]), _draw(salt, "order", e))):
        chosen[entry_id] = _pick(entry_id, eligible[entry_id], k, load, salt)
        for judge_id in chosen[entry_id]:
            load[judge_id] += 1
    pairs = [(e, j) for e in entries for j in sorted(chosen[e])]
    shortfalls = [Shortfall(e, k, len(chosen[e])) for e in entries if len(chosen[e]) < k]
    return AssignmentPlan(pairs, load, shortfalls)


# --- conflicts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeProfile:
    id: JudgeId
    email: str = ""
    organisation: str = ""
    name: str = ""


@dataclass(frozen=True)
class TeamMemberProfile:
    name: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class EntrantProfile:
    entry_id: EntryId
    email: str = ""
    organisation: str = ""
    school: str = ""
    supervisor_name: str = ""
    supervisor_email: str = ""
    team: tuple[TeamMemberProfile, ...] = ()


class DetectedConflict(NamedTuple):
    judge_id: JudgeId
    entry_id: EntryId
    reason: str


def normalise_organisation(name: str) -> str:
    """Comparable form: NFKC, casefold, no spaces or punctuation, without legal-form suffixes."""
    words = _PUNCTUATION.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split()
    while len(words) > 1 and words[-1] in _LATIN_ORG_SUFFIXES:
        words.pop()
    text = "".join(words)
    for suffix in _CJK_ORG_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def normalise_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def email_domain(email: str) -> str:
    """The part after the last '@', casefolded; '' when there is none."""
    _, at, domain = email.strip().casefold().rpartition("@")
    return domain if at else ""


def _organisations(entrant: EntrantProfile) -> set[str]:
    names = [entrant.organisation, entrant.school, *(m.organisation for m in entrant.team)]
    return {n for n in map(normalise_organisation, names) if n}


def _is_supervisor(judge: JudgeProfile, entrant: EntrantProfile) -> bool:
    if entrant.supervisor_email.strip():
        return judge.email.strip().casefold() == entrant.supervisor_email.strip().casefold()
    name = normalise_name(entrant.supervisor_name)
    return bool(name) and normalise_name(judge.name) == name


def _reasons(judge: JudgeProfile, entrant: EntrantProfile) -> list[str]:
    reasons = []
    judge_email = judge.email.strip().casefold()
    if judge_email and judge_email == entrant.email.strip().casefold():
        reasons.append(ENTRANT)
    if normalise_organisation(judge.organisation) in _organisations(entrant):
        reasons.append(SAME_ORGANISATION)
    domain = email_domain(judge.email)
    if domain and domain not in COMMON_MAIL_DOMAINS and domain == email_domain(entrant.email):
        reasons.append(SAME_EMAIL_DOMAIN)
    if _is_supervisor(judge, entrant):
        reasons.append(SUPERVISOR)
    return reasons


def detect_conflicts(judges: Iterable[JudgeProfile], entrants: Iterable[EntrantProfile]) -> list[DetectedConflict]:
    """Every (judge, entry, reason) that suggests a conflict of interest, one row per reason.

    Reasons: "entrant", "same_organisation" (the entrant's organisation, school or a team member's
    organisation, normalised), "same_email_domain" (not for common mail providers), "supervisor"
    (by e-mail, or by name when the entry names no supervisor e-mail).
    """
    entrant_list = list(entrants)
    return [
        DetectedConflict(judge.id, entrant.entry_id, reason)
        for judge in judges
        for entrant in entrant_list
        for reason in _reasons(judge, entrant)
    ]


# --- order and aliases ---------------------------------------------------------------------------


def _key(secret: bytes | str) -> bytes:
    return secret if isinstance(secret, bytes) else secret.encode()


def shuffle_for_judge(entry_ids: Iterable[EntryId], *, round_seed: bytes | str, judge_id: JudgeId) -> list[EntryId]:
    """The round's entries in an order of this judge's own, fixed by the round seed.

    The order is that of HMAC-SHA256(round_seed, "order:judge:entry"), so it reveals nothing about
    submission order and differs between judges, yet stays the same on every page load.
    """
    key = _key(round_seed)
    return sorted(entry_ids, key=lambda e: _draw(key, "order", judge_id, e))


def _encode(digest: bytes) -> str:
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(ALIAS_LENGTH):
        number, index = divmod(number, len(ALIAS_ALPHABET))
        chars.append(ALIAS_ALPHABET[index])
    return "".join(chars[:3]) + "-" + "".join(chars[3:])


def make_alias(entry_id: EntryId, round_secret: bytes | str, attempt: int = 0) -> str:
    """A "A7K-3QX"-style alias, fixed by the round secret; `attempt` gives another on a collision."""
    return _encode(_draw(_key(round_secret), "alias", entry_id, attempt))


def _random_alias() -> str:
    return _encode(secrets.token_bytes(16))


def make_aliases(entry_ids: Iterable[EntryId], round_secret: bytes | str | None = None) -> dict[EntryId, str]:
    """Distinct aliases for the round's entries: random, or reproducible from `round_secret`."""
    aliases: dict[EntryId, str] = {}
    taken: set[str] = set()
    for entry_id in entry_ids:
        attempt = 0
        alias = _random_alias() if round_secret is None else make_alias(entry_id, round_secret)
        while alias in taken:
            attempt += 1
            alias = _random_alias() if round_secret is None else make_alias(entry_id, round_secret, attempt)
        aliases[entry_id] = alias
        taken.add(alias)
    return aliases
