from __future__ import annotations

import asyncio
import os
import sys

import pytest

from contest.notifications.models import OutboxMessage
from contest.notifications.outbox import queue_message
from tests.factories import make_contest
from tests.test_db import run_cli

pytestmark = pytest.mark.unit


def test_send_outbox_without_a_mail_server_says_so(tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3",
           "CONTEST_SMTP_HOST": ""}
    result = run_cli("send-outbox", "--once", env=env)
    assert (result.returncode, result.stderr) == (2, "contest: CONTEST_SMTP_HOST is not set; messages stay in the outbox.\n")


async def test_send_outbox_once_sends_what_is_due_and_exits(db, smtp, tmp_path):
    mailbox, transport = smtp
    contest = await make_contest()
    message = await queue_message(kind="receipt", to_email="designer@example.org", subject="【大赛】作品已提交",
                                  body_text="作品编号：A-01-0001", contest_id=contest.id)
    env = {**os.environ, "CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": db,
           "CONTEST_SMTP_HOST": transport.host, "CONTEST_SMTP_PORT": str(transport.port),
           "CONTEST_SMTP_FROM": "noreply@contest.example.org"}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "contest", "send-outbox", "--once", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert (process.returncode, out.decode(), err.decode()) == (0, "sent: 1\n", "")
    assert (await OutboxMessage.get(id=message.id)).state == "sent"
    assert [m["From"] for m in mailbox.received] == ["noreply@contest.example.org"]
