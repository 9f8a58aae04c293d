"""An entry's images: intake (stream → check → derivatives → commit), delete, order, cover.

Files are complete before the row exists: temp file → fsync → rename, then the database commit.
Anything a crash leaves behind is unreferenced and removed at the next start (contest.console.upload_sweep).
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import IO, cast

import anyio
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import Track
from contest.entries import declarations, queries
from contest.entries.models import Entry, EntryImage
from contest.entries.service import QuotaExceeded, require_open
from contest.entries.states import EDITABLE_STATES
from contest.errors import IMAGE_REFUSALS, Conflict, ContentTooLarge, InvalidUpload, NotFound
from contest.i18n import N_
from contest.media import ocr, similarity
from contest.media.pipeline import ProcessedImage, process_image_async
from contest.media.sniffing import InvalidImage, Reason
from contest.media.storage import UploadStore, UploadTooLarge

log = logging.getLogger(__name__)

MIB = 2**20
ABSOLUTE_MAX_FILE = 25 * MIB
CHUNK = 256 * 1024

# image formats people export by mistake, named in the refusal (sniffing's kinds → the name people know)
FORMAT_NAMES = {"avif": "AVIF", "gif": "GIF", "tiff": "TIFF", "bmp": "BMP", "psd": "PSD",
                "eps": "EPS", "pdf": "PDF", "svg": "SVG", "jpeg2000": "JPEG 2000", "jpegxl": "JPEG XL", "ico": "ICO"}
NOT_YET_ACCEPTED = N_("This is a {format} file, which is not accepted yet. Please export it as JPEG or PNG and "
                      "upload it again.")


class ImageRefused(InvalidUpload):
    """A refused file, with the reason in the user's language."""


class BelowMinimumResolution(InvalidUpload):
    message = N_("The image is smaller than the track's minimum resolution ({width}×{height} px).")


class FileTooLarge(ContentTooLarge):
    message = N_("Over the {limit} MB limit (this file is {size} MB). Please compress the image or reduce its size "
                 "and upload it again.")


class FileOverLimit(ContentTooLarge):
    """Too large, its size unknown: the body did not say how long it was and was not read to the end."""

    message = N_("Over the {limit} MB limit. Please compress the image or reduce its size and upload it again.")


class DuplicateImage(Conflict):
    message = N_("This image is already in this entry (image {position}).")


def max_file_bytes(track: Track) -> int:
    return min(track.max_file_mb * MIB, ABSOLUTE_MAX_FILE)


def megabytes(size: int) -> str:
    """A size in MB to one decimal, rounded up: a file just over a limit never reads as the limit itself."""
    return f"{math.ceil(size * 10 / MIB) / 10:.1f}"


def too_large(track: Track, size: int | None) -> ContentTooLarge:
    limit = max_file_bytes(track) // MIB
    if size is None or size <= max_file_bytes(track):
        return FileOverLimit(limit=limit)
    return FileTooLarge(limit=limit, size=megabytes(size))


async def file_chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    """Chunks of an already spooled upload (the multipart fallback), read off the event loop."""
    while chunk := await anyio.to_thread.run_sync(file.read, CHUNK):
        yield chunk


async def _check_room(entry: Entry, extra_bytes: int) -> None:
    """Quotas, checked inside the transaction that adds the row (the owner's row is locked on PostgreSQL)."""
    await User.filter(id=entry.owner_id).select_for_update().first()
    count = await EntryImage.filter(entry_id=entry.id).count()
    if count >= entry.track.max_images:
        raise QuotaExceeded(N_("This entry already has the maximum number of images."))
    if await queries.bytes_used_by_designer(entry.owner_id) + extra_bytes > entry.contest.max_bytes_per_designer:
        raise QuotaExceeded(N_("You have used all the storage allowed per designer."))


def _require_editable(entry: Entry, now: datetime) -> None:
    require_open(entry.contest, now)
    if entry.state not in EDITABLE_STATES:
        raise Conflict()


async def intake_image(
    entry: Entry, chunks: AsyncIterator[bytes], *, store: UploadStore, original_name: str, by: User, now: datetime,
    declared_bytes: int | None = None,
) -> EntryImage:
    """Receive one image for `entry` from its designer. Refusals leave no file and no row behind.

    `declared_bytes` is the file's size as the client announced it: a file over the limit is refused before
    its bytes are read, with its size in the message."""
    _require_editable(entry, now)
    if await EntryImage.filter(entry_id=entry.id).count() >= entry.track.max_images:
        raise QuotaExceeded(N_("This entry already has the maximum number of images."))
    if declared_bytes is not None and declared_bytes > max_file_bytes(entry.track):
        raise too_large(entry.track, declared_bytes)
    return await attach_image(entry, chunks, store=store, original_name=original_name, by=by, now=now)


async def attach_image(
    entry: Entry, chunks: AsyncIterator[bytes], *, store: UploadStore, original_name: str, by: User, now: datetime,
    read_text: bool = True,
) -> EntryImage:
    """Stream, check, make derivatives, read their text, commit the original, add the row (quotas and the
    same-file check in its transaction). A file already on the entry (same SHA-256) is refused before any
    processing. `read_text=False` is for pictures drawn by our own code without text (the demo's): stored as
    read, with no text."""
    key = uuid.uuid4().hex
    try:
        temp = await store.receive(chunks, max_bytes=max_file_bytes(entry.track))
    except UploadTooLarge:
        raise too_large(entry.track, None) from None
    try:
        await _refuse_duplicate(entry, temp.sha256)
        processed = await _process(temp.path, store, key, entry.track)
        phash = await anyio.to_thread.run_sync(similarity.hash_image, processed.derivative("display", "JPEG").path)
        lines = await read_judging_copy(processed) if read_text else []
        await store.commit_original(temp, key)
        return await _add_row(entry, processed, phash, lines, original_name, by=by, now=now)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await store.discard(temp)
            await store.delete(key)
        raise


async def _refuse_duplicate(entry: Entry, sha256: str) -> None:
    positions = cast(list[int], await EntryImage.filter(entry_id=entry.id, sha256=sha256).values_list("position", flat=True))
    if positions:
        raise DuplicateImage(position=min(positions) + 1)


async def _process(path: Path, store: UploadStore, key: str, track: Track) -> ProcessedImage:
    try:
        processed = await process_image_async(path, store.derived_dir(key), key)
    except InvalidImage as exc:
        if exc.reason == Reason.UNSUPPORTED_TYPE and exc.detail in FORMAT_NAMES:
            raise ImageRefused(NOT_YET_ACCEPTED, format=FORMAT_NAMES[exc.detail]) from None
        raise ImageRefused(IMAGE_REFUSALS.get(exc.reason, InvalidUpload.message)) from None
    if processed.width < track.min_width or processed.height < track.min_height:
        raise BelowMinimumResolution(width=track.min_width, height=track.min_height)
    return processed


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


async def _add_row(
    entry: Entry, processed: ProcessedImage, phash: str, lines: list[dict] | None, original_name: str, *,
    by: User, now: datetime,
) -> EntryImage:
    async with in_transaction():
        await _check_room(entry, processed.bytes)
        await _refuse_duplicate(entry, processed.sha256)  # again: the same file may have come in twice at once
        position = await EntryImage.filter(entry_id=entry.id).count()
        image = await EntryImage.create(
            entry_id=entry.id, key=processed.key, position=position, is_cover=position == 0,
            original_name=_clean_name(original_name), original_format=processed.format, width=processed.width,
            height=processed.height, size_bytes=processed.bytes, sha256=processed.sha256, phash=phash, ocr_lines=lines,
            derivatives={f"{d.name}.{d.format.lower()}": {"width": d.width, "height": d.height, "bytes": d.bytes,
                                                          "sha256": d.sha256} for d in processed.derivatives},
        )
        await record("image.added", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id,
                     data={"image": image.id, "sha256": processed.sha256, "bytes": processed.bytes})
        await declarations.declare_again(entry, by=by, now=now)
    return image


def _clean_name(name: str) -> str:
    """Kept as data only (never a path); control characters and directories dropped."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:255]


async def _image_of(entry: Entry, image_id: int) -> EntryImage:
    image = await EntryImage.get_or_none(id=image_id, entry_id=entry.id)
    if image is None:
        raise NotFound()
    return image


async def delete_image(entry: Entry, image_id: int, *, store: UploadStore, by: User, now: datetime) -> None:
    _require_editable(entry, now)
    image = await _image_of(entry, image_id)
    async with in_transaction():
        await image.delete()
        await _renumber(entry)
        await record("image.deleted", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id,
                     data={"image": image_id, "sha256": image.sha256})
        await declarations.declare_again(entry, by=by, now=now)
    await store.delete(image.key)


async def _renumber(entry: Entry, order: list[int] | None = None) -> None:
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
        await _renumber(entry, ordered_ids)


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
