"""What became of each request: counted in the metrics (contest.metrics) and, when the settings ask for it,
written as one JSON line on the contest.access logger.

Both name the request by its route's template (`/admin/c/{slug}/rounds/{round_id}`), never by the path: ids,
tokens and slugs must not become metric labels or sit in the logs, and neither may a query string. A request
no route took (a 404) is counted as `(unmatched)`. Pure ASGI, so a streamed response (live events, files)
passes through unbuffered; its duration runs to its last byte.
"""

from __future__ import annotations

import logging
import re
import time

from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest import metrics
from contest.logs import ACCESS_LOGGER

log = logging.getLogger(ACCESS_LOGGER)
CONVERTER = re.compile(r":\w+}")  # `{entry_id:int}` is labelled `{entry_id}`


def route_templates(routes: list[BaseRoute], prefix: str = "") -> dict[int, str]:
    """Each route's full template, by the route's id (Starlette's routes are not hashable)."""
    found: dict[int, str] = {}
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            found |= route_templates(route.routes, prefix + route.path)
        elif isinstance(route, Mount):  # an app mounted whole (the static files)
            found[id(route)] = prefix + route.path + "/{path}"
        elif isinstance(route, Route):
            found[id(route)] = CONVERTER.sub("}", prefix + route.path)
    return found


class AccessMiddleware:
    def __init__(self, app: ASGIApp, *, log_requests: bool) -> None:
        self.app = app
        self.log_requests = log_requests
        self.templates: dict[int, str] | None = None

    def route_of(self, scope: Scope) -> str:
        """The template of the route that answered; a Mount whose routes all missed is no answer."""
        if self.templates is None:
            self.templates = route_templates(scope["app"].router.routes)
        route = scope.get("route")
        return metrics.UNMATCHED if route is None else self.templates.get(id(route), metrics.UNMATCHED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, sent = 500, 0

        async def counting_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            self.record(scope, status, sent, time.perf_counter() - started)

    def record(self, scope: Scope, status: int, sent: int, seconds: float) -> None:
        route = self.route_of(scope)
        metrics.observe_request(scope["method"], route, status, seconds)
        if self.log_requests:
            log.info("request", extra={"method": scope["method"][:16], "route": route, "status": status,
                                       "duration_ms": round(seconds * 1000, 1), "bytes": sent})
