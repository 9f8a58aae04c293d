"""An upload into one slot of an entry: received once, told apart by its bytes, and handed to its kind.

The kind is read from the first bytes, never from the name or the browser's type: a PDF is a board, an ISO
media or Matroska file is a video, an image format is an image, and anything else can only be a source file.
The one exception is Illustrator's .ai, which is a PDF inside: in a slot that takes source files, a PDF named
.ai is kept as a source file and not rendered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import cast

import anyio
from tortoise.transactions import in_transaction

from contest import metrics
from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import FileSlot, SlotKind
from contest.entries import boards, declarations, held, images, sources, videos
from contest.entries.held import MAKERS
from contest.entries.images import FORMAT_NAMES
from contest.entries.models import Entry, EntryFile, EntryImage, HeldUpload
from contest.entries.slots import max_file_bytes, require_room_in_slot, require_slot_open, too_large
from contest.errors import InvalidUpload, NotFound
from contest.i18n import N_
from contest.media.sniffing import identify
from contest.media.storage import Storage, TempUpload, UploadTooLarge

# What each kind of slot takes, named the way designers know the formats (language-neutral in messages).
KIND_FORMATS = {SlotKind.IMAGE: "JPEG, PNG, WebP, HEIC", SlotKind.PDF: "PDF", SlotKind.VIDEO: "MP4, MOV, WebM",
                SlotKind.SOURCE: "ZIP, AI, PSD, CDR, OBJ, GLB…"}
# what a refusal calls the file it found (sniffing's kinds → the names people know)
FOUND_NAMES = {**FORMAT_NAMES, "jpeg": "JPEG", "png": "PNG", "webp": "WebP", "heic": "HEIC", "mp4": "MP4",
               "mov": "MOV", "webm": "WebM", "zip": "ZIP"}
KIND_BY_BYTES = {"jpeg": SlotKind.IMAGE, "png": SlotKind.IMAGE, "webp": SlotKind.IMAGE, "heic": SlotKind.IMAGE,
                 "pdf": SlotKind.PDF, "mp4": SlotKind.VIDEO, "mov": SlotKind.VIDEO, "webm": SlotKind.VIDEO}

Added = EntryImage | EntryFile | HeldUpload
Attacher = Callable[..., Awaitable[EntryImage | EntryFile]]
ATTACHERS: dict[SlotKind, Attacher] = {SlotKind.IMAGE: partial(images.keep_and_make, images.make_image),
                                       SlotKind.PDF: partial(images.keep_and_make, boards.make_board),
                                       SlotKind.VIDEO: videos.attach_video, SlotKind.SOURCE: sources.attach_source}


class WrongKind(InvalidUpload):
    message = N_("This file cannot go here: it takes {accepted}.")


class WrongFormat(InvalidUpload):
    message = N_("This is a {format} file, which this part of the entry does not take: it takes {accepted}.")


def accepted_formats(slot_kinds: Sequence[str]) -> str:
    return ", ".join(KIND_FORMATS[SlotKind(kind)] for kind in slot_kinds)


def kind_of(head: bytes, original_name: str, slot_kinds: Sequence[str]) -> SlotKind:
    """The kind this file is to a slot taking `slot_kinds`, or WrongKind. Image formats the pipeline cannot read
    yet (AVIF, GIF...) go to the image pipeline of an image slot, which names them in its refusal."""
    kinds = {SlotKind(kind) for kind in slot_kinds}
    found = identify(head)
    kind = KIND_BY_BYTES.get(found, SlotKind.SOURCE)
    if SlotKind.SOURCE in kinds and (kind not in kinds or original_name.lower().endswith(".ai")):
        return SlotKind.SOURCE
    if kind == SlotKind.SOURCE and SlotKind.IMAGE in kinds and SlotKind.SOURCE not in kinds:
        return SlotKind.IMAGE
    if kind not in kinds:
        if found in FOUND_NAMES:
            raise WrongFormat(format=FOUND_NAMES[found], accepted=accepted_formats(slot_kinds))
        raise WrongKind(accepted=accepted_formats(slot_kinds))
    return kind


async def intake(
    entry: Entry, slot: FileSlot, chunks: AsyncIterator[bytes], *, store: Storage, original_name: str, by: User,
    now: datetime, declared_bytes: int | None = None, reached_round: int = 0, later: bool = False,
) -> Added:
    """Receive one file for `slot` of `entry` from its designer. Refusals leave no file and no row behind.

    `declared_bytes` is the size the client announced: a file over the limit is refused before its bytes are
    read, with its size in the message. `reached_round`: see slots.require_slot_open. `later`: see attach."""
    require_slot_open(entry, slot, now, reached_round=reached_round)
    await require_room_in_slot(entry, slot)
    if declared_bytes is not None and declared_bytes > max_file_bytes(slot):
        raise too_large(slot, declared_bytes)
    try:
        temp = await store.receive(chunks, max_bytes=max_file_bytes(slot))
    except UploadTooLarge:
        raise too_large(slot, None) from None
    return await attach(entry, slot, temp, store=store, original_name=original_name, by=by, now=now, later=later)


async def attach(
    entry: Entry, slot: FileSlot, temp: TempUpload, *, store: Storage, original_name: str, by: User,
    now: datetime, read_text: bool = True, later: bool = False,
) -> Added:
    """A received file (from a plain upload or a resumed one) into its slot; `temp` is gone afterwards either way.
    `later`: an image or PDF is held for a job to make (entries.held) instead of being made in the request."""
    try:
        kind = kind_of(temp.head, original_name, slot.kinds)
        options = {"read_text": read_text} if kind in MAKERS else {}
        held_for_job = later and kind in MAKERS
        attach_kind: Callable[..., Awaitable[Added]] = partial(held.hold, kind=kind) if held_for_job else ATTACHERS[kind]
        attached = await attach_kind(entry, slot, temp, store=store, original_name=original_name, by=by,
                                     now=now, **options)
        metrics.observe_upload(kind.value, temp.bytes)
        return attached
    finally:
        with anyio.CancelScope(shield=True):
            await store.discard(temp)


async def _file_of(entry: Entry, file_id: int) -> EntryFile:
    file = await EntryFile.get_or_none(id=file_id, entry_id=entry.id).prefetch_related("slot")
    if file is None:
        raise NotFound()
    return file


async def slot_of_file(entry: Entry, file_id: int) -> FileSlot:
    return (await _file_of(entry, file_id)).slot


async def delete_file(entry: Entry, file_id: int, *, store: Storage, by: User, now: datetime,
                      reached_round: int = 0) -> None:
    """A PDF, video or source file goes with everything made from it (a PDF's pages, a video's copies)."""
    file = await _file_of(entry, file_id)
    require_slot_open(entry, file.slot, now, reached_round=reached_round)
    page_keys = cast(list[str], await EntryImage.filter(source_file_id=file.id).values_list("key", flat=True))
    async with in_transaction():
        await file.delete()
        await images.renumber(entry)
        await record("file.deleted", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id,
                     data={"file": file_id, "kind": file.kind, "sha256": file.sha256})
        await declarations.declare_again(entry, by=by, now=now)
    for key in [file.key, *page_keys]:
        await store.delete(key)
