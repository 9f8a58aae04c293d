"""Resumable uploads over the tus 1.0 protocol (https://tus.io/protocols/resumable-upload): core, creation,
termination and expiration. A phone that loses its connection 80 MB into a video asks where the upload
stopped (HEAD) and sends the rest (PATCH), across reloads and server restarts. The state lives in
contest.media.resumable; this module only speaks HTTP.

Why not tuspyserver 4.4, the ready-made tus server for Python: it is a FastAPI router with its own request
handling, so our session (every request is the signed-in owner's), our CSRF check, our body limits and the
per-person quota would have to be rebuilt around it or skipped. The four parts of the protocol used here are a
handful of headers, smaller than the glue that router would need.

Every request passes the app's middleware like any other: the session names the user (an upload is only ever
its creator's; anyone else's is a 404), and POST, PATCH and DELETE carry the CSRF token in the ``X-CSRF-Token``
header, as the page's other scripts send it (web.infra.csrf_check). PATCH bodies may be as large as the
routes' ``max_bytes`` (web.infra.limits) and must keep coming; a body cut short, by the client or by the pace
limit, keeps what arrived.

Departures from the letter of the protocol: the PATCH that brings the last byte answers with ``on_complete``'s
JSON or response (any 2xx satisfies tus clients) instead of an empty 204, so the page gets its result in the
same round trip; an empty upload (``Upload-Length: 0``) is refused; errors are JSON ``{"error", "status"}``
in the user's language, as for the page's other scripts.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from functools import partial

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contest import clock, i18n
from contest.errors import Conflict, ContentTooLarge, ContestError, InvalidUpload, NotFound, TooManyAttempts
from contest.media import resumable
from contest.media.resumable import PartialUpload, Reason, ResumableRefused, Target, UnknownUpload
from contest.media.storage import TempUpload
from contest.web.infra.limits import body_limit
from contest.web.infra.session import require_user
from contest.web.infra.templating import request_locale
from contest.web.infra.uploads import upload_chunks, upload_store

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
OFFSET_TYPE = "application/offset+octet-stream"
METADATA_LIMIT = 4096  # characters of Upload-Metadata: a file name and a few words, base64-encoded
EXPIRE_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Grant:
    """What ``authorise`` allows: the upload's target (kept with it, handed back at the end) and its own limit."""

    target: Target
    max_bytes: int


Authorise = Callable[[Request, dict[str, str]], Awaitable[Grant]]
OnComplete = Callable[[Request, Target, TempUpload], Awaitable[Response | dict]]
CheckHead = Callable[[Target, bytes], None]
Handler = Callable[[Request], Awaitable[Response]]


class VersionMismatch(ContestError):
    status_code = 412


class NotOffsetOctets(ContestError):
    status_code = 415


class UploadBusy(Conflict):
    status_code = 423  # tus clients retry it after asking for the offset again


# Each refusal as an error the app already words; `reason`, `limit` and `actual` go along for a finer message.
REFUSALS: dict[Reason, type[ContestError]] = {
    Reason.EMPTY: InvalidUpload, Reason.TOO_LARGE: ContentTooLarge, Reason.TOO_MANY: TooManyAttempts,
    Reason.OFFSET_MISMATCH: Conflict, Reason.PAST_LENGTH: ContentTooLarge, Reason.INCOMPLETE: Conflict,
    Reason.BUSY: UploadBusy,
}


def http_error(refused: ResumableRefused) -> ContestError:
    error = REFUSALS[refused.reason](limit=refused.limit, actual=refused.actual)
    error.params["reason"] = refused.reason
    return error


def tus_routes(prefix: str, *, name: str, authorise: Authorise, on_complete: OnComplete, max_bytes: int,
               check_head: CheckHead | None = None, expire_after: timedelta = EXPIRE_AFTER) -> list[Route]:
    """The tus endpoint at ``prefix`` (POST creates, OPTIONS describes) and its uploads at ``prefix/{upload_id}``
    (HEAD, PATCH, DELETE). ``authorise`` checks the creating request and its metadata and raises a ContestError
    to refuse; ``check_head`` sees the first bytes (media.sniffing.HEAD_BYTES) as soon as they arrive and raises
    a ContestError to refuse the file; ``on_complete`` receives the whole file once and owns it (commit it or
    discard it; if it raises, the file is discarded here). ``max_bytes`` caps every upload and PATCH body."""
    endpoint = Endpoint(authorise, on_complete, max_bytes, check_head, expire_after)
    member = f"{prefix}/{{upload_id}}"
    return [
        Route(prefix, _tus(endpoint.options), methods=["OPTIONS"], name=f"{name}_options"),
        Route(prefix, _tus(endpoint.create), methods=["POST"], name=name),
        Route(member, _tus(endpoint.options), methods=["OPTIONS"], name=f"{name}_upload_options"),
        Route(member, _tus(endpoint.head), methods=["HEAD"], name=f"{name}_upload"),
        Route(member, body_limit(max_bytes)(_tus(endpoint.patch)), methods=["PATCH"], name=f"{name}_patch"),
        Route(member, _tus(endpoint.delete), methods=["DELETE"], name=f"{name}_delete"),
    ]


@dataclass(frozen=True)
class Endpoint:
    authorise: Authorise
    on_complete: OnComplete
    max_bytes: int
    check_head: CheckHead | None
    expire_after: timedelta

    async def options(self, request: Request) -> Response:
        return Response(status_code=204, headers={"Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
                                                  "Tus-Max-Size": str(self.max_bytes)})

    async def create(self, request: Request) -> Response:
        user = require_user(request)
        length = _header_int(request, "upload-length")
        metadata = parse_metadata(request.headers.get("upload-metadata", ""))
        grant = await self.authorise(request, metadata)
        store, now = upload_store(request), clock.now()
        await anyio.to_thread.run_sync(partial(resumable.sweep_abandoned, store, older_than=self.expire_after, now=now))
        upload = await resumable.create(store, owner_id=user.id, length=length, metadata=metadata, target=grant.target,
                                        max_bytes=min(grant.max_bytes, self.max_bytes), now=now)
        location = f"{request.url.path.rstrip('/')}/{upload.id}"
        return Response(status_code=201, headers={"Location": location, **self._expiry(now)})

    async def head(self, request: Request) -> Response:
        upload = await self._upload(request)
        headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length),
                   "Cache-Control": "no-store", **self._expiry(upload.updated)}
        return Response(status_code=200, headers=headers)

    async def patch(self, request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != OFFSET_TYPE:
            raise NotOffsetOctets()
        offset = _header_int(request, "upload-offset")
        upload = await self._upload(request)
        if offset != upload.offset:  # before reading a byte of the body
            raise http_error(ResumableRefused(Reason.OFFSET_MISMATCH, limit=upload.offset, actual=offset))
        check = partial(self.check_head, upload.target) if self.check_head else None
        now = clock.now()
        reached = await resumable.append(upload_store(request), upload.id, owner_id=upload.owner_id, offset=offset,
                                         chunks=upload_chunks(request), now=now, check_head=check)
        headers = {"Upload-Offset": str(reached)}
        if reached < upload.length:
            return Response(status_code=204, headers=headers | self._expiry(now))
        return _with_headers(await self._finish(request, upload), headers)

    async def delete(self, request: Request) -> Response:
        upload = await self._upload(request)
        await resumable.terminate(upload_store(request), upload.id, owner_id=upload.owner_id)
        return Response(status_code=204)

    async def _upload(self, request: Request) -> PartialUpload:
        user = require_user(request)
        return await resumable.status(upload_store(request), request.path_params["upload_id"], user.id)

    async def _finish(self, request: Request, upload: PartialUpload) -> Response:
        store = upload_store(request)
        temp = await resumable.complete(store, await resumable.status(store, upload.id, upload.owner_id))
        try:
            result = await self.on_complete(request, upload.target, temp)
        except BaseException:
            await store.discard(temp)
            raise
        return result if isinstance(result, Response) else JSONResponse(result)

    def _expiry(self, updated: datetime) -> dict[str, str]:
        return {"Upload-Expires": format_datetime(updated + self.expire_after, usegmt=True)}


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs (the value may be absent)."""
    if len(header) > METADATA_LIMIT:
        raise ContestError()
    pairs = [item.strip().split(" ") for item in header.split(",") if item.strip()]
    try:
        return {pair[0]: base64.b64decode(pair[1], validate=True).decode() if len(pair) == 2 else ""
                for pair in pairs if len(pair) <= 2}
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ContestError() from exc


def _header_int(request: Request, name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isascii() or not value.isdigit():
        raise ContestError()
    return int(value)


def _with_headers(response: Response, headers: dict[str, str]) -> Response:
    response.headers.update(headers)
    return response


def _tus(handler: Handler) -> Handler:
    """The protocol's envelope around a handler: the version check, the version header, errors as JSON."""

    async def wrapped(request: Request) -> Response:
        try:
            if request.method != "OPTIONS" and request.headers.get("tus-resumable") != TUS_VERSION:
                raise VersionMismatch()
            response = await handler(request)
        except UnknownUpload:
            response = _error(request, NotFound())
        except ResumableRefused as refused:
            response = _error(request, http_error(refused))
        except ContestError as error:
            response = _error(request, error)
        response.headers["Tus-Resumable"] = TUS_VERSION
        return response

    return wrapped


def _error(request: Request, error: ContestError) -> Response:
    text = i18n.translate(request_locale(request), error.message, **error.params)
    headers = {"Cache-Control": "no-store"} | ({"Tus-Version": TUS_VERSION} if isinstance(error, VersionMismatch) else {})
    return JSONResponse({"error": text, "status": error.status_code}, status_code=error.status_code, headers=headers)
