"""An entry's images: intake (stream → check → commit the original → derivatives → row), delete, order, cover.

Files are complete before the row exists: temp file → fsync → rename, then the database commit.
Anything a crash leaves behind is unreferenced and removed at the next start (contest.console.upload_sweep).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import anyio
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import FileSlot
from contest.entries import declarations
from contest.entries.models import Entry, EntryFile, EntryImage, HeldStatus, HeldUpload
from contest.entries.service import require_changeable
from contest.entries.slots import Received, clean_name, require_room, require_slot_open, store_original
from contest.entries.states import EDITABLE_STATES
from contest.errors import IMAGE_REFUSALS, Conflict, InvalidUpload, NotFound, found
from contest.i18n import N_
from contest.media import ocr, similarity
from contest.media.pipeline import DEFAULT_TIMEOUT, ProcessedImage, process_image_async
from contest.media.sniffing import InvalidImage, Reason, inspect_image
from contest.media.storage import Storage, TempUpload
from contest.media.storage import original_name as stored_original

log = logging.getLogger(__name__)
T = TypeVar("T")
# Wall-clock limits on making one image's copies, past which it is refused as too slow: a request answers a person
# who waits; a job may wait out a machine busy with a deadline rush, and still stops a pathological file.
REQUEST_SECONDS = DEFAULT_TIMEOUT
JOB_SECONDS = 120.0

CHUNK = 256 * 1024

# image formats people export by mistake, named in the refusal (sniffing's kinds → the name people know)
FORMAT_NAMES = {"avif": "AVIF", "gif": "GIF", "tiff": "TIFF", "bmp": "BMP", "psd": "PSD",
                "eps": "EPS", "pdf": "PDF", "svg": "SVG", "jpeg2000": "JPEG 2000", "jpegxl": "JPEG XL", "ico": "ICO"}
NOT_YET_ACCEPTED = N_("This is a {format} file, which is not accepted yet. Please export it as JPEG or PNG and "
                      "upload it again.")


class ImageRefused(InvalidUpload):
    """A refused file, with the reason in the user's language."""


class BelowMinimumResolution(InvalidUpload):
    message = N_("The image is smaller than the minimum of {long}×{short} px (in either orientation); this one is "
                 "{width}×{height} px.")


class DuplicateImage(Conflict):
    message = N_("This image is already in this entry (image {position}).")


class DuplicateFile(Conflict):
    message = N_("This file is already in this entry.")


async def file_chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    """Chunks of an already spooled upload (the multipart fallback), read off the event loop."""
    while chunk := await anyio.to_thread.run_sync(file.read, CHUNK):
        yield chunk


@dataclass(frozen=True)
class PreparedImage:
    """An image's derivatives on disk, with what is read from them; no row yet."""

    processed: ProcessedImage
    phash: str
    lines: list[dict] | None  # text in the judging copy; None = could not be read


async def keep_and_make(
    make: Callable[..., Awaitable[T]], entry: Entry, slot: FileSlot, temp: TempUpload, *, store: Storage,
    original_name: str, by: User, now: datetime, read_text: bool = True,
) -> T:
    """A received image or PDF checked, kept and made now, in the request, by `make` (`make_image`,
    `boards.make_board`). A file already on the entry (same SHA-256) is refused before any processing; the original
    goes again on any refusal. `read_text=False` is for pictures drawn by our own code without text (the demo's):
    stored as read, with no text. The caller discards `temp`."""
    await refuse_duplicate(entry, temp.sha256)
    received = await store_original(temp, store, original_name)
    try:
        return await make(entry, slot, received, store=store, by=by, now=now, read_text=read_text)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await store.delete(received.key)
        raise


async def make_image(
    entry: Entry, slot: FileSlot, received: Received, *, store: Storage, by: User, now: datetime,
    read_text: bool = True, held: HeldUpload | None = None, seconds: float | None = None,
) -> EntryImage:
    """Derivatives, fingerprint and text of a stored original, then its row (quotas and the same-file check in
    its transaction), which replaces `held`'s. The caller removes what is stored under the key on a refusal.
    `seconds`: the limit on making the copies (REQUEST_SECONDS unless given)."""
    async with store.local_copy(stored_original(received.key)) as path:
        prepared = await prepare_image(path, store, received.key, read_text=read_text, seconds=seconds)
    require_edges(slot, prepared.processed.width, prepared.processed.height)
    await store.commit_derived(received.key)
    async with in_transaction():
        await release(held)
        await require_room(entry, slot, prepared.processed.bytes)
        await refuse_duplicate(entry, received.sha256)  # again: the same file may have come in twice at once
        image = await add_image_row(entry, slot, prepared, received.original_name, provenance=received.provenance)
        await record("image.added", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id,
                     data={"image": image.id, "sha256": received.sha256, "bytes": received.bytes})
        await declarations.declare_again(entry, by=by, now=now)
    return image


async def release(held: HeldUpload | None) -> None:
    """A held upload's row goes in the transaction that adds what was made from it."""
    if held is not None:
        await HeldUpload.filter(id=held.id).delete()


async def check_header(path: Path, slot: FileSlot) -> None:
    """What the header tells at once (the format, the pixel size against the slot's minimum), so an upload whose
    images a job will make is refused in the request when it can be."""
    try:
        info = await anyio.to_thread.run_sync(inspect_image, path)
    except InvalidImage as exc:
        raise refusal(exc) from None
    require_edges(slot, info.width, info.height)  # either orientation passes, so EXIF's turn does not matter


async def prepare_image(path: Path, store: Storage, key: str, *, read_text: bool = True,
                        seconds: float | None = None) -> PreparedImage:
    """Derivatives under `key`, their fingerprint and text. Refusals raise ImageRefused; the caller deletes `key`."""
    processed = await _process(path, store, key, seconds or REQUEST_SECONDS)
    phash = await anyio.to_thread.run_sync(similarity.hash_image, processed.derivative("display", "JPEG").path)
    lines = await read_judging_copy(processed) if read_text else []
    return PreparedImage(processed, phash, lines)


async def refuse_duplicate(entry: Entry, sha256: str) -> None:
    """The same bytes once per entry: an image, or a PDF, video or source file (a resumed upload whose last
    answer was lost comes again whole, and must not be added twice)."""
    positions = cast(list[int], await EntryImage.filter(entry_id=entry.id, sha256=sha256).values_list("position", flat=True))
    if positions:
        raise DuplicateImage(position=min(positions) + 1)
    if await EntryFile.exists(entry_id=entry.id, sha256=sha256) or await HeldUpload.exists(
            entry_id=entry.id, sha256=sha256, status=HeldStatus.PROCESSING):
        raise DuplicateFile()


async def _process(path: Path, store: Storage, key: str, seconds: float) -> ProcessedImage:
    try:
        processed = await process_image_async(path, store.derived_dir(key), key, timeout=seconds)
    except InvalidImage as exc:
        raise refusal(exc) from None
    return processed


def refusal(exc: InvalidImage) -> ImageRefused:
    if exc.reason == Reason.UNSUPPORTED_TYPE and exc.detail in FORMAT_NAMES:
        return ImageRefused(NOT_YET_ACCEPTED, format=FORMAT_NAMES[exc.detail])
    return ImageRefused(IMAGE_REFUSALS.get(exc.reason, InvalidUpload.message))


def require_edges(slot: FileSlot, width: int, height: int) -> None:
    """The slot's minimum, in either orientation: a portrait A3 board and a landscape one both pass."""
    if min(width, height) < slot.min_short_edge or max(width, height) < slot.min_long_edge:
        raise BelowMinimumResolution(long=slot.min_long_edge, short=slot.min_short_edge, width=width, height=height)


async def read_judging_copy(processed: ProcessedImage) -> list[dict] | None:
    """The text in the copy judges will see, for the leak check; None when it could not be read.

    The upload is kept either way: an unread image is held by the leak check for an organiser to look at.
    """
    try:
        lines = await ocr.read_text_async(processed.derivative("judging", "WEBP").path)
    except Exception:
        log.exception("could not read the text of image %s", processed.key)
        return None
    return [{"text": line.text, "box": list(line.box), "score": line.score} for line in lines]


async def add_image_row(
    entry: Entry, slot: FileSlot, prepared: PreparedImage, original_name: str, *, source_file_id: int | None = None,
    page: int = 0, provenance: dict[str, Any] | None = None,
) -> EntryImage:
    """The row of a prepared image, last in the entry's order; inside the caller's transaction."""
    processed = prepared.processed
    position = await EntryImage.filter(entry_id=entry.id).count()
    return await EntryImage.create(
        entry_id=entry.id, slot_id=slot.id, source_file_id=source_file_id, page=page, key=processed.key,
        position=position, is_cover=position == 0, original_name=clean_name(original_name),
        original_format=processed.format, width=processed.width, height=processed.height, size_bytes=processed.bytes,
        sha256=processed.sha256, phash=prepared.phash, ocr_lines=prepared.lines, provenance=provenance or {},
        derivatives={f"{d.name}.{d.format.lower()}": {"width": d.width, "height": d.height, "bytes": d.bytes,
                                                      "sha256": d.sha256} for d in processed.derivatives},
    )


def _require_editable(entry: Entry, now: datetime) -> None:
    require_changeable(entry, now)
    if entry.state not in EDITABLE_STATES:
        raise Conflict()


async def _image_of(entry: Entry, image_id: int) -> EntryImage:
    """An image the designer uploaded; a rendered page of a PDF goes and comes with its PDF."""
    image = await EntryImage.get_or_none(id=image_id, entry_id=entry.id, source_file_id=None).prefetch_related("slot")
    if image is None:
        raise NotFound()
    return image


async def slot_of_image(entry: Entry, image_id: int) -> FileSlot:
    return found((await _image_of(entry, image_id)).slot)


async def delete_image(entry: Entry, image_id: int, *, store: Storage, by: User, now: datetime,
                       reached_round: int = 0) -> None:
    image = await _image_of(entry, image_id)
    require_slot_open(entry, found(image.slot), now, reached_round=reached_round)
    async with in_transaction():
        await image.delete()
        await renumber(entry)
        await record("image.deleted", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id,
                     data={"image": image_id, "sha256": image.sha256})
        await declarations.declare_again(entry, by=by, now=now)
    await store.delete(image.key)


async def renumber(entry: Entry, order: list[int] | None = None) -> None:
    images = await EntryImage.filter(entry_id=entry.id).order_by("position", "id")
    if order is not None:
        rank = {image_id: i for i, image_id in enumerate(order)}
        images.sort(key=lambda image: rank.get(image.id, len(rank) + image.position))
    for position, image in enumerate(images):
        if image.position != position:
            image.position = position
            await image.save(update_fields=["position"])
    if images and not any(image.is_cover for image in images):
        images[0].is_cover = True
        await images[0].save(update_fields=["is_cover"])


async def reorder_images(entry: Entry, ordered_ids: list[int], *, by: User, now: datetime) -> None:
    _require_editable(entry, now)
    async with in_transaction():
        await renumber(entry, ordered_ids)


async def move_image(entry: Entry, image_id: int, step: int, *, by: User, now: datetime) -> None:
    ids = [image.id for image in await EntryImage.filter(entry_id=entry.id).order_by("position", "id")]
    if image_id not in ids:
        raise NotFound()
    index = ids.index(image_id)
    target = max(0, min(len(ids) - 1, index + step))
    ids.insert(target, ids.pop(index))
    await reorder_images(entry, ids, by=by, now=now)


async def set_cover(entry: Entry, image_id: int, *, by: User, now: datetime) -> None:
    _require_editable(entry, now)
    image = await _image_of(entry, image_id)
    async with in_transaction():
        await EntryImage.filter(entry_id=entry.id).update(is_cover=False)
        await EntryImage.filter(id=image.id).update(is_cover=True)
