"""Conflicts of interest declared by a judge or set by an organiser: the entry leaves the judge at once.

Writes the conflict, removes the judge's open assignments and scores of the entry, and records one
audit event, in one transaction. Detected conflicts are stored by judging.round_assignments.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.entries.models import Entry
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.judging.models import Assignment, Conflict, ConflictSource, Score

REASON_MAX = 1000


async def _conflict(judge: User, entry: Entry, *, source: ConflictSource, reason: str, by: User,
                    now: datetime) -> Conflict:
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": N_("Please give a reason.")})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": N_("Too long for this field.")})
    async with in_transaction():
        conflict = await Conflict.filter(judge_id=judge.id, entry_id=entry.id).first()
        if conflict is None:
            conflict = await Conflict.create(contest_id=entry.contest_id, judge_id=judge.id, entry_id=entry.id,
                                             source=source, reason=reason)
        removed = [a.id for a in await Assignment.filter(  # locked: an autosave in flight finishes first
            judge_id=judge.id, entry_id=entry.id, round__locked_at__isnull=True).select_for_update(of=("assignment",))]
        scores = await Score.filter(assignment_id__in=removed).delete() if removed else 0
        if removed:
            await Assignment.filter(id__in=removed).delete()
        await record(f"conflict.{source.value}", subject=f"entry:{entry.id}", now=now, actor=by,
                     contest_id=entry.contest_id,
                     data={"judge": judge.id, "reason": reason, "assignments_removed": len(removed),
                           "scores_removed": scores})
    return conflict


async def declare_conflict(judge: User, entry: Entry, *, reason: str, now: datetime) -> Conflict:
    """The judge's own declaration: the entry leaves the judge at once (assignment and scores in open,
    unlocked rounds are deleted); recorded with the reason."""
    return await _conflict(judge, entry, source=ConflictSource.DECLARED, reason=reason, by=judge, now=now)


async def set_conflict(judge: User, entry: Entry, *, reason: str, by: User, now: datetime) -> Conflict:
    """An organiser's ruling; same effect as a declaration."""
    return await _conflict(judge, entry, source=ConflictSource.ORGANISER, reason=reason, by=by, now=now)
