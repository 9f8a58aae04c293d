"""Migration 0005 on a database that already has audit events and outbox messages (SQLite, or PostgreSQL
when CONTEST_TEST_DATABASE_URL names a server). Run in a child process: it migrates a database of its own."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests import pg

pytestmark = pytest.mark.unit

SCRIPT = textwrap.dedent('''
    import asyncio, json, sys
    from datetime import datetime, timezone
    from tortoise import Tortoise
    from tortoise.connection import get_connection
    from tortoise.migrations.api import migrate
    from contest.audit import chain, queries
    from contest.audit.log import record
    from contest.audit.models import AuditEvent
    from contest.db import tortoise_config
    from contest.notifications.models import OutboxMessage

    AT = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)
    LINK = "https://contest.example.org/account/invite/k3J9xQ2m_Vb7"
    MESSAGES = [("invitation", "queued", f"请打开 {LINK}\\n---\\nOpen {LINK}\\n"),
                ("invitation", "sent", f"请打开 {LINK}x\\n"),
                ("vote_code", "queued", "您的网络人气奖投票验证码是 042917，10 分钟内有效。Your popular vote code is 042917."),
                ("receipt", "sent", "作品编号：A-01-0001\\n")]

    async def insert(connection, table, row):
        marks = [f"${n}" if connection.capabilities.dialect == "postgres" else "?" for n in range(1, len(row) + 1)]
        sql = f'INSERT INTO {table} ({", ".join(row)}) VALUES ({", ".join(marks)})'
        await connection.execute_query(sql, list(row.values()))

    async def main(url):
        config = tortoise_config(url)
        await migrate(config=config, target="models.0004_assignment_judge_index")
        await Tortoise.close_connections()
        await Tortoise.init(config=config)
        connection, prev = get_connection("default"), chain.GENESIS
        for seq in (1, 2):
            digest = chain.event_hash(prev, seq, chain.iso_utc(AT), "system", "entry.note", f"entry:{seq}", {"n": seq})
            await insert(connection, "audit_event", {"seq": seq, "at": AT, "actor_label": "system", "action": "entry.note",
                         "subject": f"entry:{seq}", "data": json.dumps({"n": seq}), "prev_hash": prev, "hash": digest})
            prev = digest
        for kind, state, body in MESSAGES:
            await insert(connection, "outbox_message", {"kind": kind, "to_email": "a@example.org", "subject": kind,
                         "body_text": body, "body_html": "", "created_at": AT, "attempts": 0, "last_error": "",
                         "state": state})
        await Tortoise.close_connections()
        await migrate(config=config)
        await Tortoise.close_connections()
        await Tortoise.init(config=config)
        before = await queries.verify_whole_log(chain.Head(2, prev))
        await record("entry.note", subject="entry:3", now=AT)
        after = await queries.verify_whole_log(chain.Head(2, prev))
        messages = await OutboxMessage.all().order_by("id").values_list("body_text", "secret")
        versions = await AuditEvent.all().order_by("seq").values_list("version", flat=True)
        print(json.dumps({"before": before.ok, "after": [after.ok, after.count], "versions": versions,
                          "messages": messages}))
        await Tortoise.close_connections()

    asyncio.run(main(sys.argv[1]))
''')


@pytest.fixture
def fresh_database(tmp_path):
    base = os.environ.get("CONTEST_TEST_DATABASE_URL", "")
    if not base:
        yield f"sqlite://{tmp_path}/upgraded.sqlite3"
        return
    url = asyncio.run(pg.create_database(base, f"contest_upgrade_{os.getpid()}"))
    try:
        yield url
    finally:
        asyncio.run(pg.drop_database(base, url))


def test_an_upgraded_database_keeps_its_chain_and_hides_the_secrets_its_messages_held(fresh_database, tmp_path):
    result = subprocess.run([sys.executable, "-c", SCRIPT, fresh_database], capture_output=True, text=True,
                            timeout=120, check=False, env={**os.environ, "CONTEST_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    link = "https://contest.example.org/account/invite/k3J9xQ2m_Vb7"
    assert json.loads(result.stdout) == {
        "before": True, "after": [True, 3], "versions": [1, 1, 2],
        "messages": [["请打开 [•••]\n---\nOpen [•••]\n", link],
                     ["请打开 [•••]\n", ""],  # sent: its link is the recipient's alone now
                     ["您的网络人气奖投票验证码是 [•••]，10 分钟内有效。Your popular vote code is [•••].", "042917"],
                     ["作品编号：A-01-0001\n", ""]],
    }
