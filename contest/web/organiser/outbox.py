"""Notifications: the contest's outbox with each message's state, retrying one, and the wording of each kind."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.contests.models import Contest
from contest.form_input import parse_integer
from contest.i18n import LOCALE_LABELS, N_
from contest.notifications import queries, service
from contest.notifications.models import OutboxState
from contest.notifications.outbox import wording_for
from contest.notifications.templates import (
    BODY_MAX,
    FIELDS,
    KINDS,
    PLACEHOLDERS,
    Wording,
    WordingInvalid,
    samples_for,
)
from contest.notifications.templates import render as render_wording
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.organiser.common import organised_contest, redirect_to

STATES = tuple(str(state) for state in OutboxState)


async def outbox(request: Request) -> Response:
    contest = await organised_contest(request)
    params = request.query_params
    kind = params.get("kind", "")[:40]
    state = params.get("state", "") if params.get("state", "") in STATES else ""
    page = await queries.outbox_for_contest(contest.id, kind=kind, state=state,
                                            page=parse_integer(params.get("page", "")) or 1)
    return render(request, "organiser/outbox.html", {
        "contest": contest, "page": page, "kind": kind, "state": state, "states": STATES,
        "smtp": bool(request.app.state.settings.smtp_host)})


async def outbox_retry(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    message = await queries.message_of_contest(contest.id, parse_integer(text(form, "message_id")) or 0)
    response = redirect_to(request, "organiser:outbox", slug=contest.slug)
    if message is None:
        flash(request, response, N_("That message is not in this contest's outbox."), level="error")
    elif await service.retry_now(message, by=require_user(request), now=clock.now()):
        flash(request, response, N_("The message to {email} is queued to be sent now."), email=message.to_email)
    else:
        flash(request, response, N_("The message to {email} was already sent or is being sent."), level="error",
              email=message.to_email)
    return response


async def _messages_page(request: Request, contest: Contest, kind: str, *, values: dict[str, str] | None = None,
                         error: WordingInvalid | None = None) -> Response:
    wording = await wording_for(contest.id, kind)
    own = await service.has_own_wording(contest, kind)
    samples = samples_for(contest.title, contest.title_en, contest.time_zone)
    return render(request, "organiser/messages.html", {
        "contest": contest, "kinds": KINDS, "kind": kind, "own": own, "placeholders": PLACEHOLDERS,
        "previews": [(label, render_wording(wording, samples, locale)) for locale, label in LOCALE_LABELS.items()],
        "values": values or {name: getattr(wording, name) for name in FIELDS}, "body_max": BODY_MAX,
        "errors": error.field_errors if error else {}, "error_params": error.field_params if error else {},
    }, status_code=400 if error else 200)


def _to_messages(request: Request, contest: Contest, kind: str) -> RedirectResponse:
    url = request.url_for("organiser:messages", slug=contest.slug)
    return RedirectResponse(str(url.include_query_params(kind=kind) if kind else url), status_code=303)


async def messages(request: Request) -> Response:
    contest = await organised_contest(request)
    kind = request.query_params.get("kind", "")
    return await _messages_page(request, contest, kind if kind in KINDS else next(iter(KINDS)))


async def messages_save(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    kind = text(form, "kind", max_length=40)
    values = {name: text(form, name, max_length=BODY_MAX + 1).replace("\r\n", "\n") for name in FIELDS}
    if kind not in KINDS:
        invalid = WordingInvalid({"kind": N_("Choose one of the options.")}, {})
        return await _messages_page(request, contest, next(iter(KINDS)), values=values, error=invalid)
    try:
        await service.save_wording(contest, kind, Wording(**values), by=require_user(request), now=clock.now())
    except WordingInvalid as exc:
        return await _messages_page(request, contest, kind, values=values, error=exc)
    response = _to_messages(request, contest, kind)
    flash(request, response, N_("Saved: new messages of this kind use this wording."))
    return response


async def messages_reset(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    kind = text(form, "kind", max_length=40)
    if kind not in KINDS:
        response = _to_messages(request, contest, "")
        flash(request, response, N_("Choose one of the options."), level="error")
        return response
    response = _to_messages(request, contest, kind)
    if await service.reset_wording(contest, kind, by=require_user(request), now=clock.now()):
        flash(request, response, N_("This kind of message uses the default wording again."))
    return response


routes = [
    Route("/c/{slug}/outbox", outbox, name="outbox"),
    Route("/c/{slug}/outbox/retry", outbox_retry, methods=["POST"], name="outbox_retry"),
    Route("/c/{slug}/messages", messages, name="messages"),
    Route("/c/{slug}/messages", messages_save, methods=["POST"], name="messages_save"),
    Route("/c/{slug}/messages/reset", messages_reset, methods=["POST"], name="messages_reset"),
]
