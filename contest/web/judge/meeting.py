"""A judge at the final meeting: the join link (the projector's QR code) leads to the entry the chair has on
screen; a live bar follows the chair and carries the panel's grade votes."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from contest import clock, permissions
from contest.accounts.models import User
from contest.errors import ContestError, found
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import queries as judging_queries
from contest.judging.models import Round
from contest.judging.queries import round_visible_to_judges
from contest.meeting import queries, screens, votes
from contest.meeting.live import Fingerprint, hub
from contest.meeting.models import MeetingSession
from contest.web.infra.errors import wants_json
from contest.web.infra.events import meeting_event, meeting_screen, meeting_stream
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.session import require_user
from contest.web.infra.templating import render, render_fragment


@dataclass(frozen=True)
class JudgeMeeting:
    judge: User
    round_: Round
    session: MeetingSession


async def judge_meeting(request: Request) -> JudgeMeeting:
    """The meeting of the path's round, for one of its judges (log-in first: the QR code brings them here)."""
    judge, now = require_user(request), clock.now()
    round_ = found(await judging_queries.round_for_judge(request.path_params["round_id"], judge))
    permissions.require(round_visible_to_judges(round_, now))
    return JudgeMeeting(judge, round_, found(await queries.session_of_round(round_)))


def page_key(view: screens.Screen, *, entry_id: int | None, alias: str) -> str:
    """What a judge's page shows of the meeting: an entry (or none), whether it takes scores, the lock. A page
    whose key differs from the stream's (the chair's entry) reloads there, after saving what was typed."""
    scoring = entry_id is not None and view.round.live_entry_id == entry_id
    return f"{alias}|{'open' if scoring else 'closed'}|{'locked' if view.locked else ''}"


def chair_key(view: screens.Screen) -> str:
    """The key of the page the chair has everyone on (the waiting page once locked)."""
    entry = None if view.locked else view.on_screen
    return page_key(view, entry_id=entry.entry_id if entry else None, alias=entry.alias if entry else "")


async def live_context(judge: User, round_: Round, *, entry_id: int | None = None, alias: str = "") -> dict[str, object]:
    """What a judge's page of a round scored live adds: the live bar's screen and the key of what it shows."""
    session = await queries.session_of_round(round_) if round_.paced_by_chair else None
    if session is None:
        return {"screen": None}
    view = found(await screens.screen(session.id))
    return {"screen": view, "judge_id": judge.id, "live_page": page_key(view, entry_id=entry_id, alias=alias)}


async def tell_the_room(round_: Round) -> None:
    """A judge submitted in a round scored live: this process's screens hear it now, not at the next poll."""
    session = await queries.session_of_round(round_) if round_.paced_by_chair else None
    if session is not None:
        hub.poke(session.id)


def _entry_url(request: Request, round_id: int, view: screens.Screen) -> str | None:
    if view.on_screen is None or view.locked:
        return None
    return request.url_for("judge:score", round_id=round_id, alias=view.on_screen.alias).path


async def live(request: Request) -> Response:
    """Where the chair is: the entry on screen, or the waiting page before the first and after the lock."""
    joined = await judge_meeting(request)
    view = found(await screens.screen(joined.session.id))
    target = _entry_url(request, joined.round_.id, view)
    if target is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, "judge/live.html", {"round": joined.round_, **await live_context(joined.judge, joined.round_)})


async def live_events(request: Request) -> StreamingResponse:
    joined = await judge_meeting(request)

    async def rendered(seen: Fingerprint) -> str:
        view = found(await meeting_screen(joined.session.id, seen))
        html = render_fragment(request, "_partials/_meeting_judge.html",
                               {"round": joined.round_, "screen": view, "judge_id": joined.judge.id})
        go = _entry_url(request, joined.round_.id, view) or request.url_for("judge:live", round_id=joined.round_.id).path
        return meeting_event(seen, {"html": html, "page": chair_key(view), "go": go})

    return meeting_stream(request, joined.session.id, rendered)


async def ballot(request: Request) -> Response:
    """The judge's choice in the open grade vote; may be changed until the chair confirms."""
    joined = await judge_meeting(request)
    vote = found(await queries.vote_of(joined.session, request.path_params["vote_id"]))
    form = await read_form(request)
    choice = parse_integer(text(form, "choice", max_length=12), low=0, high=2**31)
    response: Response = RedirectResponse(request.url_for("judge:live", round_id=joined.round_.id), status_code=303)
    try:
        await votes.cast_ballot(joined.session, joined.round_, vote, choice=-1 if choice is None else choice,
                                judge=joined.judge, now=clock.now())
    except ContestError as exc:
        if wants_json(request):
            return JSONResponse({"error": exc.message}, status_code=exc.status_code)
        flash(request, response, exc.message, level="error")
        return response
    hub.poke(joined.session.id)
    if wants_json(request):
        return JSONResponse({"saved": True}, headers={"Cache-Control": "no-store"})
    flash(request, response, N_("Your vote is recorded. You may change it until the chair confirms."))
    return response


routes = [
    Route("/r/{round_id:int}/live", live, name="live"),
    Route("/r/{round_id:int}/live/events", live_events, name="live_events"),
    Route("/r/{round_id:int}/live/votes/{vote_id:int}", ballot, methods=["POST"], name="live_ballot"),
]
