"""Paper as the fallback: the chair enters a judge's paper score sheet on the judge's behalf.

The sheet goes through contest.judging.scoring like a judge's own scores (the criterion's range, the
round's window and lock, the chair's pace in the room, conflicts, the judge's seat), with `OnBehalf`
so the audit names the chair as the actor, the judge and the reason, and the assignment keeps who
entered it. A sheet the judge already submitted is never overwritten: the chair reopens the entry
first (a rescore, with its own recorded reason).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.errors import Conflict as StateConflict
from contest.errors import InvalidInput, NotFound
from contest.i18n import N_
from contest.judging import scoring
from contest.judging.models import Assignment, Conflict, Criterion, Round, RoundEntry
from contest.judging.queries import assignment_for_judge

REASON_MAX = 500


class JudgeNotSeated(StateConflict):
    message = N_("This judge does not score this entry in this round; nothing was saved.")


class JudgeInConflict(StateConflict):
    message = N_("This judge has a conflict of interest with this entry; nothing was saved.")


class AlreadySubmitted(StateConflict):
    message = N_("This judge has already submitted scores for this entry, and they are not overwritten. "
                 "Reopen the entry for rescoring first (the reason is recorded), then enter the paper sheet.")


@dataclass(frozen=True)
class PaperSheet:
    """What the chair typed from the sheet: the value of each criterion by its form field
    (scoring.field_name), and why the judge scored on paper."""

    judge_id: int
    entry_id: int
    values: Mapping[str, str]
    reason: str


def parse_sheet(criteria: Sequence[Criterion], values: Mapping[str, str], reason: str) -> dict[int, Decimal]:
    """Every criterion's value and the reason checked before anything is saved; InvalidInput with every
    field's message otherwise (a blank criterion too: a paper sheet is entered whole)."""
    errors: dict[str, str] = {}
    parsed: dict[int, Decimal] = {}
    for criterion in criteria:
        raw = (values.get(scoring.field_name(criterion.id)) or "").strip()
        try:
            if not raw:
                raise InvalidInput({scoring.field_name(criterion.id): N_("Please score this criterion.")})
            parsed[criterion.id] = scoring.parse_value(raw, criterion)
        except InvalidInput as exc:
            errors.update(exc.field_errors)
    if not reason.strip():
        errors["reason"] = N_("Give the reason.")
    elif len(reason.strip()) > REASON_MAX:
        errors["reason"] = N_("Too long for this field.")
    if errors:
        raise InvalidInput(errors)
    return parsed


async def _seat(round_: Round, sheet: PaperSheet, judge: User, now: datetime) -> Assignment:
    """The judge's assignment for the entry, with a refusal that says why when there is none."""
    if not scoring.round_accepts_scores(round_, now):
        raise scoring.RoundNotScoring()
    if round_.paced_by_chair and round_.live_entry_id != sheet.entry_id:
        raise scoring.NotOpenInTheRoom()
    if await Conflict.exists(judge_id=judge.id, entry_id=sheet.entry_id):
        raise JudgeInConflict()
    alias = await RoundEntry.filter(round_id=round_.id, entry_id=sheet.entry_id).first().values_list("alias", flat=True)
    if alias is None:
        raise NotFound()
    assignment = await assignment_for_judge(judge, round_, str(alias), now=now)
    if assignment is None:
        raise JudgeNotSeated()
    if assignment.completed_at is not None:
        raise AlreadySubmitted()
    return assignment


async def enter_paper_sheet(round_: Round, sheet: PaperSheet, *, chair: User, now: datetime) -> Assignment:
    """Enter and submit `sheet` for its judge, as the chair. All or nothing: refused with InvalidInput (a value
    outside its criterion's range, a blank criterion, no reason), RoundNotScoring (closed or locked),
    NotOpenInTheRoom (not the entry the chair has open), JudgeInConflict, JudgeNotSeated or AlreadySubmitted.
    Side effects: the scores and the submission through scoring.save_score / complete_assignment, each
    audited with the chair as actor and the judge and reason in the data."""
    criteria = list(await Criterion.filter(round_id=round_.id).order_by("position", "id"))
    parsed = parse_sheet(criteria, sheet.values, sheet.reason)
    judge = await User.get_or_none(id=sheet.judge_id)
    if judge is None:
        raise JudgeNotSeated()
    assignment = await _seat(round_, sheet, judge, now)
    on_behalf = scoring.OnBehalf(chair=chair, reason=sheet.reason.strip())
    async with in_transaction():
        assignment = await scoring.take_assignment(assignment, now=now, by=judge, on_behalf=on_behalf)
        for criterion in criteria:
            await scoring.save_score(assignment, criterion=criterion, value=parsed[criterion.id], now=now,
                                     by=judge, on_behalf=on_behalf)
        await scoring.complete_assignment(assignment, now=now, by=judge, on_behalf=on_behalf)
    return assignment
