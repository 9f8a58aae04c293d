"""The stage before the final, for organisers: the finalists with their tasks and what is missing, the forfeit
of a place (with a reason) and the entry that moves up, the sample register, and the sheet of blind labels.

The arrival photo is served only here, as its re-encoded copy, never cached; the labels' QR codes open each
entry's judging page, whose URL only this layer knows.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock, permissions
from contest.console import finalists as console_finalists
from contest.contests.models import Contest
from contest.entries.images import file_chunks
from contest.entries.slots import ABSOLUTE_MAX_FILE
from contest.errors import InvalidInput, found
from contest.finalists import forfeits, labels, samples
from contest.finalists.models import Disposition, Sample
from contest.finalists.tasks import TaskStatus
from contest.i18n import N_
from contest.judging.models import Round
from contest.media.storage import derived_name
from contest.web.infra import media
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.limits import body_limit
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.infra.uploads import upload_store
from contest.web.organiser.common import form_values, organised_round, redirect_to

STATUS_LABELS = {TaskStatus.OPEN: N_("To do"), TaskStatus.DONE: N_("Done"), TaskStatus.MISSING: N_("Missing"),
                 TaskStatus.CLOSED: N_("Not sent (optional)")}
DISPOSITION_LABELS = {Disposition.PENDING: N_("Kept for now"), Disposition.RETURNED: N_("Returned to the designer"),
                      Disposition.RETAINED: N_("Retained by the organisers")}
NO_STORE = "private, no-store"
PHOTO_BODY_LIMIT = ABSOLUTE_MAX_FILE + 64 * 1024


async def finalists_page(request: Request, *, form: str = "", values: dict[str, str] | None = None,
                         errors: dict[str, str] | None = None, status: int = 200) -> Response:
    contest, round_ = await organised_round(request)
    desk = await console_finalists.finalists_desk(contest, round_, now=clock.now())
    context = {"contest": contest, "round": round_, "desk": desk, "status_labels": STATUS_LABELS, "form": form,
               "values": values or {}, "errors": errors or {}}
    return render(request, "organiser/finalists.html", context, status_code=status)


async def finalist_forfeit(request: Request) -> Response:
    """The organiser confirms that a finalist forfeits its place for a missing task; the next entry moves up."""
    contest, round_ = await organised_round(request)
    entry_id = int(request.path_params["entry_id"])
    values = form_values(await read_form(request))
    try:
        forfeit = await forfeits.forfeit_place(round_, entry_id, reason=values.get("reason", ""),
                                               by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await finalists_page(request, form=f"forfeit-{entry_id}", values=values, errors=exc.field_errors,
                                    status=400)
    response = redirect_to(request, "organiser:finalists", slug=contest.slug, round_id=round_.id)
    if forfeit.replaced_by_id is None:
        flash(request, response, N_("The place is forfeited. No entry of the previous round is left to move up."),
              level="warning")
    else:
        flash(request, response, N_("The place is forfeited, and the next entry moved up into the round."))
    return response


# --- the sample register -------------------------------------------------------------------------


async def samples_page(request: Request, *, form: str = "", values: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None, status: int = 200) -> Response:
    contest, round_ = await organised_round(request)
    context: dict[str, Any] = {
        "contest": contest, "round": round_, "rows": await console_finalists.sample_register(contest, round_),
        "dispositions": DISPOSITION_LABELS, "form": form, "values": values or {}, "errors": errors or {}}
    return render(request, "organiser/samples.html", context, status_code=status)


async def _sample(request: Request) -> tuple[Contest, Round, Sample]:
    contest, round_ = await organised_round(request)
    return contest, round_, found(await samples.sample_of(round_, int(request.path_params["sample_id"])))


def _back_to_register(request: Request, contest: Contest, round_: Round, message: str) -> Response:
    response = redirect_to(request, "organiser:samples", slug=contest.slug, round_id=round_.id)
    flash(request, response, message)
    return response


@body_limit(PHOTO_BODY_LIMIT)
async def sample_arrival(request: Request) -> Response:
    """An entry's sample arrived: a photo (a new one replaces the old), its condition and where it is kept."""
    contest, round_ = await organised_round(request)
    entry_id = int(request.path_params["entry_id"])
    form = await read_form(request)
    values = form_values(form)
    upload = form.get("photo")
    photo = file_chunks(upload.file) if isinstance(upload, UploadFile) and upload.filename else None
    try:
        await samples.record_arrival(round_, entry_id, photo=photo, condition=values.get("condition", ""),
                                     location=values.get("location", ""), store=upload_store(request),
                                     by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await samples_page(request, form=f"arrival-{entry_id}", values=values, errors=exc.field_errors,
                                  status=400)
    return _back_to_register(request, contest, round_, N_("Arrival recorded."))


async def sample_keeping(request: Request) -> Response:
    """Where the sample is kept, and whether it is returned or retained."""
    contest, round_, sample = await _sample(request)
    values = form_values(await read_form(request))
    try:
        await samples.set_keeping(sample, location=values.get("location", ""),
                                  disposition=values.get("disposition", ""), by=require_user(request),
                                  now=clock.now())
    except InvalidInput as exc:
        return await samples_page(request, form=f"keeping-{sample.id}", values=values, errors=exc.field_errors,
                                  status=400)
    return _back_to_register(request, contest, round_, N_("Saved."))


async def sample_photo(request: Request) -> Response:
    """The arrival photo's re-encoded copy (its metadata gone); the key is random and never reused: its ETag."""
    _, _, sample = await _sample(request)
    permissions.require(bool(sample.photo_key))
    stored = derived_name(sample.photo_key, "judging", "JPEG")
    return await media.file_response(request, stored, "image/jpeg", sample.photo_key, cache=NO_STORE)


async def sample_labels(request: Request) -> Response:
    """The A4 sheet of blind labels: each sample's alias and a QR code of the entry's judging page."""
    contest, round_ = await organised_round(request)
    sheet = [labels.Label(alias, str(request.url_for("judge:score", round_id=round_.id, alias=alias)))
             for alias in await console_finalists.label_aliases(round_)]
    pdf = await labels.label_sheet(sheet, round_name=round_.name)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{contest.slug}-round-{round_.id}-labels.pdf"',
        "Cache-Control": NO_STORE})


_round = "/c/{slug}/rounds/{round_id:int}"
routes = [
    Route(_round + "/finalists", finalists_page, name="finalists"),
    Route(_round + "/finalists/{entry_id:int}/forfeit", finalist_forfeit, methods=["POST"], name="finalist_forfeit"),
    Route(_round + "/samples", samples_page, name="samples"),
    Route(_round + "/samples/labels.pdf", sample_labels, name="sample_labels"),
    Route(_round + "/samples/arrival/{entry_id:int}", sample_arrival, methods=["POST"], name="sample_arrival"),
    Route(_round + "/samples/{sample_id:int}/keeping", sample_keeping, methods=["POST"], name="sample_keeping"),
    Route(_round + "/samples/{sample_id:int}/photo", sample_photo, name="sample_photo"),
]
