"""Files handed to the browser: stored images (with the checks each audience made before) and certificate PDFs.

Image responses carry the detected type, nosniff, a sandbox CSP and a content-hash ETag; never the
file's modification time (that would tell a judge when it was uploaded).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from contest.errors import NotFound
from contest.media.storage import Storage
from contest.results.certificates import Certificate
from contest.web.infra.templating import absolute_url

VARIANTS = {f"{size}.{ext}" for size in ("thumb", "display", "judging") for ext in ("webp", "jpeg")}
VIDEO_VARIANT = "video.mp4"
IMAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}


SIGNED_URL_LIFETIME = timedelta(minutes=5)
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _store(request: Request) -> Storage:
    return request.app.state.store


async def file_response(request: Request, name: str, media_type: str, etag: str, *, cache: str,
                        rewrite: Callable[[bytes], bytes] | None = None) -> Response:
    """The stored object `name` (an image: read whole). `rewrite` changes the bytes on their way out (the
    implicit AI label of a public copy); `etag` must then name the rewritten content."""
    quoted = f'"{etag}"'
    headers = {**IMAGE_HEADERS, "ETag": quoted, "Cache-Control": cache}
    if request.headers.get("if-none-match") == quoted:
        return Response(status_code=304, headers=headers)
    try:
        body = await _store(request).read(name)
    except FileNotFoundError:
        raise NotFound() from None
    return Response(rewrite(body) if rewrite else body, media_type=media_type, headers=headers)


class _ContentFileResponse(FileResponse):
    """Starlette's file response (streamed, with byte ranges for video players), but its validators come from
    the content: the file's modification time would tell when it was uploaded."""

    def set_stat_headers(self, stat_result: os.stat_result) -> None:
        self.headers.setdefault("content-length", str(stat_result.st_size))


def public_media_redirect(request: Request, name: str, digest: str) -> Response | None:
    """With CONTEST_PUBLIC_MEDIA_URL (a CDN or the bucket's public address), a public copy is fetched from there:
    a permanent redirect, which browsers and the front cache keep, to the stored name versioned by its content.
    None without it: the app serves the bytes itself."""
    base = request.app.state.settings.public_media_url
    if not base:
        return None
    return RedirectResponse(f"{base}/{name}?v={digest}", status_code=301,
                            headers={"Cache-Control": "public, max-age=31536000, immutable"})


async def video_response(request: Request, name: str, etag: str, *, cache: str) -> Response:
    """A transcoded video, streamed with range requests (seeking) and a content ETag."""
    quoted = f'"{etag}"'
    headers = {**IMAGE_HEADERS, "ETag": quoted, "Cache-Control": cache}
    if request.headers.get("if-none-match") == quoted:
        return Response(status_code=304, headers=headers)
    return await _stored_response(request, name, "video/mp4", headers)


async def download_response(request: Request, name: str, media_type: str, filename: str) -> Response:
    """A stored original as an attachment under its uploaded name, streamed (or, when the settings ask for it,
    from a short-lived signed URL of the bucket)."""
    store = _store(request)
    if request.app.state.settings.s3_signed_downloads and (url := store.signed_url(name, SIGNED_URL_LIFETIME)):
        if await store.size(name) is None:
            raise NotFound()
        return RedirectResponse(url, status_code=303, headers={"Cache-Control": "private, no-store"})
    disposition = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(filename)}"
    return await _stored_response(request, name, media_type, {
        **IMAGE_HEADERS, "Content-Disposition": disposition, "Cache-Control": "private, no-store"})


async def _stored_response(request: Request, name: str, media_type: str, headers: dict[str, str]) -> Response:
    """Streamed, with byte ranges: the file itself on the local backend, the object's bytes from a bucket."""
    store = _store(request)
    if path := store.local_path(name):
        if not path.is_file():
            raise NotFound()
        return _ContentFileResponse(path, media_type=media_type, headers=headers)
    size = await store.size(name)
    if size is None:
        raise NotFound()
    headers = {**headers, "Accept-Ranges": "bytes"}
    wanted = _byte_range(request.headers.get("range", ""), size)
    if wanted is None:
        return StreamingResponse(store.stream(name), media_type=media_type,
                                 headers={**headers, "Content-Length": str(size)})
    start, end = wanted
    if start >= end:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    return StreamingResponse(store.stream(name, start, end), status_code=206, media_type=media_type, headers={
        **headers, "Content-Length": str(end - start), "Content-Range": f"bytes {start}-{end - 1}/{size}"})


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b` range as [start, end); None for no (or a multi-part) range, which gets the whole file."""
    match = _RANGE.fullmatch(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:
        return max(0, size - int(last)), size
    return int(first), min(size, int(last) + 1) if last else size


def attachment_response(data: bytes, media_type: str, filename: str) -> Response:
    """Bytes made for this request (a PDF, a sheet) as a private attachment named `filename`."""
    disposition = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})


def check_link(request: Request) -> Callable[[str], str]:
    """A certificate's public check page by its key, on the site's configured address (for its QR code)."""
    return lambda token: absolute_url(request, "public:certificate_token", token=token)


def pdf_response(pdf: bytes, certificate: Certificate, *, award_id: int, inline: bool = False) -> Response:
    name = quote(f"荣誉证书-{certificate.grade}-{certificate.title}.pdf")
    kind = "inline" if inline else "attachment"
    disposition = f"{kind}; filename=\"certificate-{award_id}.pdf\"; filename*=UTF-8''{name}"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})
