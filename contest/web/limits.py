"""Request body limits that answer in the user's language.

Starlette's own `max_body_size` answers a declared oversize body with a plain English
"Content Too Large" from outside our middleware (no security headers, no translation), so we count
here instead: 64 KiB by default, more for the handlers marked with `@body_limit`. The limit is known
before any middleware reads the body (CsrfMiddleware reads the start of every unsafe request), so
the handler is found here from the request's method and path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.errors import ContentTooLarge

DEFAULT_BODY_LIMIT = 64 * 1024

Handler = Callable[[Request], Awaitable[Response]]


def body_limit(limit: int) -> Callable[[Handler], Handler]:
    """Raise the body limit for one handler (uploads)."""

    def decorate(handler: Handler) -> Handler:
        handler.body_limit = limit  # type: ignore[attr-defined]
        return handler

    return decorate


def _endpoint(routes: list[BaseRoute], scope: Scope) -> object:
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.FULL:
            if isinstance(route, Mount):
                return _endpoint(route.routes, {**scope, **child})
            return child.get("endpoint")
    return None


def limit_for(scope: Scope, default: int) -> int:
    """The body limit of the handler this request goes to (GET, HEAD and OPTIONS carry no body we read)."""
    if scope["method"] in {"GET", "HEAD", "OPTIONS"}:
        return default
    return getattr(_endpoint(scope["app"].router.routes, scope), "body_limit", default)


def declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default: int = DEFAULT_BODY_LIMIT) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope, self.default)
        declared = declared_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise ContentTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise ContentTooLarge()
            return message

        await self.app(scope, limited_receive, send)
