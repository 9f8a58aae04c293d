"""The hub that tells every screen of a meeting, in this process, that what it shows has changed.

Why polling one cheap query and not a broker: the app may run as several worker processes (and, with
PostgreSQL, several machines), and a screen's stream lives in one of them while the change may come
from any other. Each process keeps one watcher per session someone is watching, which reads the
session's fingerprint (contest.meeting.queries.fingerprint: the chair's version and the number of
submitted score sheets) every POLL_SECONDS, and wakes its streams when it moves. A change made in this
process pokes the watcher, so it is read at once. 200 open screens cost one query per interval, not 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field

from contest.meeting.queries import fingerprint

POLL_SECONDS = 0.05
log = logging.getLogger("contest.meeting.live")
Fingerprint = tuple[int, int]
_UNREAD: Fingerprint = (-1, -1)  # below every real fingerprint
_QUIET: Fingerprint = (-2, 0)
_GONE: Fingerprint = (-3, 0)

@dataclass
class _Watch:
    current: Fingerprint | None = _UNREAD  # None: the session is gone
    readers: int = 0
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    poke: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class Hub:
    def __init__(self, poll_seconds: float = POLL_SECONDS) -> None:
        self.poll_seconds = poll_seconds
        self._watches: dict[int, _Watch] = {}

    def poke(self, session_id: int) -> None:
        """Something changed in this process: read the session now rather than at the next interval."""
        watch = self._watches.get(session_id)
        if watch is not None:
            watch.poke.set()

    async def _poll(self, session_id: int, watch: _Watch) -> None:
        while True:
            try:
                seen = await fingerprint(session_id)
            except Exception:  # a busy database refused one read: every screen of the session depends on the next
                log.warning("meeting %s: reading its state failed, trying again", session_id, exc_info=True)
                await asyncio.sleep(self.poll_seconds)
                continue
            if seen != watch.current:
                async with watch.changed:
                    watch.current = seen
                    watch.changed.notify_all()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(watch.poke.wait(), self.poll_seconds)
            watch.poke.clear()

    async def changes(self, session_id: int, *, heartbeat: float) -> AsyncGenerator[Fingerprint | None, None]:
        """The session's fingerprint now, then each time it moves on; None after `heartbeat` seconds without a
        change (a stream sends a comment then, so proxies keep the connection). Ends when the session is gone.
        Fingerprints only grow (the version first, then submissions within a version), so a reader never
        goes back to an older state the watcher read before it."""
        watch = self._watches.setdefault(session_id, _Watch())
        watch.readers += 1
        if watch.task is None:
            watch.task = asyncio.create_task(self._poll(session_id, watch))
        try:
            last = await fingerprint(session_id)
            if last is None:
                return
            yield last
            while True:
                moved = await self._next(watch, last, heartbeat)
                if moved == _GONE:
                    return
                if moved != _QUIET:
                    last = moved
                yield None if moved == _QUIET else moved
        finally:
            watch.readers -= 1
            if watch.readers == 0 and watch.task is not None:
                watch.task.cancel()
                self._watches.pop(session_id, None)


    @staticmethod
    async def _next(watch: _Watch, last: Fingerprint, heartbeat: float) -> Fingerprint:
        """The first fingerprint past `last`; _GONE when the session was deleted, _QUIET after `heartbeat` s."""
        async with watch.changed:
            try:
                await asyncio.wait_for(
                    watch.changed.wait_for(lambda: watch.current is None or watch.current > last), heartbeat)
            except TimeoutError:
                return _QUIET
            return _GONE if watch.current is None else watch.current


hub = Hub()
