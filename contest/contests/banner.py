"""A contest's key visual (banner): an organiser's upload through the same checks and derivatives as any image.

The public pages show its display copies (public:poster). A new banner replaces the old one, whose files go
once the row points at the new key; a crash in between leaves only unreferenced files for the sweeper.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import anyio
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import Contest
from contest.errors import IMAGE_REFUSALS, InvalidInput
from contest.i18n import N_
from contest.media.pipeline import process_image_async
from contest.media.sniffing import InvalidImage
from contest.media.storage import Storage, UploadTooLarge, new_key

MAX_BYTES = 10 * 2**20
MIN_WIDTH = 1200  # the public page shows it 1280 px wide


async def set_banner(contest: Contest, chunks: AsyncIterator[bytes], *, store: Storage, by: User,
                     now: datetime) -> str:
    """Store a new banner for `contest` and return its key. A refused file leaves nothing behind. Audited."""
    key = new_key()
    try:
        temp = await store.receive(chunks, max_bytes=MAX_BYTES)
    except UploadTooLarge:
        raise InvalidInput({"file": N_("The banner may be at most 10 MB.")}) from None
    try:
        try:
            processed = await process_image_async(temp.path, store.derived_dir(key), key)
        except InvalidImage as exc:
            raise InvalidInput({"file": IMAGE_REFUSALS[exc.reason]}) from None
        if processed.width < MIN_WIDTH or processed.height >= processed.width:
            raise InvalidInput({"file": N_("A banner is wide: at least 1200 pixels across and wider than tall.")})
        await store.commit_original(temp, key)
        old = await _point_to(contest, key, by=by, now=now)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await store.discard(temp)
            await store.delete(key)
        raise
    if old:
        await store.delete(old)
    return key


async def _point_to(contest: Contest, key: str, *, by: User, now: datetime) -> str:
    old = contest.poster_key
    async with in_transaction():
        await Contest.filter(id=contest.id).update(poster_key=key)
        await record("contest.banner_set", subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                     data={"key": key, "replaced": old})
    contest.poster_key = key
    return old
