"""The award gallery, the results list, an awarded entry's page and their images, and the award list
(获奖名单) as a PDF and a spreadsheet.

Before the announcement (embargo.results_public) each of these answers exactly what a missing page
answers (404, `Cache-Control: no-store`) except to the contest's organisers, who get a marked
preview: never cached, no Open Graph tags. From `announce_at` on they are public, with no action
by anyone: pages through the page cache (ETag, short max-age), images under content-versioned
URLs cached for a year.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock, permissions
from contest.accounts import queries as account_queries
from contest.audit import queries as audit_queries
from contest.contests.models import Contest
from contest.errors import NotFound, found
from contest.exports.award_list import award_list_workbook
from contest.form_input import parse_integer
from contest.media import provenance
from contest.media.storage import derived_name
from contest.results import award_list, embargo
from contest.results import gallery as results
from contest.results.award_list_pdf import award_list_pdf
from contest.web.infra import media, page_cache
from contest.web.infra.lookups import published_contest
from contest.web.infra.page_cache import Page
from contest.web.infra.session import current_user
from contest.web.infra.templating import render

GALLERY_PARAMS = ("track", "grade", "page")
IMMUTABLE = "public, max-age=31536000, immutable"
SIZES = ("thumb", "display")
AWARD_LIST_TYPES = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def _contest_view(request: Request) -> tuple[Contest, bool]:
    """The contest, and whether this is an organiser's preview; a 404 for everyone else before the time."""
    contest = await published_contest(request)
    if embargo.results_public(contest, clock.now()):
        return contest, False
    permissions.require(await account_queries.organises(current_user(request), contest.id))
    return contest, True


def url_maker(request: Request) -> Callable[..., str]:
    """Paths of named routes, each route looked up once per page: `url_for` walks every route on every
    call, which was half the cost of rendering a gallery page of 48 cards."""
    templates: dict[tuple[str, tuple[str, ...]], str] = {}

    def url(name: str, **params: object) -> str:
        shape = (name, tuple(params))
        if shape not in templates:
            templates[shape] = request.app.url_path_for(name, **{key: f"{{{key}}}" for key in params})
        path = templates[shape]
        for key, value in params.items():
            path = path.replace(f"{{{key}}}", quote(str(value), safe=""))
        return path

    return url


def picture_helpers(request: Request) -> dict[str, Callable[..., str]]:
    """What templates/_partials/_gallery.html needs to draw pictures and link entries: `link`, `image_url`, `srcset`."""
    url = url_maker(request)
    return {"link": url, **_image_helpers(url)}


def _image_helpers(url: Callable[..., str]) -> dict[str, Callable[..., str]]:
    def image_url(picture: results.Picture, name: str) -> str:
        return url("public:gallery_image", digest=picture.variants[name].digest, key=picture.key, variant=name)

    def srcset(picture: results.Picture, fmt: str) -> str:
        names = [f"{size}.{fmt}" for size in SIZES if f"{size}.{fmt}" in picture.variants]
        return ", ".join(f"{image_url(picture, name)} {picture.variants[name].width}w" for name in names)

    return {"image_url": image_url, "srcset": srcset}


def _page(request: Request, template: str, contest: Contest, preview: bool, context: dict[str, Any]) -> Page:
    url = url_maker(request)
    context = {"contest": contest, "preview": preview, "link": url, **_image_helpers(url), **context}
    return Page(render(request, template, context), contest.id, public=not preview)


def _choice(request: Request, name: str, allowed: Sequence[str]) -> str | None:
    """A filter from the query string; a value no link offers is a missing page."""
    value = request.query_params.get(name)
    permissions.require(value is None or value in allowed)
    return value


def _page_number(request: Request) -> int:
    value = request.query_params.get("page", "1")
    page = parse_integer(value)
    if page is None or value != str(page):
        raise NotFound()
    return page


def _gallery_href(url: Callable[..., str], slug: str, *, track: str | None = None, grade: str | None = None,
                  page: int = 1) -> str:
    params = {"track": track, "grade": grade, "page": str(page) if page > 1 else None}
    query = urlencode({name: value for name, value in params.items() if value})
    return url("public:gallery", slug=slug) + (f"?{query}" if query else "")


async def _gallery(request: Request) -> Page:
    contest, preview = await _contest_view(request)
    tracks, tiers = await results.tracks_of(contest), await results.tiers_of(contest)
    grades = results.grades(tiers)
    track = _choice(request, "track", [t.slug for t in tracks])
    grade = _choice(request, "grade", [g.key for g in grades])
    page = found(await results.gallery_page(contest, tracks, track=track, grade=grade, page=_page_number(request)))
    context = {"tracks": tracks, "grades": grades, "track": track, "grade": grade, "page": page,
               "gallery_href": partial(_gallery_href, url_maker(request), contest.slug)}
    return _page(request, "public/gallery.html", contest, preview, context)


async def gallery(request: Request) -> Response:
    return await page_cache.serve(request, partial(_gallery, request), params=GALLERY_PARAMS)


async def _results(request: Request) -> Page:
    contest, preview = await _contest_view(request)
    tracks = await results.tracks_of(contest)
    winners = await results.contest_winners(contest, tracks)
    table = results.by_track(winners, tracks, await results.tiers_of(contest))
    # Published from the announcement on, for anyone to write down: the log as it stood then.
    head = None if preview else await audit_queries.head_at(contest.announce_at)  # type: ignore[arg-type]  # not a preview: announced
    return _page(request, "public/gallery_results.html", contest, preview, {"table": table, "chain_head": head})


async def results_page(request: Request) -> Response:
    return await page_cache.serve(request, partial(_results, request))


async def _entry(request: Request) -> Page:
    contest, preview = await _contest_view(request)
    tracks = await results.tracks_of(contest)
    entry = found(await results.entry_page(contest, tracks, request.path_params["number"]))
    return _page(request, "public/gallery_entry.html", contest, preview, {"entry": entry})


async def entry_page(request: Request) -> Response:
    return await page_cache.serve(request, partial(_entry, request))


async def _award_list(request: Request, fmt: str) -> Page:
    contest, preview = await _contest_view(request)
    document = await award_list.award_list(contest, now=clock.now())
    body = await (award_list_pdf(document) if fmt == "pdf" else award_list_workbook(document))
    return Page(Response(body, media_type=AWARD_LIST_TYPES[fmt]), contest.id, public=not preview)


async def award_list_file(request: Request, *, fmt: str) -> Response:
    """The award list the committee attaches to its notice, under the gallery's rule."""
    return await page_cache.serve(request, partial(_award_list, request, fmt))


async def image(request: Request) -> Response:
    """A derivative of an awarded entry's image; its URL names the content, so it never changes."""
    name = request.path_params["variant"]
    shown = found(await results.public_image(request.path_params["key"]) if name in results.PUBLIC_VARIANTS else None)
    variant = shown.picture.variants.get(name)
    if variant is None or variant.digest != request.path_params["digest"]:
        raise NotFound()
    public = embargo.results_public(shown, clock.now())
    permissions.require(public or await account_queries.organises(current_user(request), shown.contest_id))
    size, ext = name.split(".")
    stored = derived_name(shown.picture.key, size, ext.upper())
    label = shown.ai_label
    if public and not label and (cdn := media.public_media_redirect(request, stored, variant.digest)):
        return cdn  # a labelled copy is rewritten on its way out, so only the app serves it
    rewrite = partial(provenance.labelled, fmt=ext.upper(), label=label) if label else None
    return await media.file_response(request, stored, f"image/{ext}", variant.digest + ("-aigc" if label else ""),
                                     cache=IMMUTABLE if public else page_cache.NO_STORE, rewrite=rewrite)


async def film(request: Request) -> Response:
    """An awarded entry's transcoded video (seekable: range requests) or its poster, under the same rule as its
    images; the URL names the content."""
    shown = found(await results.public_film(request.path_params["key"]))
    if shown.film.digest != request.path_params["digest"]:
        raise NotFound()
    public = embargo.results_public(shown, clock.now())
    permissions.require(public or await account_queries.organises(current_user(request), shown.contest_id))
    cache = IMMUTABLE if public else page_cache.NO_STORE
    stored = derived_name(shown.film.key, "video", "MP4")
    if public and (cdn := media.public_media_redirect(request, stored, shown.film.digest)):
        return cdn
    return await media.video_response(request, stored, shown.film.digest, cache=cache)


routes = [
    Route("/c/{slug}/results", results_page, name="results"),
    Route("/c/{slug}/gallery", gallery, name="gallery"),
    Route("/c/{slug}/gallery/{number}", entry_page, name="gallery_entry"),
    *(Route(f"/c/{{slug}}/awards.{fmt}", partial(award_list_file, fmt=fmt), name=f"awards_{fmt}")
      for fmt in AWARD_LIST_TYPES),
    Route("/pub/{digest}/{key}-{variant}", image, name="gallery_image"),
    Route("/pub/{digest}/{key}.mp4", film, name="gallery_video"),
]
