from __future__ import annotations

import asyncio
import mailbox
import os
import sys

import pytest

from contest.notifications.models import OutboxMessage
from contest.notifications.outbox import queue_message
from tests.commands import run_cli
from tests.factories import make_contest

pytestmark = pytest.mark.unit


def test_send_outbox_without_a_mail_server_or_folder_says_so(tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3",
           "CONTEST_SMTP_HOST": "", "CONTEST_MAIL_DIR": ""}
    result = run_cli("send-outbox", "--once", env=env)
    assert (result.returncode, result.stderr) == (
        2, "contest: neither CONTEST_SMTP_HOST nor CONTEST_MAIL_DIR is set; messages stay in the outbox.\n")


async def test_in_development_the_outbox_is_delivered_into_a_mail_folder_secret_included(db, tmp_path):
    contest = await make_contest()
    message = await queue_message(kind="judge_invitation", to_email="judge@example.org", subject="【大赛】评审邀请",
                                  body_text="请打开 [•••] 接受邀请。", secret="http://127.0.0.1:8000/account/invite/t0k3n",
                                  contest_id=contest.id)
    env = {**os.environ, "CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": db, "CONTEST_SMTP_HOST": ""}
    env.pop("CONTEST_MAIL_DIR", None)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "contest", "send-outbox", "--once", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert (process.returncode, out.decode(), err.decode()) == (0, "sent: 1\n", "")
    [delivered] = mailbox.Maildir(tmp_path / "mail", create=False)
    assert (delivered["To"], delivered.get_payload(decode=True).decode().strip()) == (
        "judge@example.org", "请打开 http://127.0.0.1:8000/account/invite/t0k3n 接受邀请。")
    assert ((await OutboxMessage.get(id=message.id)).state, (await OutboxMessage.get(id=message.id)).secret) == ("sent", "")


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
