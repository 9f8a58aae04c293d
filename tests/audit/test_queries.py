from __future__ import annotations

from datetime import timedelta

import pytest

from contest.audit import chain, queries
from contest.audit.log import record
from contest.audit.models import AuditEvent
from tests.audit.helpers import rewrite_from, seven_events
from tests.factories import NOW, make_contest, make_user

pytestmark = pytest.mark.unit


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(queries, "BATCH", 2)


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


async def events_by_two_organisers() -> tuple[int, int]:
    """Three events of one contest by one organiser, in a log with another contest and organiser."""
    contest, other = await make_contest(), await make_contest()
    author, someone = await make_user(), await make_user()
    for n in range(3):
        await record("entry.note", subject=f"entry:{n}", now=NOW, actor=author, contest_id=contest.id, data={"n": n})
    return other.id, someone.id


async def test_moving_an_event_to_another_actor_in_the_database_breaks_the_chain(db):
    _, someone = await events_by_two_organisers()
    await AuditEvent.filter(seq=2).update(actor_id=someone)
    assert await queries.verify_whole_log() == queries.ChainStatus(False, 2, 2, "actor_mismatch")
    await AuditEvent.filter(seq=2).update(actor_label=f"user:{someone}")
    assert await queries.verify_whole_log() == queries.ChainStatus(False, 2, 2, "hash_mismatch")


async def test_moving_an_event_to_another_contest_in_the_database_breaks_the_chain(db):
    other, _ = await events_by_two_organisers()
    await AuditEvent.filter(seq=3).update(contest_id=other)
    assert await queries.verify_whole_log() == queries.ChainStatus(False, 3, 3, "hash_mismatch")
    await AuditEvent.filter(seq=3).update(contest_id=None)
    assert await queries.verify_whole_log() == queries.ChainStatus(False, 3, 3, "hash_mismatch")


async def test_a_head_written_down_earlier_verifies_while_the_log_grows(db):
    await seven_events()
    head = await queries.current_head()
    assert head == chain.Head(7, (await AuditEvent.get(seq=7)).hash)
    await seven_events()
    assert await queries.verify_whole_log(chain.parse_head(str(head))) == queries.ChainStatus(True, 14)
    assert await queries.verify_whole_log(chain.EMPTY_HEAD) == queries.ChainStatus(True, 14)


async def test_an_earlier_event_rewritten_with_fresh_hashes_fails_against_the_head(db):
    await seven_events()
    head = await queries.current_head()
    await seven_events()
    await rewrite_from(3, data={"n": 100})
    assert await queries.verify_whole_log() == queries.ChainStatus(True, 14)  # on its own it looks intact
    assert await queries.verify_whole_log(head) == queries.ChainStatus(False, 14, 7, "head_mismatch")


async def test_a_log_cut_before_the_head_fails_against_it(db):
    await seven_events()
    head = await queries.current_head()
    await AuditEvent.filter(seq__gte=6).delete()
    assert await queries.verify_whole_log(head) == queries.ChainStatus(False, 5, 7, "head_missing")


async def test_the_head_at_a_moment_is_the_last_event_written_by_then(db):
    contest = await make_contest()
    for minutes in (0, 10, 20):
        await record("entry.note", subject="entry:1", now=NOW + timedelta(minutes=minutes), contest_id=contest.id)
    third = await AuditEvent.get(seq=3)
    assert [await queries.head_at(NOW + timedelta(minutes=m)) for m in (-1, 15, 20)] == [
        chain.EMPTY_HEAD, chain.Head(2, (await AuditEvent.get(seq=2)).hash), chain.Head(3, third.hash)]


async def test_events_written_before_the_chain_version_verify_beside_new_ones(db):
    """An upgraded database: old events keep their version-1 hashes (no actor id or contest in them)."""
    contest, author = await make_contest(), await make_user()
    prev = chain.GENESIS
    for seq in (1, 2):
        at = chain.iso_utc(NOW)
        digest = chain.event_hash(prev, seq, at, f"user:{author.id}", "entry.note", f"entry:{seq}", {})
        await AuditEvent.create(seq=seq, at=NOW, actor_id=author.id, actor_label=f"user:{author.id}",
                                contest_id=contest.id, action="entry.note", subject=f"entry:{seq}", data={},
                                prev_hash=prev, hash=digest, version=1)
        prev = digest
    await record("entry.note", subject="entry:3", now=NOW, actor=author, contest_id=contest.id)
    assert await AuditEvent.all().order_by("seq").values_list("version", flat=True) == [1, 1, 2]
    assert await queries.verify_whole_log() == queries.ChainStatus(True, 3)
    await AuditEvent.filter(seq=1).update(actor_id=(await make_user()).id)  # the label still names the author
    assert await queries.verify_whole_log() == queries.ChainStatus(False, 1, 1, "actor_mismatch")
    await AuditEvent.filter(seq=1).update(actor_id=author.id, version=2)
    assert await queries.verify_whole_log() == queries.ChainStatus(False, 1, 1, "hash_mismatch")
