"""The chair's console of the final meeting: open it, move, time, reveal, rescore, votes, lock, the signed sheet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.console import meeting as console_meeting
from contest.errors import Conflict, InvalidInput, found
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import paper
from contest.meeting import blank_sheets, outcome, queries, sessions, sheet, votes
from contest.meeting.live import Fingerprint, hub
from contest.meeting.models import MeetingSession
from contest.web.infra.events import meeting_event, meeting_screen, meeting_stream
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.media import attachment_response
from contest.web.infra.session import require_user
from contest.web.infra.templating import absolute_url, render, render_fragment
from contest.web.organiser.common import form_values, organised_round, redirect_to

_round = "/c/{slug}/rounds/{round_id:int}"


async def console_page(request: Request, *, values: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None, status: int = 200) -> Response:
    contest, round_ = await organised_round(request)
    view = await console_meeting.chair_console(contest, round_)
    context: dict[str, Any] = {"contest": contest, "round": round_, "view": view, "values": values or {},
                               "errors": errors or {}}
    if view.session is not None:
        context["screen_url"] = absolute_url(request, "public:meeting_screen", token=view.session.screen_token)
        context["join_url"] = absolute_url(request, "judge:live", round_id=round_.id)
    return render(request, "organiser/meeting.html", context, status_code=status)


async def open_meeting(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    form = await read_form(request)
    try:
        order = text(form, "order", max_length=5000)
        await sessions.open_session(
            round_, order=[order], pitch_seconds=sessions.parse_minutes(text(form, "pitch", max_length=10), "pitch"),
            questions_seconds=sessions.parse_minutes(text(form, "questions", max_length=10), "questions"),
            by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await console_page(request, values=form_values(form), errors=exc.field_errors, status=400)
    response = redirect_to(request, "organiser:meeting", slug=contest.slug, round_id=round_.id)
    flash(request, response, N_("The meeting is open. Put the first entry on screen when the room is ready."))
    return response


async def _act(request: Request, action: Callable[..., Awaitable[object]], done: str) -> Response:
    """Run one chair action on the round's session and return to the console; a refusal is flashed there."""
    contest, round_ = await organised_round(request)
    session = found(await queries.session_of_round(round_))
    form = await read_form(request)
    response = redirect_to(request, "organiser:meeting", slug=contest.slug, round_id=round_.id)
    try:
        await action(session, round_, form, require_user(request), clock.now())
    except (Conflict, InvalidInput) as exc:
        errors = getattr(exc, "field_errors", {})
        flash(request, response, next(iter(errors.values()), exc.message), level="error", **exc.params)
        return response
    hub.poke(session.id)
    flash(request, response, done)
    return response


def _position(form: Any) -> int:
    position = parse_integer(text(form, "position", max_length=10), low=0, high=10_000)
    if position is None:
        raise InvalidInput({"position": N_("No entry at this place in the order.")})
    return position


async def move(request: Request) -> Response:
    async def action(session: MeetingSession, round_: Any, form: Any, by: Any, now: Any) -> None:
        await sessions.move_to(session, round_, _position(form), by=by, now=now)
    return await _act(request, action, N_("On screen."))


async def timer(request: Request) -> Response:
    async def action(session: MeetingSession, round_: Any, form: Any, by: Any, now: Any) -> None:
        start = text(form, "action", max_length=10) == "start"
        await (sessions.start_timer if start else sessions.stop_timer)(session, round_, by=by, now=now)
    return await _act(request, action, N_("Timer updated."))


async def reveal(request: Request) -> Response:
    async def action(session: MeetingSession, round_: Any, form: Any, by: Any, now: Any) -> None:
        await sessions.reveal(session, round_, by=by, now=now)
    return await _act(request, action, N_("The figures are on screen."))


async def rescore(request: Request) -> Response:
    async def action(session: MeetingSession, round_: Any, form: Any, by: Any, now: Any) -> None:
        item = await queries.item_at(session, _position(form))
        if item is None:
            raise InvalidInput({"position": N_("No entry at this place in the order.")})
        await sessions.rescore(session, round_, item, reason=text(form, "reason", max_length=2000), by=by, now=now)
    return await _act(request, action, N_("The entry is open for scoring again; the reason is recorded."))


async def vote_open(request: Request) -> Response:
    async def action(session: MeetingSession, round_: Any, form: Any, by: Any, now: Any) -> None:
        entry_id = parse_integer(text(form, "entry", max_length=12), low=1, high=2**31)
        choices = [parse_integer(c, low=0, high=2**31) for c in form.getlist("choices") if isinstance(c, str)]
        await votes.open_vote(session, round_, entry_id=entry_id or 0, choices=[c for c in choices if c is not None],
                              by=by, now=now)
    return await _act(request, action, N_("The vote is open on every judge's screen."))


async def vote_confirm(request: Request) -> Response:
    async def action(session: MeetingSession, round_: Any, form: Any, by: Any, now: Any) -> None:
        vote = found(await queries.vote_of(session, request.path_params["vote_id"]))
        choice = parse_integer(text(form, "choice", max_length=12), low=0, high=2**31)
        await votes.confirm_vote(session, round_, vote, choice=-1 if choice is None else choice, by=by, now=now)
    return await _act(request, action, N_("The grade is confirmed."))


async def lock(request: Request) -> Response:
    async def action(session: MeetingSession, round_: Any, form: Any, by: Any, now: Any) -> None:
        await outcome.lock(session, round_, by=by, now=now)
    return await _act(request, action, N_("The meeting is locked. Print the results sheet for signatures."))


async def results_sheet(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    session = found(await queries.session_of_round(round_))
    pdf = await sheet.sheet_pdf(contest, session, round_)
    return attachment_response(pdf, "application/pdf", f"results-sheet-round-{round_.id}.pdf")


async def paper_page(request: Request, *, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, status: int = 200) -> Response:
    """The chair types in a judge's paper score sheet for the entry on screen (GET), or it was refused (POST)."""
    contest, round_ = await organised_round(request)
    found(await queries.session_of_round(round_))
    values = values or {}
    entry_id = parse_integer(values.get("entry", ""), low=1, high=2**31)
    view = found(await console_meeting.paper_form(round_, request.path_params["judge_id"], entry_id=entry_id))
    context = {"contest": contest, "round": round_, "view": view, "values": values, "errors": errors or {}}
    return render(request, "organiser/meeting_paper.html", context, status_code=status)


async def paper_enter(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    session = found(await queries.session_of_round(round_))
    found(await console_meeting.paper_form(round_, request.path_params["judge_id"], entry_id=None))  # on the panel
    values = form_values(await read_form(request), max_length=2000)
    sheet_ = paper.PaperSheet(judge_id=request.path_params["judge_id"],
                              entry_id=parse_integer(values.get("entry", ""), low=1, high=2**31) or 0,
                              values=values, reason=values.get("reason", ""))
    try:
        await paper.enter_paper_sheet(round_, sheet_, chair=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await paper_page(request, values=values, errors=exc.field_errors, status=400)
    except Conflict as exc:
        return await paper_page(request, values=values, errors={"_form": exc.message}, status=409)
    hub.poke(session.id)
    response = redirect_to(request, "organiser:meeting", slug=contest.slug, round_id=round_.id)
    flash(request, response, N_("The paper score sheet was entered and submitted for the judge."))
    return response


async def paper_sheets(request: Request) -> Response:
    """Blank score sheets to print: one or more pages per judge of the round, entries by alias."""
    contest, round_ = await organised_round(request)
    pdf = await blank_sheets.blank_sheets_pdf(contest, round_)
    return attachment_response(pdf, "application/pdf", f"score-sheets-round-{round_.id}.pdf")


async def chair_events(request: Request) -> Response:
    """The chair's live panel: who has scored, the vote's tally, and the reveal once everyone has."""
    contest, round_ = await organised_round(request)
    session = found(await queries.session_of_round(round_))
    judges = await queries.panel_judges(round_)

    async def rendered(seen: Fingerprint) -> str:
        context = {"contest": contest, "round": round_, "screen": await meeting_screen(session.id, seen),
                   "judges": judges}
        return meeting_event(seen, {"html": render_fragment(request, "_partials/_meeting_chair.html", context)})

    return meeting_stream(request, session.id, rendered)


routes = [
    Route(_round + "/meeting", console_page, name="meeting"),
    Route(_round + "/meeting/open", open_meeting, methods=["POST"], name="meeting_open"),
    Route(_round + "/meeting/move", move, methods=["POST"], name="meeting_move"),
    Route(_round + "/meeting/timer", timer, methods=["POST"], name="meeting_timer"),
    Route(_round + "/meeting/reveal", reveal, methods=["POST"], name="meeting_reveal"),
    Route(_round + "/meeting/rescore", rescore, methods=["POST"], name="meeting_rescore"),
    Route(_round + "/meeting/votes", vote_open, methods=["POST"], name="meeting_vote"),
    Route(_round + "/meeting/votes/{vote_id:int}/confirm", vote_confirm, methods=["POST"], name="meeting_vote_confirm"),
    Route(_round + "/meeting/lock", lock, methods=["POST"], name="meeting_lock"),
    Route(_round + "/meeting/sheet.pdf", results_sheet, name="meeting_sheet"),
    Route(_round + "/meeting/events", chair_events, name="meeting_events"),
    Route(_round + "/meeting/paper/{judge_id:int}", paper_page, name="meeting_paper"),
    Route(_round + "/meeting/paper/{judge_id:int}", paper_enter, methods=["POST"], name="meeting_paper_enter"),
    Route(_round + "/meeting/score-sheets.pdf", paper_sheets, name="meeting_score_sheets"),
]
