"""What each screen of the meeting shows: the projector, the chair's console and a judge's phone.

Built once per change of the session (contest.meeting.live), from the same rows for every screen; a
screen's page renders it. Nothing about the designer is here unless the round's identity switch is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contest.contests.models import AwardTier, Track
from contest.judging.models import Round, RoundEntry
from contest.judging.queries import judging_images
from contest.meeting import queries
from contest.meeting.models import GradeVote, MeetingItem, MeetingSession, Rescore
from contest.meeting.sessions import scoring_state
from contest.meeting.votes import NO_AWARD, majority, tally


@dataclass(frozen=True)
class JudgeMark:
    judge_id: int
    name: str
    scored: bool
    entered_by: str | None = None  # the chair who entered the judge's paper sheet (the chair's console only)
    entered_reason: str = ""


@dataclass(frozen=True)
class OnScreen:
    item_id: int
    entry_id: int
    position: int
    alias: str
    title: str
    track: Track
    identity: dict[str, str] | None  # public name and organisation, when the round shows identities
    images: list[dict[str, Any]]  # derivatives of each judging image, in order (served by alias and number)
    judges: list[JudgeMark]
    figures: dict[str, Any] | None  # once revealed
    rescores: list[Rescore]

    @property
    def all_scored(self) -> bool:
        return bool(self.judges) and all(j.scored for j in self.judges)

    @property
    def scored_count(self) -> int:
        return sum(j.scored for j in self.judges)


@dataclass(frozen=True)
class VoteView:
    vote: GradeVote
    alias: str
    choices: list[tuple[int, str]]  # (tier id or NO_AWARD, its name)
    counts: list[tuple[int, int]]  # (choice, ballots): the chair's view only
    voted: set[int]  # judges who cast a ballot
    ballot_of: dict[int, int]  # judge id -> choice
    leading: int | None  # the majority choice, if any

    def name(self, choice: int) -> str:
        return dict(self.choices).get(choice, "")

    @property
    def decided_name(self) -> str:
        return self.name(self.vote.decided_tier or 0) if self.vote.decided_at else ""


@dataclass(frozen=True)
class Screen:
    session: MeetingSession
    round: Round
    count: int
    on_screen: OnScreen | None
    vote: VoteView | None  # the open vote, or the last one confirmed
    timer_started_at: datetime | None

    @property
    def locked(self) -> bool:
        return self.session.locked_at is not None


async def _on_screen(round_: Round, item: MeetingItem) -> OnScreen:
    row = await RoundEntry.get(round_id=round_.id, entry_id=item.entry_id).values(
        "alias", "entry__title", "entry__track_id", "entry__public_name", "entry__organisation", "entry__school")
    seats, done = await scoring_state(round_, item)
    paper = await queries.paper_sheets(round_, item.entry_id)
    identity = None
    if round_.judges_see_identity:
        identity = {"public_name": row["entry__public_name"] or "",
                    "organisation": row["entry__organisation"] or row["entry__school"] or ""}
    return OnScreen(
        item_id=item.id, entry_id=item.entry_id, position=item.position, alias=row["alias"],
        title=row["entry__title"] or "", track=await Track.get(id=row["entry__track_id"]), identity=identity,
        images=[{"derivatives": r["derivatives"] or {}} for r in await judging_images(item.entry_id)],
        judges=[JudgeMark(s.judge_id, s.name, s.judge_id in done, *paper.get(s.judge_id, (None, "")))
                for s in seats],
        figures=item.figures if item.revealed_at is not None else None,
        rescores=list(await Rescore.filter(item_id=item.id).order_by("at", "id")),
    )


async def grade_names(round_: Round, tier_ids: list[int]) -> dict[int, str]:
    tiers = dict(await AwardTier.filter(contest_id=round_.contest_id, id__in=tier_ids or [0]).values_list("id", "name"))
    return {t: ("不获奖" if t == NO_AWARD else tiers.get(t, "")) for t in tier_ids}


async def vote_view(round_: Round, vote: GradeVote) -> VoteView:
    ballots = dict(await vote.ballots.all().values_list("judge_id", "choice"))
    names = await grade_names(round_, vote.choices)
    alias = (await RoundEntry.get(round_id=round_.id, entry_id=vote.entry_id).values("alias"))["alias"]
    return VoteView(vote=vote, alias=alias, choices=[(c, names[c]) for c in vote.choices],
                    counts=tally(vote.choices, list(ballots.values())), voted=set(ballots), ballot_of=ballots,
                    leading=majority(vote.choices, list(ballots.values())))


async def _shown_vote(session: MeetingSession, round_: Round) -> VoteView | None:
    """The open vote, else the last one the chair confirmed (the room sees the panel's decision)."""
    vote = await queries.open_vote(session) or await GradeVote.filter(
        session_id=session.id, decided_at__isnull=False).order_by("-decided_at", "-id").first()
    return None if vote is None else await vote_view(round_, vote)


async def screen(session_id: int) -> Screen | None:
    """Everything the session's screens show now; None when the session is gone."""
    session = await MeetingSession.get_or_none(id=session_id)
    if session is None:
        return None
    round_ = await Round.get(id=session.round_id)
    item = await queries.current_item(session)
    on_screen = None if item is None else await _on_screen(round_, item)
    return Screen(session=session, round=round_, count=await session.items.all().count(), on_screen=on_screen,
                  vote=await _shown_vote(session, round_), timer_started_at=session.timer_started_at)
