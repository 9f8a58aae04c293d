"""Pages anyone may read: the contest list, a contest's home and rules, its banner and its share poster."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.contests import queries, timeline
from contest.contests.models import A3_300_DPI, Contest
from contest.entries.uploads import KIND_FORMATS
from contest.errors import NotFound
from contest.judging import queries as judging_queries
from contest.media.storage import derived_name
from contest.results import embargo, notice, share_poster
from contest.results import gallery as results
from contest.web.infra import media
from contest.web.infra.lookups import published_contest
from contest.web.infra.templating import absolute_url, render
from contest.web.public.gallery import picture_helpers


async def home(request: Request) -> Response:
    now = clock.now()
    contests = await queries.published_contests()
    phases = {contest.id: timeline.current_phase(contest, now) for contest in contests}
    return render(request, "public/home.html", {"contests": contests, "phases": phases})


async def contest_home(request: Request) -> Response:
    """The call for entries; from the announcement on, the winners above it (nothing of them before)."""
    contest = await published_contest(request)
    now = clock.now()
    tracks = await queries.tracks_with_rules(contest)
    rounds = await judging_queries.rounds_of(contest)
    results_public = embargo.results_public(contest, now)
    winners = await results.featured(contest, await results.tracks_of(contest)) if results_public else []
    context = {
        "contest": contest,
        "tracks": tracks,
        "a3_edges": A3_300_DPI, "kind_formats": KIND_FORMATS,
        "steps": timeline.timeline(contest, rounds, now),
        "phase": timeline.current_phase(contest, now),
        "submissions_open": timeline.submissions_open(contest, now),
        "results_public": results_public,
        "winners": winners,
        "poster_version": _poster_spec(request, contest, now).digest,
        "poster_size": (share_poster.WIDTH, share_poster.HEIGHT),
        "notice_public": await notice.is_public(contest, now),
        "vote_enabled": contest.popular_vote_enabled,
        **picture_helpers(request),
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


def _poster_spec(request: Request, contest: Contest, now: datetime) -> share_poster.PosterSpec:
    return share_poster.spec_for(contest, now=now,
                                 gallery_url=absolute_url(request, "public:gallery", slug=contest.slug),
                                 contest_url=absolute_url(request, "public:contest", slug=contest.slug))


async def share_poster_png(request: Request) -> Response:
    """The contest's share poster (PNG). Public like the contest's page; revalidated on each use (its ETag names
    what it shows), so it turns into the winners' poster at the announcement and not a moment before."""
    contest = await published_contest(request)
    spec = _poster_spec(request, contest, clock.now())
    name = quote(f"{contest.title}-分享海报.png")
    headers = {**media.IMAGE_HEADERS, "ETag": f'"{spec.digest}"', "Cache-Control": "public, no-cache",
               "Content-Disposition": f"inline; filename=\"share-poster.png\"; filename*=UTF-8''{name}"}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    png = await share_poster.poster_png(spec, request.app.state.store)
    return Response(png, media_type="image/png", headers=headers)


routes = [
    Route("/", home, name="home"),
    Route("/c/{slug}", contest_home, name="contest"),
    Route("/c/{slug}/rules", rules, name="rules"),
    Route("/c/{slug}/share-poster.png", share_poster_png, name="share_poster"),
    Route("/posters/{key:str}/{variant:str}", poster, name="poster"),
]
