"""Pages anyone may read: the contest list, a contest's home and rules, its poster."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.contests import queries, timeline
from contest.contests.models import A3_300_DPI
from contest.entries.uploads import KIND_FORMATS
from contest.errors import NotFound
from contest.judging import queries as judging_queries
from contest.media.storage import derived_name
from contest.results import embargo, notice
from contest.web.infra import media
from contest.web.infra.lookups import published_contest
from contest.web.infra.templating import render


async def home(request: Request) -> Response:
    now = clock.now()
    contests = await queries.published_contests()
    phases = {contest.id: timeline.current_phase(contest, now) for contest in contests}
    return render(request, "public/home.html", {"contests": contests, "phases": phases})


async def contest_home(request: Request) -> Response:
    contest = await published_contest(request)
    now = clock.now()
    tracks = await queries.tracks_with_rules(contest)
    rounds = await judging_queries.rounds_of(contest)
    context = {
        "contest": contest,
        "tracks": tracks,
        "a3_edges": A3_300_DPI, "kind_formats": KIND_FORMATS,
        "steps": timeline.timeline(contest, rounds, now),
        "phase": timeline.current_phase(contest, now),
        "submissions_open": timeline.submissions_open(contest, now),
        "results_public": embargo.results_public(contest, now),
        "notice_public": await notice.is_public(contest, now),
        "vote_enabled": contest.popular_vote_enabled,
    }
    return render(request, "public/contest.html", context)


async def rules(request: Request) -> Response:
    contest = await published_contest(request)
    return render(request, "public/rules.html", {"contest": contest})


async def poster(request: Request) -> Response:
    """A published contest's banner: public, and its key changes with the picture, so it caches for a year."""
    key, variant = request.path_params["key"], request.path_params["variant"]
    contest = await queries.contest_with_poster(key)
    if contest is None or variant not in media.VARIANTS:
        raise NotFound()
    size, ext = variant.split(".")
    stored = derived_name(key, size, ext.upper())
    return await media.file_response(request, stored, f"image/{ext}", f"{key}-{variant}",
                                     cache="public, max-age=31536000, immutable")


routes = [
    Route("/", home, name="home"),
    Route("/c/{slug}", contest_home, name="contest"),
    Route("/c/{slug}/rules", rules, name="rules"),
    Route("/posters/{key:str}/{variant:str}", poster, name="poster"),
]
