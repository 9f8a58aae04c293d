"""The press kit: the winners' public images and a caption sheet, as one ZIP for the press and the exhibition.

The images are the copies the award gallery serves at its largest size (display.jpeg, contest.results.gallery),
never the private originals, and like the gallery's they carry the implicit AIGC label (GB 45438) in their
metadata when the entry declared AI use or its files showed it; the caption sheet names the visible label.
Winners come in the gallery's order (best grade first); each entry's public images in the designer's order.

The archive holds ``captions.xlsx`` and ``captions.csv`` (file name, entry number, title, track, grade, public
name, AI label, a short statement), then ``images/<number>-<nn>-<title>.jpg``; an image whose copy is missing
from the store is listed in ``MISSING.txt`` instead. Streamed: memory holds one image at a time.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from contest.contests.models import Contest, SlotAudience
from contest.entries.models import Entry, EntryImage
from contest.exports.archive import FIXED_TIME, safe_part
from contest.exports.delimited import csv_chunks
from contest.exports.tables import Column, Row, Sheet, joined
from contest.exports.xlsx import workbook_bytes
from contest.media import provenance
from contest.media.provenance import AigcLabel
from contest.media.storage import Storage, derived_name
from contest.results import gallery
from contest.results.gallery import Winner
from contest.zipstream import ZipSink

VARIANT = "display.jpeg"  # the largest copy the gallery serves
STATEMENT_LENGTH = 120
AI_LABELS = {"generated": "人工智能生成", "assisted": "人工智能辅助"}
CAPTION_COLUMNS = (Column("文件名", "File"), Column("作品编号", "Entry number"), Column("作品名称", "Title"),
                   Column("赛道", "Track"), Column("奖项", "Award"), Column("获奖者", "Winner"),
                   Column("AI 标识", "AI label"), Column("作品简介", "Statement"))
IMAGE_VALUES = ("entry_id", "key", "derivatives", "provenance", "entry__number", "entry__ai_disclosure")


@dataclass(frozen=True)
class PressImage:
    name: str  # inside the archive
    stored: str  # the stored copy's name
    label: AigcLabel | None  # written into the copy's metadata, as the gallery does


def short_statement(concept: str, length: int = STATEMENT_LENGTH) -> str:
    """The statement's first paragraph, cut at `length` characters with an ellipsis."""
    first = next((part.strip() for part in concept.splitlines() if part.strip()), "")
    return first if len(first) <= length else first[:length - 1].rstrip() + "…"


def image_name(winner: Winner, n: int) -> str:
    return f"images/{safe_part(winner.number) or 'entry'}-{n:02d}-{safe_part(winner.title) or 'untitled'}.jpg"


def caption_row(winner: Winner, file: str, concept: str) -> Row:
    return [file, winner.number, winner.title, winner.track.name, joined(p.name for p in winner.prizes),
            winner.public_name, AI_LABELS.get(winner.ai_label or "", ""), short_statement(concept)]


def plan(winners: Sequence[Winner], images: Sequence[dict[str, Any]], concepts: dict[int, str]
         ) -> tuple[list[PressImage], list[Row]]:
    """Pure: the archive's images and the caption rows, one per image (an entry without a public copy gets a
    row without a file, so the press still has its caption)."""
    by_entry: dict[int, list[dict[str, Any]]] = {}
    for row in images:
        if VARIANT in (row["derivatives"] or {}):
            by_entry.setdefault(row["entry_id"], []).append(row)
    members, captions = [], []
    for winner in winners:
        rows = by_entry.get(winner.entry_id, [])
        for n, row in enumerate(rows, start=1):
            name = image_name(winner, n)
            label = gallery.implicit_label(row["provenance"], row["entry__number"], row["entry__ai_disclosure"])
            members.append(PressImage(name, derived_name(row["key"], "display", "JPEG"), label))
            captions.append(caption_row(winner, name.removeprefix("images/"), concepts.get(winner.entry_id, "")))
        if not rows:
            captions.append(caption_row(winner, "", concepts.get(winner.entry_id, "")))
    return members, captions


async def press_kit_plan(contest: Contest) -> tuple[list[PressImage], list[Row]]:
    """The confirmed winners' public images and captions, in four queries."""
    winners = await gallery.with_covers(await gallery.contest_winners(contest, await gallery.tracks_of(contest)))
    ids = [w.entry_id for w in winners]
    images = await EntryImage.filter(entry_id__in=ids, slot__audience=SlotAudience.PUBLIC).order_by(
        "entry_id", "position", "id").values(*IMAGE_VALUES)
    concepts = dict(await Entry.filter(id__in=ids).values_list("id", "concept"))
    return plan(winners, images, concepts)


def caption_sheet(captions: list[Row]) -> Sheet:
    async def batches() -> AsyncIterator[list[Row]]:
        yield captions
    return Sheet("图片说明", CAPTION_COLUMNS, batches)


async def _caption_files(captions: list[Row]) -> list[tuple[str, bytes]]:
    xlsx = await workbook_bytes([caption_sheet(captions)], languages=("zh",))
    csv = b"".join([chunk async for chunk in csv_chunks(caption_sheet(captions), languages=("zh",))])
    return [("captions.xlsx", xlsx), ("captions.csv", csv)]


async def _image_bytes(store: Storage, image: PressImage) -> bytes | None:
    try:
        data = await store.read(image.stored)
    except FileNotFoundError:
        return None
    return provenance.labelled(data, "JPEG", image.label) if image.label else data


async def press_kit_zip(contest: Contest, store: Storage) -> AsyncIterator[bytes]:
    """The ZIP's bytes, piece by piece: the caption files, then one image at a time."""
    members, captions = await press_kit_plan(contest)
    sink, missing = ZipSink(), []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in await _caption_files(captions):
            archive.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
        yield sink.take()
        for image in members:
            copy = await _image_bytes(store, image)
            if copy is None:
                missing.append(image.name)
                continue
            archive.writestr(zipfile.ZipInfo(image.name, date_time=FIXED_TIME), copy)
            yield sink.take()
        if missing:
            archive.writestr(zipfile.ZipInfo("MISSING.txt", date_time=FIXED_TIME), "".join(f"{m}\n" for m in missing))
    yield sink.take()
