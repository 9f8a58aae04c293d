"""Images are served through here, never as static files: each request is checked against who may see it.

Responses carry the detected type, nosniff, a sandbox CSP and a content-hash ETag; never the
file's modification time (that would tell a judge when it was uploaded).
"""

from __future__ import annotations

import aiofiles
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import permissions
from contest.accounts import queries as account_queries
from contest.entries import queries as entry_queries
from contest.errors import NotFound
from contest.media.sniffing import MIME_TYPES
from contest.web.session import current_user
from contest.web.uploads import upload_store

VARIANTS = {f"{size}.{ext}" for size in ("thumb", "display", "judging") for ext in ("webp", "jpeg")}
IMAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}


async def _may_see(request: Request, entry) -> bool:  # noqa: ANN001
    user = current_user(request)
    if user is None:
        return False
    return entry.owner_id == user.id or await account_queries.organises(user, entry.contest_id)


async def file_response(request: Request, path, media_type: str, etag: str, *, cache: str) -> Response:  # noqa: ANN001
    quoted = f'"{etag}"'
    headers = {**IMAGE_HEADERS, "ETag": quoted, "Cache-Control": cache}
    if request.headers.get("if-none-match") == quoted:
        return Response(status_code=304, headers=headers)
    try:
        async with aiofiles.open(path, "rb") as handle:
            body = await handle.read()
    except FileNotFoundError:
        raise NotFound() from None
    return Response(body, media_type=media_type, headers=headers)


async def image(request: Request) -> Response:
    key, variant = request.path_params["key"], request.path_params["variant"]
    if variant not in VARIANTS:
        raise NotFound()
    entry_image = await entry_queries.image_by_key(key)
    permissions.require(entry_image is not None and await _may_see(request, entry_image.entry))
    facts = entry_image.derivatives.get(variant)  # type: ignore[union-attr]
    permissions.require(facts is not None)
    size, ext = variant.split(".")
    path = upload_store(request).derived_path(key, size, ext.upper())
    return await file_response(request, path, f"image/{ext}", facts["sha256"], cache="private, no-cache")


async def original(request: Request) -> Response:
    entry_image = await entry_queries.image_by_key(request.path_params["key"])
    permissions.require(entry_image is not None and await _may_see(request, entry_image.entry))
    path = upload_store(request).original_path(entry_image.key)  # type: ignore[union-attr]
    return await file_response(request, path, MIME_TYPES[entry_image.original_format],  # type: ignore[union-attr]
                               entry_image.sha256, cache="private, no-store")  # type: ignore[union-attr]


routes = [
    Route("/{key:str}/original", original, name="original"),
    Route("/{key:str}/{variant:str}", image, name="image"),
]
