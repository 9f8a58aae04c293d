"""The meeting's projector view, opened by its secret link on the room's screen (and by anyone the chair
gives the link, as when the room is streamed): no log-in, nothing about the designer unless the round
shows identities, and only entries the chair has reached."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from contest import permissions
from contest.contests.models import Contest
from contest.errors import found
from contest.judging.queries import judging_images
from contest.media.storage import derived_name
from contest.meeting import queries, screens
from contest.meeting.live import Fingerprint
from contest.meeting.models import MeetingSession
from contest.web.infra import media
from contest.web.infra.events import Shared, meeting_event, meeting_screen, meeting_stream
from contest.web.infra.templating import absolute_url, render, render_fragment, request_locale

IMAGE_VARIANTS = {"webp": "WEBP", "jpeg": "JPEG"}
_renders: Shared[str] = Shared()


async def _session(request: Request) -> MeetingSession:
    return found(await queries.session_by_token(request.path_params["token"]))


async def _context(request: Request, session: MeetingSession) -> dict:
    view = found(await screens.screen(session.id))
    contest = await Contest.get(id=view.round.contest_id)
    return {"screen": view, "token": session.screen_token, "contest": contest,
            "join_url": absolute_url(request, "judge:live", round_id=view.round.id)}


async def screen_page(request: Request) -> Response:
    session = await _session(request)
    response = render(request, "public/meeting_screen.html", await _context(request, session))
    response.headers["Cache-Control"] = "no-store"
    return response


async def screen_events(request: Request) -> StreamingResponse:
    session = await _session(request)
    locale = request_locale(request)

    async def rendered(seen: Fingerprint) -> str:
        view = found(await meeting_screen(session.id, seen))
        html = render_fragment(request, "_partials/_meeting_stage.html", {"screen": view, "token": session.screen_token})
        return meeting_event(seen, {"html": html})

    return meeting_stream(request, session.id, lambda seen: _renders.get((session.id, seen, locale), lambda: rendered(seen)))


async def screen_image(request: Request) -> Response:
    """An image of an entry the chair has reached, by alias and number: the judging copy, never the original."""
    session = await _session(request)
    entry_id = found(await queries.reached_entry(session, request.path_params["alias"]))
    fmt = found(IMAGE_VARIANTS.get(request.path_params["variant"]))
    rows = await judging_images(entry_id)
    n = request.path_params["n"]
    permissions.require(1 <= n <= len(rows))
    key, facts = rows[n - 1]["key"], found((rows[n - 1]["derivatives"] or {}).get(f"judging.{fmt.lower()}"))
    stored = derived_name(key, "judging", fmt)
    return await media.file_response(request, stored, f"image/{fmt.lower()}", facts["sha256"], cache="private, no-store")


routes = [
    Route("/screen/{token}", screen_page, name="meeting_screen"),
    Route("/screen/{token}/events", screen_events, name="meeting_events"),
    Route("/screen/{token}/{alias}/{n:int}.{variant}", screen_image, name="meeting_image"),
]
