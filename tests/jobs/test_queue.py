"""The queue's rules: failed runs are retried with exponential back-off and end as failed jobs, a run past its
time limit is cut off and retried, a waiting job is not queued twice, and jobs carry their contest."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from procrastinate import utils
from procrastinate.jobs import Job

from contest.jobs import board, queue
from contest.notifications.outbox import SEND_TASK
from tests.factories import make_contest
from tests.jobs import jobs_of, make_due, run_jobs

pytestmark = pytest.mark.unit

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
started: list[int] = []


@queue.app.task(name="tests.stuck", retry=queue.RETRY, task_middleware=[queue.time_limit(0.05)])
async def stuck(*, contest_id: int | None, run: int) -> None:
    started.append(run)
    await asyncio.Event().wait()  # never ends by itself
    started.append(-run)


def test_the_back_off_doubles_from_2_seconds_and_ends_after_the_sixth_try(monkeypatch):
    monkeypatch.setattr(utils, "utcnow", lambda: NOW)
    error = RuntimeError("the disk is full")
    waits = []
    for attempts in range(6):
        decision = queue.RETRY.get_retry_decision(exception=error, job=Job(
            id=1, queue="default", lock=None, queueing_lock=None, task_name="x", attempts=attempts))
        waits.append(decision and decision.retry_at - NOW)
    assert waits == [timedelta(seconds=s) for s in (2, 4, 8, 16, 32)] + [None]


async def test_a_job_that_keeps_failing_is_retried_then_left_failed(db, settings):
    contest = await make_contest()
    # A message that never appears (its transaction rolled back): each try finds nothing to send, and says so.
    await queue.defer(SEND_TASK, contest_id=contest.id, message_id=999_999)
    for tried in range(1, 6):
        await run_jobs(settings)
        [job] = await jobs_of(SEND_TASK)
        assert (job.status, job.attempts) == ("todo", tried)
        assert job.scheduled_at is not None and job.scheduled_at > datetime.now(UTC)  # waits for its back-off
        await make_due()
    await run_jobs(settings)
    [job] = await jobs_of(SEND_TASK)
    assert (job.status, job.attempts) == ("failed", 6)
    assert [j.id for j in (await board.contest_board(contest.id)).failed] == [job.id]


async def test_a_run_past_its_time_limit_is_cut_off_and_retried(db, settings):
    started.clear()
    await queue.defer("tests.stuck", contest_id=None, run=1)
    await run_jobs(settings)
    [job] = await jobs_of("tests.stuck")
    assert started == [1]  # started, never got past its wait
    assert (job.status, job.attempts) == ("todo", 1)


async def test_a_job_waiting_under_a_queueing_lock_is_not_queued_twice(db):
    first = await queue.defer(SEND_TASK, contest_id=None, message_id=1, queueing_lock="outbox:1")
    second = await queue.defer(SEND_TASK, contest_id=None, message_id=1, queueing_lock="outbox:1")
    assert first is not None and second is None
    assert len(await jobs_of(SEND_TASK)) == 1


async def test_a_contests_board_holds_its_own_jobs_only(db):
    contest, other = await make_contest(), await make_contest()
    mine = await queue.defer(SEND_TASK, contest_id=contest.id, message_id=1)
    await queue.defer(SEND_TASK, contest_id=other.id, message_id=2)
    await queue.defer(SEND_TASK, contest_id=None, message_id=3)
    shown = await board.contest_board(contest.id)
    assert ([j.id for j in shown.queued], shown.running, shown.failed, shown.done) == ([mine], [], [], [])
