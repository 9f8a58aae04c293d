"""Declarations and receipts: the terms versions accepted, when, by which account, and the SHA-256 of
each file. A submitted entry is declared again after every change, so its latest declaration always
names its current files; earlier declarations are kept as proof of what was submitted when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from contest.accounts.models import User
from contest.entries import minors
from contest.entries.models import Declaration, Entry, EntryFile, EntryImage
from contest.entries.states import EntryState
from contest.notifications.outbox import queue_templated
from contest.notifications.templates import Moment


def file_hashes(files: Sequence[EntryImage | EntryFile]) -> list[dict[str, object]]:
    return [{"key": file.key, "sha256": file.sha256, "bytes": file.size_bytes} for file in files]


async def uploaded_files(entry: Entry) -> list[EntryImage | EntryFile]:
    """What the designer uploaded, in order: images, then PDFs, videos and source files (a PDF's rendered pages
    are ours, not theirs)."""
    images = await EntryImage.filter(entry_id=entry.id, source_file_id=None).order_by("position", "id")
    return [*images, *await EntryFile.filter(entry_id=entry.id).order_by("position", "id")]


async def declarations_of(entry: Entry) -> list[Declaration]:
    """Every declaration of the entry, newest (the one that names its current files) first."""
    return await Declaration.filter(entry_id=entry.id).order_by("-accepted_at", "-id").prefetch_related(
        "originality", "ip_terms")


async def declare(entry: Entry, *, by: User, originality_id: int, ip_terms_id: int, now: datetime) -> Declaration:
    """Record the acceptance with the entry's files as stored now, and queue a receipt.

    Call it inside the transaction of the change, so the files and their declaration commit together.
    The owner's row is locked first (PostgreSQL), as image intake does, so two changes declare in turn.
    An identical declaration made at the same moment (a save and a submit in one request) is not repeated.
    """
    await User.filter(id=entry.owner_id).select_for_update().first()
    files = await uploaded_files(entry)
    facts: dict[str, Any] = {"user_id": by.id, "originality_id": originality_id, "ip_terms_id": ip_terms_id,
                             "accepted_at": now, "file_hashes": file_hashes(files), "ai_disclosure": entry.ai_disclosure,
                             "guardian": minors.declared_facts(entry)}
    latest = await Declaration.filter(entry_id=entry.id).order_by("-accepted_at", "-id").first()
    if latest is not None and all(getattr(latest, name) == value for name, value in facts.items()):
        return latest
    declaration = await Declaration.create(entry_id=entry.id, **facts)
    contest = await entry.contest
    await queue_templated("receipt", contest=contest, to_email=by.email, locale=by.locale,
                          values=_receipt_values(entry, files, by, Moment(now, contest.time_zone)))
    return declaration


async def declare_again(entry: Entry, *, by: User, now: datetime) -> Declaration | None:
    """After a change to a submitted entry: declared again under the terms versions accepted last time.

    Drafts are declared when submitted; an entry never declared (imported) is declared at its next submission.
    """
    if entry.state != EntryState.SUBMITTED:
        return None
    latest = await Declaration.filter(entry_id=entry.id).order_by("-accepted_at", "-id").first()
    if latest is None:
        return None
    return await declare(entry, by=by, originality_id=latest.originality_id, ip_terms_id=latest.ip_terms_id, now=now)


def _receipt_values(entry: Entry, files: list[EntryImage | EntryFile], by: User, submitted: Moment,
                    ) -> dict[str, str | Moment]:
    hashes = "\n".join(f"  {n}. SHA-256 {file.sha256}" for n, file in enumerate(files, start=1))
    return {"name": by.display_name, "entry_number": entry.number or "", "entry_title": entry.title,
            "submitted_at": submitted, "files": hashes}
