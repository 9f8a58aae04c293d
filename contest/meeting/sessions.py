"""The chair's session: open it, move entry by entry, run the pitch timer, reveal, reopen for rescoring.

Every action bumps the session's version (screens watch it, contest.meeting.live) and is audited in
the same transaction. Judges score through contest.judging.scoring as ever; the round's switch
`paced_by_chair` makes that accept only the entry the chair has open.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.errors import Conflict as StateConflict
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.judging.locking import require_unlocked
from contest.judging.models import Assignment, Round, RoundEntry, RoundKind
from contest.meeting import queries
from contest.meeting.models import MeetingItem, MeetingSession, Rescore
from contest.results.standings import round_results

REASON_MAX = 500
# what record_change() records, as "meeting.<change>" (opening and locking are recorded on their own)
CHANGES = ("moved", "timer_started", "timer_stopped", "revealed", "rescore", "vote_opened", "ballot", "vote_confirmed")
TIMER_MAX_MINUTES = 60


class NotAFinalRound(StateConflict):
    message = N_("A meeting runs the final round only.")


class MeetingExists(StateConflict):
    message = N_("This round already has a meeting.")


class MeetingLocked(StateConflict):
    message = N_("The meeting is locked; nothing was changed.")


class NotEveryoneScored(StateConflict):
    message = N_("Not every judge has submitted scores for this entry yet.")


class NothingOnScreen(StateConflict):
    message = N_("No entry is on screen.")


def parse_order(text: str, aliases: Sequence[str]) -> list[str]:
    """The chair's order as aliases, one per line or separated by commas or spaces. Every alias of the
    round exactly once; InvalidInput naming what is wrong otherwise."""
    wanted = [a for a in text.replace(",", " ").replace("，", " ").upper().split() if a]
    if any(a not in aliases for a in wanted):
        raise InvalidInput({"order": N_("Use the aliases of this round's entries.")})
    if len(set(wanted)) != len(wanted) or set(wanted) != set(aliases):
        raise InvalidInput({"order": N_("List every entry of the round exactly once.")})
    return wanted


def parse_minutes(raw: str, field: str) -> int:
    """Minutes of the pitch timer as seconds; blank or 0 is no timer."""
    try:
        minutes = float(raw or 0)
    except ValueError:
        raise InvalidInput({field: N_("Enter a number.")}) from None
    if not 0 <= minutes <= TIMER_MAX_MINUTES:
        raise InvalidInput({field: N_("Enter a value within the scale.")})
    return round(minutes * 60)


async def open_session(round_: Round, *, order: Sequence[str], pitch_seconds: int, questions_seconds: int,
                       by: User, now: datetime) -> MeetingSession:
    """Open the live session of a final round with the entries in `order` (aliases, see parse_order)."""
    if round_.kind != RoundKind.FINAL:
        raise NotAFinalRound()
    require_unlocked(round_)
    by_alias = {row["alias"]: row["entry_id"] for row in await queries.meeting_entries(round_)}
    entry_ids = [by_alias[a] for a in parse_order(" ".join(order), list(by_alias))]
    async with in_transaction():
        if await MeetingSession.exists(round_id=round_.id):
            raise MeetingExists()
        session = await MeetingSession.create(
            round_id=round_.id, chair_id=by.id, screen_token=secrets.token_urlsafe(24), pitch_seconds=pitch_seconds,
            questions_seconds=questions_seconds, opened_at=now)
        await MeetingItem.bulk_create([MeetingItem(session_id=session.id, entry_id=e, position=i)
                                       for i, e in enumerate(entry_ids)])
        await Round.filter(id=round_.id).update(paced_by_chair=True, live_entry_id=None)
        await record("meeting.opened", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"session": session.id, "order": list(order), "pitch": pitch_seconds,
                           "questions": questions_seconds})
    round_.paced_by_chair, round_.live_entry_id = True, None
    return session


async def record_change(session: MeetingSession, round_: Round, action: str, *, by: User, now: datetime,
                   data: dict[str, Any], **updates: Any) -> None:
    """Apply `updates` to the session, bump its version and audit `action`; inside the caller's transaction."""
    await MeetingSession.filter(id=session.id).update(version=F("version") + 1, **updates)
    for name, value in updates.items():
        setattr(session, name, value)
    session.version += 1
    await record(f"meeting.{action}", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                 data={"session": session.id, **data})


def require_open(session: MeetingSession, round_: Round) -> None:
    if session.locked_at is not None:
        raise MeetingLocked()
    require_unlocked(round_)


async def move_to(session: MeetingSession, round_: Round, position: int, *, by: User, now: datetime) -> MeetingItem:
    """Put the entry at `position` on every screen. Judges may score it unless its figures were revealed."""
    require_open(session, round_)
    item = await queries.item_at(session, position)
    if item is None:
        raise InvalidInput({"position": N_("No entry at this place in the order.")})
    live = None if item.revealed_at is not None else item.entry_id
    async with in_transaction():
        await RoundEntry.filter(round_id=round_.id, entry_id=item.entry_id, reached_at__isnull=True).update(reached_at=now)
        await Round.filter(id=round_.id).update(live_entry_id=live)
        await record_change(session, round_, "moved", by=by, now=now, data={"position": position, "entry": item.entry_id},
                       position=position, timer_started_at=None)
    round_.live_entry_id = live
    return item


async def start_timer(session: MeetingSession, round_: Round, *, by: User, now: datetime) -> None:
    require_open(session, round_)
    if session.position < 0:
        raise NothingOnScreen()
    async with in_transaction():
        await record_change(session, round_, "timer_started", by=by, now=now, data={"position": session.position},
                       timer_started_at=now)


async def stop_timer(session: MeetingSession, round_: Round, *, by: User, now: datetime) -> None:
    require_open(session, round_)
    async with in_transaction():
        await record_change(session, round_, "timer_stopped", by=by, now=now, data={"position": session.position},
                       timer_started_at=None)


async def scoring_state(round_: Round, item: MeetingItem) -> tuple[list[queries.Seat], set[int]]:
    """The judges of the item's entry and those of them who submitted their scores for it."""
    track_id = (await RoundEntry.get(round_id=round_.id, entry_id=item.entry_id).values("entry__track_id"))[
        "entry__track_id"]
    seats = await queries.seats_for_entry(round_, item.entry_id, track_id)
    done = cast(set[int], set(await Assignment.filter(round_id=round_.id, entry_id=item.entry_id, completed_at__isnull=False)
               .values_list("judge_id", flat=True)))
    return seats, done


def figures_of(result: Any) -> dict[str, Any]:
    """What the room is shown of an aggregation.EntryResult: the round's figure and how it was made."""
    return {
        "method": str(result.method), "figure": result.figure, "mean": result.mean,
        "trimmed_mean": result.trimmed_mean, "n_judges": result.n_judges,
        "groups": [{"group_id": g.group_id, "weight": g.weight, "mean": g.mean, "trimmed_mean": g.trimmed_mean,
                    "judges": len(g.judge_ids)} for g in result.groups],
    }


async def reveal(session: MeetingSession, round_: Round, *, by: User, now: datetime) -> dict[str, Any]:
    """Show the room the figures of the entry on screen, once every one of its judges has submitted.
    Scoring of it closes: judges change it only after a rescore."""
    require_open(session, round_)
    item = await queries.current_item(session)
    if item is None:
        raise NothingOnScreen()
    seats, done = await scoring_state(round_, item)
    if not seats or any(s.judge_id not in done for s in seats):
        raise NotEveryoneScored()
    result = next(r for r in await round_results(round_) if r.entry_id == item.entry_id)
    figures = figures_of(result)
    async with in_transaction():
        await MeetingItem.filter(id=item.id).update(revealed_at=now, figures=figures)
        await Round.filter(id=round_.id).update(live_entry_id=None)
        await record_change(session, round_, "revealed", by=by, now=now,
                       data={"entry": item.entry_id, "figures": figures})
    round_.live_entry_id = None
    return figures


async def rescore(session: MeetingSession, round_: Round, item: MeetingItem, *, reason: str, by: User,
                  now: datetime) -> None:
    """Reopen the item's entry for scoring, with the reason recorded: its judges' submissions are withdrawn
    (their scores stay, to be changed and submitted again) and it goes back on screen."""
    require_open(session, round_)
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": N_("Give the reason.")})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": N_("Too long for this field.")})
    async with in_transaction():
        await Rescore.create(item_id=item.id, reason=reason, by_id=by.id, at=now)
        await MeetingItem.filter(id=item.id).update(revealed_at=None, figures={})
        await Assignment.filter(round_id=round_.id, entry_id=item.entry_id).update(completed_at=None)
        await Round.filter(id=round_.id).update(live_entry_id=item.entry_id)
        await record_change(session, round_, "rescore", by=by, now=now,
                       data={"entry": item.entry_id, "reason": reason}, position=item.position, timer_started_at=None)
    round_.live_entry_id = item.entry_id
