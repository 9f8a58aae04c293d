"""A contest's jobs as its organisers see them (queued, running, failed, done lately), and the retry of a failed one.

Every job carries the contest it works for in its arguments (`contest_id`); site-wide work carries none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from procrastinate import utils

from contest.jobs import queue

DONE_SHOWN = 20
OPEN_SHOWN = 500
FAILED = "failed"

_OPEN_SQL = """
SELECT id, task_name, status, attempts, scheduled_at, args FROM procrastinate_jobs
WHERE args->>'contest_id' = %(contest_id)s AND status <> 'succeeded' ORDER BY id DESC LIMIT %(limit)s"""
_DONE_SQL = """
SELECT id, task_name, status, attempts, scheduled_at, args FROM procrastinate_jobs
WHERE args->>'contest_id' = %(contest_id)s AND status = 'succeeded' ORDER BY id DESC LIMIT %(limit)s"""


@dataclass(frozen=True)
class JobRow:
    id: int
    task: str
    status: str  # procrastinate's: todo, doing, succeeded, failed
    attempts: int
    scheduled_at: datetime | None


@dataclass(frozen=True)
class Board:
    queued: list[JobRow]
    running: list[JobRow]
    failed: list[JobRow]
    done: list[JobRow]


async def _rows(contest_id: int) -> list[dict[str, Any]]:
    if queue.in_memory():
        mine = [row for row in queue.in_memory_jobs() if row["args"].get("contest_id") == contest_id]
        mine.sort(key=lambda row: -row["id"])
        done = [row for row in mine if row["status"] == "succeeded"]
        return [row for row in mine if row["status"] != "succeeded"][:OPEN_SHOWN] + done[:DONE_SHOWN]
    arguments = {"contest_id": str(contest_id)}
    open_rows = await queue.app.connector.execute_query_all_async(_OPEN_SQL, **arguments, limit=OPEN_SHOWN)
    done_rows = await queue.app.connector.execute_query_all_async(_DONE_SQL, **arguments, limit=DONE_SHOWN)
    return [*open_rows, *done_rows]


def _job(row: dict[str, Any]) -> JobRow:
    return JobRow(row["id"], row["task_name"], row["status"], row["attempts"], row["scheduled_at"])


async def contest_board(contest_id: int) -> Board:
    jobs = [_job(row) for row in await _rows(contest_id)]
    return Board(queued=[j for j in jobs if j.status == "todo"], running=[j for j in jobs if j.status == "doing"],
                 failed=[j for j in jobs if j.status == FAILED], done=[j for j in jobs if j.status == "succeeded"])


async def retry_failed(contest_id: int, job_id: int) -> bool:
    """Queue a failed job of the contest to run again now; False when it is not one (another contest's, or not
    failed: a second press of the button finds it queued already and does nothing)."""
    board = await contest_board(contest_id)
    if job_id not in {job.id for job in board.failed}:
        return False
    await queue.app.job_manager.retry_job_by_id_async(job_id, retry_at=utils.utcnow())
    return True
