"""Text responses (HTML, CSS, JS, JSON, SVG) travel brotli- or gzip-compressed when the client asks.

Three places compress, each once per thing it serves: the page cache keeps the compressed bytes of every
page it holds (contest.web.infra.page_cache), static files are compressed once per file version
(`CompressedStaticFiles`), and `CompressionMiddleware` compresses the other pages, which are rendered per
request anyway. Streamed responses (downloads, ZIP archives) and images pass untouched. A compressed
response carries its own ETag (`"<etag>-br"`), as a strong ETag names one exact byte sequence, and every
compressible response says `Vary: Accept-Encoding`.
"""

from __future__ import annotations

import gzip
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import anyio.to_thread
import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENCODINGS = ("br", "gzip")  # the server's preference, when the client weighs them alike
MIN_SIZE = 1024  # below one packet, compressing saves nothing worth the work
COMPRESSIBLE = frozenset({"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "image/svg+xml", "text/plain"})
# Per request: quick levels. Kept bytes (cached pages, static files) are compressed once: the best levels.
QUICK = {"br": 5, "gzip": 6}
BEST = {"br": 11, "gzip": 9}


def choose(accept_encoding: str) -> str | None:
    """The encoding to answer with: the client's highest-weighted one we have, or None for none."""
    weights: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        quality = params.strip().removeprefix("q=")
        try:
            weights[name.strip()] = float(quality) if params else 1.0
        except ValueError:
            continue
    ranked = [(weights.get(e, weights.get("*", 0.0)), -rank, e) for rank, e in enumerate(ENCODINGS)]
    weight, _, best = max(ranked)
    return best if weight > 0 else None


def compressible(content_type: str | None) -> bool:
    return (content_type or "").partition(";")[0].strip().lower() in COMPRESSIBLE


def compress(body: bytes, encoding: str, *, best: bool = False) -> bytes:
    level = (BEST if best else QUICK)[encoding]
    if encoding == "br":
        return brotli.compress(body, quality=level)
    return gzip.compress(body, compresslevel=level, mtime=0)


def variant_etag(etag: str, encoding: str) -> str:
    """`"abc"` -> `"abc-br"` (a weak `W/"abc"` stays weak)."""
    return f'{etag[:-1]}-{encoding}"' if etag.endswith('"') else etag


def matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    return if_none_match.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]


def add_vary(headers: MutableHeaders) -> None:
    present = [v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()]
    if "accept-encoding" not in present:
        headers["vary"] = ", ".join([headers["vary"], "Accept-Encoding"] if present else ["Accept-Encoding"])


def encoded_response(request_headers: Headers, body: bytes, headers: dict[str, str], *, status_code: int = 200,
                     compressed: Callable[[str], bytes]) -> Response:
    """`body` or its compressed variant (from `compressed(encoding)`), with the ETag of what is sent and a 304
    when the client has it already. `headers` must carry the Content-Type and may carry an ETag."""
    encoding = choose(request_headers.get("accept-encoding", "")) if len(body) >= MIN_SIZE else None
    response_headers = MutableHeaders(headers)
    add_vary(response_headers)
    if encoding and "etag" in response_headers:
        response_headers["etag"] = variant_etag(response_headers["etag"], encoding)
    if "etag" in response_headers and matches(request_headers.get("if-none-match"), response_headers["etag"]):
        del response_headers["content-type"]
        return Response(status_code=304, headers=dict(response_headers))
    if encoding:
        response_headers["content-encoding"] = encoding
        body = compressed(encoding)
    return Response(body, status_code, headers=dict(response_headers))


class CompressionMiddleware:
    """Compresses whole text responses that nobody compressed before; streamed ones pass as they are."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = choose(Headers(scope=scope).get("accept-encoding", ""))
        start: Message | None = None

        async def send_compressed(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=message.setdefault("headers", []))
                if not compressible(headers.get("content-type")) or "content-encoding" in headers:
                    await send(message)
                    return
                add_vary(headers)
                start = message  # held until the body shows whether the response is whole
                return
            if start is None:
                await send(message)
                return
            held, start = start, None
            body = message.get("body", b"")
            if wanted and not message.get("more_body") and len(body) >= MIN_SIZE:
                body = _compress_into(held, body, wanted)
                message = {**message, "body": body}
            await send(held)
            await send(message)

        await self.app(scope, receive, send_compressed)


def _compress_into(start: Message, body: bytes, encoding: str) -> bytes:
    headers = MutableHeaders(raw=start["headers"])
    compressed = compress(body, encoding)
    headers["content-encoding"] = encoding
    headers["content-length"] = str(len(compressed))
    if "etag" in headers:
        headers["etag"] = variant_etag(headers["etag"], encoding)
    return compressed


class CompressedStaticFiles(StaticFiles):
    """StaticFiles whose text files are compressed once per file version (path, size, modification time)."""

    def __init__(self, *args: Any, max_files: int = 256, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_files = max_files
        self.kept: OrderedDict[tuple[str, int, int, str], bytes] = OrderedDict()

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 304 or compressible(response.headers.get("content-type")):
            add_vary(response.headers)
        request = Headers(scope=scope)
        encoding = choose(request.get("accept-encoding", ""))
        stat = getattr(response, "stat_result", None)
        if not (isinstance(response, FileResponse) and stat and encoding and compressible(response.media_type)
                and stat.st_size >= MIN_SIZE):
            return response
        kept = ("content-type", "etag", "last-modified", "vary")
        headers = MutableHeaders({k: v for k, v in response.headers.items() if k in kept})
        headers["etag"] = variant_etag(headers["etag"], encoding)
        if matches(request.get("if-none-match"), headers["etag"]):
            del headers["content-type"]
            return Response(status_code=304, headers=dict(headers))
        key = (os.fspath(response.path), stat.st_size, stat.st_mtime_ns, encoding)
        body = self.kept.get(key)
        if body is None:
            body = self.kept[key] = await anyio.to_thread.run_sync(_read_compressed, response.path, encoding)
            while len(self.kept) > self.max_files:
                self.kept.popitem(last=False)
        headers["content-encoding"] = encoding
        return Response(body, response.status_code, headers=dict(headers))


def _read_compressed(path: str | os.PathLike[str], encoding: str) -> bytes:
    with open(path, "rb") as file:
        return compress(file.read(), encoding, best=True)
