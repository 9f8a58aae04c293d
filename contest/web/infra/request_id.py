"""Every request gets an id: the front server's X-Request-Id when it is a sane token, else a new one. It is
echoed in the response's X-Request-Id and put on every log line written during the request (contest.logs).

A header that is too long or has characters outside [A-Za-z0-9._-] is not taken: it could forge log lines,
smuggle text into a log viewer or make the logs grow. nginx's $request_id (32 hex digits) fits.
"""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.logs import REQUEST_ID

HEADER = b"x-request-id"
SANE = re.compile(rb"[A-Za-z0-9._-]{8,64}")


def request_id_of(scope: Scope) -> str:
    """The front server's id when it is sane, else a new random one."""
    for name, value in scope["headers"]:
        if name == HEADER and SANE.fullmatch(value):
            return value.decode("ascii")
    return secrets.token_hex(16)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        REQUEST_ID.set(request_id)  # not reset afterwards: see contest.logs
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode("ascii"))]
            await send(message)

        await self.app(scope, receive, send_with_id)
