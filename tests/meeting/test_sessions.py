"""The meeting in the room, without HTTP: judges score only what the chair has open, the reveal waits for
every judge, a rescore reopens with its reason, votes decide a tied grade, and the lock stores it all."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest

from contest.audit.models import AuditEvent
from contest.audit.queries import verify_whole_log
from contest.errors import InvalidInput
from contest.judging.models import Assignment, Round, RoundEntry
from contest.judging.queries import assignment_for_judge, judge_queue
from contest.judging.scoring import NotOpenInTheRoom, RoundNotScoring, complete_assignment, save_score
from contest.meeting import outcome, sessions, sheet, votes
from contest.meeting.models import MeetingItem, Rescore
from contest.meeting.screens import screen
from contest.results.models import Award, AwardStatus
from tests.factories import NOW
from tests.meeting.builders import final_room, open_room

pytestmark = pytest.mark.unit


async def _score(room, judge, entry, value, *, now=NOW):
    assignment = await Assignment.get(round_id=room.round.id, entry_id=entry.id, judge_id=judge.id)
    await save_score(assignment, criterion=room.criterion, value=value, now=now, by=judge)
    await complete_assignment(assignment, now=now, by=judge)


async def _round(room):
    return await Round.get(id=room.round.id)


async def test_judges_see_and_score_nothing_until_the_chair_puts_an_entry_on_screen(db):
    room = await final_room()
    session = await open_room(room)
    judge = room.judges[0]
    assert (await judge_queue(judge, await _round(room), now=NOW)).total == 0
    assert await assignment_for_judge(judge, await _round(room), room.aliases[1], now=NOW) is None
    stored = await Assignment.get(round_id=room.round.id, entry_id=room.entries[0].id, judge_id=judge.id)
    with pytest.raises(NotOpenInTheRoom):
        await save_score(stored, criterion=room.criterion, value=7, now=NOW, by=judge)

    await sessions.move_to(session, await _round(room), 0, by=room.chair, now=NOW)
    round_ = await _round(room)
    assert [i.entry.alias for i in (await judge_queue(judge, round_, now=NOW)).items] == [room.aliases[0]]
    await _score(room, judge, room.entries[0], 7)
    ahead = await Assignment.get(round_id=room.round.id, entry_id=room.entries[1].id, judge_id=judge.id)
    with pytest.raises(NotOpenInTheRoom):  # a forged save for the next entry
        await save_score(ahead, criterion=room.criterion, value=9, now=NOW, by=judge)


async def test_the_reveal_waits_for_every_judge_then_closes_scoring_of_the_entry(db):
    room = await final_room()
    session = await open_room(room)
    await sessions.move_to(session, await _round(room), 0, by=room.chair, now=NOW)
    for judge, value in zip(room.judges[:2], (6, 8), strict=True):
        await _score(room, judge, room.entries[0], value)
    with pytest.raises(sessions.NotEveryoneScored):
        await sessions.reveal(session, await _round(room), by=room.chair, now=NOW)
    assert (await screen(session.id)).on_screen.scored_count == 2
    await _score(room, room.judges[2], room.entries[0], 10)
    figures = await sessions.reveal(session, await _round(room), by=room.chair, now=NOW)
    assert figures["mean"] == pytest.approx(80.0)  # (6 + 8 + 10) / 3 on 0–10, as 0–100
    assert figures["n_judges"] == 3
    assert (await screen(session.id)).on_screen.figures["figure"] == pytest.approx(80.0)
    assignment = await Assignment.get(round_id=room.round.id, entry_id=room.entries[0].id, judge_id=room.judges[0].id)
    with pytest.raises(NotOpenInTheRoom):
        await save_score(assignment, criterion=room.criterion, value=1, now=NOW, by=room.judges[0])


async def test_a_rescore_needs_a_reason_withdraws_submissions_and_keeps_the_scores(db):
    room = await final_room()
    session = await open_room(room)
    await sessions.move_to(session, await _round(room), 0, by=room.chair, now=NOW)
    for judge in room.judges:
        await _score(room, judge, room.entries[0], 5)
    await sessions.reveal(session, await _round(room), by=room.chair, now=NOW)
    await sessions.move_to(session, await _round(room), 1, by=room.chair, now=NOW)
    item = await MeetingItem.get(session_id=session.id, position=0)
    with pytest.raises(InvalidInput):
        await sessions.rescore(session, await _round(room), item, reason="  ", by=room.chair, now=NOW)
    await sessions.rescore(session, await _round(room), item, reason="评委乙误读了尺寸", by=room.chair, now=NOW)
    assert session.position == 0 and (await _round(room)).live_entry_id == room.entries[0].id
    assert await Assignment.filter(round_id=room.round.id, entry_id=room.entries[0].id,
                                   completed_at__isnull=False).count() == 0
    assert [r.reason for r in await Rescore.all()] == ["评委乙误读了尺寸"]
    event = await AuditEvent.filter(action="meeting.rescore").first()
    assert event.data["reason"] == "评委乙误读了尺寸"
    await _score(room, room.judges[1], room.entries[0], 9)  # changed, and submitted again
    assert (await screen(session.id)).on_screen.figures is None


async def _reveal_at(room, session, position, value):
    await sessions.move_to(session, await _round(room), position, by=room.chair, now=NOW)
    for judge in room.judges:
        await _score(room, judge, room.entries[position], value)
    await sessions.reveal(session, await _round(room), by=room.chair, now=NOW)


async def _reveal_all(room, session, values):
    for position, value in enumerate(values):
        await _reveal_at(room, session, position, value)


async def test_a_tie_across_a_boundary_is_voted_judge_by_judge_confirmed_and_locked_into_the_awards(db):
    room = await final_room(3)
    session = await open_room(room)
    await _reveal_all(room, session, (9, 7, 7))  # 作品2 and 作品3 tie for 二等奖 and 三等奖
    standing = {s.entry_id: s for s in await outcome.standings(session, await _round(room))}
    first, second, third = room.tiers
    assert standing[room.entries[0].id].tier_id == first.id
    assert standing[room.entries[1].id].contested == standing[room.entries[2].id].contested == (second.id, third.id)
    assert standing[room.entries[0].id].contested == ()

    with pytest.raises(InvalidInput):  # a grade of no track of the entry's
        await votes.open_vote(session, await _round(room), entry_id=room.entries[1].id, choices=[second.id, 99999],
                              by=room.chair, now=NOW)
    vote = await votes.open_vote(session, await _round(room), entry_id=room.entries[1].id,
                                 choices=[second.id, third.id], by=room.chair, now=NOW)
    with pytest.raises(votes.VoteOpen):
        await votes.open_vote(session, await _round(room), entry_id=room.entries[2].id,
                              choices=[second.id, third.id], by=room.chair, now=NOW)
    for judge, choice in zip(room.judges, (second.id, second.id, third.id), strict=True):
        await votes.cast_ballot(session, await _round(room), vote, choice=choice, judge=judge, now=NOW)
    await votes.confirm_vote(session, await _round(room), vote, choice=second.id, by=room.chair, now=NOW)
    with pytest.raises(votes.VoteClosed):
        await votes.cast_ballot(session, await _round(room), vote, choice=third.id, judge=room.judges[2], now=NOW)
    other = await votes.open_vote(session, await _round(room), entry_id=room.entries[2].id,
                                  choices=[second.id, third.id], by=room.chair, now=NOW)
    for judge in room.judges:
        await votes.cast_ballot(session, await _round(room), other, choice=third.id, judge=judge, now=NOW)
    await votes.confirm_vote(session, await _round(room), other, choice=third.id, by=room.chair, now=NOW)
    confirmed = await AuditEvent.filter(action="meeting.vote_confirmed").order_by("seq").first()
    assert sorted(confirmed.data["ballots"].values()) == sorted([second.id, second.id, third.id])

    head = await outcome.lock(session, await _round(room), by=room.chair, now=NOW + timedelta(minutes=1))
    awards = dict(await Award.filter(contest_id=room.contest.id, status=AwardStatus.PROPOSED).values_list(
        "entry_id", "tier_id"))
    assert awards == {room.entries[0].id: first.id, room.entries[1].id: second.id, room.entries[2].id: third.id}
    assert (await _round(room)).locked_at is not None
    assert head == session.chain_head and head.split(":")[0].isdigit()
    assert (await verify_whole_log()).ok
    with pytest.raises(sessions.MeetingLocked):
        await sessions.move_to(session, await _round(room), 0, by=room.chair, now=NOW)

    pdf = pypdf.PdfReader(io.BytesIO(await sheet.sheet_pdf(room.contest, session, await _round(room))))
    text = "".join(page.extract_text() for page in pdf.pages)
    for expected in ("终评会评审结果签字表", "工会文创设计大赛", *room.aliases, "一等奖", "二等奖（表决）",
                     "评委签字", "评委甲", "评委丙", "主持人签字", "主持人", head):
        assert expected in text, expected
    assert "评委丙：三等奖" in text  # each judge's ballot


async def test_the_lock_waits_for_every_reveal_and_for_open_votes(db):
    room = await final_room(2)
    session = await open_room(room)
    await _reveal_at(room, session, 0, 8)
    with pytest.raises(outcome.NotAllRevealed):
        await outcome.lock(session, await _round(room), by=room.chair, now=NOW)
    await _reveal_at(room, session, 1, 6)
    vote = await votes.open_vote(session, await _round(room), entry_id=room.entries[1].id,
                                 choices=[room.tiers[1].id, votes.NO_AWARD], by=room.chair, now=NOW)
    with pytest.raises(votes.VoteOpen):
        await outcome.lock(session, await _round(room), by=room.chair, now=NOW)
    await votes.confirm_vote(session, await _round(room), vote, choice=votes.NO_AWARD, by=room.chair, now=NOW)
    with pytest.raises(sheet.NotLocked):
        await sheet.sheet_of(room.contest, session, await _round(room))
    await outcome.lock(session, await _round(room), by=room.chair, now=NOW)
    awards = await Award.filter(contest_id=room.contest.id).values_list("entry_id", flat=True)
    assert list(awards) == [room.entries[0].id]  # the panel voted 作品2 out of 二等奖
    with pytest.raises(sessions.MeetingLocked):
        await sessions.move_to(session, await _round(room), 0, by=room.chair, now=NOW)
    assignment = await Assignment.get(round_id=room.round.id, entry_id=room.entries[0].id, judge_id=room.judges[0].id)
    with pytest.raises(RoundNotScoring):
        await save_score(assignment, criterion=room.criterion, value=1, now=NOW, by=room.judges[0])


async def test_the_order_names_every_entry_once(db):
    room = await final_room(3)
    with pytest.raises(InvalidInput):
        await sessions.open_session(room.round, order=room.aliases[:2], pitch_seconds=0, questions_seconds=0,
                                    by=room.chair, now=NOW)
    with pytest.raises(InvalidInput):
        await sessions.open_session(room.round, order=[*room.aliases, room.aliases[0]], pitch_seconds=0,
                                    questions_seconds=0, by=room.chair, now=NOW)
    session = await sessions.open_session(room.round, order=list(reversed(room.aliases)), pitch_seconds=0,
                                          questions_seconds=0, by=room.chair, now=NOW)
    items = await MeetingItem.filter(session_id=session.id).order_by("position").values_list("entry_id", flat=True)
    assert list(items) == [e.id for e in reversed(room.entries)]
    assert await RoundEntry.filter(round_id=room.round.id, reached_at__isnull=False).count() == 0
