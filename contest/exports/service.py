"""The exports an organiser can download, each recorded in the audit log before its first byte."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from tortoise.functions import Count, Sum

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import Contest, Track
from contest.contests.queries import tracks_in_order
from contest.entries.models import Entry, EntryFile, EntryImage
from contest.entries.states import EntryState
from contest.exports.archive import originals_zip
from contest.exports.award_list import award_list_workbook
from contest.exports.delimited import csv_chunks
from contest.exports.entries import entry_sheets
from contest.exports.press_kit import press_kit_zip
from contest.exports.results import result_sheets
from contest.exports.scores import score_sheets
from contest.exports.tables import HeaderLanguages, Sheet
from contest.exports.xlsx import write_workbook
from contest.media.storage import Storage
from contest.results.award_list import award_list
from contest.results.award_list_pdf import award_list_pdf

SheetBuilder = Callable[..., Awaitable[list[Sheet]]]
TABLES: dict[str, SheetBuilder] = {"entries": entry_sheets, "scores": score_sheets, "results": result_sheets}


async def _log(contest: Contest, *, what: str, fmt: str, anonymised: bool, by: User, now: datetime,
               track: Track | None = None) -> None:
    data = {"export": what, "format": fmt, "anonymised": anonymised, "track_id": track.id if track else None}
    await record("export.downloaded", subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                 data=data)


async def workbook(contest: Contest, table: str, *, anonymised: bool, headers: HeaderLanguages, by: User,
                   now: datetime) -> IO[bytes]:
    """`table` ("entries", "scores" or "results") as an XLSX file with one sheet per track (and, for the
    results, one of exact figures per track after them). Audited."""
    await _log(contest, what=table, fmt="xlsx", anonymised=anonymised, by=by, now=now)
    sheets = await TABLES[table](contest, await tracks_in_order(contest), anonymised=anonymised)
    return await write_workbook(sheets, languages=headers)


async def track_csv(contest: Contest, track: Track, table: str, *, anonymised: bool, headers: HeaderLanguages,
                    by: User, now: datetime) -> AsyncIterator[bytes]:
    """One track's sheet of `table` as CSV bytes, streamed (the figures as shown; the exact ones are in the
    workbook). Audited before the first byte."""
    await _log(contest, what=table, fmt="csv", anonymised=anonymised, by=by, now=now, track=track)
    sheet, *_exact = await TABLES[table](contest, [track], anonymised=anonymised)
    return csv_chunks(sheet, languages=headers)


async def track_originals(contest: Contest, track: Track, store: Storage, *, anonymised: bool, by: User,
                          now: datetime) -> AsyncIterator[bytes]:
    """The track's originals as a streamed ZIP. Audited before the first byte."""
    await _log(contest, what="originals", fmt="zip", anonymised=anonymised, by=by, now=now, track=track)
    return originals_zip(track, store, anonymised=anonymised)


async def award_list_pdf_file(contest: Contest, *, by: User, now: datetime) -> bytes:
    """The award list (获奖名单) of the confirmed awards as it stands, as a PDF; organisers have it before the
    announcement. Audited."""
    await _log(contest, what="award_list", fmt="pdf", anonymised=False, by=by, now=now)
    return await award_list_pdf(await award_list(contest, now=now))


async def award_list_xlsx_file(contest: Contest, *, by: User, now: datetime) -> bytes:
    """The same list as an XLSX file. Audited."""
    await _log(contest, what="award_list", fmt="xlsx", anonymised=False, by=by, now=now)
    return await award_list_workbook(await award_list(contest, now=now))


async def press_kit(contest: Contest, store: Storage, *, by: User, now: datetime) -> AsyncIterator[bytes]:
    """The winners' public images with a caption sheet, as a streamed ZIP. Audited before the first byte."""
    await _log(contest, what="press_kit", fmt="zip", anonymised=False, by=by, now=now)
    return press_kit_zip(contest, store)


@dataclass(frozen=True)
class TrackSummary:
    track: Track
    entries: int  # in every state
    submitted: int
    originals: int  # files the submitted entries' designers uploaded
    original_bytes: int


async def track_summaries(contest: Contest) -> list[TrackSummary]:
    """What the exports page shows beside each track's downloads, in five grouped queries."""
    tracks = await tracks_in_order(contest)
    ids = [t.id for t in tracks]
    entries = dict(await Entry.filter(track_id__in=ids).annotate(n=Count("id")).group_by("track_id")
                   .values_list("track_id", "n"))
    submitted = dict(await Entry.filter(track_id__in=ids, state=EntryState.SUBMITTED).annotate(n=Count("id"))
                     .group_by("track_id").values_list("track_id", "n"))
    uploads = [await model.filter(entry__track_id__in=ids, entry__state=EntryState.SUBMITTED, **only_uploads)
               .annotate(n=Count("id"), size=Sum("size_bytes")).group_by("entry__track_id")
               .values_list("entry__track_id", "n", "size") for model, only_uploads in _UPLOADS]
    files: dict[int, tuple[int, int]] = {}
    for track_id, n, size in (row for rows in uploads for row in rows):
        count, total = files.get(track_id, (0, 0))
        files[track_id] = (count + n, total + (size or 0))
    return [TrackSummary(t, entries.get(t.id, 0), submitted.get(t.id, 0), *files.get(t.id, (0, 0))) for t in tracks]


# what the designers uploaded: images (a PDF's rendered pages are the PDF's), and PDF, video and source files
_UPLOADS: tuple[tuple[type[EntryImage] | type[EntryFile], dict[str, Any]], ...] = (
    (EntryImage, {"source_file_id": None}), (EntryFile, {}))
