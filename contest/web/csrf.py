"""CSRF: a token bound to the session (or, before login, to a random cookie) plus an origin check.

`starlette-csrf` reads its token from a header only and does not bind it to the session
(RELIABILITY.md), so we keep our own. Plain forms carry the token in a hidden field; scripts send
it in the X-CSRF-Token header. Multipart bodies are not buffered here: `forms.read_form` checks
them, and it is the only way handlers read a form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs

from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.errors import ContestError, CsrfFailure
from contest.web.errors import error_response
from contest.web.session import read_cookie

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIELD = "csrf_token"
HEADER = b"x-csrf-token"


def make_token(secret: str, binding: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def token_matches(secret: str, binding: str | None, token: str | None) -> bool:
    return bool(binding and token) and hmac.compare_digest(make_token(secret, binding), token)  # type: ignore[arg-type]


def binding_for(scope: Scope) -> str | None:
    state = scope.get("state", {})
    return state.get("session_key") or state.get("csrf_anon")


def csrf_token(conn: HTTPConnection) -> str:
    """The token for forms on this page; creates the anonymous binding cookie when needed."""
    state = conn.scope["state"]
    if not binding_for(conn.scope):
        state["csrf_anon"] = secrets.token_urlsafe(24)
        state["csrf_anon_new"] = True
    return make_token(conn.app.state.settings.secret_key, binding_for(conn.scope))  # type: ignore[arg-type]


def verify_form_token(conn: HTTPConnection, token: str | None) -> None:
    if not token_matches(conn.app.state.settings.secret_key, binding_for(conn.scope), token):
        raise CsrfFailure()


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
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip()
        if content_type == "multipart/form-data":
            scope["state"]["csrf_pending"] = True
            return receive
        if content_type != "application/x-www-form-urlencoded":
            raise CsrfFailure()
        body, replay = await _buffer(receive)
        self._verify(scope, parse_qs(body.decode("latin-1")).get(FIELD, [None])[0])
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


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read a small form body (BodyLimitMiddleware bounds it) and give the handler a receive that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay
