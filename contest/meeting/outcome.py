"""The end of the meeting: the ranking with the grades the quotas propose and the panel's votes decided,
and the lock that makes them the contest's proposed awards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.audit.queries import current_head
from contest.contests.models import AwardTier, Contest
from contest.entries.models import Entry
from contest.errors import Conflict as StateConflict
from contest.i18n import N_
from contest.judging.locking import lock_round
from contest.judging.models import Round, RoundEntry
from contest.meeting import queries
from contest.meeting.models import MeetingSession
from contest.meeting.sessions import require_open
from contest.meeting.votes import NO_AWARD, VoteOpen, decisions
from contest.results import award_seats, awarding
from contest.results.models import Award, AwardStatus
from contest.results.standings import round_results

VOTE_REASON = "终评会表决 / Decided by the panel's vote at the final meeting"


class NotAllRevealed(StateConflict):
    message = N_("Reveal every entry's figures before locking the meeting.")


@dataclass(frozen=True)
class Standing:
    entry_id: int
    alias: str
    number: str
    title: str
    track_id: int
    rank: int | None
    figure: float | None
    mean: float | None
    trimmed_mean: float | None
    tie: bool
    tier_id: int | None  # the grade: proposed by the quotas, or decided by a vote; None for none
    by_vote: bool
    contested: tuple[int, ...]  # in a tie across a grade's boundary, the grades in play (0: none): the panel decides


async def standings(session: MeetingSession, round_: Round) -> list[Standing]:
    """Every entry of the meeting by track and rank, with its figures and grade."""
    results = await round_results(round_)
    tiers = [awarding.as_tier(t) for t in await awarding.contest_tiers(await Contest.get(id=round_.contest_id))]
    proposal = award_seats.propose_awards(award_seats.ranking_from_results(results), tiers)
    decided = await decisions(session)
    contested = {e: tuple(dict.fromkeys(seat or 0 for seat in tie.seats))
                 for tie in proposal.boundary_ties for e in tie.entry_ids}
    in_meeting = set(await session.items.all().values_list("entry_id", flat=True))
    rows = {r["entry_id"]: r for r in await RoundEntry.filter(round_id=round_.id, entry_id__in=in_meeting).values(
        "entry_id", "alias", "entry__number", "entry__title", "entry__track_id")}
    listed = []
    for result in results:
        if result.entry_id not in rows:
            continue
        row = rows[result.entry_id]
        grade = decided.get(result.entry_id, proposal.tier_of(result.entry_id))
        listed.append(Standing(
            entry_id=result.entry_id, alias=row["alias"], number=row["entry__number"] or "",
            title=row["entry__title"] or "", track_id=row["entry__track_id"], rank=result.rank, figure=result.figure,
            mean=result.mean, trimmed_mean=result.trimmed_mean, tie="tie" in result.flags,
            tier_id=grade or None, by_vote=result.entry_id in decided, contested=contested.get(result.entry_id, ())))
    return listed


async def _store_grades(contest: Contest, session: MeetingSession, *, by: User, now: datetime) -> None:
    """The quotas' proposal as proposed awards, then each grade the panel voted applied over it."""
    proposal = await awarding.current_proposal(contest)
    if proposal is None:
        return
    await awarding.store_proposal(contest, token=awarding.proposal_token(proposal), by=by, now=now)
    for entry_id, tier_id in (await decisions(session)).items():
        held = await Award.filter(entry_id=entry_id, status=AwardStatus.PROPOSED, tier__track_id__isnull=False).first()
        if tier_id == NO_AWARD:
            if held is not None:
                await awarding.remove_award(held, policy=award_seats.RevocationPolicy.LEAVE_VACANT,
                                            reason=VOTE_REASON, by=by, now=now)
            continue
        tier = await AwardTier.get(id=tier_id)
        if held is None:
            entry = await Entry.get(id=entry_id)
            await awarding.add_award(contest, entry=entry, tier=tier, reason=VOTE_REASON, by=by, now=now,
                                     override_quota=True)
        elif held.tier_id != tier_id:
            await awarding.move_award(held, tier=tier, reason=VOTE_REASON, by=by, now=now, override_quota=True)


async def lock(session: MeetingSession, round_: Round, *, by: User, now: datetime) -> str:
    """Lock the meeting and its round: the grades become the contest's proposed awards (for the organisers
    to confirm, as ever), no score changes after, and the audit chain's head is kept for the signed sheet.
    Returns that head."""
    require_open(session, round_)
    items = await queries.items_of(session)
    if any(item.revealed_at is None for item in items):
        raise NotAllRevealed()
    if await queries.open_vote(session) is not None:
        raise VoteOpen()
    await _store_grades(await Contest.get(id=round_.contest_id), session, by=by, now=now)
    await lock_round(round_, by=by, now=now)
    async with in_transaction():
        await record("meeting.locked", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"session": session.id})
    head = str(await current_head())
    await MeetingSession.filter(id=session.id).update(locked_at=now, chain_head=head, version=F("version") + 1)
    session.locked_at, session.chain_head, session.version = now, head, session.version + 1
    return head
