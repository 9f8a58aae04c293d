"""Grade votes: where entries tie or straddle a grade's boundary, the chair puts the grade to the judges
present; each judge's ballot is recorded and the chair confirms the grade (the majority, unless the
chair records otherwise in the audit log with the confirmation)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.contests.models import AwardTier
from contest.errors import Conflict as StateConflict
from contest.errors import InvalidInput, NotFound
from contest.i18n import N_
from contest.judging.models import Round, RoundEntry
from contest.meeting import queries
from contest.meeting.models import GradeBallot, GradeVote, MeetingSession
from contest.meeting.sessions import record_change, require_open

NO_AWARD = 0


class VoteOpen(StateConflict):
    message = N_("Another vote is still open: confirm its grade first.")


class VoteClosed(StateConflict):
    message = N_("This vote is closed; nothing was changed.")


async def grade_choices(round_: Round, entry_id: int) -> list[AwardTier]:
    """The grades an entry can be voted into: its track's tiers, best first."""
    track_id = (await RoundEntry.get(round_id=round_.id, entry_id=entry_id).values("entry__track_id"))["entry__track_id"]
    return await AwardTier.filter(contest_id=round_.contest_id, track_id=track_id).order_by("rank", "id")


async def open_vote(session: MeetingSession, round_: Round, *, entry_id: int, choices: Sequence[int], by: User,
                    now: datetime) -> GradeVote:
    """Put the grade of `entry_id` (an entry of the session) to the vote between `choices` (tier ids of
    its track, NO_AWARD for none); at least two. One vote open at a time."""
    require_open(session, round_)
    if not await session.items.filter(entry_id=entry_id).exists():
        raise InvalidInput({"entry": N_("Choose one of the options.")})
    allowed = {t.id for t in await grade_choices(round_, entry_id)} | {NO_AWARD}
    picked = list(dict.fromkeys(choices))
    if len(picked) < 2 or not set(picked) <= allowed:
        raise InvalidInput({"choices": N_("Choose at least two grades of the entry's track.")})
    async with in_transaction():
        if await queries.open_vote(session) is not None:
            raise VoteOpen()
        vote = await GradeVote.create(session_id=session.id, entry_id=entry_id, choices=picked, opened_at=now)
        await record_change(session, round_, "vote_opened", by=by, now=now,
                       data={"vote": vote.id, "entry": entry_id, "choices": picked})
    return vote


async def cast_ballot(session: MeetingSession, round_: Round, vote: GradeVote, *, choice: int, judge: User,
                      now: datetime) -> None:
    """A judge of the round votes (or changes their vote) while the vote is open."""
    require_open(session, round_)
    if judge.id not in {s.judge_id for s in await queries.panel_judges(round_)}:
        raise NotFound()
    if choice not in vote.choices:
        raise InvalidInput({"choice": N_("Choose one of the options.")})
    async with in_transaction():
        if not await GradeVote.filter(id=vote.id, decided_at__isnull=True).exists():
            raise VoteClosed()
        ballot, created = await GradeBallot.get_or_create(vote_id=vote.id, judge_id=judge.id,
                                                          defaults={"choice": choice, "cast_at": now})
        if not created:
            await GradeBallot.filter(id=ballot.id).update(choice=choice, cast_at=now)
        await record_change(session, round_, "ballot", by=judge, now=now, data={"vote": vote.id, "choice": choice})


def tally(choices: Sequence[int], ballots: Sequence[int]) -> list[tuple[int, int]]:
    """(choice, ballots for it) in the vote's order of choices."""
    counted = Counter(ballots)
    return [(c, counted[c]) for c in choices]


def majority(choices: Sequence[int], ballots: Sequence[int]) -> int | None:
    """The choice more than half of the ballots name, or None."""
    for choice, count in tally(choices, ballots):
        if count * 2 > len(ballots):
            return choice
    return None


async def confirm_vote(session: MeetingSession, round_: Round, vote: GradeVote, *, choice: int, by: User,
                       now: datetime) -> None:
    """The chair confirms the grade; recorded with every judge's ballot."""
    require_open(session, round_)
    if choice not in vote.choices:
        raise InvalidInput({"choice": N_("Choose one of the options.")})
    async with in_transaction():
        if not await GradeVote.filter(id=vote.id, decided_at__isnull=True).update(decided_tier=choice, decided_at=now):
            raise VoteClosed()
        ballots = dict(await GradeBallot.filter(vote_id=vote.id).values_list("judge_id", "choice"))
        await record_change(session, round_, "vote_confirmed", by=by, now=now,
                       data={"vote": vote.id, "entry": vote.entry_id, "grade": choice, "ballots": ballots})
    vote.decided_tier, vote.decided_at = choice, now


async def decisions(session: MeetingSession) -> dict[int, int]:
    """entry id -> the grade the panel confirmed for it (the latest vote on it), NO_AWARD for none."""
    rows = await GradeVote.filter(session_id=session.id, decided_at__isnull=False).order_by("decided_at", "id").values(
        "entry_id", "decided_tier")
    return {r["entry_id"]: r["decided_tier"] for r in rows}
