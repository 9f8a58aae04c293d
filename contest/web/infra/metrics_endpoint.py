"""GET /metrics for Prometheus, never public (docs/operations.md).

With CONTEST_METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>`, from wherever it comes.
Without it, only a client on this machine that came straight to the app may scrape: a request that passed a
front server (it carries X-Forwarded-For, X-Real-IP or Forwarded) is not local, even though nginx connects
from 127.0.0.1. Anyone else gets the 404 of a page that does not exist. Gauges read from the database are
read here, at each scrape, by the READERS.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import metrics
from contest.errors import NotFound
from contest.jobs import queue
from contest.notifications.queries import state_counts

FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


async def outbox_states() -> None:
    metrics.set_outbox(await state_counts())


async def queue_depths() -> None:
    # the default queue always has a figure: an emptied queue is missing from the counts, and must read 0
    for name, waiting in {"default": 0, **await queue.waiting_by_queue()}.items():
        metrics.set_queue_depth(name, waiting)


READERS: tuple[Callable[[], Awaitable[None]], ...] = (outbox_states, queue_depths)


def loopback(request: Request) -> bool:
    if request.client is None or any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def may_scrape(request: Request, token: str) -> bool:
    if not token:
        return loopback(request)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def metrics_page(request: Request) -> Response:
    if not may_scrape(request, request.app.state.settings.metrics_token):
        raise NotFound()
    for read in READERS:
        await read()
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})


routes = [Route("/metrics", metrics_page, name="metrics")]
