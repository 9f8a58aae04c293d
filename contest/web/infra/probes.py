"""The machines' own requests (a load balancer's /healthz and /readyz, Prometheus's /metrics): answered without the
host check or a session lookup."""

from __future__ import annotations

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import Receive, Scope, Send

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def is_probe(scope: Scope) -> bool:
    return scope["type"] == "http" and scope["path"] in PROBE_PATHS


class HostCheckMiddleware(TrustedHostMiddleware):
    """Starlette's host check, except for the probes: a load balancer or Prometheus asks each worker by its
    address, not by the site's name, and the answers say nothing that depends on the host (/metrics keeps its own
    token or loopback rule)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_probe(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
