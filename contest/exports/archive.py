"""All originals of a track as one ZIP, streamed: each file is read in chunks and handed on as it is
written, so neither memory nor disk ever holds the archive.

Files are stored, not deflated (JPEG, PNG and WebP are compressed already). Names inside are
``<entry number>/<nn>-<name>.<ext>``, the name being a cleaned form of the designer's file name;
the anonymised variant drops it (``<entry number>/<nn>.<ext>``). Every file carries the same fixed
timestamp, so the archive tells nothing about when anything was uploaded. ``SHA256SUMS`` at the
end lists the SHA-256 recorded at upload, for ``sha256sum -c``.
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
        name = member_name(row["entry__number"] or "", n, row["original_name"], row["original_format"],
                           anonymised=anonymised)
        yield Member(name, store.original_path(row["key"]), row["size_bytes"], row["sha256"])


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    async with aiofiles.open(path, "rb") as file:
        while chunk := await file.read(CHUNK):
            yield chunk


async def originals_zip(track: Track, store: UploadStore, *, anonymised: bool) -> AsyncIterator[bytes]:
    """The ZIP's bytes, piece by piece. A file missing from the store is listed in MISSING.txt."""
    sink, sums, missing = ZipSink(), [], []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        async for member in members(track, store, anonymised=anonymised):
            if not member.path.is_file():
                missing.append(member.name)
                continue
            info = zipfile.ZipInfo(member.name, date_time=FIXED_TIME)
            info.file_size = member.size
            with archive.open(info, "w") as out:
                async for chunk in _file_chunks(member.path):
                    out.write(chunk)
                    yield sink.take()
            sums.append(f"{member.sha256}  {member.name}\n")
        archive.writestr(zipfile.ZipInfo("SHA256SUMS", date_time=FIXED_TIME), "".join(sums))
        if missing:
            archive.writestr(zipfile.ZipInfo("MISSING.txt", date_time=FIXED_TIME), "".join(f"{m}\n" for m in missing))
    yield sink.take()
