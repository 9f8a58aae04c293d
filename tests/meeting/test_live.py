"""The live hub: every reader of a session gets its state at once, then each change, from one watcher per
session per process; a change in this process arrives without waiting for the poll."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from contest.judging.models import Assignment, Round
from contest.judging.scoring import complete_assignment, save_score
from contest.meeting import sessions
from contest.meeting.live import Hub
from tests.factories import NOW
from tests.meeting.builders import final_room, open_room

pytestmark = pytest.mark.unit


async def test_readers_see_the_chairs_moves_and_the_judges_submissions_from_one_watcher(db):
    room = await final_room()
    session = await open_room(room)
    hub = Hub(poll_seconds=0.02)
    readers = [aclosing(hub.changes(session.id, heartbeat=5)) for _ in range(3)]
    streams = [await reader.__aenter__() for reader in readers]
    try:
        first = [await anext(stream) for stream in streams]
        assert first == [(session.version, 0)] * 3
        assert len(hub._watches) == 1

        await sessions.move_to(session, await Round.get(id=room.round.id), 0, by=room.chair, now=NOW)
        hub.poke(session.id)
        moved = [await asyncio.wait_for(anext(stream), 5) for stream in streams]
        assert moved == [(session.version, 0)] * 3

        assignment = await Assignment.get(round_id=room.round.id, entry_id=room.entries[0].id,
                                          judge_id=room.judges[0].id)
        await save_score(assignment, criterion=room.criterion, value=6, now=NOW, by=room.judges[0])
        await complete_assignment(assignment, now=NOW, by=room.judges[0])  # nobody pokes: the poll finds it
        assert [await asyncio.wait_for(anext(stream), 5) for stream in streams] == [(session.version, 1)] * 3
    finally:
        for reader in readers:
            await reader.__aexit__(None, None, None)
    assert hub._watches == {}


async def test_a_quiet_session_sends_heartbeats_and_a_missing_one_ends_the_stream(db):
    room = await final_room(1)
    session = await open_room(room)
    hub = Hub(poll_seconds=0.02)
    async with aclosing(hub.changes(session.id, heartbeat=0.05)) as stream:
        assert await anext(stream) == (session.version, 0)
        assert await anext(stream) is None  # nothing changed: a heartbeat
    async with aclosing(hub.changes(999_999, heartbeat=0.05)) as stream:
        assert [seen async for seen in stream] == []


async def test_the_watcher_outlives_a_failed_read_and_still_delivers_the_next_change(db, monkeypatch):
    """CI, 2026-12-07: on a busy SQLite one read of the fingerprint failed, the watcher's task died with it,
    and every screen of the meeting in that process stayed on 0 of 3 submissions for good."""
    import contest.meeting.live as live

    room = await final_room(1)
    session = await open_room(room)
    hub = Hub(poll_seconds=0.02)
    real = live.fingerprint
    failures = 0

    async def locked_once(session_id: int):
        nonlocal failures
        if failures == 0:
            failures += 1
            raise OSError("database is locked")
        return await real(session_id)

    async with aclosing(hub.changes(session.id, heartbeat=5)) as stream:
        assert await anext(stream) == (session.version, 0)
        monkeypatch.setattr(live, "fingerprint", locked_once)
        await sessions.move_to(session, await Round.get(id=room.round.id), 0, by=room.chair, now=NOW)
        hub.poke(session.id)
        assert await asyncio.wait_for(anext(stream), 5) == (session.version, 0)
    assert failures == 1
