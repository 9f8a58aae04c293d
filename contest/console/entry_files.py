"""The read model of the organisers' entry page: every file of the entry slot by slot, with what each says about
itself (a PDF's and a video's own metadata are for organisers only) and its AI provenance signal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contest.console.ai_flags import FileSignal, file_signal
from contest.contests.models import FileSlot
from contest.entries.disclosure import Disclosure, ai_label
from contest.entries.models import Entry, EntryFile, EntryImage

XMP_SHOWN = 4000  # characters of a PDF's XMP packet on the page; the stored packet is bounded already


@dataclass(frozen=True)
class ImageView:
    image: EntryImage
    signal: FileSignal


@dataclass(frozen=True)
class FileView:
    file: EntryFile
    pages: list[EntryImage]  # a PDF's rendered pages, in page order
    signal: FileSignal

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.file.details.get("metadata") or {})


@dataclass(frozen=True)
class SlotFiles:
    slot: FileSlot
    images: list[ImageView]  # uploaded images; a PDF's pages are under its FileView
    files: list[FileView]


@dataclass(frozen=True)
class EntryFiles:
    slots: list[SlotFiles]
    declared: Disclosure
    label: str | None  # "generated" | "assisted" | None: the stronger of the declaration and the files' signals


async def entry_files(entry: Entry) -> EntryFiles:
    """The entry's files, in its track's slot order; one query per table."""
    slots = await FileSlot.filter(track_id=entry.track_id).order_by("position", "id")
    images = await EntryImage.filter(entry_id=entry.id).order_by("position", "id")
    files = await EntryFile.filter(entry_id=entry.id).order_by("position", "id")
    pages: dict[int, list[EntryImage]] = {}
    for image in sorted(images, key=lambda i: i.page):
        if image.source_file_id is not None:
            pages.setdefault(image.source_file_id, []).append(image)
    views = [SlotFiles(
        slot,
        [ImageView(image, file_signal(image.provenance)) for image in images
         if image.slot_id == slot.id and image.source_file_id is None],
        [FileView(file, pages.get(file.id, []), file_signal(file.provenance)) for file in files
         if file.slot_id == slot.id],
    ) for slot in slots]
    declared = Disclosure.of(entry.ai_disclosure)
    signals = [image.provenance for image in images if image.source_file_id is None] + [f.provenance for f in files]
    return EntryFiles(views, declared, ai_label(declared, signals))
