from __future__ import annotations

import pytest

from contest.audit import queries
from contest.audit.log import record
from contest.audit.models import AuditEvent
from tests.factories import NOW, make_contest

pytestmark = pytest.mark.unit


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(queries, "BATCH", 2)


async def seven_events() -> int:
    contest = await make_contest()
    for n in range(7):
        await record("entry.note", subject=f"entry:{n}", now=NOW, contest_id=contest.id, data={"n": n})
    return contest.id


async def test_the_chain_is_verified_across_batches(db, small_batches):
    await seven_events()
    assert await queries.verify_whole_log() == queries.ChainStatus(True, 7)


async def test_a_deleted_event_is_found_where_the_batches_meet(db, small_batches):
    await seven_events()
    await AuditEvent.filter(seq=5).delete()
    assert await queries.verify_whole_log() == queries.ChainStatus(False, 5, 6, "seq_gap")


async def test_a_changed_first_event_is_found(db, small_batches):
    await seven_events()
    await AuditEvent.filter(seq=1).update(data={"n": 100})
    assert await queries.verify_whole_log() == queries.ChainStatus(False, 1, 1, "hash_mismatch")


async def test_export_streams_every_matching_event_in_order(db, small_batches):
    contest_id = await seven_events()
    selection = queries.AuditFilter(subject="entry")
    assert [e.seq async for e in queries.stream_events(contest_id, selection)] == [1, 2, 3, 4, 5, 6, 7]
