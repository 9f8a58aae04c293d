"""Casting a vote: contest.popular_vote_daily_quota votes per voter per day of the contest's time zone,
at most one per entry and day. A voided vote still used up its place in the quota."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from contest.contests.models import Contest
from contest.errors import Conflict, NotFound
from contest.i18n import N_
from contest.results.models import Vote, Voter
from contest.results.vote.candidates import candidate_entry
from contest.results.vote.phones import PhoneRequired, may_vote
from contest.results.vote.window import Phase, VoteClosed, final_round, phase, voting_day


class AlreadyVoted(Conflict):
    message = N_("You have already voted for this entry today.")


class QuotaReached(Conflict):
    message = N_("You have used all your votes for today. Come back tomorrow.")


async def votes_today(voter: Voter, day: date) -> set[int]:
    """The entries this voter voted for on `day` (voided or not: each used a place in the quota)."""
    return set(cast(list[int], await Vote.filter(voter_id=voter.id, day=day).values_list("entry_id", flat=True)))


async def cast_vote(contest: Contest, voter: Voter, *, candidate: str, ip: str, now: datetime) -> int:
    """One vote for the candidate keyed `candidate`; returns the votes left today. Raises VoteClosed,
    PhoneRequired (a phone vote, and a voter proven by e-mail), NotFound for a key that is no candidate,
    AlreadyVoted, QuotaReached."""
    if not may_vote(contest, voter):
        raise PhoneRequired()
    final = await final_round(contest)
    if phase(contest, final, now) != Phase.OPEN:
        raise VoteClosed()
    entry_id = await candidate_entry(final, candidate)  # type: ignore[arg-type]  # an open vote has its final round
    if entry_id is None:
        raise NotFound()
    day, quota = voting_day(contest, now), contest.popular_vote_daily_quota
    try:
        async with in_transaction():
            # The voter's row lock makes "count, then insert" atomic on PostgreSQL; SQLite runs one transaction at a time.
            await Voter.select_for_update().filter(id=voter.id).first()
            used = await votes_today(voter, day)
            if entry_id in used:
                raise AlreadyVoted()
            if len(used) >= quota:
                raise QuotaReached()
            await Vote.create(voter_id=voter.id, entry_id=entry_id, day=day, ip=ip[:64], created_at=now)
    except IntegrityError:
        raise AlreadyVoted() from None
    return quota - len(used) - 1
