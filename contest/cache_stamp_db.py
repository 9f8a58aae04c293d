"""The results-changed signal through PostgreSQL, for processes on several machines.

A folder of stamp files (contest.cache_stamp) only reaches processes that share its disk. Here the
signal is two tables and one channel:

- `results_stamp`: a generation per contest, and on row 0 the version, a counter bumped with every
  change. A change bumps the version and sets the contest's generation to it, in one transaction,
  and sends NOTIFY on `contest_results` in the same transaction.
- `results_reader`: one row per process whose page cache is kept in memory: the version it has
  applied (`seen`) and when its lease ends (`expires_at`, the database's clock).

What promises a page is never stale. A change must reach a process before a request that arrives there
after the changer's response is answered. NOTIFY alone cannot promise that: it is delivered
asynchronously, so a request to B can overtake the notice of A's change, and B cannot tell "nothing
changed" from "the notice is on its way" without asking the database. So the changer waits instead:
`announce` returns (and the organiser gets the answer) only when every reader holding a live lease has
applied the new version (seen >= version), or its lease has ended. A reader:

1. LISTENs, then upserts its row (extending its lease), then reads every generation and drops the pages
   of contests whose generation moved, then writes the version it read as `seen`. Only then does it
   trust its memory, until `t0 + LEASE - MARGIN` by its own monotonic clock, t0 taken before the upsert.
2. Repeats that when a notice arrives, and at least every RENEW_EVERY seconds.
3. While it does not trust its memory (at start, when no renewal has succeeded for LEASE - MARGIN
   seconds, as soon as the listening connection is lost), each results page lookup first reads the
   generations itself: a read that starts after the request arrived (concurrent lookups share one such
   read, never one begun earlier). The listener reconnects after RECONNECT_PAUSE and goes through 1.

Why a request to B after A's answer never gets the old page. A's last look at B's row (after A's
commit) found either `seen >= version`, and B dropped the pages before writing that (renders started
before the drop are neither kept nor handed to later requests: the page cache's epoch); or the row
expired, and then B's trust ended before it: the lease began at or after t0 on the database's clock,
and B stops MARGIN early. That is the one assumption: over a lease, B's monotonic clock and the
database server's clock drift apart by less than MARGIN (the server's clock must not be stepped
forward by a second or more). Any lease B took since began after A's look, so the read B makes before
trusting again sees A's commit; a row written after A's look is likewise a renewal whose read comes
after the commit. When B is not trusting, it reads the generations per request itself. The same
reasoning bounds A's wait: LEASE seconds after the commit, a reader still trusting its memory has
renewed, and read, since the commit, so A may stop waiting then whatever the rows say.

Costs: a page served from memory costs no query while the listener is healthy; each process makes about
three small statements a second in the background; a change waits for the readers' acknowledgements
(a few milliseconds), and at most LEASE seconds for a reader that died holding its lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from contest import plain_sql

CHANNEL = "contest_results"
LISTENER_NAME = "contest results listener"  # its application_name, for an operator looking at pg_stat_activity
LEASE = 5.0  # seconds a reader's row vouches for it
MARGIN = 1.0  # the reader stops trusting its memory this long before its lease ends
RENEW_EVERY = 1.0
RECONNECT_PAUSE = 0.2
# Past this a reader still trusting its memory renewed (and read) after the change committed, so waiting
# longer never matters; acknowledgements only make the wait short.
WAIT_AT_MOST = LEASE

BUMP_VERSION = ("INSERT INTO results_stamp (contest_id, generation) VALUES (0, 1) ON CONFLICT (contest_id) "
                "DO UPDATE SET generation = results_stamp.generation + 1 RETURNING generation")
SET_GENERATION = ("INSERT INTO results_stamp (contest_id, generation) VALUES ($1, $2) ON CONFLICT (contest_id) "
                  "DO UPDATE SET generation = EXCLUDED.generation")
BEHIND = "SELECT count(*) AS behind FROM results_reader WHERE seen < $1 AND expires_at > clock_timestamp()"
READ = "SELECT contest_id, generation FROM results_stamp"
LEASE_ROW = ("INSERT INTO results_reader (id, seen, expires_at) VALUES ($1, -1, now() + make_interval(secs => $2)) "
             "ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at")
ACKNOWLEDGE = "UPDATE results_reader SET seen = $2 WHERE id = $1"
FORGET_DEAD = "DELETE FROM results_reader WHERE expires_at < now() - interval '1 hour'"
LEAVE = "DELETE FROM results_reader WHERE id = $1"

log = logging.getLogger("contest.cache_stamp")
Outdate = Callable[[set[int]], None]


async def announce(contest_id: int) -> None:
    """Bump the contest's generation, notify, and return once every live reader has applied it."""
    async with in_transaction() as connection:
        rows = await connection.execute_query_dict(BUMP_VERSION)
        version = int(rows[0]["generation"])
        await connection.execute_query(SET_GENERATION, [contest_id, version])
        await connection.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, str(version)])
    await _wait_for_readers(version)


async def _wait_for_readers(version: int) -> None:
    deadline, pause = time.monotonic() + WAIT_AT_MOST, 0.001
    while True:
        rows = await get_connection("default").execute_query_dict(BEHIND, [version])
        if rows[0]["behind"] == 0:
            return
        if time.monotonic() > deadline:
            log.warning("results version %s not acknowledged by every reader within %.0f s (announced inside "
                        "a transaction, or a reader that cannot read?)", version, WAIT_AT_MOST)
            return
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


def connect_arguments(database_url: str) -> dict[str, Any]:
    credentials = expand_db_url(database_url)["credentials"]
    return {key: credentials[key] for key in ("host", "port", "user", "password", "database") if key in credentials}


class DatabaseWatch:
    """This process's reader: the listener, its lease, and the generations its page caches were built on."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self._connect = connect_arguments(database_url)
        self._id = secrets.token_hex(16)
        self._subscribers: list[weakref.WeakMethod[Outdate]] = []
        self._stamps: dict[int, int] = {}
        self._version = -1
        self._trusted_until = float("-inf")
        self._reads_started = self._reads_done = 0
        self._read_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, outdate: Outdate) -> None:
        self._subscribers.append(weakref.WeakMethod(outdate))

    @property
    def trusted(self) -> bool:
        return time.monotonic() < self._trusted_until

    async def check(self) -> None:
        """Before a lookup: nothing while the lease holds, else a read of the generations begun after now."""
        if not self.trusted:
            await self.read()

    async def read(self) -> None:
        wanted = self._reads_started + 1  # a read that starts after this call
        async with self._read_lock:
            if self._reads_done >= wanted:
                return
            self._reads_started += 1
            number = self._reads_started
            await self._apply(await plain_sql.select(READ))
            self._reads_done = number

    async def _apply(self, rows: Iterable[dict[str, Any]]) -> None:
        stamps = {int(row["contest_id"]): int(row["generation"]) for row in rows}
        version = stamps.pop(0, 0)
        changed = {cid for cid in stamps.keys() | self._stamps.keys() if stamps.get(cid) != self._stamps.get(cid)}
        self._stamps, self._version = stamps, version
        if changed:
            self._outdate(changed)

    def _outdate(self, changed: set[int]) -> None:
        alive = []
        for reference in self._subscribers:
            outdate = reference()
            if outdate is not None:
                outdate(changed)
                alive.append(reference)
        self._subscribers = alive

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Cancel the listener and leave: changes stop waiting for this process."""
        self._distrust()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            await get_connection("default").execute_query(LEAVE, [self._id])
        except Exception:  # the lease ends on its own
            log.warning("could not remove this process's results reader row", exc_info=True)

    def _distrust(self) -> None:
        self._trusted_until = float("-inf")

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresError) as exc:
                log.warning("results listener lost (%s); results pages are checked per request until it is back",
                            exc)
            except Exception:
                log.exception("results listener failed; results pages are checked per request until it is back")
            self._distrust()
            await asyncio.sleep(RECONNECT_PAUSE)

    async def _listen(self) -> None:
        connection = await asyncpg.connect(**self._connect, timeout=LEASE,
                                           server_settings={"application_name": LISTENER_NAME})
        noticed = asyncio.Event()

        def lost(_: object) -> None:
            self._distrust()
            noticed.set()  # the loop below finds the connection closed at once, and reconnects

        connection.add_termination_listener(lost)
        try:
            await connection.add_listener(CHANNEL, lambda *_: noticed.set())
            await connection.execute(FORGET_DEAD)
            while True:
                noticed.clear()
                await self._renew(connection)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(noticed.wait(), RENEW_EVERY)
        finally:
            self._distrust()
            connection.terminate()

    async def _renew(self, connection: asyncpg.Connection) -> None:
        """Extend the lease, read the generations (dropping what moved), acknowledge, trust."""
        started = time.monotonic()
        await connection.execute(LEASE_ROW, self._id, LEASE)
        await self.read()
        await connection.execute(ACKNOWLEDGE, self._id, self._version)
        if not connection.is_closed():
            self._trusted_until = started + LEASE - MARGIN
