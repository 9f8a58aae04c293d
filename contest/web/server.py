"""How `contest serve` runs uvicorn so slow clients cannot hold it: header and idle timeouts, a cap on
connections. (The request body's pace is watched by BodyLimitMiddleware.)

uvicorn has no timeout for reading a request's headers: its keep-alive timer starts only after a
response, so a client that connects and sends its headers a byte at a time (or never finishes them)
keeps a connection forever, and `limit_concurrency` then turns real visitors away with 503s. Headers
are read before the application sees the request, so no ASGI middleware can help: the guard is in the
protocol. A connection gets `header_timeout` seconds from its first byte (or from connecting) to the
end of its headers, like nginx's `client_header_timeout`; then it is answered 408 and closed.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from contest.settings import Settings

TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class ServeConfig(uvicorn.Config):
    """uvicorn's Config with the header timeout (a class of its own: worker processes unpickle it)."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout


class HeaderDeadlineProtocol(HttpToolsProtocol):
    def __init__(self, config: ServeConfig, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.header_timeout = config.header_timeout

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.header_deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.header_deadline is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self.header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_too_slow(self) -> None:
        self.header_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # not in the middle of another response
            self.transport.write(TIMEOUT_408)
        self.transport.close()


def serve_config(settings: Settings, *, host: str, port: int) -> ServeConfig:
    """The app behind `contest serve`, with the slow-client limits (the README gives nginx the same numbers)."""
    return ServeConfig(
        "contest.app:create_app", factory=True, host=host, port=port, workers=settings.workers,
        log_level="info" if settings.debug else "warning",
        proxy_headers=True, forwarded_allow_ips=os.environ.get("CONTEST_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        http=HeaderDeadlineProtocol, header_timeout=settings.header_timeout,
        timeout_keep_alive=settings.keep_alive_timeout, limit_concurrency=settings.max_connections,
    )
