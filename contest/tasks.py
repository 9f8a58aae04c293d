"""The jobs' tasks, registered on the queue's app under the names the lower packages defer them by, and the
worker that runs them: `contest worker` on PostgreSQL, a task of the web process on SQLite (docs/jobs.md).

Every task is safe to run twice: each first looks at what is left to do (a video still PROCESSING, an upload
still held, a message still due, an image still under an old fingerprint) and does only that."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from procrastinate import JobContext

from contest import clock
from contest.entries import duplicates, held, videos
from contest.jobs import queue
from contest.judging import edits
from contest.media.stores import open_store
from contest.notifications import outbox, sender
from contest.settings import Settings

REHASH_TASK = "screening.rehash"
SWEEP_TASK = "jobs.sweep"
KEEP_DONE_HOURS = 72  # finished jobs are shown for this long, then deleted (failed ones stay until retried)


def _settings(context: JobContext) -> Settings:
    return context.additional_context["settings"]


@queue.app.task(name=videos.TRANSCODE_TASK, pass_context=True, retry=queue.RETRY,
                task_middleware=[queue.time_limit(30 * 60)])
async def transcode(context: JobContext, *, contest_id: int, file_id: int) -> None:
    await videos.transcode_if_processing(file_id, open_store(_settings(context)))


@queue.app.task(name=held.MAKE_TASK, pass_context=True, retry=queue.RETRY, task_middleware=[queue.time_limit(10 * 60)])
async def make_upload(context: JobContext, *, contest_id: int, held_id: int) -> None:
    await edits.make_held(held_id, open_store(_settings(context)), now=clock.now())


@queue.app.task(name=outbox.SEND_TASK, pass_context=True, retry=queue.RETRY, task_middleware=[queue.time_limit(120)])
async def send_message(context: JobContext, *, contest_id: int | None, message_id: int) -> None:
    settings = _settings(context)
    transport = sender.transport_for(settings)
    if transport is not None:  # without one the message waits in the outbox, as organisers see there
        await sender.send_one(message_id, transport, sender=settings.smtp_from, now=clock.now())


@queue.app.task(name=REHASH_TASK, pass_context=True, retry=queue.RETRY, task_middleware=[queue.time_limit(3600)])
async def rehash(context: JobContext, *, contest_id: None) -> None:
    await duplicates.rehash_stored_images(open_store(_settings(context)))


@queue.app.periodic(cron="* * * * *", periodic_id="sweep")
@queue.app.task(name=SWEEP_TASK, pass_context=True, task_middleware=[queue.time_limit(50)])
async def sweep(context: JobContext, timestamp: int, contest_id: None = None) -> None:
    """Every minute: messages due again (a later attempt, or a job lost with the memory of a stopped SQLite
    process) get their job; jobs of a worker that died are retried; finished jobs past showing are deleted.
    Without a mail server no message gets a job: it could only wait, and the sweep would queue it every minute."""
    if sender.transport_for(_settings(context)) is not None:
        for message_id, its_contest in await sender.due_ids(now=clock.now(), limit=1000):
            await outbox.schedule_sending(message_id, contest_id=its_contest)
    manager = queue.app.job_manager
    for job in await manager.get_stalled_jobs():
        await manager.retry_job(job)
    await manager.delete_old_jobs(nb_hours=KEEP_DONE_HOURS)


async def queue_left_work(settings: Settings) -> None:
    """What a start finds to do: videos a stop left PROCESSING, uploads still held for their images, fingerprints
    of an older hash version."""
    await videos.resume_transcodes(open_store(settings))
    await held.requeue()
    await queue.defer(REHASH_TASK, contest_id=None, queueing_lock=REHASH_TASK)


def worker_options(settings: Settings, *, concurrency: int, wait: bool = True) -> dict[str, Any]:
    return {"additional_context": {"settings": settings}, "concurrency": concurrency, "wait": wait,
            "install_signal_handlers": False, "shutdown_graceful_timeout": 30.0, "task_middleware": [queue.measured]}


async def run_until_empty(settings: Settings) -> None:
    """Run every job due now, and those they queue, then return (tests, and `contest worker --once`)."""
    await queue.app.run_worker_async(**worker_options(settings, concurrency=1, wait=False))


@asynccontextmanager
async def worker_running(settings: Settings, *, concurrency: int = 2) -> AsyncIterator[None]:
    """A worker taking jobs until the block ends, then finishing those it runs (`contest worker`; on SQLite a
    task of the web process, running its in-memory queue)."""
    task = asyncio.create_task(queue.app.run_worker_async(**worker_options(settings, concurrency=concurrency)))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
