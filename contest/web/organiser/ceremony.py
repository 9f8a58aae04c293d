"""The ceremony view for the big screen at the release event (发布会), and the chair's 公布 press.

The page is one document with every slide in it and every picture preloaded, so the venue's network is
needed once, before the show; static/organiser/js/ceremony.js moves through the slides. The pictures come
from the public gallery's image route, which serves organisers before the announcement and everyone after.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.results import ceremony
from contest.results.gallery import Picture
from contest.web.infra.forms import read_form
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.organiser.common import organised_contest, redirect_to

SCREEN_VARIANTS = ("display.webp", "display.jpeg", "thumb.webp", "thumb.jpeg")  # the first a picture has


def picture_url(request: Request, picture: Picture) -> str:
    name = next(v for v in SCREEN_VARIANTS if v in picture.variants)
    return str(request.url_for("public:gallery_image", digest=picture.variants[name].digest, key=picture.key,
                               variant=name).path)


async def ceremony_page(request: Request) -> Response:
    contest = await organised_contest(request)
    shown = await ceremony.ceremony_of(contest, now=clock.now())
    urls = {p.key: picture_url(request, p) for p in shown.pictures}
    response = render(request, "organiser/ceremony.html", {"contest": contest, "ceremony": shown, "urls": urls})
    response.headers["Cache-Control"] = "no-store"
    return response


async def announce(request: Request) -> Response:
    """The 公布 press: the results are public from this moment (refusals are the error page's 409)."""
    contest = await organised_contest(request)
    await read_form(request)
    await ceremony.announce_at_press(contest, by=require_user(request), now=clock.now())
    response = redirect_to(request, "organiser:ceremony", slug=contest.slug)
    response.headers["Location"] += "#announced"
    return response


routes = [
    Route("/c/{slug}/ceremony", ceremony_page, name="ceremony"),
    Route("/c/{slug}/ceremony/announce", announce, methods=["POST"], name="ceremony_announce"),
]
