"""Server-Sent Events: a stream of named events with ids, heartbeats, and one render shared by many readers.

Why SSE and not WebSocket: every screen of the final meeting only listens (judges and the chair act
through ordinary POSTs, with their CSRF checks, autosave and no-script fallbacks), SSE is plain HTTP
through nginx and the same middleware, and the browser reconnects by itself. Each event carries the
whole state of its screen, never a difference, so a screen that reconnects is whole at the first event
and nothing lives only in a browser.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import aclosing
from typing import Any, Generic, TypeVar

from starlette.requests import Request
from starlette.responses import StreamingResponse

from contest.meeting.live import Fingerprint, hub
from contest.meeting.screens import Screen, screen

T = TypeVar("T")
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 1000  # how soon a browser reconnects after the stream breaks


def event_text(data: dict[str, Any], *, event_id: str, event: str = "state") -> str:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {event}\ndata: {body}\n\n"


def event_stream(events: AsyncIterator[str | None]) -> StreamingResponse:
    """Send each text of `events` (event_text); None sends a comment that keeps proxies from closing an idle
    stream. Never cached, never buffered by nginx (X-Accel-Buffering)."""

    async def lines() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        async for text in events:
            yield ": still here\n\n" if text is None else text

    return StreamingResponse(lines(), media_type="text/event-stream", headers={
        "Cache-Control": "no-store", "X-Accel-Buffering": "no"})


class Shared(Generic[T]):
    """The last few results by key, so many readers of one state compute it once per process: the first
    reader computes, the others wait for its result."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._done: OrderedDict[Hashable, asyncio.Future[T]] = OrderedDict()

    async def get(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        future = self._done.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._done[key] = future
            while len(self._done) > self.size:
                self._done.popitem(last=False)
            try:
                future.set_result(await make())
            except BaseException as exc:
                self._done.pop(key, None)
                future.set_exception(exc)
                raise
        return await asyncio.shield(future)


_screens: Shared[Screen | None] = Shared()


async def meeting_screen(session_id: int, seen: Fingerprint) -> Screen | None:
    """What the session's screens show in state `seen`, read once per process however many streams ask."""
    return await _screens.get((session_id, seen), lambda: screen(session_id))


def meeting_event(seen: Fingerprint, data: dict[str, Any]) -> str:
    """The event of a meeting's state `seen`: its id and "v" name the state, "now" is the server's clock (in ms,
    for pitch timers)."""
    version = f"{seen[0]}.{seen[1]}"
    return event_text({"v": version, "now": int(time.time() * 1000), **data}, event_id=version)


def meeting_stream(request: Request, session_id: int, render: Callable[[Fingerprint], Awaitable[str]]) -> StreamingResponse:
    """A meeting screen's stream: `render` makes the event of each state of the session (contest.meeting.live).
    It ends after the settings' event_stream_seconds (the state it opened on is always sent)."""
    lifetime = request.app.state.settings.event_stream_seconds

    async def events() -> AsyncIterator[str | None]:
        ends = time.monotonic() + lifetime
        heartbeat = max(min(HEARTBEAT_SECONDS, lifetime), 0.01)
        async with aclosing(hub.changes(session_id, heartbeat=heartbeat)) as changes:
            async for seen in changes:
                yield None if seen is None else await render(seen)
                if time.monotonic() >= ends:
                    return

    return event_stream(events())
