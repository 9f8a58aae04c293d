"""The CSRF check: every unsafe request is checked here, before its handler runs, whatever its Content-Type
claims: an origin check, then the token (csrf.py). Scripts send the token in the X-CSRF-Token header; plain
forms in a hidden field; a multipart form as its FIRST field (every template puts it first), so that only the
start of an upload is read here and the rest streams on to the handler. Any other body needs the header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.errors import ContestError, CsrfFailure
from contest.web.infra.csrf import FIELD, binding_for, token_matches
from contest.web.infra.errors import error_response
from contest.web.infra.session import read_cookie

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = b"x-csrf-token"
FIRST_FIELD_LIMIT = 8 * 1024  # how much of a multipart body is read here, at most, to find the token


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def cross_site(scope: Scope) -> bool:
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in {"same-origin", "none"}
    origin = _header(scope, b"origin")
    if origin is None:  # an older browser or a non-browser client: the token still protects
        return False
    return origin == "null" or origin.split("://", 1)[-1] != _header(scope, b"host")


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, *, secret: str, cookie_name: str, secure: bool) -> None:
        self.app = app
        self.secret = secret
        self.cookie_name = cookie_name
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["csrf_anon"] = read_cookie(scope, self.cookie_name)
        if scope["method"] not in SAFE_METHODS:
            try:
                receive = await self._check(scope, receive)
            except ContestError as exc:
                response = await error_response(Request(scope), exc)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, self._send_with_cookie(scope, send))

    async def _check(self, scope: Scope, receive: Receive) -> Receive:
        if cross_site(scope):
            raise CsrfFailure()
        header_token = _header(scope, HEADER)
        if header_token is not None:
            self._verify(scope, header_token)
            return receive
        content_type, options = parse_options_header(_header(scope, b"content-type") or "")
        if content_type == b"multipart/form-data":
            token, replay = await _first_field(receive, options.get(b"boundary", b""))
        elif content_type == b"application/x-www-form-urlencoded":
            body, _more, replay = await _buffer(receive, lambda _: False)
            token = parse_qs(body.decode("latin-1")).get(FIELD, [None])[0]
        else:
            raise CsrfFailure()
        self._verify(scope, token)
        return replay

    def _verify(self, scope: Scope, token: str | None) -> None:
        if not token_matches(self.secret, binding_for(scope), token):
            raise CsrfFailure()

    def _send_with_cookie(self, scope: Scope, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            state = scope["state"]
            if message["type"] == "http.response.start" and state.get("csrf_anon_new") and not state.get("session_key"):
                flags = "; Secure" if self.secure else ""
                cookie = f"{self.cookie_name}={state['csrf_anon']}; Path=/; HttpOnly; SameSite=Lax{flags}"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode("latin-1")))
            await send(message)

        return wrapped


async def _buffer(receive: Receive, enough: Callable[[bytes], bool]) -> tuple[bytes, bool, Receive]:
    """Read the body until `enough` says so or it ends (BodyLimitMiddleware bounds it); the handler's receive
    replays what was read, then goes on reading."""
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
        if enough(chunks[-1]):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": more}

    return body, more, replay


async def _first_field(receive: Receive, boundary: bytes) -> tuple[str | None, Receive]:
    """The value of a multipart body's first field when it is the token field; None otherwise."""
    first = _FirstPart()
    parser = MultipartParser(boundary or b"-", first.callbacks())

    def enough(chunk: bytes) -> bool:
        room = FIRST_FIELD_LIMIT - first.seen
        first.seen += len(chunk)
        try:
            parser.write(chunk[:room])
        except MultipartParseError as exc:  # not a form at all: the handler's own answer to one
            raise ContestError() from exc
        return first.done or first.seen >= FIRST_FIELD_LIMIT

    _, _, replay = await _buffer(receive, enough)
    return first.token(), replay



class _FirstPart:
    def __init__(self) -> None:
        self.seen = 0
        self.done = False
        self.header_field = b""
        self.headers: dict[bytes, bytes] = {}
        self.data = b""

    def callbacks(self) -> MultipartCallbacks:
        def header_field(data: bytes, start: int, end: int) -> None:
            if not self.done:
                self.header_field += data[start:end]

        def header_value(data: bytes, start: int, end: int) -> None:
            if not self.done:
                key = self.header_field.lower()
                self.headers[key] = self.headers.get(key, b"") + data[start:end]

        def header_end() -> None:
            self.header_field = b""

        def part_data(data: bytes, start: int, end: int) -> None:
            if not self.done:
                self.data += data[start:end]

        def part_end() -> None:
            self.done = True

        return {"on_header_field": header_field, "on_header_value": header_value, "on_header_end": header_end,
                "on_part_data": part_data, "on_part_end": part_end}

    def token(self) -> str | None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        if not self.done or params.get(b"name") != FIELD.encode() or len(self.data) > 256:
            return None
        return self.data.decode("latin-1")
