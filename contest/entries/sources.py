"""Source files (ZIP, AI, PSD, CDR, 3D models): their type read from the bytes, their size limited, stored
privately, and never opened or expanded here. Organisers alone see them."""

from __future__ import annotations

from datetime import datetime

from contest.accounts.models import User
from contest.contests.models import FileSlot, SlotKind
from contest.entries import images
from contest.entries.models import Entry, EntryFile
from contest.entries.slots import commit_file, max_file_bytes, refusal_figures
from contest.errors import SOURCE_REFUSALS, InvalidUpload
from contest.media import source_files
from contest.media.storage import Storage, TempUpload


class SourceRefused(InvalidUpload):
    """A refused source file, with the reason in the user's language."""


async def attach_source(
    entry: Entry, slot: FileSlot, temp: TempUpload, *, store: Storage, original_name: str, by: User, now: datetime,
) -> EntryFile:
    await images.refuse_duplicate(entry, temp.sha256)
    try:
        info = await source_files.inspect_source_async(temp.path, original_name=original_name,
                                                       max_bytes=max_file_bytes(slot))
    except source_files.SourceRefused as exc:
        figures = refusal_figures(SlotKind.SOURCE, exc.reason, exc.limit, exc.actual)
        raise SourceRefused(SOURCE_REFUSALS[exc.reason], **figures) from None
    return await commit_file(entry, slot, temp, store=store, kind=SlotKind.SOURCE, fmt=info.kind,
                             original_name=original_name, by=by, now=now,
                             details={"entries": info.entries, "uncompressed_bytes": info.uncompressed_bytes})
