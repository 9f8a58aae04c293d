"""Integrity: near-duplicate images across entries and against the reference set, entries held by the leak check,
and entries whose files' AI signals disagree with their declaration or their track's policy."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.console.ai_flags import ai_flags
from contest.contests.models import Contest
from contest.entries import duplicates
from contest.entries.images import file_chunks
from contest.entries.models import Entry
from contest.errors import InvalidInput, InvalidUpload, found
from contest.i18n import N_
from contest.judging import leaks
from contest.media.storage import derived_name
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.limits import body_limit
from contest.web.infra.media import file_response
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.infra.uploads import UPLOAD_BODY_LIMIT, upload_store
from contest.web.organiser.ai_labels import ai_labels
from contest.web.organiser.common import organised_contest


async def duplicate_pairs(request: Request, *, errors: dict[str, str] | None = None,
                          typed: dict[str, str] | None = None, status: int = 200) -> Response:
    contest = await organised_contest(request)
    review = await duplicates.duplicate_review(contest)
    context = {"contest": contest, "pairs": review.open, "dismissed": review.dismissed, "errors": errors or {},
               "typed": typed or {}}
    return render(request, "organiser/duplicates.html", context, status_code=status)


async def duplicate_dismiss(request: Request) -> Response:
    """"Not a duplicate": the pair leaves the open list, with the organiser's note (kept, audited)."""
    contest = await organised_contest(request)
    form = await read_form(request)
    left, right = text(form, "left", max_length=64), text(form, "right", max_length=64)
    note = text(form, "note", max_length=duplicates.NOTE_MAX + 1)
    try:
        await duplicates.dismiss_pair(contest, left, right, note=note, by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        pair = "|".join(duplicates.pair_key(left, right))
        return await duplicate_pairs(request, errors={pair: exc.field_errors["note"]}, typed={pair: note}, status=400)
    response = RedirectResponse(request.url_for("organiser:duplicates", slug=contest.slug), status_code=303)
    flash(request, response, N_("Marked as not a duplicate. It is listed under 'Dismissed' with your note."))
    return response


@body_limit(UPLOAD_BODY_LIMIT)
async def reference_upload(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidUpload(N_("Choose an image to upload."))
        await duplicates.add_reference_image(
            contest, file_chunks(upload.file), store=upload_store(request),
            label=text(form, "label", max_length=200), by=require_user(request), now=clock.now())
    finally:
        await form.close()
    response = RedirectResponse(request.url_for("organiser:duplicates", slug=contest.slug), status_code=303)
    flash(request, response, N_("Reference image added."))
    return response


async def reference_image(request: Request) -> Response:
    contest = await organised_contest(request)
    reference = found(await duplicates.reference_for(contest, request.path_params["key"]))
    stored = derived_name(reference.key, "thumb", "WEBP")
    return await file_response(request, stored, "image/webp", reference.key, cache="private, no-store")


async def leak_flags(request: Request, *, errors: dict[int, dict[str, str]] | None = None,
                     status: int = 200) -> Response:
    contest = await organised_contest(request)
    flagged = await leaks.flagged_entries(contest.id)
    return render(request, "organiser/leaks.html", {"contest": contest, "flagged": flagged, "errors": errors or {}},
                  status_code=status)


async def ai_check(request: Request) -> Response:
    contest = await organised_contest(request)
    return render(request, "organiser/ai_flags.html", {"contest": contest, "flags": await ai_flags(contest),
                                                       **ai_labels()})


async def _flagged_entry(request: Request) -> tuple[Contest, Entry]:
    contest = await organised_contest(request)
    return contest, found(await leaks.flagged_entry(contest.id, request.path_params["entry_id"]))


async def leak_clear(request: Request) -> Response:
    contest, entry = await _flagged_entry(request)
    await read_form(request)
    await leaks.clear_leak(entry, by=require_user(request), now=clock.now())
    response = RedirectResponse(request.url_for("organiser:leaks", slug=contest.slug), status_code=303)
    flash(request, response, N_("Cleared: the entry goes to judges as it is."))
    return response


async def leak_redact(request: Request) -> Response:
    contest, entry = await _flagged_entry(request)
    form = await read_form(request)
    try:
        await leaks.redact_entry(entry, title=text(form, "title", max_length=leaks.TITLE_MAX + 1),
                                 concept=text(form, "concept", max_length=20_000), by=require_user(request),
                                 now=clock.now())
    except InvalidInput as exc:
        return await leak_flags(request, errors={entry.id: exc.field_errors}, status=400)
    response = RedirectResponse(request.url_for("organiser:leaks", slug=contest.slug), status_code=303)
    flash(request, response, N_("Redacted: judges see the new text."))
    return response


routes = [
    Route("/c/{slug}/duplicates", duplicate_pairs, name="duplicates"),
    Route("/c/{slug}/duplicates/dismiss", duplicate_dismiss, methods=["POST"], name="duplicate_dismiss"),
    Route("/c/{slug}/references", reference_upload, methods=["POST"], name="reference_upload"),
    Route("/c/{slug}/references/{key:str}", reference_image, name="reference_image"),
    Route("/c/{slug}/leaks", leak_flags, name="leaks"),
    Route("/c/{slug}/ai-flags", ai_check, name="ai_flags"),
    Route("/c/{slug}/leaks/{entry_id:int}/clear", leak_clear, methods=["POST"], name="leak_clear"),
    Route("/c/{slug}/leaks/{entry_id:int}/redact", leak_redact, methods=["POST"], name="leak_redact"),
]
