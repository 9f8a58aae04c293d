"""Near-duplicate images across entries and against the committee's reference set, for a person to decide."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import anyio
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.columns import fits
from contest.contests.models import Contest
from contest.entries.images import ImageRefused
from contest.entries.models import DuplicateDismissal, EntryImage, ReferenceImage
from contest.entries.slots import ABSOLUTE_MAX_FILE
from contest.entries.states import EntryState
from contest.errors import IMAGE_REFUSALS, ContentTooLarge, InvalidInput, InvalidUpload, NotFound
from contest.i18n import N_
from contest.media import similarity
from contest.media.pipeline import process_image_async
from contest.media.sniffing import InvalidImage
from contest.media.storage import Storage, UploadTooLarge, derived_name


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


NOTE_MAX = 2000


@dataclass(frozen=True)
class DismissedPair:
    pair: DuplicatePair
    note: str
    by: str  # the organiser's display name ("" when the account is gone)
    at: datetime


@dataclass(frozen=True)
class DuplicateReview:
    open: list[DuplicatePair]  # still to look at
    dismissed: list[DismissedPair]  # an organiser said "not a duplicate", newest first


def pair_key(left: str, right: str) -> tuple[str, str]:
    """The two image keys in the order a dismissal stores them."""
    return (left, right) if left <= right else (right, left)


async def near_duplicates(contest: Contest) -> list[DuplicatePair]:
    """The pairs still to look at (`duplicate_review(contest).open`)."""
    return (await duplicate_review(contest)).open


async def duplicate_review(contest: Contest) -> DuplicateReview:
    """The flagged pairs, split into those still open and those an organiser dismissed with a note."""
    pairs = await _flagged_pairs(contest)
    rows = await DuplicateDismissal.filter(contest_id=contest.id).order_by("-created_at", "-id").values(
        "key_a", "key_b", "note", "created_at", "dismissed_by__display_name")
    decisions = {(r["key_a"], r["key_b"]): r for r in rows}
    dismissed = [(decisions[key], pair) for pair in pairs if (key := pair_key(pair.left.key, pair.right.key)) in decisions]
    dismissed.sort(key=lambda item: item[0]["created_at"], reverse=True)
    return DuplicateReview(
        open=[p for p in pairs if pair_key(p.left.key, p.right.key) not in decisions],
        dismissed=[DismissedPair(pair, row["note"], row["dismissed_by__display_name"] or "", row["created_at"])
                   for row, pair in dismissed],
    )


async def dismiss_pair(contest: Contest, left: str, right: str, *, note: str, by: User, now: datetime) -> None:
    """Record that the flagged pair (left, right) is not a duplicate. The note is required; NotFound when
    the two images are not a pair flagged in this contest. Audited."""
    text = note.strip()
    if not text:
        raise InvalidInput({"note": N_("Say why these images are not a duplicate.")})
    if len(text) > NOTE_MAX:
        raise InvalidInput({"note": N_("Too long for this field.")})
    key = pair_key(left, right)
    if key not in {pair_key(p.left.key, p.right.key) for p in await _flagged_pairs(contest)}:
        raise NotFound()
    async with in_transaction():
        dismissal, created = await DuplicateDismissal.get_or_create(
            contest_id=contest.id, key_a=key[0], key_b=key[1], defaults={"note": text, "dismissed_by_id": by.id})
        if not created:
            await DuplicateDismissal.filter(id=dismissal.id).update(note=text, dismissed_by_id=by.id)
        await record("duplicate.dismissed", subject=f"duplicate:{dismissal.id}", now=now, actor=by,
                     contest_id=contest.id, data={"images": list(key), "note": text})


async def _flagged_pairs(contest: Contest) -> list[DuplicatePair]:
    """Pairs of images from different entries, or an entry and a reference image, most similar first."""
    items = await _entry_images(contest)
    references = await ReferenceImage.filter(contest_id=contest.id).values("key", "phash", "label")
    items += [(ImageRef(r["key"], None, r["label"]), r["phash"]) for r in references]
    pairs = []
    for match in similarity.find_pairs([phash for _, phash in items]):
        left, right = items[match.left][0], items[match.right][0]
        if (left.entry_id is None and right.entry_id is None) or left.entry_id == right.entry_id:
            continue
        pairs.append(DuplicatePair(left, right, match.similarity))
    return sorted(pairs, key=lambda pair: -pair.similarity)


async def rehash_stored_images(store: Storage) -> int:
    """Recompute fingerprints stored by an older version of the hash from each image's display copy; how many
    were updated. Run after migrating; an image whose display copy is missing keeps its old fingerprint (it
    still compares, on value alone)."""
    updated = 0
    for model in (EntryImage, ReferenceImage):
        rows = await model.exclude(phash="").exclude(phash__startswith=f"{similarity.VERSION}:").values("id", "key")
        for row in rows:
            try:
                async with store.local_copy(derived_name(row["key"], "display", "JPEG")) as path:
                    phash = await anyio.to_thread.run_sync(similarity.hash_image, path)
            except FileNotFoundError:
                continue
            updated += await model.filter(id=row["id"]).update(phash=phash)
    return updated


async def add_reference_image(
    contest: Contest, chunks: AsyncIterator[bytes], *, store: Storage, label: str, by: User, now: datetime
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
            raise ImageRefused(IMAGE_REFUSALS.get(exc.reason, InvalidUpload.message)) from None
        raise
    reference = await ReferenceImage.create(contest=contest, key=key, label=label[:200], phash=phash, added_by=by)
    await record("reference.added", subject=f"reference:{reference.id}", now=now, actor=by, contest_id=contest.id)
    return reference


async def reference_for(contest: Contest, key: str) -> ReferenceImage | None:
    return await ReferenceImage.get_or_none(contest_id=contest.id, key=key) if fits(ReferenceImage, "key", key) else None
