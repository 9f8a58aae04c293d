"""The public notice (公示) and its objection form.

Before the notice period starts, and until an organiser approved the notice (notice.is_public), both
are the 404 of a missing page, sent with `Cache-Control: no-store`; the contest's organisers see the
notice page as a marked preview. Each listed entry's cover is served with the notice, under the
same rule, so the public can object on originality.
The objection form exists only while objections are open; after that it says so (409), since the
notice itself is public by then. Pages are never stored by shared caches: the countdown, the
form's token and the case outcomes change under them.
"""

from __future__ import annotations

from datetime import datetime

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock, permissions
from contest.accounts import queries as account_queries
from contest.contests.models import Contest
from contest.entries.images import file_chunks
from contest.errors import InvalidInput, TooManyAttempts, found
from contest.i18n import N_
from contest.media.storage import derived_name
from contest.results import embargo, notice, objections
from contest.results.gallery import PUBLIC_VARIANTS
from contest.results.objections import ObjectionInput, ObjectionsClosed
from contest.web.infra import media
from contest.web.infra.flash import flash
from contest.web.infra.forms import client_address, read_form, text
from contest.web.infra.limits import body_limit
from contest.web.infra.lookups import published_contest
from contest.web.infra.session import current_user
from contest.web.infra.templating import render
from contest.web.infra.uploads import UPLOAD_BODY_LIMIT, upload_store

LIMITS = {**objections.MAX_LENGTH, "entry": 32}
PHASE_MESSAGES = {
    notice.Phase.NONE: N_("This contest has no public notice period."),
    notice.Phase.SOON: N_("The public notice has not started."),
    notice.Phase.OPEN: N_("Objections may be filed until the end of the notice period."),
    notice.Phase.CLOSED: N_("The notice period has ended. The results become final once every objection is decided."),
    notice.Phase.FINAL: N_("The notice period has ended and every objection is decided: these results are final."),
}


async def notice_page(request: Request) -> Response:
    contest = await published_contest(request)
    now = clock.now()
    preview = await _preview(request, contest, now)
    shown = await notice.current(contest)
    cases = await notice.open_cases(contest)
    current, ended = notice.phase(contest, now, open_cases=cases), notice.ended(open_cases=cases)
    # the ended phase goes out hidden, for the countdown to show at the end without a reload
    context = {"contest": contest, "preview": preview, "shown": shown, "phase": current,
               "phase_message": PHASE_MESSAGES[current], "ended": ended, "ended_message": PHASE_MESSAGES[ended],
               "window": embargo.notice_window(contest), "length": notice.length_parts(contest.notice_days),
               "listing": notice.arrange(await notice.listed(contest, shown.kind)),
               "outcomes": await notice.outcome_notices(contest)}
    response = render(request, "public/notice.html", context)
    response.headers["Cache-Control"] = "no-store" if preview else "private, no-cache"
    return response


async def _preview(request: Request, contest: Contest, now: datetime) -> bool:
    """False for a public notice; True for its organisers before then; a missing page for anyone else."""
    if await notice.is_public(contest, now):
        return False
    permissions.require(await account_queries.organises(current_user(request), contest.id))
    return True


async def cover(request: Request) -> Response:
    """The cover of an entry the notice lists, shown beside it; read by whoever may read the notice."""
    contest = await published_contest(request)
    preview = await _preview(request, contest, clock.now())
    name = request.path_params["variant"]
    shown = await notice.current(contest)
    number = request.path_params["number"]
    line = found(next((e for e in await notice.listed(contest, shown.kind) if e.number == number), None))
    picture = found(line.cover if name in PUBLIC_VARIANTS else None)
    variant = found(picture.variants.get(name))
    size, ext = name.split(".")
    stored = derived_name(picture.key, size, ext.upper())
    return await media.file_response(request, stored, f"image/{ext}", variant.digest,
                                     cache="no-store" if preview else "private, no-cache")


async def _open_contest(request: Request) -> Contest:
    """The contest while objections are open; a missing page before its notice, a 409 after."""
    contest = await published_contest(request)
    now = clock.now()
    permissions.require(await notice.is_public(contest, now))
    if not embargo.objections_open(contest, now):
        raise ObjectionsClosed()
    return contest


async def objection_form(request: Request, *, values: dict[str, str] | None = None,
                         errors: dict[str, str] | None = None, status: int = 200) -> Response:
    contest = await _open_contest(request)
    shown = await notice.current(contest)
    values = values if values is not None else {"entry": request.query_params.get("entry", "")}
    context = {"contest": contest, "listed": await notice.listed(contest, shown.kind), "values": values,
               "errors": errors or {}, "window": embargo.notice_window(contest)}
    response = render(request, "public/notice_objection.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _attachment(form: FormData) -> UploadFile | None:
    upload = form.get("attachment")
    return upload if isinstance(upload, UploadFile) and upload.filename and upload.size != 0 else None



@body_limit(UPLOAD_BODY_LIMIT)
async def objection_submit(request: Request) -> Response:
    contest = await _open_contest(request)
    form = await read_form(request)
    values = {name: text(form, name, max_length=limit + 1) for name, limit in LIMITS.items()}
    upload = _attachment(form)
    try:
        data = ObjectionInput(**values)
        case = await objections.file_objection(
            contest, data, attachment=file_chunks(upload.file) if upload else None, store=upload_store(request),
            ip=client_address(request), now=clock.now())
    except InvalidInput as exc:
        return await objection_form(request, values=values, errors=exc.field_errors, status=400)
    except TooManyAttempts as exc:
        return await objection_form(request, values=values, errors={"form": exc.message}, status=429)
    finally:
        await form.close()
    response = RedirectResponse(request.url_for("public:notice", slug=contest.slug), status_code=303)
    flash(request, response, N_("Your objection is received as case {case}. The committee reviews it and "
                                "publishes the outcome here; you will get it by e-mail."), case=case.id)
    return response


routes = [
    Route("/c/{slug}/notice", notice_page, name="notice"),
    Route("/c/{slug}/notice/cover/{number}/{variant}", cover, name="notice_cover"),
    Route("/c/{slug}/notice/objection", objection_form, name="objection_form"),
    Route("/c/{slug}/notice/objection", objection_submit, methods=["POST"], name="objection_submit"),
]
