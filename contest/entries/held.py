"""Uploads whose images a job makes (`CONTEST_MEDIA_WORK=jobs`, the default on PostgreSQL; docs/jobs.md).

The request checks what it can at once (the same file twice, the slot's room, an image's format and pixel size
from its header), stores the original and answers: the designer sees 处理中. A job on any worker then makes the
derivatives, fingerprint and text exactly as an upload in the request would (`images.make_image`,
`boards.make_board`), and its rows replace the held one in one transaction. A refusal leaves the held row with
its reason, shown to the designer until they remove it; nothing else of it stays stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import anyio
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.contests.models import FileSlot, SlotKind
from contest.entries import boards, images
from contest.entries.models import Entry, EntryFile, EntryImage, HeldStatus, HeldUpload
from contest.entries.slots import Received, require_room, require_slot_open, store_original
from contest.errors import ContestError, NotFound
from contest.jobs import queue
from contest.media.storage import Storage, TempUpload

MAKE_TASK = "media.make"  # registered in contest.tasks
Maker = Callable[..., Awaitable[EntryImage | EntryFile]]
MAKERS: dict[SlotKind, Maker] = {SlotKind.IMAGE: images.make_image, SlotKind.PDF: boards.make_board}
# what the request can tell from the file before any job runs, by kind
QUICK_CHECKS: dict[SlotKind, Callable[..., Awaitable[None]]] = {SlotKind.IMAGE: images.check_header}


async def hold(
    entry: Entry, slot: FileSlot, temp: TempUpload, *, kind: SlotKind, store: Storage, original_name: str, by: User,
    now: datetime, read_text: bool = True,
) -> HeldUpload:
    """Keep a received image or PDF for its job. The caller discards `temp`."""
    await images.refuse_duplicate(entry, temp.sha256)
    if kind in QUICK_CHECKS:
        await QUICK_CHECKS[kind](temp.path, slot)
    received = await store_original(temp, store, original_name)
    try:
        async with in_transaction():
            await require_room(entry, slot, received.bytes)
            held = await HeldUpload.create(
                entry_id=entry.id, slot_id=slot.id, by_id=by.id, key=received.key, kind=kind.value,
                original_name=received.original_name, size_bytes=received.bytes, sha256=received.sha256,
                provenance=received.provenance, read_text=read_text)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await store.delete(received.key)
        raise
    await schedule(held.id, contest_id=entry.contest_id)
    return held


async def schedule(held_id: int, *, contest_id: int) -> None:
    lock = f"upload:{held_id}"
    await queue.defer(MAKE_TASK, contest_id=contest_id, held_id=held_id, queueing_lock=lock, lock=lock)


async def make(held_id: int, store: Storage, *, now: datetime) -> Entry | None:
    """The job's work: the held upload made into its rows, or refused. Returns the entry when its images were
    made; None when there was nothing to do (an earlier run finished it, or it was removed) or it was refused."""
    held = await HeldUpload.get_or_none(id=held_id, status=HeldStatus.PROCESSING).prefetch_related(
        "entry__contest", "slot", "by")
    if held is None:
        return None
    received = Received(held.key, held.sha256, held.size_bytes, held.original_name, held.provenance)
    try:
        await MAKERS[SlotKind(held.kind)](held.entry, held.slot, received, store=store, by=held.by, now=now,
                                          read_text=held.read_text, held=held, seconds=images.JOB_SECONDS)
    except ContestError as refused:
        await store.delete(held.key)
        await HeldUpload.filter(id=held.id).update(
            status=HeldStatus.FAILED, failure={"message": refused.message, "params": refused.params})
        return None
    return held.entry


async def requeue() -> int:
    """Held uploads whose job was lost (the in-memory queue of a stopped SQLite process) queued again; a job still
    waiting keeps its place (its queueing lock). Returns how many were looked at."""
    rows = await HeldUpload.filter(status=HeldStatus.PROCESSING).values_list("id", "entry__contest_id")
    for held_id, its_contest in rows:
        await schedule(held_id, contest_id=its_contest)
    return len(rows)


async def remove_failed(entry: Entry, held_id: int, *, now: datetime, reached_round: int = 0) -> None:
    """The designer clears a refused upload from the list (one still being made cannot be removed). Not audited:
    the entry never held it."""
    held = await HeldUpload.get_or_none(id=held_id, entry_id=entry.id, status=HeldStatus.FAILED).prefetch_related(
        "slot")
    if held is None:
        raise NotFound()
    require_slot_open(entry, held.slot, now, reached_round=reached_round)
    await held.delete()


async def slot_of_held(entry: Entry, held_id: int) -> FileSlot:
    held = await HeldUpload.get_or_none(id=held_id, entry_id=entry.id).prefetch_related("slot")
    if held is None:
        raise NotFound()
    return held.slot
