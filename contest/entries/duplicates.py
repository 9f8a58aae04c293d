"""Near-duplicate images across entries and against the committee's reference set, for a person to decide."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import anyio

from contest.accounts.models import User
from contest.audit.log import record
from contest.columns import fits
from contest.contests.models import Contest
from contest.entries.images import ABSOLUTE_MAX_FILE, REFUSALS, ImageRefused
from contest.entries.models import EntryImage, ReferenceImage
from contest.entries.states import EntryState
from contest.errors import ContentTooLarge, InvalidUpload
from contest.media import similarity
from contest.media.pipeline import process_image_async
from contest.media.sniffing import InvalidImage
from contest.media.storage import UploadStore, UploadTooLarge


@dataclass(frozen=True)
class ImageRef:
    key: str
    entry_id: int | None  # None for a reference image
    label: str  # entry number and title, or the reference's label


@dataclass(frozen=True)
class DuplicatePair:
    left: ImageRef
    right: ImageRef
    similarity: float


async def _entry_images(contest: Contest) -> list[tuple[ImageRef, str]]:
    rows = await EntryImage.filter(entry__contest_id=contest.id).exclude(entry__state=EntryState.WITHDRAWN).values(
        "key", "phash", "entry_id", "entry__number", "entry__title")
    return [(ImageRef(r["key"], r["entry_id"], f"{r['entry__number'] or '—'} {r['entry__title']}"), r["phash"])
            for r in rows if r["phash"]]


async def near_duplicates(contest: Contest) -> list[DuplicatePair]:
    """Pairs of images from different entries, or an entry and a reference image, most similar first."""
    items = await _entry_images(contest)
    references = await ReferenceImage.filter(contest_id=contest.id).values("key", "phash", "label")
    items += [(ImageRef(r["key"], None, r["label"]), r["phash"]) for r in references]
    pairs = []
    for match in similarity.find_pairs([phash for _, phash in items]):
        left, right = items[match.left][0], items[match.right][0]
        if left.entry_id is None and right.entry_id is None or left.entry_id == right.entry_id:
            continue
        pairs.append(DuplicatePair(left, right, match.similarity))
    return sorted(pairs, key=lambda pair: -pair.similarity)


async def add_reference_image(
    contest: Contest, chunks: AsyncIterator[bytes], *, store: UploadStore, label: str, by: User, now: datetime
) -> ReferenceImage:
    """Add an image (e.g. attached to a complaint) that every entry is compared against."""
    key = uuid.uuid4().hex
    try:
        temp = await store.receive(chunks, max_bytes=ABSOLUTE_MAX_FILE)
    except UploadTooLarge:
        raise ContentTooLarge() from None
    try:
        processed = await process_image_async(temp.path, store.derived_dir(key), key)
        phash = await anyio.to_thread.run_sync(similarity.hash_image, processed.derivative("display", "JPEG").path)
        await store.commit_original(temp, key)
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            await store.discard(temp)
            await store.delete(key)
        if isinstance(exc, InvalidImage):
            raise ImageRefused(REFUSALS.get(exc.reason, InvalidUpload.message)) from None
        raise
    reference = await ReferenceImage.create(contest=contest, key=key, label=label[:200], phash=phash, added_by=by)
    await record("reference.added", subject=f"reference:{reference.id}", now=now, actor=by, contest_id=contest.id)
    return reference


async def reference_for(contest: Contest, key: str) -> ReferenceImage | None:
    return await ReferenceImage.get_or_none(contest_id=contest.id, key=key) if fits(ReferenceImage, "key", key) else None
