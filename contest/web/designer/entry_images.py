"""An entry's images, served under /media to whoever may see them: the entry's designer and its contest's
organisers (whose pages show them through these same URLs). Never static files: each request is checked."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import permissions
from contest.accounts import queries as account_queries
from contest.entries import queries as entry_queries
from contest.entries.models import Entry
from contest.errors import NotFound, found
from contest.media.sniffing import MIME_TYPES
from contest.media.storage import derived_name, original_name
from contest.web.infra.media import VARIANTS, VIDEO_VARIANT, download_response, file_response, video_response
from contest.web.infra.session import current_user


async def _may_see(request: Request, entry: Entry) -> bool:
    user = current_user(request)
    if user is None:
        return False
    return entry.owner_id == user.id or await account_queries.organises(user, entry.contest_id)


async def image(request: Request) -> Response:
    key, variant = request.path_params["key"], request.path_params["variant"]
    if variant not in VARIANTS:
        raise NotFound()
    entry_image = found(await entry_queries.image_by_key(key))
    permissions.require(await _may_see(request, entry_image.entry))
    facts = found(entry_image.derivatives.get(variant))
    size, ext = variant.split(".")
    stored = derived_name(key, size, ext.upper())
    return await file_response(request, stored, f"image/{ext}", facts["sha256"], cache="private, no-cache")


async def original(request: Request) -> Response:
    entry_image = found(await entry_queries.image_by_key(request.path_params["key"]))
    permissions.require(await _may_see(request, entry_image.entry))
    stored = original_name(entry_image.key)
    return await file_response(request, stored, MIME_TYPES[entry_image.original_format], entry_image.sha256,
                               cache="private, no-store")


# what a file's original is served as: never run or shown inline by the browser
ORIGINAL_TYPES = {"pdf": "application/pdf", "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}


async def file_copy(request: Request) -> Response:
    """A video's transcoded copy or its poster's derivatives, for the designer and organisers."""
    key, variant = request.path_params["key"], request.path_params["variant"]
    entry_file = found(await entry_queries.file_by_key(key))
    permissions.require(await _may_see(request, entry_file.entry))
    if variant == VIDEO_VARIANT:
        facts = found(entry_file.details.get("video"))
        return await video_response(request, derived_name(key, "video", "MP4"), facts["sha256"], cache="private, no-cache")
    facts = found(entry_file.details.get("poster", {}).get(variant) if variant in VARIANTS else None)
    size, ext = variant.split(".")
    return await file_response(request, derived_name(key, size, ext.upper()), f"image/{ext}", facts["sha256"],
                               cache="private, no-cache")


async def file_original(request: Request) -> Response:
    """The uploaded file itself, as a download (organisers and the designer; judges never)."""
    entry_file = found(await entry_queries.file_by_key(request.path_params["key"]))
    permissions.require(await _may_see(request, entry_file.entry))
    stored = original_name(entry_file.key)
    return await download_response(request, stored, ORIGINAL_TYPES.get(entry_file.format, "application/octet-stream"),
                                   entry_file.original_name or f"{entry_file.key}.{entry_file.format}")


routes = [
    Route("/files/{key:str}/original", file_original, name="file_original"),
    Route("/files/{key:str}/{variant:str}", file_copy, name="file_copy"),
    Route("/{key:str}/original", original, name="original"),
    Route("/{key:str}/{variant:str}", image, name="image"),
]
