"""Pages anyone may read: the contest list, a contest's home and rules, health, language choice."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from tortoise.connection import get_connection

from contest import clock, i18n
from contest.contests import queries, timeline
from contest.errors import NotFound
from contest.judging import queries as judging_queries
from contest.results import embargo, notice
from contest.web import media
from contest.web.auth import safe_next
from contest.web.templating import render


async def home(request: Request) -> Response:
    now = clock.now()
    contests = await queries.published_contests()
    phases = {contest.id: timeline.current_phase(contest, now) for contest in contests}
    return render(request, "public/home.html", {"contests": contests, "phases": phases})


async def _contest_or_404(request: Request):
    contest = await queries.contest_by_slug(request.path_params["slug"])
    if contest is None:
        raise NotFound()
    return contest


async def contest_home(request: Request) -> Response:
    contest = await _contest_or_404(request)
    now = clock.now()
    tracks = await queries.tracks_with_fields(contest)
    rounds = await judging_queries.rounds_of(contest)
    context = {
        "contest": contest,
        "tracks": tracks,
        "steps": timeline.timeline(contest, rounds, now),
        "phase": timeline.current_phase(contest, now),
        "submissions_open": timeline.submissions_open(contest, now),
        "results_public": embargo.results_public(contest, now),
        "notice_public": await notice.is_public(contest, now),
        "vote_enabled": contest.popular_vote_enabled,
    }
    return render(request, "public/contest.html", context)


async def rules(request: Request) -> Response:
    contest = await _contest_or_404(request)
    return render(request, "public/rules.html", {"contest": contest})


async def set_language(request: Request) -> Response:
    """Only a preference cookie changes; the redirect stays on this site."""
    locale = request.path_params["locale"]
    if locale not in i18n.LOCALES:
        raise NotFound()
    response = RedirectResponse(safe_next(request.query_params.get("next"), "/"), status_code=303)
    jar = request.app.state.cookies
    response.set_cookie(jar.lang, locale, max_age=365 * 86400, path="/", samesite="lax", secure=jar.secure)
    return response


async def poster(request: Request) -> Response:
    """A published contest's banner: public, and its key changes with the picture, so it caches for a year."""
    key, variant = request.path_params["key"], request.path_params["variant"]
    contest = await queries.contest_with_poster(key)
    if contest is None or variant not in media.VARIANTS:
        raise NotFound()
    size, ext = variant.split(".")
    path = request.app.state.store.derived_path(key, size, ext.upper())
    return await media.file_response(request, path, f"image/{ext}", f"{key}-{variant}",
                                     cache="public, max-age=31536000, immutable")


async def healthz(request: Request) -> Response:
    await get_connection("default").execute_query("SELECT 1")
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


routes = [
    Route("/", home, name="home"),
    Route("/c/{slug}", contest_home, name="contest"),
    Route("/c/{slug}/rules", rules, name="rules"),
    Route("/lang/{locale}", set_language, name="set_language"),
    Route("/healthz", healthz, name="healthz"),
    Route("/posters/{key:str}/{variant:str}", poster, name="poster"),
]
