"""`contest audit-head`: the chain head to write down, and the check of the log against one written earlier."""

from __future__ import annotations

import pytest

from contest.audit import queries
from contest.audit.log import record
from contest.audit.models import AuditEvent
from tests.audit.helpers import rewrite_from, seven_events
from tests.commands import run_cli
from tests.factories import NOW, make_contest

pytestmark = pytest.mark.unit


async def test_the_head_printed_verifies_later_and_fails_once_an_earlier_event_is_rewritten(db, tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": db}
    await seven_events()
    printed = run_cli("audit-head", env=env)
    head = await queries.current_head()
    assert (printed.returncode, printed.stdout) == (0, f"7:{head.hash}\n"), printed.stderr
    await record("entry.note", subject="entry:8", now=NOW, contest_id=(await make_contest()).id)
    verified = run_cli("audit-head", "--verify", printed.stdout.strip(), env=env)
    assert (verified.returncode, verified.stdout) == (
        0, "OK: events 1 to 7 are unchanged, and all 8 events of today's log link up after them.\n")
    await rewrite_from(2, subject="entry:200")
    tampered = run_cli("audit-head", "--verify", printed.stdout.strip(), env=env)
    assert (tampered.returncode, tampered.stdout) == (1, (
        "audit event 7 does not carry the hash written down: an event up to it was changed, removed or added since\n"))
    await AuditEvent.filter(seq=3).update(action="entry.erased")
    broken = run_cli("audit-head", "--verify", printed.stdout.strip(), env=env)
    assert (broken.returncode, broken.stdout) == (1, "the audit chain is broken at event 3: hash_mismatch\n")


async def test_a_head_that_is_not_seq_colon_hash_is_refused(db, tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": db}
    refused = run_cli("audit-head", "--verify", "7:abc", env=env)
    assert (refused.returncode, refused.stdout, refused.stderr) == (2, "", (
        "contest: a chain head is written seq:hash, e.g. 12:3f2a… (64 hexadecimal digits)\n"))
