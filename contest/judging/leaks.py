"""The leak check: does an entry's text name its entrant? Flagged entries are held from judges.

`scan_entry` is pure. The services store the outcome on Entry.leak_status and audit it:
FLAGGED holds the entry from every judge's queue until an organiser clears it (`clear_leak`) or
redacts its text (`redact_entry`, REDACTED).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.entries.models import Entry, TeamMember
from contest.entries.states import LeakStatus
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.judging.assignment import normalise_organisation

MIN_CJK_NEEDLE = 2
MIN_LATIN_NEEDLE = 3
MIN_PHONE_DIGITS = 7
TITLE_MAX = 200

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_NOT_DIGIT = re.compile(r"\D+")
_PHONE_RUN = re.compile(r"\d[\d\s\-()（）.]*\d")


@dataclass(frozen=True)
class LeakFinding:
    field: str  # "title", "concept" or "answers.<key>"
    kind: str  # name, email, email_local, phone, organisation, school, member_name, member_organisation, supervisor_name
    needle: str  # the identifying text, as the organiser entered it (organisers only; never in audit data)


def fold(text: str) -> str:
    """NFKC, casefolded, whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _long_enough(needle: str) -> bool:
    if _CJK.search(needle):
        return len(needle.replace(" ", "")) >= MIN_CJK_NEEDLE
    return len(needle.replace(" ", "")) >= MIN_LATIN_NEEDLE


def _contains(haystack: str, needle: str) -> bool:
    if _CJK.search(needle):
        return needle in haystack or needle.replace(" ", "") in haystack.replace(" ", "")
    # Latin needles match whole words only, so "ann" does not flag "annual".
    return re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", haystack) is not None


def _texts(entry: Any) -> Iterator[tuple[str, str]]:
    yield "title", entry.title or ""
    yield "concept", entry.concept or ""
    for key, value in (entry.answers or {}).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield f"answers.{key}", item


def _needles(entry: Any, owner: Any, members: Iterable[Any]) -> list[tuple[str, str]]:
    needles: list[tuple[str, str]] = [("name", getattr(owner, "display_name", "") or "")]
    email = (getattr(owner, "email", "") or "").strip()
    needles += [("email", email), ("email_local", email.rpartition("@")[0] if "@" in email else "")]
    for kind, raw in (("organisation", entry.organisation), ("school", entry.school)):
        needles += [(kind, raw or ""), (kind, normalise_organisation(raw or ""))]
    needles.append(("supervisor_name", entry.supervisor_name or ""))
    for member in members:
        needles.append(("member_name", member.name or ""))
        needles += [("member_organisation", member.organisation or ""),
                    ("member_organisation", normalise_organisation(member.organisation or ""))]
    seen: set[tuple[str, str]] = set()
    out = []
    for kind, raw in needles:
        folded = fold(raw)
        if folded and _long_enough(folded) and (kind, folded) not in seen:
            seen.add((kind, folded))
            out.append((kind, folded))
    return out


def _phone_digits(text: str) -> set[str]:
    return {_NOT_DIGIT.sub("", run) for run in _PHONE_RUN.findall(text)}


def scan_entry(entry: Any, *, owner: Any, members: Iterable[Any]) -> list[LeakFinding]:
    """Every (field, kind) where the entrant's identity appears in the entry's title, concept or text answers.

    Pure. Needles: the owner's display name, e-mail and its local part, phone; the entry's
    organisation and school (also without legal-form suffixes), supervisor name; each team member's
    name and organisation. Text and needles are NFKC-normalised and casefolded; needles shorter than
    2 CJK or 3 Latin characters are ignored; Latin needles match whole words; the phone matches its
    digits whatever the separators. One finding per (field, kind).
    """
    needles = _needles(entry, owner, members)
    phone = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", getattr(owner, "phone", "") or ""))
    phones = {phone, phone[2:] if phone.startswith("86") and len(phone) == 13 else phone}
    phones = {p for p in phones if len(p) >= MIN_PHONE_DIGITS}
    findings: list[LeakFinding] = []
    for field_name, text in _texts(entry):
        haystack = fold(text)
        kinds: dict[str, str] = {}
        for kind, needle in needles:
            if kind not in kinds and _contains(haystack, needle):
                kinds[kind] = needle
        if phones and any(p in run for p in phones for run in _phone_digits(haystack)):
            kinds.setdefault("phone", phone)
        findings += [LeakFinding(field_name, kind, needle) for kind, needle in kinds.items()]
    return findings


async def check_entry_leaks(entry: Entry, *, now: datetime) -> list[LeakFinding]:
    """Scan `entry` and store FLAGGED (held from judges) or CLEAR; audited. Returns the findings."""
    owner = await User.get(id=entry.owner_id)
    members = await TeamMember.filter(entry_id=entry.id)
    findings = scan_entry(entry, owner=owner, members=members)
    status = LeakStatus.FLAGGED if findings else LeakStatus.CLEAR
    async with in_transaction():
        await Entry.filter(id=entry.id).update(leak_status=status)
        await record(
            "entry.leak_check", subject=f"entry:{entry.id}", now=now, contest_id=entry.contest_id,
            data={"status": status.value, "findings": [{"field": f.field, "kind": f.kind} for f in findings]},
        )
    entry.leak_status = status
    return findings


async def clear_leak(entry: Entry, *, by: User, now: datetime) -> None:
    """An organiser judged the flag harmless: the entry goes to judges as it is."""
    async with in_transaction():
        await Entry.filter(id=entry.id).update(leak_status=LeakStatus.CLEAR)
        await record("entry.leak_cleared", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id)
    entry.leak_status = LeakStatus.CLEAR


async def redact_entry(entry: Entry, *, title: str, concept: str, by: User, now: datetime,
                       answers: dict[str, Any] | None = None) -> None:
    """An organiser rewrote the identifying text; the entry goes to judges as REDACTED."""
    title, concept = title.strip(), concept.strip()
    if not title:
        raise InvalidInput({"title": N_("This field is required.")})
    if len(title) > TITLE_MAX:
        raise InvalidInput({"title": N_("Too long for this field.")})
    changes: dict[str, Any] = {"title": title, "concept": concept, "leak_status": LeakStatus.REDACTED}
    if answers is not None:
        changes["answers"] = answers
    changed = [k for k in ("title", "concept", "answers") if k in changes and changes[k] != getattr(entry, k)]
    async with in_transaction():
        await Entry.filter(id=entry.id).update(**changes)
        await record("entry.redacted", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id,
                     data={"fields": changed})
    for key, value in changes.items():
        setattr(entry, key, value)


async def flagged_entries(contest_id: int) -> list[tuple[Entry, list[LeakFinding]]]:
    """The contest's entries held by the check, each with what was found (scanned again: text may have changed)."""
    held = await Entry.filter(contest_id=contest_id, leak_status=LeakStatus.FLAGGED).order_by("number", "id")
    owners = {u.id: u for u in await User.filter(id__in=[e.owner_id for e in held])}
    members: dict[int, list[TeamMember]] = {e.id: [] for e in held}
    for member in await TeamMember.filter(entry_id__in=list(members)):
        members[member.entry_id].append(member)
    return [(e, scan_entry(e, owner=owners[e.owner_id], members=members[e.id])) for e in held]
