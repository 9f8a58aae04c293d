"""The entry page's files, slot by slot: uploads (from the page's script, resumable, or a plain form), and the
image and file actions. Every change answers with the slots' lists and the checklist of what is missing,
rendered by the server, which the script puts in place of the old ones: what was typed in the form stays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.accounts.models import User
from contest.contests.models import FileSlot, SlotKind
from contest.entries import queries, service
from contest.entries.images import file_chunks
from contest.entries.models import Entry, EntryFile, EntryImage, FileStatus, HeldStatus, HeldUpload
from contest.entries.slots import KIND_MAX_MB, MIB, is_slot_open, max_file_bytes
from contest.entries.uploads import Added, accepted_formats, kind_of
from contest.errors import VIDEO_REFUSALS, ContestError, InvalidUpload, NotFound, found
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import edits
from contest.media.resumable import Target
from contest.media.storage import TempUpload
from contest.web.infra.errors import wants_json
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.limits import body_limit
from contest.web.infra.resumable import Grant, tus_routes
from contest.web.infra.session import require_user
from contest.web.infra.templating import render_fragment
from contest.web.infra.uploads import UPLOAD_BODY_LIMIT, declared_length, made_later, upload_chunks, upload_store

# what the file picker offers per kind; the server reads the real type from the bytes anyway
ACCEPT = {SlotKind.IMAGE: "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif",
          SlotKind.PDF: "application/pdf,.pdf", SlotKind.VIDEO: "video/mp4,video/quicktime,video/webm,.mp4,.mov,.webm",
          SlotKind.SOURCE: "*/*"}


@dataclass(frozen=True)
class SlotView:
    """One slot on the entry page: its rules, what is in it, and whether the designer may change it now."""

    slot: FileSlot
    images: list[EntryImage]
    files: list[EntryFile]
    held: list[HeldUpload]  # images and PDFs a job is making, or refused
    pages: dict[int, list[EntryImage]]  # a PDF's rendered pages, by its file id
    open: bool
    limit_mb: int

    @property
    def count(self) -> int:
        return len(self.images) + len(self.files) + sum(held.status == HeldStatus.PROCESSING for held in self.held)

    @property
    def processing(self) -> bool:
        return any(held.status == HeldStatus.PROCESSING for held in self.held) or any(
            file.status == FileStatus.PROCESSING for file in self.files)

    @property
    def room(self) -> int:
        return max(self.slot.max_count - self.count, 0)

    @property
    def accept(self) -> str:
        return ",".join(ACCEPT[SlotKind(kind)] for kind in self.slot.kinds)

    @property
    def formats(self) -> str:
        return accepted_formats(self.slot.kinds)


async def own_entry(request: Request, user: User) -> Entry:
    return found(await queries.entry_for_designer(user, int(request.path_params["entry_id"])))


async def slot_views(entry: Entry, now: datetime) -> list[SlotView]:
    """The entry's slots with their files, from the prefetched entry (track slots, images, files)."""
    reached = await edits.reached_round(entry)
    pages: dict[int, list[EntryImage]] = {}
    for image in entry.images:
        if image.source_file_id is not None:
            pages.setdefault(image.source_file_id, []).append(image)
    return [SlotView(slot, [i for i in entry.images if i.slot_id == slot.id and i.source_file_id is None],
                     [f for f in entry.files if f.slot_id == slot.id],
                     [held for held in entry.held_uploads if held.slot_id == slot.id], pages,
                     is_slot_open(entry, slot, now, reached_round=reached), max_file_bytes(slot) // MIB)
            for slot in entry.track.slots]


def _slot(entry: Entry, key: str) -> FileSlot:
    return found(next((slot for slot in entry.track.slots if slot.key == key), None))


async def files_context(entry: Entry, now: datetime) -> dict[str, object]:
    """What the entry page's file lists need."""
    return {"slots": await slot_views(entry, now), "video_failures": VIDEO_REFUSALS}


async def _lists(request: Request, user: User, entry_id: int | None = None) -> str:
    """Every slot's list and the checklist, as the entry page shows them."""
    entry = found(await queries.entry_for_designer(user, entry_id or int(request.path_params["entry_id"])))
    context = {"entry": entry, "problems": service.submission_problems(entry, declared=True),
               **await files_context(entry, clock.now())}
    return render_fragment(request, "_partials/_entry_files.html", context) + render_fragment(
        request, "_partials/_submission_problems.html", context)


def _back_to_files(request: Request, entry: Entry) -> Response:
    return RedirectResponse(str(request.url_for("designer:entry", entry_id=entry.id)) + "#files", status_code=303)


@body_limit(UPLOAD_BODY_LIMIT)
async def file_upload(request: Request) -> Response:
    """Raw-body upload (one file per request) from the page's script; answers JSON with the new lists."""
    user = require_user(request)
    entry = await own_entry(request, user)
    slot = _slot(entry, request.path_params["slot"])
    added = await edits.add_file(entry, slot, upload_chunks(request), store=upload_store(request), by=user,
                                 original_name=request.query_params.get("name", ""), now=clock.now(),
                                 declared_bytes=declared_length(request), later=made_later(request))
    return JSONResponse({**_described(request, added), "html": await _lists(request, user)}, status_code=201)


def _described(request: Request, added: Added) -> dict[str, object]:
    """What the page's script (and an API client) learns about the file it sent."""
    if isinstance(added, HeldUpload):
        return {"id": added.id, "kind": added.kind, "status": added.status.value}
    if isinstance(added, EntryFile):
        return {"id": added.id, "kind": added.kind, "status": added.status.value}
    return {"id": added.id, "kind": SlotKind.IMAGE.value, "width": added.width, "height": added.height,
            "thumb": str(request.url_for("media:image", key=added.key, variant="thumb.webp"))}


@body_limit(UPLOAD_BODY_LIMIT)
async def file_upload_form(request: Request) -> Response:
    """The no-script fallback: an ordinary multipart form with one or more files, each kept or refused alone."""
    user = require_user(request)
    entry = await own_entry(request, user)
    slot = _slot(entry, request.path_params["slot"])
    form = await read_form(request)
    try:
        files = [f for f in form.getlist("files") if not isinstance(f, str)]
        if not files:
            raise InvalidUpload(N_("Choose at least one file."))
        refusals = []
        for upload in files:
            try:
                await edits.add_file(entry, slot, file_chunks(upload.file), store=upload_store(request), by=user,
                                     original_name=upload.filename or "", now=clock.now(), declared_bytes=upload.size,
                                     later=made_later(request))
            except ContestError as refusal:
                refusals.append(refusal)
    finally:
        await form.close()
    if len(refusals) == len(files):
        raise refusals[0]
    response = _back_to_files(request, entry)
    for refused in refusals:
        flash(request, response, refused.message, level="error", **refused.params)
    flash(request, response, N_("{count} file(s) uploaded."), count=len(files) - len(refusals))
    return response


async def _changed(request: Request, user: User, entry: Entry) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True, "html": await _lists(request, user)})
    return _back_to_files(request, entry)


async def file_delete(request: Request) -> Response:
    user = require_user(request)
    entry = await own_entry(request, user)
    await read_form(request)
    await edits.delete_file(entry, int(request.path_params["file_id"]), store=upload_store(request), by=user,
                            now=clock.now())
    return await _changed(request, user, entry)


async def refused_remove(request: Request) -> Response:
    """A held upload a job refused, cleared from the list once its reason has been read."""
    user = require_user(request)
    entry = await own_entry(request, user)
    await read_form(request)
    await edits.remove_refused(entry, int(request.path_params["held_id"]), now=clock.now())
    return await _changed(request, user, entry)


async def file_lists(request: Request) -> Response:
    """The lists again, for the page's script while an upload is being processed (it asks every few seconds)."""
    user = require_user(request)
    await own_entry(request, user)
    return JSONResponse({"html": await _lists(request, user)})


async def image_action(request: Request) -> Response:
    user = require_user(request)
    entry = await own_entry(request, user)
    await read_form(request)
    image_id, action = int(request.path_params["image_id"]), request.path_params["action"]
    now = clock.now()
    if action == "delete":
        await edits.delete_image(entry, image_id, store=upload_store(request), by=user, now=now)
    elif action == "cover":
        await edits.set_cover(entry, image_id, by=user, now=now)
    elif action in {"up", "down"}:
        await edits.move_image(entry, image_id, -1 if action == "up" else 1, by=user, now=now)
    else:
        raise NotFound()
    return await _changed(request, user, entry)


async def image_order(request: Request) -> Response:
    user = require_user(request)
    entry = await own_entry(request, user)
    form = await read_form(request)
    ids = [n for v in text(form, "order").split(",") if (n := parse_integer(v.strip())) is not None]
    await edits.reorder_images(entry, ids, by=user, now=clock.now())
    return JSONResponse({"ok": True, "html": await _lists(request, user)})


# --- resumable uploads (tus): large files from phones survive a dropped connection ---------------------


async def _authorise_resumable(request: Request, metadata: dict[str, str]) -> Grant:
    """The same checks as a plain upload's first step: the designer's own entry, a slot open to them with room."""
    user = require_user(request)
    entry = await own_entry(request, user)
    slot = _slot(entry, request.path_params["slot"])
    await edits.check_room_for_upload(entry, slot, now=clock.now())
    target: Target = {"entry": entry.id, "slot": slot.key, "kinds": ",".join(slot.kinds),
                      "name": metadata.get("filename", "")}
    return Grant(target, max_file_bytes(slot))


def _check_resumable_head(target: Target, head: bytes) -> None:
    """A file of the wrong kind is refused at its first bytes, not after 100 MB."""
    kind_of(head, str(target["name"]), str(target["kinds"]).split(","))


async def _resumable_done(request: Request, target: Target, temp: TempUpload) -> dict[str, object]:
    user = require_user(request)
    entry = found(await queries.entry_for_designer(user, int(target["entry"])))
    slot = _slot(entry, str(target["slot"]))
    added = await edits.add_received_file(entry, slot, temp, store=upload_store(request), by=user,
                                          original_name=str(target["name"]), now=clock.now(),
                                          later=made_later(request))
    return {**_described(request, added), "html": await _lists(request, user, entry.id)}


routes = [
    *tus_routes("/entries/{entry_id:int}/slots/{slot:str}/resumable", name="resumable",
                authorise=_authorise_resumable, on_complete=_resumable_done, check_head=_check_resumable_head,
                max_bytes=max(KIND_MAX_MB.values()) * MIB),
    Route("/entries/{entry_id:int}/slots/{slot:str}/files", file_upload, methods=["POST"], name="file_upload"),
    Route("/entries/{entry_id:int}/slots/{slot:str}/files/form", file_upload_form, methods=["POST"],
          name="file_upload_form"),
    Route("/entries/{entry_id:int}/files", file_lists, name="file_lists"),
    Route("/entries/{entry_id:int}/files/{file_id:int}/delete", file_delete, methods=["POST"], name="file_delete"),
    Route("/entries/{entry_id:int}/refused/{held_id:int}/remove", refused_remove, methods=["POST"],
          name="refused_remove"),
    Route("/entries/{entry_id:int}/images/order", image_order, methods=["POST"], name="image_order"),
    Route("/entries/{entry_id:int}/images/{image_id:int}/{action}", image_action, methods=["POST"],
          name="image_action"),
]
