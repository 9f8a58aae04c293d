"""Request body limits that answer in the user's language.

Starlette's own `max_body_size` answers a declared oversize body with a plain English
"Content Too Large" from outside our middleware (no security headers, no translation), so we count
here instead: 64 KiB by default, more for the handlers marked with `@body_limit`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.errors import ContentTooLarge

LIMIT_KEY = "contest.body_limit"
DEFAULT_BODY_LIMIT = 64 * 1024

Handler = Callable[[Request], Awaitable[Response]]


def body_limit(limit: int) -> Callable[[Handler], Handler]:
    """Raise the body limit for one handler (uploads)."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapped(request: Request) -> Response:
            request.scope[LIMIT_KEY] = limit
            return await handler(request)

        return wrapped

    return decorate


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
        scope[LIMIT_KEY] = self.default
        declared = declared_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            limit = scope[LIMIT_KEY]
            if declared is not None and declared > limit:
                raise ContentTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise ContentTooLarge()
            return message

        await self.app(scope, limited_receive, send)
