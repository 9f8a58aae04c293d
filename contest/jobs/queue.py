"""One procrastinate app for the process. On PostgreSQL its queue is a table of the installation's own database,
which `contest worker` processes on any machine take jobs from; on SQLite the queue lives in the memory of the
one web process, which runs its jobs itself (see docs/jobs.md).

Any layer defers a job by the task's name (`defer("video.transcode", ...)`), so a lower package never imports
the module that registers the tasks (`contest.tasks`, beside the app and the command line)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy, exceptions
from procrastinate.connector import BaseConnector
from procrastinate.testing import InMemoryConnector

from contest import metrics

app = App(connector=InMemoryConnector())

# 2, 4, 8, 16, 32 seconds between the six tries of a job: a database restart or a full disk passes, a real
# bug ends as a failed job the organiser can retry once it is fixed.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)


def connector_for(database_url: str) -> BaseConnector:
    if database_url.startswith("sqlite"):
        return InMemoryConnector()
    return PsycopgConnector(conninfo=database_url.split("?", 1)[0], min_size=1, max_size=4)


@asynccontextmanager
async def opened(database_url: str) -> AsyncIterator[App]:
    """The app with the queue of this database, open for deferring (and for a worker) until the block ends."""
    with app.replace_connector(connector_for(database_url)):
        async with app.open_async():
            yield app


def in_memory() -> bool:
    return isinstance(app.connector, InMemoryConnector)


def in_memory_jobs() -> list[dict[str, Any]]:
    """The rows of the in-memory queue (procrastinate_jobs' columns), when the queue is in memory."""
    connector = app.connector
    return list(connector.jobs.values()) if isinstance(connector, InMemoryConnector) else []


async def defer(task: str, *, contest_id: int | None, queueing_lock: str | None = None, lock: str | None = None,
                schedule_at: datetime | None = None, **kwargs: Any) -> int | None:
    """Queue a run of `task`; None when a run with the same `queueing_lock` is already waiting (it will do it).
    Runs with the same `lock` never overlap, on however many workers."""
    deferrer = app.configure_task(task, queueing_lock=queueing_lock, lock=lock, schedule_at=schedule_at)
    try:
        return await deferrer.defer_async(contest_id=contest_id, **kwargs)
    except exceptions.AlreadyEnqueued:
        return None


async def measured(call_next: Callable[[], Awaitable[Any]], context: JobContext, worker: object) -> Any:
    """Every worker's outermost task middleware: each run's time and outcome into /metrics (a run cut off by its
    time limit counts as "timeout")."""
    started, outcome = time.monotonic(), "failed"
    try:
        result = await call_next()
        outcome = "ok"
        return result
    except TimeoutError:
        outcome = "timeout"
        raise
    finally:
        metrics.observe_job(context.job.task_name, time.monotonic() - started, outcome)


_WAITING_SQL = "SELECT queue_name, count(*) AS waiting FROM procrastinate_jobs WHERE status = 'todo' GROUP BY queue_name"


async def waiting_by_queue() -> dict[str, int]:
    """Jobs waiting to run, by queue (the figure every worker process reports alike at a scrape)."""
    if in_memory():
        waiting: dict[str, int] = {}
        for row in in_memory_jobs():
            if row["status"] == "todo":
                waiting[row["queue_name"]] = waiting.get(row["queue_name"], 0) + 1
        return waiting
    rows = await app.connector.execute_query_all_async(_WAITING_SQL)
    return {row["queue_name"]: row["waiting"] for row in rows}


def time_limit(seconds: float) -> Callable[..., Awaitable[Any]]:
    """A task middleware: a run that takes longer is cancelled and counts as failed (so it is retried)."""

    async def limited(call_next: Callable[[], Awaitable[Any]], context: JobContext, worker: object) -> Any:
        async with asyncio.timeout(seconds):
            return await call_next()

    return limited
