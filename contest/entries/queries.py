"""Queries for entries. Visibility is part of each query: what a user may not see is simply not found."""

from __future__ import annotations

from typing import cast

from contest.accounts.models import User
from contest.columns import fits
from contest.entries.models import Entry, EntryFile, EntryImage
from contest.entries.states import SENT_STATES

# what the entry's page and its submission check read (service.submission_problems)
ENTRY_PAGE_RELATIONS = ("contest", "track__fields_", "track__slots", "images", "files", "held_uploads", "members")


async def entries_for_designer(user: User) -> list[Entry]:
    return (
        await Entry.filter(owner_id=user.id)
        .prefetch_related(*ENTRY_PAGE_RELATIONS)
        .order_by("-created_at", "-id")
    )


async def entry_for_designer(user: User, entry_id: int) -> Entry | None:
    """The entry, with what its pages need, only if `user` owns it."""
    return (
        await Entry.filter(id=entry_id, owner_id=user.id)
        .prefetch_related(*ENTRY_PAGE_RELATIONS)
        .first()
    )


async def bytes_used_by_designer(user_id: int) -> int:
    # At most entries × files rows per designer (a few hundred): summing here is clearer than SQL SUM. A PDF's
    # rendered pages are not counted: the designer uploaded the PDF, whose size is its EntryFile's.
    images = await EntryImage.filter(entry__owner_id=user_id, source_file_id=None).values_list("size_bytes", flat=True)
    files = await EntryFile.filter(entry__owner_id=user_id).values_list("size_bytes", flat=True)
    return sum(cast(list[int], images)) + sum(cast(list[int], files))


async def image_by_key(key: str) -> EntryImage | None:
    if not fits(EntryImage, "key", key):
        return None
    return await EntryImage.get_or_none(key=key).prefetch_related("entry__contest")


async def file_by_key(key: str) -> EntryFile | None:
    if not fits(EntryFile, "key", key):
        return None
    return await EntryFile.get_or_none(key=key).prefetch_related("entry__contest")


async def entries_for_organiser(contest_id: int) -> list[Entry]:
    """The contest's entries once submitted, whatever became of them (drafts stay their designers' own), by number."""
    return (
        await Entry.filter(contest_id=contest_id, state__in=list(SENT_STATES))
        .prefetch_related("track", "owner")
        .order_by("number", "id")
    )


async def entry_of_contest(contest_id: int, entry_id: int) -> Entry | None:
    """One entry of the contest, with its contest, track and designer; drafts are not found."""
    return (
        await Entry.filter(id=entry_id, contest_id=contest_id, state__in=list(SENT_STATES))
        .prefetch_related("contest", "track", "owner")
        .first()
    )
