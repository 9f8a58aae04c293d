"""Boards (展板) uploaded as PDF: checked in a bounded child process, each page rendered to an image that goes
through the image pipeline like an upload (derivatives, fingerprint, text for the leak check). Judges, the
gallery and the vote see only those pages. The PDF itself is kept privately, and what it says about itself
(author, producer, XMP, attachments, form fields) is kept for organisers only."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.contests.models import FileSlot, SlotKind
from contest.entries import images
from contest.entries.models import Entry, EntryFile, HeldUpload
from contest.entries.slots import Received, create_file_row, file_added, refusal_figures
from contest.errors import PDF_REFUSALS, InvalidUpload
from contest.media import pdf
from contest.media.storage import Storage, new_key
from contest.media.storage import original_name as stored_original


class BoardRefused(InvalidUpload):
    """A refused PDF, with the reason in the user's language."""


async def make_board(
    entry: Entry, slot: FileSlot, received: Received, *, store: Storage, by: User, now: datetime,
    read_text: bool = True, held: HeldUpload | None = None, seconds: float | None = None,
) -> EntryFile:
    """A stored PDF's pages rendered and made into images, then its rows, which replace `held`'s. On a refusal
    the pages go; the caller removes the original. `seconds`: as images.make_image's, per page."""
    page_keys: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="board-", dir=store.tmp))
    try:
        async with store.local_copy(stored_original(received.key)) as path:
            rendered = await _render(path, workdir, slot)
        prepared = await _prepare_pages(rendered, store, page_keys, slot, read_text=read_text, seconds=seconds)
        for page_key in page_keys:  # a page has derivatives only, no original of its own
            await store.commit_derived(page_key)
        async with in_transaction():
            await images.release(held)
            file = await create_file_row(entry, slot, received, kind=SlotKind.PDF, fmt="pdf",
                                         details=_details(rendered.info))
            for page, image in enumerate(prepared, start=1):
                await images.add_image_row(entry, slot, image, received.original_name, source_file_id=file.id,
                                           page=page)
            await file_added(entry, file, by=by, now=now)
        return file
    except BaseException:
        with anyio.CancelScope(shield=True):
            for page_key in page_keys:
                await store.delete(page_key)
        raise
    finally:
        await anyio.to_thread.run_sync(shutil.rmtree, workdir, True)


async def _render(path: Path, workdir: Path, slot: FileSlot) -> pdf.RenderedPdf:
    """Checked and rendered in one bounded child process (media.pdf)."""
    try:
        return await pdf.render_pages_async(path, workdir, limits=replace(pdf.DEFAULT_LIMITS, max_pages=slot.max_pages))
    except pdf.InvalidPdf as exc:
        figures = refusal_figures(SlotKind.PDF, exc.reason, exc.limit, exc.actual)
        raise BoardRefused(PDF_REFUSALS[exc.reason], **figures) from None


async def _prepare_pages(rendered: pdf.RenderedPdf, store: Storage, page_keys: list[str], slot: FileSlot, *,
                         read_text: bool, seconds: float | None) -> list[images.PreparedImage]:
    """Each page checked against the slot's minimum at 300 dpi and prepared as an image; the keys used are
    appended to `page_keys` as they are made, so the caller can remove them all on a refusal."""
    prepared = []
    for page in rendered.pages:
        images.require_edges(slot, page.width_300dpi, page.height_300dpi)
        page_keys.append(new_key())
        prepared.append(await images.prepare_image(page.path, store, page_keys[-1], read_text=read_text,
                                                   seconds=seconds))
    return prepared


def _details(info: pdf.PdfInfo) -> dict[str, Any]:
    return {"pages": info.pages, "page_sizes_mm": [[round(side, 1) for side in size.mm] for size in info.page_sizes],
            "metadata": info.metadata}
