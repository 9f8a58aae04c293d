"""Finding a meeting, its items and who sits on the panel of an entry; the fingerprint screens watch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from contest.entries.states import JUDGEABLE_STATES, LeakStatus
from contest.judging.models import ALIAS_MAX, Assignment, Conflict, Panel, PanelMember, Round, RoundEntry
from contest.meeting.models import GradeVote, MeetingItem, MeetingSession
from contest.plain_sql import select


async def session_of_round(round_: Round) -> MeetingSession | None:
    return await MeetingSession.get_or_none(round_id=round_.id)


async def session_by_token(token: str) -> MeetingSession | None:
    if not token or len(token) > 64:
        return None
    return await MeetingSession.get_or_none(screen_token=token)


async def items_of(session: MeetingSession) -> list[MeetingItem]:
    return await MeetingItem.filter(session_id=session.id).order_by("position", "id")


async def current_item(session: MeetingSession) -> MeetingItem | None:
    if session.position < 0:
        return None
    return await MeetingItem.get_or_none(session_id=session.id, position=session.position)


async def item_at(session: MeetingSession, position: int) -> MeetingItem | None:
    return await MeetingItem.get_or_none(session_id=session.id, position=position)


async def votes_of(session: MeetingSession) -> list[GradeVote]:
    return await GradeVote.filter(session_id=session.id).prefetch_related("ballots").order_by("opened_at", "id")


async def vote_of(session: MeetingSession, vote_id: int) -> GradeVote | None:
    return await GradeVote.get_or_none(id=vote_id, session_id=session.id)


async def open_vote(session: MeetingSession) -> GradeVote | None:
    return await GradeVote.filter(session_id=session.id, decided_at__isnull=True).order_by("id").first()


async def meeting_entries(round_: Round) -> list[dict]:
    """The round's entries a meeting can take, with alias and track: judgeable and not held for a leak."""
    return await RoundEntry.filter(
        round_id=round_.id, entry__state__in=list(JUDGEABLE_STATES), entry__leak_status__not=LeakStatus.FLAGGED,
    ).order_by("entry__track__position", "entry__track_id", "alias").values(
        "entry_id", "alias", "entry__title", "entry__track_id")


@dataclass(frozen=True)
class Seat:
    judge_id: int
    name: str
    group_id: int | None


async def panel_judges_of(panel_ids: list[int]) -> list[Seat]:
    rows = await PanelMember.filter(panel_id__in=panel_ids or [0]).order_by("id").values(
        "judge_id", "judge__display_name", "group_id")
    seen: dict[int, Seat] = {}
    for row in rows:
        seen.setdefault(row["judge_id"], Seat(row["judge_id"], row["judge__display_name"], row["group_id"]))
    return list(seen.values())


async def panel_judges(round_: Round) -> list[Seat]:
    """Everyone seated on one of the round's panels, once, in the order they were seated."""
    return await panel_judges_of(cast(list[int], await Panel.filter(round_id=round_.id).values_list("id", flat=True)))


async def seats_for_entry(round_: Round, entry_id: int, track_id: int) -> list[Seat]:
    """The judges who score `entry_id` in the round: on a panel taking its track, without a conflict."""
    panels = await Panel.filter(round_id=round_.id).values("id", "track_id")
    taking = [p["id"] for p in panels if p["track_id"] in (None, track_id)]
    conflicted = set(await Conflict.filter(entry_id=entry_id).values_list("judge_id", flat=True))
    return [s for s in await panel_judges_of(taking) if s.judge_id not in conflicted]


async def paper_sheets(round_: Round, entry_id: int) -> dict[int, tuple[str, str]]:
    """Judge → (the chair's name, the reason) for each submission of the entry the chair entered from paper."""
    rows = await Assignment.filter(round_id=round_.id, entry_id=entry_id, completed_at__isnull=False,
                                   entered_by_id__isnull=False).values("judge_id", "entered_by__display_name",
                                                                       "entered_reason")
    return {r["judge_id"]: (r["entered_by__display_name"] or "", r["entered_reason"]) for r in rows}


_FINGERPRINT_SQL = """
SELECT s."version",
       (SELECT COUNT(*) FROM "assignment" a WHERE a."round_id" = s."round_id" AND a."completed_at" IS NOT NULL)
         AS "completed"
FROM "meeting_session" s WHERE s."id" = ?"""


async def fingerprint(session_id: int) -> tuple[int, int] | None:
    """What every screen of the session shows depends on: the chair's version and the judges' submissions.
    One cheap query, asked by the live hub a few times a second per watched session."""
    rows = await select(_FINGERPRINT_SQL, [session_id])
    return (rows[0]["version"], rows[0]["completed"]) if rows else None


async def reached_entry(session: MeetingSession, alias: str) -> int | None:
    """The entry under `alias` in the session's round, once the chair has put it on screen (never ahead)."""
    if len(alias) > ALIAS_MAX:  # no such alias; the ORM would refuse to compare it
        return None
    row = await RoundEntry.filter(round_id=session.round_id, alias=alias, reached_at__isnull=False).first().values(
        "entry_id")
    return row["entry_id"] if row else None
