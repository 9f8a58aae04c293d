"""All originals of a track as one ZIP, streamed: each file is handed on in chunks as it is written,
so neither memory nor disk ever holds more than one member of the archive.

Files are stored, not deflated (JPEG, PNG and WebP are compressed already). Names inside are
``<entry number>/<nn>-<name>.<ext>``, the name being a cleaned form of the designer's file name.
The anonymised variant drops the name (``<entry number>/<nn>.<ext>``) and holds, instead of the
uploaded bytes, full-size copies re-encoded from the pixels in a worker thread: EXIF (artist, GPS),
XMP, IPTC, ICC profiles, comments and PNG text chunks carry the designer's identity and are left behind.
Every file carries the same fixed timestamp, so the archive tells nothing about when anything was
uploaded. ``SHA256SUMS`` at the end lists, for ``sha256sum -c``, the SHA-256 recorded at upload, or
in the anonymised variant that of each copy (the original's would identify it). A file missing
from the store, or that cannot be re-encoded, is listed in ``MISSING.txt``.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiofiles

from contest.contests.models import Track
from contest.entries.models import EntryImage
from contest.entries.states import EntryState
from contest.media.pipeline import CLEAN_FORMATS, clean_copy_async
from contest.media.sniffing import InvalidImage
from contest.media.storage import EXTENSIONS, UploadStore
from contest.zipstream import ZipSink

CHUNK = 256 * 1024
BATCH = 500
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
NAME_LENGTH = 60
_UNSAFE = re.compile(r"[^\w\-]+")


@dataclass(frozen=True)
class Member:
    name: str
    path: Path
    size: int
    sha256: str


def safe_part(text: str) -> str:
    """A file or folder name that no archive tool can read as a path: letters, digits, _ and - only."""
    cleaned = _UNSAFE.sub("-", unicodedata.normalize("NFKC", text)).strip("-_")
    return cleaned[:NAME_LENGTH].strip("-_")


def member_name(number: str, n: int, original_name: str, fmt: str, *, anonymised: bool) -> str:
    stem = "" if anonymised else safe_part(original_name.rsplit(".", 1)[0])
    return f"{safe_part(number) or 'entry'}/{n:02d}{'-' + stem if stem else ''}.{EXTENSIONS.get(fmt, 'bin')}"


async def _rows(track: Track) -> AsyncIterator[dict[str, Any]]:
    """The images' rows in archive order, read in batches paged by their ordered ids (a few bytes each)."""
    ids = await EntryImage.filter(entry__track_id=track.id, entry__state=EntryState.SUBMITTED).order_by(
        "entry__number", "entry_id", "position", "id").values_list("id", flat=True)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        place = {image: n for n, image in enumerate(chunk)}
        rows = await EntryImage.filter(id__in=chunk).values(
            "id", "entry_id", "entry__number", "key", "original_name", "original_format", "size_bytes", "sha256")
        for row in sorted(rows, key=lambda r: place[r["id"]]):
            yield row


async def members(track: Track, store: UploadStore, *, anonymised: bool) -> AsyncIterator[Member]:
    """The originals of the track's submitted entries, by entry number and image order."""
    current, n = None, 0
    async for row in _rows(track):
        current, n = row["entry_id"], (n + 1 if row["entry_id"] == current else 1)
        fmt = CLEAN_FORMATS[row["original_format"]] if anonymised else row["original_format"]
        name = member_name(row["entry__number"] or "", n, row["original_name"], fmt, anonymised=anonymised)
        yield Member(name, store.original_path(row["key"]), row["size_bytes"], row["sha256"])


@dataclass(frozen=True)
class _Content:
    size: int
    sha256: str
    chunks: AsyncIterator[bytes]


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    async with aiofiles.open(path, "rb") as file:
        while chunk := await file.read(CHUNK):
            yield chunk


async def _slices(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]


async def _stored(member: Member) -> _Content | None:
    if not member.path.is_file():
        return None
    return _Content(member.size, member.sha256, _file_chunks(member.path))


async def _cleaned(member: Member) -> _Content | None:
    try:
        copy = await clean_copy_async(member.path)
    except (OSError, InvalidImage):
        return None
    return _Content(len(copy.data), copy.sha256, _slices(copy.data))


CONTENT = {False: _stored, True: _cleaned}  # by `anonymised`


async def originals_zip(track: Track, store: UploadStore, *, anonymised: bool) -> AsyncIterator[bytes]:
    """The ZIP's bytes, piece by piece; what is missing or unreadable is listed in MISSING.txt."""
    sink, sums, missing = ZipSink(), [], []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        async for member in members(track, store, anonymised=anonymised):
            content = await CONTENT[anonymised](member)
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
