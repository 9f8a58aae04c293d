"""How `contest serve` runs uvicorn so slow clients cannot hold it: header and idle timeouts, a cap on
connections. (The request body's pace is watched by BodyLimitMiddleware.) And when it says it is serving:
the socket is bound before the demo is built (a port clash is reported at once), and "serving on" is
printed only once it accepts connections.

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
import socket
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from contest.logs import logging_config
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

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn passes a Transport
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
    """The app behind `contest serve`, with the slow-client limits (the README gives nginx the same numbers) and
    JSON logs (contest.logs; uvicorn's access log is off: contest.web.infra.access writes a safer line)."""
    return ServeConfig(
        "contest.app:create_app", factory=True, host=host, port=port, workers=settings.workers,
        log_level="info" if settings.debug else "warning", access_log=False,
        log_config=logging_config(debug=settings.debug, access_log=settings.access_log,  # each worker applies it
                                  access_file=settings.access_log_file, access_days=settings.access_log_days),
        proxy_headers=True, forwarded_allow_ips=os.environ.get("CONTEST_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        http=HeaderDeadlineProtocol, header_timeout=settings.header_timeout,
        timeout_keep_alive=settings.keep_alive_timeout, limit_concurrency=settings.max_connections,
    )


def bound_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound and not yet listening (connections are refused until the app is ready).

    Raises OSError (EADDRINUSE when another program has the port). The protocol is named, so asyncio sees a
    TCP socket and sets TCP_NODELAY on the connections it accepts: without it every small response waited
    ~40 ms for the client's delayed ACK (measured: p50 44 ms, a quarter of the throughput).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # Linux passes it to accepted connections
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class AnnouncingServer(uvicorn.Server):
    """uvicorn's Server that prints `announcement` once its socket accepts connections."""

    def __init__(self, config: uvicorn.Config, *, announcement: str) -> None:
        super().__init__(config)
        self.announcement = announcement

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            print(self.announcement, flush=True)


def run(config: ServeConfig, sock: socket.socket, *, announcement: str) -> None:
    """Serve on `sock`: in this process, or in `config.workers` processes sharing it."""
    if config.workers > 1:
        from uvicorn.supervisors import Multiprocess

        sock.listen(config.backlog)  # the kernel queues connections until a worker takes them
        print(announcement, flush=True)
        Multiprocess(config, sockets=[sock]).run()
    else:
        AnnouncingServer(config, announcement=announcement).run(sockets=[sock])
