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
from contest.web.infra.media import VARIANTS, file_response
from contest.web.infra.session import current_user
from contest.web.infra.uploads import upload_store


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
    path = upload_store(request).derived_path(key, size, ext.upper())
    return await file_response(request, path, f"image/{ext}", facts["sha256"], cache="private, no-cache")


async def original(request: Request) -> Response:
    entry_image = found(await entry_queries.image_by_key(request.path_params["key"]))
    permissions.require(await _may_see(request, entry_image.entry))
    path = upload_store(request).original_path(entry_image.key)
    return await file_response(request, path, MIME_TYPES[entry_image.original_format], entry_image.sha256,
                               cache="private, no-store")


routes = [
    Route("/{key:str}/original", original, name="original"),
    Route("/{key:str}/{variant:str}", image, name="image"),
]
