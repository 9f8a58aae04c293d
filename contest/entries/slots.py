"""What every file in a slot shares, whatever its kind: size limits and their messages, the count and storage
quotas, who may change the slot now, and the file name kept as data."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import FileSlot, SlotKind
from contest.entries import declarations
from contest.entries.models import Entry, EntryFile, EntryImage, FileStatus, HeldStatus, HeldUpload
from contest.entries.queries import bytes_used_by_designer
from contest.entries.service import NotYetOpen, QuotaExceeded, require_changeable
from contest.entries.states import EDITABLE_STATES, EntryState
from contest.errors import REFUSED_IN_MB, Conflict, ContentTooLarge, DeadlinePassed, NotFound
from contest.i18n import N_
from contest.media import provenance
from contest.media.storage import Storage, TempUpload, new_key

MIB = 2**20
# The most a slot may allow per file, by kind (docs/security.md, Limits); a slot's own max_mb is at most this.
KIND_MAX_MB = {SlotKind.IMAGE: 25, SlotKind.PDF: 50, SlotKind.VIDEO: 200, SlotKind.SOURCE: 200}
ABSOLUTE_MAX_FILE = KIND_MAX_MB[SlotKind.IMAGE] * MIB  # images that belong to no slot (banners, attachments)


class FileTooLarge(ContentTooLarge):
    message = N_("Over the {limit} MB limit (this file is {size} MB). Please make the file smaller and upload it "
                 "again.")


class FileOverLimit(ContentTooLarge):
    """Too large, its size unknown: the body did not say how long it was and was not read to the end."""

    message = N_("Over the {limit} MB limit. Please make the file smaller and upload it again.")


class SlotFull(QuotaExceeded):
    message = N_("This part of the entry already has its {limit} file(s); remove one to add another.")


class SlotClosed(Conflict):
    message = N_("This part of the entry cannot be changed now.")


def max_file_bytes(slot: FileSlot) -> int:
    ceiling = max((KIND_MAX_MB[SlotKind(kind)] for kind in slot.kinds), default=KIND_MAX_MB[SlotKind.IMAGE])
    return min(slot.max_mb, ceiling) * MIB


def megabytes(size: int) -> str:
    """A size in MB to one decimal, rounded up: a file just over a limit never reads as the limit itself."""
    return f"{math.ceil(size * 10 / MIB) / 10:.1f}"


def refusal_figures(kind: SlotKind, reason: str, limit: float | str | None, actual: float | str | None,
                    ) -> dict[str, str]:
    """A media check's figures as the refusal shows them: byte counts in MB (a limit whole, a file's own size
    rounded up to a tenth), other numbers without trailing zeros."""
    in_mb = reason in REFUSED_IN_MB.get(kind.value, frozenset())

    def shown(value: float | str | None, measure: Callable[[int], str]) -> str:
        if not isinstance(value, int | float):
            return "?" if value is None else value
        return measure(int(value)) if in_mb else f"{value:g}"

    return {"limit": shown(limit, lambda size: f"{size / MIB:g}"), "actual": shown(actual, megabytes)}


def too_large(slot: FileSlot, size: int | None) -> ContentTooLarge:
    limit = max_file_bytes(slot) // MIB
    if size is None or size <= max_file_bytes(slot):
        return FileOverLimit(limit=limit)
    return FileTooLarge(limit=limit, size=megabytes(size))


def require_slot_open(entry: Entry, slot: FileSlot, now: datetime, *, reached_round: int = 0) -> None:
    """A slot filled before submission follows the contest's deadline and the entry's state. A later slot
    (finalists' materials) is open to an entry in a round at or after the slot's, until the slot's own
    deadline. `reached_round`: the position of the latest round the entry is in (judging knows it)."""
    if slot.track_id != entry.track_id:
        raise NotFound()
    if slot.from_round == 0:
        require_changeable(entry, now)
        if entry.state not in EDITABLE_STATES:
            raise Conflict()
        return
    late = slot.due_at is not None and now >= slot.due_at
    if entry.state != EntryState.SUBMITTED or reached_round < slot.from_round or late:
        raise SlotClosed()


async def files_in_slot(entry: Entry, slot: FileSlot) -> int:
    """How many files the designer put in the slot, those still being made included; a PDF's rendered pages are
    part of its one file."""
    images = await EntryImage.filter(entry_id=entry.id, slot_id=slot.id, source_file_id=None).count()
    held = await HeldUpload.filter(entry_id=entry.id, slot_id=slot.id, status=HeldStatus.PROCESSING).count()
    return images + held + await EntryFile.filter(entry_id=entry.id, slot_id=slot.id).count()


async def require_room_in_slot(entry: Entry, slot: FileSlot) -> None:
    if await files_in_slot(entry, slot) >= slot.max_count:
        raise SlotFull(limit=slot.max_count)


async def require_room(entry: Entry, slot: FileSlot, extra_bytes: int) -> None:
    """Quotas, checked inside the transaction that adds the row (the owner's row is locked on PostgreSQL)."""
    await User.filter(id=entry.owner_id).select_for_update().first()
    await require_room_in_slot(entry, slot)
    if await bytes_used_by_designer(entry.owner_id) + extra_bytes > entry.contest.max_bytes_per_designer:
        raise QuotaExceeded(N_("You have used all the storage allowed per designer."))


def clean_name(name: str) -> str:
    """Kept as data only (never a path); control characters and directories dropped."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:255]


@dataclass(frozen=True)
class Received:
    """An upload whose original is stored under `key`, with what was read from it before anything stripped its
    metadata (its AI signals, media.provenance)."""

    key: str
    sha256: str
    bytes: int
    original_name: str
    provenance: dict[str, Any]


async def store_original(temp: TempUpload, store: Storage, original_name: str) -> Received:
    """`temp` kept as the original under a new key; durable once this returns, and `temp` is gone."""
    received = Received(new_key(), temp.sha256, temp.bytes, original_name,
                        asdict(await provenance.read_provenance_async(temp.path)))
    await store.commit_original(temp, received.key)
    return received


async def create_file_row(
    entry: Entry, slot: FileSlot, received: Received, *, kind: SlotKind, fmt: str, details: dict[str, Any],
    status: FileStatus = FileStatus.READY,
) -> EntryFile:
    """The row of a PDF, video or source file, inside the caller's transaction, after the quotas."""
    await require_room(entry, slot, received.bytes)
    return await EntryFile.create(
        entry_id=entry.id, slot_id=slot.id, key=received.key, kind=kind.value, format=fmt,
        position=await EntryFile.filter(entry_id=entry.id).count(), original_name=clean_name(received.original_name),
        size_bytes=received.bytes, sha256=received.sha256, status=status, details=details,
        provenance=received.provenance)


async def commit_file(
    entry: Entry, slot: FileSlot, temp: TempUpload, *, store: Storage, kind: SlotKind, fmt: str,
    original_name: str, details: dict[str, Any], by: User, now: datetime, status: FileStatus = FileStatus.READY,
) -> EntryFile:
    """A checked video or source file kept: the original under a new key, then its row, audited and
    declared in one transaction; the original goes again if the row cannot be added (quotas)."""
    received = await store_original(temp, store, original_name)
    try:
        async with in_transaction():
            file = await create_file_row(entry, slot, received, kind=kind, fmt=fmt, details=details, status=status)
            await file_added(entry, file, by=by, now=now)
    except BaseException:
        await store.delete(received.key)
        raise
    return file


async def file_added(entry: Entry, file: EntryFile, *, by: User, now: datetime) -> None:
    """Audited, and the entry declared again with the new file's hash; inside the row's transaction."""
    await record("file.added", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id,
                 data={"file": file.id, "kind": file.kind, "sha256": file.sha256, "bytes": file.size_bytes})
    await declarations.declare_again(entry, by=by, now=now)


def is_slot_open(entry: Entry, slot: FileSlot, now: datetime, *, reached_round: int = 0) -> bool:
    try:
        require_slot_open(entry, slot, now, reached_round=reached_round)
    except (Conflict, NotFound, DeadlinePassed, NotYetOpen):
        return False
    return True
