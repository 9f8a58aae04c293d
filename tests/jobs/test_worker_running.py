"""A worker left running (inside the web process on SQLite, `contest worker` on PostgreSQL) takes a job as soon as it
is queued, and stops cleanly, finishing what it runs."""

from __future__ import annotations

import asyncio
import dataclasses
import mailbox

import pytest

from contest import tasks
from contest.notifications.models import OutboxMessage, OutboxState
from contest.notifications.outbox import queue_message
from tests.factories import make_contest

pytestmark = pytest.mark.unit


async def sent(message_id: int) -> None:
    while (await OutboxMessage.get(id=message_id)).state != OutboxState.SENT:
        await asyncio.sleep(0.05)


async def test_a_running_worker_sends_a_message_once_it_is_queued(db, settings, tmp_path):
    settings = dataclasses.replace(settings, mail_dir=tmp_path / "mail")
    contest = await make_contest()
    async with tasks.worker_running(settings):
        message = await queue_message(kind="receipt", to_email="d@example.org", subject="已提交", body_text="编号 1",
                                      contest_id=contest.id)
        await asyncio.wait_for(sent(message.id), timeout=60)  # a hang fails here rather than stalling the run
    assert len(mailbox.Maildir(tmp_path / "mail")) == 1
