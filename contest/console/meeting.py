"""The chair's console: the live screen, the order with what each entry showed, votes, and the outcome."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import cast

from contest.contests.models import AwardTier, Contest
from contest.judging.models import Assignment, Round, RoundEntry
from contest.judging.queries import criteria_rows
from contest.meeting import outcome, queries, screens
from contest.meeting.models import GradeVote, MeetingItem, MeetingSession, Rescore


@dataclass(frozen=True)
class OrderRow:
    item: MeetingItem
    alias: str
    title: str
    rescored: int


@dataclass(frozen=True)
class ChairConsole:
    session: MeetingSession | None
    screen: screens.Screen | None
    order: list[OrderRow]
    standings: list[outcome.Standing]
    tiers: dict[int, AwardTier]
    votes: list[tuple[GradeVote, screens.VoteView]]
    default_order: list[str]  # aliases, for opening the session
    judges: list[queries.Seat]


async def chair_console(contest: Contest, round_: Round) -> ChairConsole:
    session = await queries.session_of_round(round_)
    tiers = {t.id: t for t in await AwardTier.filter(contest_id=contest.id)}
    judges = await queries.panel_judges(round_)
    if session is None:
        aliases = [row["alias"] for row in await queries.meeting_entries(round_)]
        return ChairConsole(None, None, [], [], tiers, [], aliases, judges)
    items = await queries.items_of(session)
    shown = {entry_id: (alias, title or "") for entry_id, alias, title in await RoundEntry.filter(
        round_id=round_.id).values_list("entry_id", "alias", "entry__title")}
    rescored: Counter[int] = Counter(cast(list[int], await Rescore.filter(item__session_id=session.id).values_list(
        "item_id", flat=True)))
    order = [OrderRow(item, *shown[item.entry_id], rescored[item.id]) for item in items]
    votes = [(vote, await screens.vote_view(round_, vote)) for vote in await queries.votes_of(session)]
    return ChairConsole(session, await screens.screen(session.id), order, await outcome.standings(session, round_),
                        tiers, votes, [], judges)



@dataclass(frozen=True)
class PaperForm:
    """The chair's form for a judge's paper sheet: the judge, the entry (the one on screen, or the one the
    form was sent for), the round's criteria, and whether the judge has already submitted it."""

    judge: queries.Seat
    entry: dict | None  # entry_id, alias, entry__title
    criteria: list[dict]
    submitted: bool


async def paper_form(round_: Round, judge_id: int, *, entry_id: int | None) -> PaperForm | None:
    """None when `judge_id` is not seated on the round's panels."""
    judge = next((s for s in await queries.panel_judges(round_) if s.judge_id == judge_id), None)
    if judge is None:
        return None
    wanted = round_.live_entry_id if entry_id is None else entry_id
    entry = await RoundEntry.filter(round_id=round_.id, entry_id=wanted or 0).first().values(
        "entry_id", "alias", "entry__title")
    submitted = entry is not None and await Assignment.exists(
        round_id=round_.id, entry_id=entry["entry_id"], judge_id=judge_id, completed_at__isnull=False)
    return PaperForm(judge, entry, await criteria_rows(round_), submitted)
