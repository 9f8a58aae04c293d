"""The leak check: does an entry's text, or the text drawn in its images, name its entrant?

`scan_entry` is pure (what matches is `leak_match`); image text was read at upload and is kept on
each EntryImage. The services store the outcome on Entry.leak_status and audit it: FLAGGED holds
the entry from every judge's queue until an organiser clears it (`clear_leak`) or redacts its text
(`redact_entry`, REDACTED).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import SEEN_BY_JUDGES
from contest.entries.models import Entry, EntryImage, TeamMember
from contest.entries.states import LeakStatus
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.judging.leak_match import Identity, find, fold, identity_needles

__all__ = ["HeldEntry", "HeldImage", "LeakFinding", "check_entry_leaks", "clear_leak", "flagged_entries", "fold",
           "redact_entry", "scan_entry"]

TITLE_MAX = 200
UNREAD = "image_unread"  # the image's text could not be read: a person has to look


@dataclass(frozen=True)
class LeakFinding:
    field: str  # "title", "concept", "answers.<key>" or "image"
    kind: str  # name, email, email_local, email_domain, phone, organisation, school, member_name,
    # member_organisation, supervisor_name, supervisor_email, contact, personal_url, image_unread
    needle: str  # the identifying text (organisers only; never in audit data)
    image_id: int | None = None  # for field "image"
    box: tuple[int, int, int, int] | None = None  # where on the judging copy: left, top, right, bottom


def _texts(entry: Any) -> Iterator[tuple[str, str]]:
    yield "title", entry.title or ""
    yield "concept", entry.concept or ""
    for key, value in (entry.answers or {}).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield f"answers.{key}", item


def _image_findings(image: Any, identity: Identity) -> list[LeakFinding]:
    lines = getattr(image, "ocr_lines", None)
    if lines is None:
        return [LeakFinding("image", UNREAD, "", image.id)]
    return [LeakFinding("image", kind, needle, image.id, tuple(line["box"]))
            for line in lines for kind, needle in find(line["text"], identity).items()]


def scan_entry(entry: Any, *, owner: Any, members: Iterable[Any], images: Iterable[Any] = ()) -> list[LeakFinding]:
    """Every (field, kind) where the entrant's identity appears in the entry's text or in its images' text.

    Pure. What counts as identity, and how it is matched, is `leak_match`. Text fields give one
    finding per (field, kind); each image gives one per (line of text read from it, kind), with the
    line's box. An image whose text was never read (`ocr_lines` is None) is a finding of its own.
    """
    identity = identity_needles(entry, owner, list(members))
    findings = [LeakFinding(field_name, kind, needle)
                for field_name, text in _texts(entry) for kind, needle in find(text, identity).items()]
    for image in images:
        findings += _image_findings(image, identity)
    return findings


def _audit_finding(f: LeakFinding) -> dict[str, Any]:
    return {"field": f.field, "kind": f.kind} | ({"image": f.image_id} if f.image_id is not None else {})


async def check_entry_leaks(entry: Entry, *, now: datetime) -> list[LeakFinding]:
    """Scan `entry` and store FLAGGED (held from judges) or CLEAR; audited. Returns the findings."""
    owner = await User.get(id=entry.owner_id)
    members = await TeamMember.filter(entry_id=entry.id)
    images = await EntryImage.filter(entry_id=entry.id, slot__audience__in=SEEN_BY_JUDGES)
    findings = scan_entry(entry, owner=owner, members=members, images=images)
    status = LeakStatus.FLAGGED if findings else LeakStatus.CLEAR
    async with in_transaction():
        await Entry.filter(id=entry.id).update(leak_status=status)
        await record(
            "entry.leak_check", subject=f"entry:{entry.id}", now=now, contest_id=entry.contest_id,
            data={"status": status.value, "findings": [_audit_finding(f) for f in findings]},
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
    if await _pictures_still_name_the_entrant(entry):
        raise InvalidInput({"images": N_("A picture still names the entrant, and redacting the text does not hide it. "
                                         "Ask the entrant to replace the picture, or clear the entry if it is harmless.")})
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


async def _pictures_still_name_the_entrant(entry: Entry) -> bool:
    owner = await User.get(id=entry.owner_id)
    identity = identity_needles(entry, owner, list(await TeamMember.filter(entry_id=entry.id)))
    return any(_image_findings(image, identity) for image in await EntryImage.filter(
        entry_id=entry.id, slot__audience__in=SEEN_BY_JUDGES))


@dataclass(frozen=True)
class HeldImage:
    image: EntryImage
    width: int  # of the judging copy, which the boxes are on
    height: int
    findings: list[LeakFinding]


@dataclass(frozen=True)
class HeldEntry:
    entry: Entry
    findings: list[LeakFinding]  # in the text
    images: list[HeldImage]  # those with findings


def _held(entry: Entry, findings: list[LeakFinding], images: list[EntryImage]) -> HeldEntry:
    copies = [(image, image.derivatives.get("judging.webp") or {"width": image.width, "height": image.height})
              for image in images]
    return HeldEntry(entry, [f for f in findings if f.image_id is None], [
        HeldImage(image, copy["width"], copy["height"], [f for f in findings if f.image_id == image.id])
        for image, copy in copies if any(f.image_id == image.id for f in findings)])


async def flagged_entry(contest_id: int, entry_id: int) -> Entry | None:
    return await Entry.get_or_none(id=entry_id, contest_id=contest_id, leak_status=LeakStatus.FLAGGED)


async def flagged_entries(contest_id: int) -> list[HeldEntry]:
    """The contest's entries held by the check, each with what was found (scanned again: text may have changed)."""
    held = await Entry.filter(contest_id=contest_id, leak_status=LeakStatus.FLAGGED).order_by("number", "id")
    owners = {u.id: u for u in await User.filter(id__in=[e.owner_id for e in held])}
    members: dict[int, list[TeamMember]] = {e.id: [] for e in held}
    for member in await TeamMember.filter(entry_id__in=list(members)):
        members[member.entry_id].append(member)
    images: dict[int, list[EntryImage]] = {e.id: [] for e in held}
    for image in await EntryImage.filter(entry_id__in=list(images), slot__audience__in=SEEN_BY_JUDGES).order_by(
            "position", "id"):
        images[image.entry_id].append(image)
    return [_held(e, scan_entry(e, owner=owners[e.owner_id], members=members[e.id], images=images[e.id]), images[e.id])
            for e in held]
