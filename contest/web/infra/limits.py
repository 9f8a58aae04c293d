"""Request body limits that answer in the user's language.

Starlette's own `max_body_size` answers a declared oversize body with a plain English
"Content Too Large" from outside our middleware (no security headers, no translation), so we count
here instead: 64 KiB by default, more for the handlers marked with `@body_limit`. The limit is known
before any middleware reads the body (CsrfMiddleware reads the start of every unsafe request), so
the handler is found here from the request's method and path.

A body must also keep coming (docs/security.md: slow clients cannot hold the server): while the app
waits for it, it may stall `stall` seconds at most, and must average `min_rate` bytes a second (each
chunk earns time, never more than `stall` ahead). Only the time spent waiting for the client counts.
A body cut that way is answered 408 and its connection closed; the upload intake has then saved
nothing. A client that goes away mid-body is one warning line, not a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.errors import ContentTooLarge, ContestError
from contest.i18n import N_

DEFAULT_BODY_LIMIT = 64 * 1024
log = logging.getLogger("contest.web.limits")


class BodyTooSlow(ContestError):
    status_code = 408
    message = N_("The upload arrived too slowly and was stopped; nothing was saved. Please try again.")


class ClientGone(ContestError):
    """The client closed the connection before its body ended: nobody is left to answer."""

Handler = Callable[[Request], Awaitable[Response]]


def body_limit(limit: int) -> Callable[[Handler], Handler]:
    """Raise the body limit for one handler (uploads)."""

    def decorate(handler: Handler) -> Handler:
        handler.body_limit = limit  # type: ignore[attr-defined]  # a mark the middleware reads on the endpoint
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


class Pace:
    """How long the app may still wait for the rest of a body (see the module's docstring)."""

    def __init__(self, stall: float, min_rate: float) -> None:
        self.stall, self.min_rate = stall, min_rate
        self.budget = stall
        self.exceeded = False

    async def receive(self, receive: Receive) -> Message:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.budget):
                message = await receive()
        except TimeoutError:
            self.exceeded = True
            raise BodyTooSlow() from None
        earned = len(message.get("body", b"")) / self.min_rate
        self.budget = min(self.stall, self.budget - (time.monotonic() - started) + earned)
        return message


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default: int = DEFAULT_BODY_LIMIT, stall: float = 20.0,
                 min_rate: float = 8 * 1024) -> None:
        self.app = app
        self.default = default
        self.stall, self.min_rate = stall, min_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope, self.default)
        declared = declared_length(scope)
        pace = Pace(self.stall, self.min_rate)
        received, ended = 0, False

        async def limited_receive() -> Message:
            nonlocal received, ended
            if declared is not None and declared > limit:
                raise ContentTooLarge()
            if ended:  # after the body: only the news of a disconnect, waited for as long as the app likes
                return await receive()
            message = await pace.receive(receive)
            if message["type"] == "http.disconnect":
                log.warning("client went away after %d of %s bytes: %s %s", received, declared or "?",
                            scope["method"], scope["path"])
                raise ClientGone()
            received += len(message.get("body", b""))
            if received > limit:
                raise ContentTooLarge()
            ended = not message.get("more_body", False)
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and pace.exceeded:  # the rest of the body is not read
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await self.app(scope, limited_receive, closing_send)
