"""The job queue in tests: run what is queued, make what waits for a retry due, read the jobs, empty the queue."""

from __future__ import annotations

from procrastinate.jobs import Job
from procrastinate.testing import InMemoryConnector

from contest import tasks
from contest.jobs import queue
from contest.settings import Settings


async def run_jobs(settings: Settings) -> None:
    """A worker runs every job due now (and those they queue), then stops."""
    await tasks.run_until_empty(settings)


async def make_due() -> None:
    """Jobs waiting for a later try may run now (the back-off itself is tested on the strategy)."""
    connector = queue.app.connector
    if isinstance(connector, InMemoryConnector):
        for row in connector.jobs.values():
            if row["status"] == "todo":
                row["scheduled_at"] = None
    else:
        await connector.execute_query_async("UPDATE procrastinate_jobs SET scheduled_at = NULL WHERE status = 'todo'")


async def jobs_of(task: str) -> list[Job]:
    return sorted(await queue.app.job_manager.list_jobs_async(task=task), key=lambda job: job.id or 0)


async def clear_queue() -> None:
    connector = queue.app.connector
    if isinstance(connector, InMemoryConnector):
        connector.reset()
    else:
        await connector.execute_query_async("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers CASCADE")


async def failed_job(settings: Settings, contest_id: int) -> int:
    """A job of the contest that failed for good: the e-mail of a message that never appeared, tried six times."""
    from contest.notifications.outbox import SEND_TASK

    job_id = await queue.defer(SEND_TASK, contest_id=contest_id, message_id=999_999)
    for _ in range(6):
        await run_jobs(settings)
        await make_due()
    assert job_id is not None
    return job_id
