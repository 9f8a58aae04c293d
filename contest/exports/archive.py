"""All originals of a track as one ZIP, streamed: each file is handed on in chunks as it is written,
so neither memory nor disk ever holds more than one member of the archive.

Files are stored, not deflated (JPEG, PNG, WebP, video and ZIP are compressed already). Each entry's files come in
its track's slot order and are numbered through: ``<entry number>/<nn>-<name>.<ext>``, the name being a cleaned
form of the designer's file name. The originals are what was uploaded: images, and each PDF, video and source file
as it came (a PDF's rendered pages are not originals). The anonymised variant holds only what judges may see,
and drops the name (``<entry number>/<nn>.<ext>``): images and a PDF's rendered pages as full-size copies
re-encoded from the pixels in a worker thread (EXIF (artist, GPS), XMP, IPTC, ICC profiles, comments and PNG text
chunks carry the designer's identity and are left behind), a video as its transcoded copy, which carries no
metadata of the upload; never a PDF itself, a source file, or anything in a slot only organisers see.
Every file carries the same fixed timestamp, so the archive tells nothing about when anything was
uploaded. ``SHA256SUMS`` at the end lists, for ``sha256sum -c``, the SHA-256 recorded at upload, or
in the anonymised variant that of each copy (the original's would identify it). A file missing
from the store, or that cannot be re-encoded, is listed in ``MISSING.txt``.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from contest.contests.models import SEEN_BY_JUDGES, SlotKind, Track
from contest.entries.models import Entry, EntryFile, EntryImage, FileStatus
from contest.entries.states import EntryState
from contest.media.pipeline import CLEAN_FORMATS, clean_copy_async
from contest.media.sniffing import InvalidImage
from contest.media.storage import EXTENSIONS, Storage, derived_name, original_name
from contest.zipstream import ZipSink

CHUNK = 256 * 1024
BATCH = 500
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
NAME_LENGTH = 60
_UNSAFE = re.compile(r"[^\w\-]+")


@dataclass(frozen=True)
class Member:
    name: str
    stored: str  # the stored object's name
    size: int
    sha256: str
    clean: bool = False  # re-encoded from its pixels on the way in (anonymised images)


def safe_part(text: str) -> str:
    """A file or folder name that no archive tool can read as a path: letters, digits, _ and - only."""
    cleaned = _UNSAFE.sub("-", unicodedata.normalize("NFKC", text)).strip("-_")
    return cleaned[:NAME_LENGTH].strip("-_")


def member_name(number: str, n: int, original_name: str, fmt: str, *, anonymised: bool) -> str:
    stem = "" if anonymised else safe_part(original_name.rsplit(".", 1)[0])
    ext = EXTENSIONS.get(fmt) or safe_part(fmt).lower() or "bin"
    return f"{safe_part(number) or 'entry'}/{n:02d}{'-' + stem if stem else ''}.{ext}"


@dataclass(frozen=True)
class _Item:
    """One file of an entry, as a member to be: where it sorts, what it is called, where its bytes are."""

    order: tuple[int, ...]  # slot, images before files, position, page, id
    original_name: str
    fmt: str
    stored: str
    size: int
    sha256: str
    clean: bool  # re-encoded from its pixels on the way into the archive


def _image_items(rows: list[dict[str, Any]], store: Storage, *, anonymised: bool) -> list[tuple[int, _Item]]:
    return [(row["entry_id"], _Item(
        (row["slot__position"] or 0, row["slot_id"] or 0, 0, row["position"], row["page"], row["id"]),
        row["original_name"], CLEAN_FORMATS[row["original_format"]] if anonymised else row["original_format"],
        original_name(row["key"]), row["size_bytes"], row["sha256"], anonymised)) for row in rows]


def _file_items(rows: list[dict[str, Any]], store: Storage, *, anonymised: bool) -> list[tuple[int, _Item]]:
    """The uploaded files; anonymised, only a video's transcoded copy, which carries nothing of the upload."""
    def item(row: dict[str, Any]) -> _Item:
        order = (row["slot__position"], row["slot_id"], 1, row["position"], 0, row["id"])
        if not anonymised:
            return _Item(order, row["original_name"], row["format"], original_name(row["key"]),
                         row["size_bytes"], row["sha256"], False)
        copy = row["details"]["video"]
        return _Item(order, "", "MP4", derived_name(row["key"], "video", "MP4"), copy["bytes"], copy["sha256"],
                     False)
    return [(row["entry_id"], item(row)) for row in rows]


_IMAGE_COLUMNS = ("id", "entry_id", "slot_id", "slot__position", "position", "page", "key", "original_name",
                  "original_format", "size_bytes", "sha256")
_FILE_COLUMNS = ("id", "entry_id", "slot_id", "slot__position", "position", "key", "original_name", "format",
                 "size_bytes", "sha256")


async def _entry_items(entry_ids: list[int], store: Storage, *, anonymised: bool) -> dict[int, list[_Item]]:
    """The files of a batch of entries, each entry's in slot order, in two queries. The originals are the uploads
    (a PDF, not its rendered pages); the anonymised set is what judges may see: images and PDF pages re-encoded,
    videos as transcoded, no source files, nothing from a slot only organisers see."""
    images = EntryImage.filter(entry_id__in=entry_ids)
    files = EntryFile.filter(entry_id__in=entry_ids)
    if anonymised:
        images = images.filter(slot__audience__in=SEEN_BY_JUDGES)
        files = files.filter(slot__audience__in=SEEN_BY_JUDGES, kind=SlotKind.VIDEO, status=FileStatus.READY)
    else:
        images = images.filter(source_file_id=None)
    columns = (*_FILE_COLUMNS, "details") if anonymised else _FILE_COLUMNS
    found: dict[int, list[_Item]] = defaultdict(list)
    for entry_id, item in [*_image_items(await images.values(*_IMAGE_COLUMNS), store, anonymised=anonymised),
                           *_file_items(await files.values(*columns), store, anonymised=anonymised)]:
        found[entry_id].append(item)
    return {entry_id: sorted(items, key=lambda i: i.order) for entry_id, items in found.items()}


async def members(track: Track, store: Storage, *, anonymised: bool) -> AsyncIterator[Member]:
    """The files of the track's submitted entries, by entry number and slot, read a batch of entries at a time."""
    entries = await Entry.filter(track_id=track.id, state=EntryState.SUBMITTED).order_by("number", "id").values_list(
        "id", "number")
    for start in range(0, len(entries), BATCH):
        batch = entries[start:start + BATCH]
        items = await _entry_items([entry_id for entry_id, _ in batch], store, anonymised=anonymised)
        for entry_id, number in batch:
            for n, item in enumerate(items.get(entry_id, []), start=1):
                name = member_name(number or "", n, item.original_name, item.fmt, anonymised=anonymised)
                yield Member(name, item.stored, item.size, item.sha256, item.clean)


@dataclass(frozen=True)
class _Content:
    size: int
    sha256: str
    chunks: AsyncIterator[bytes]


async def _slices(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]


async def _stored(store: Storage, member: Member) -> _Content | None:
    if await store.size(member.stored) is None:
        return None
    return _Content(member.size, member.sha256, store.stream(member.stored))


async def _cleaned(store: Storage, member: Member) -> _Content | None:
    try:
        async with store.local_copy(member.stored) as path:
            copy = await clean_copy_async(path)
    except (OSError, InvalidImage):
        return None
    return _Content(len(copy.data), copy.sha256, _slices(copy.data))


CONTENT = {False: _stored, True: _cleaned}  # by Member.clean


async def originals_zip(track: Track, store: Storage, *, anonymised: bool) -> AsyncIterator[bytes]:
    """The ZIP's bytes, piece by piece; what is missing or unreadable is listed in MISSING.txt."""
    sink, sums, missing = ZipSink(), [], []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        async for member in members(track, store, anonymised=anonymised):
            content = await CONTENT[member.clean](store, member)
            if content is None:
                missing.append(member.name)
                continue
            info = zipfile.ZipInfo(member.name, date_time=FIXED_TIME)
            info.file_size = content.size
            with archive.open(info, "w") as out:
                async for chunk in content.chunks:
                    out.write(chunk)
                    yield sink.take()
            sums.append(f"{content.sha256}  {member.name}\n")
        archive.writestr(zipfile.ZipInfo("SHA256SUMS", date_time=FIXED_TIME), "".join(sums))
        if missing:
            archive.writestr(zipfile.ZipInfo("MISSING.txt", date_time=FIXED_TIME), "".join(f"{m}\n" for m in missing))
    yield sink.take()
