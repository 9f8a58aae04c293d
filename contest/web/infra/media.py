"""Files handed to the browser: stored images (with the checks each audience made before) and certificate PDFs.

Image responses carry the detected type, nosniff, a sandbox CSP and a content-hash ETag; never the
file's modification time (that would tell a judge when it was uploaded).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import aiofiles
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from contest.errors import NotFound
from contest.results.certificates import Certificate

VARIANTS = {f"{size}.{ext}" for size in ("thumb", "display", "judging") for ext in ("webp", "jpeg")}
VIDEO_VARIANT = "video.mp4"
IMAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}


async def file_response(request: Request, path: Path, media_type: str, etag: str, *, cache: str,
                        rewrite: Callable[[bytes], bytes] | None = None) -> Response:
    """`rewrite` changes the bytes on their way out (the implicit AI label of a public copy); `etag` must then
    name the rewritten content."""
    quoted = f'"{etag}"'
    headers = {**IMAGE_HEADERS, "ETag": quoted, "Cache-Control": cache}
    if request.headers.get("if-none-match") == quoted:
        return Response(status_code=304, headers=headers)
    try:
        async with aiofiles.open(path, "rb") as handle:
            body = await handle.read()
    except FileNotFoundError:
        raise NotFound() from None
    return Response(rewrite(body) if rewrite else body, media_type=media_type, headers=headers)


class _ContentFileResponse(FileResponse):
    """Starlette's file response (streamed, with byte ranges for video players), but its validators come from
    the content: the file's modification time would tell when it was uploaded."""

    def set_stat_headers(self, stat_result: os.stat_result) -> None:
        self.headers.setdefault("content-length", str(stat_result.st_size))


def video_response(request: Request, path: Path, etag: str, *, cache: str) -> Response:
    """A transcoded video, streamed with range requests (seeking) and a content ETag."""
    quoted = f'"{etag}"'
    headers = {**IMAGE_HEADERS, "ETag": quoted, "Cache-Control": cache}
    if request.headers.get("if-none-match") == quoted:
        return Response(status_code=304, headers=headers)
    if not path.is_file():
        raise NotFound()
    return _ContentFileResponse(path, media_type="video/mp4", headers=headers)


def download_response(path: Path, media_type: str, filename: str) -> Response:
    """A stored original as an attachment under its uploaded name, streamed."""
    if not path.is_file():
        raise NotFound()
    disposition = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(filename)}"
    return _ContentFileResponse(path, media_type=media_type, headers={
        **IMAGE_HEADERS, "Content-Disposition": disposition, "Cache-Control": "private, no-store"})


def attachment_response(data: bytes, media_type: str, filename: str) -> Response:
    """Bytes made for this request (a PDF, a sheet) as a private attachment named `filename`."""
    disposition = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})


def pdf_response(pdf: bytes, certificate: Certificate, *, award_id: int, inline: bool = False) -> Response:
    name = quote(f"荣誉证书-{certificate.grade}-{certificate.title}.pdf")
    kind = "inline" if inline else "attachment"
    disposition = f"{kind}; filename=\"certificate-{award_id}.pdf\"; filename*=UTF-8''{name}"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})
