"""A judge's scores, comment and "submit my scores". Scores are saved by one upsert, never read-then-write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, cast

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.errors import Conflict as StateConflict
from contest.errors import InvalidInput, NotFound
from contest.i18n import N_
from contest.judging import aggregation
from contest.judging.models import Assignment, Conflict, Criterion, PanelMember, Round, Score

COMMENT_MAX = 4000


class RoundNotScoring(StateConflict):
    """The round does not take scores now (switched off, not yet open, closed or locked); nothing was saved."""

    message = N_("This round does not accept scores now; nothing was saved.")


class NotOpenInTheRoom(StateConflict):
    """A round scored live: the chair has not opened this entry for scoring (yet, or any more)."""

    message = N_("The chair has not opened this entry for scoring; nothing was saved.")


@dataclass(frozen=True)
class OnBehalf:
    """The chair entering a judge's paper score sheet: audited as the chair's act, for the judge, with the reason."""

    chair: User
    reason: str


def _actor(by: User, on_behalf: OnBehalf | None) -> User:
    return by if on_behalf is None else on_behalf.chair


def _behalf_data(by: User, on_behalf: OnBehalf | None) -> dict[str, Any]:
    return {} if on_behalf is None else {"judge": by.id, "reason": on_behalf.reason, "paper": True}


def round_accepts_scores(round_: Round, now: datetime) -> bool:
    """Pure: judges may score, the window [opens_at, closes_at) holds `now`, and the round is not locked."""
    if not round_.judges_may_score or round_.locked_at is not None:
        return False
    if round_.opens_at is None or now < round_.opens_at:
        return False
    return round_.closes_at is None or now < round_.closes_at


def field_name(criterion_id: int) -> str:
    """The form field of a criterion, used as the key of InvalidInput.field_errors."""
    return f"criterion_{criterion_id}"


def parse_value(raw: object, criterion: Criterion) -> Decimal:
    """The value as a Decimal within the criterion's scale, at most two decimals; InvalidInput otherwise."""
    name = field_name(criterion.id)
    try:
        value = Decimal(str(raw).strip()) if not isinstance(raw, Decimal) else raw
    except (InvalidOperation, ValueError):
        raise InvalidInput({name: N_("Enter a number.")}) from None
    if not value.is_finite():
        raise InvalidInput({name: N_("Enter a number.")})
    if not criterion.scale_min <= value <= criterion.scale_max:
        raise InvalidInput({name: N_("Enter a value within the scale.")})
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput({name: N_("Use at most two decimal places.")})
    return value.quantize(Decimal("0.01"))


def running_total(criteria: Sequence[Mapping[str, Any]], values: Mapping[str, str]) -> tuple[Fraction | None, int]:
    """The judge's weighted total so far (aggregation.running_total) of the values in the form, values not
    valid left out, and how many criteria it covers. `criteria`: rows with id, weight, scale_min, scale_max."""
    sheet: dict[int, Decimal] = {}
    for row in criteria:
        scale = Criterion(id=row["id"], scale_min=row["scale_min"], scale_max=row["scale_max"])
        try:
            sheet[row["id"]] = parse_value(values.get(field_name(row["id"]), ""), scale)
        except InvalidInput:
            continue
    weighted = [aggregation.Criterion(r["id"], r["weight"], r["scale_min"], r["scale_max"]) for r in criteria]
    return aggregation.running_total(sheet, weighted), len(sheet)


async def _open_round(assignment: Assignment, by: User, now: datetime) -> Round:
    if by.id != assignment.judge_id:
        raise NotFound()
    round_ = await Round.get_or_none(id=assignment.round_id)
    if round_ is None:
        raise NotFound()
    if not round_accepts_scores(round_, now):
        raise RoundNotScoring()
    if round_.paced_by_chair and round_.live_entry_id != assignment.entry_id:
        raise NotOpenInTheRoom()
    return round_


def _upsert_sql(dialect: str) -> str:
    if dialect == "postgres":
        marks = ("$1", "$2", "$3", "$4")
    elif dialect == "sqlite":
        marks = ("?", "?", "?", "?")
    else:  # pragma: no cover - the app runs on SQLite or PostgreSQL only
        raise RuntimeError(f"no score upsert for {dialect}")
    return (
        'INSERT INTO "score" ("assignment_id", "criterion_id", "value", "updated_at") '
        f"VALUES ({', '.join(marks)}) "
        'ON CONFLICT ("assignment_id", "criterion_id") '
        'DO UPDATE SET "value" = excluded."value", "updated_at" = excluded."updated_at"'
    )


async def take_assignment(assignment: Assignment, *, now: datetime, by: User,
                          on_behalf: OnBehalf | None = None) -> Assignment:
    """Store the judge's assignment for an entry of their panel they chose to score (the round lets
    judges see more than what was assigned to them); the stored one when it exists. Audited once.
    While the round takes no scores nothing is stored (the save that follows is refused)."""
    if cast("int | None", assignment.id) is not None:  # an Assignment built in memory has no id yet
        return assignment
    if by.id != assignment.judge_id:
        raise NotFound()
    round_ = await Round.get(id=assignment.round_id)
    if not round_accepts_scores(round_, now):
        return assignment
    async with in_transaction():
        if not await PanelMember.filter(panel_id=assignment.panel_id, judge_id=by.id).exists():
            raise NotFound()  # taken off the panel since the page was read
        stored, created = await Assignment.get_or_create(
            round_id=assignment.round_id, entry_id=assignment.entry_id, judge_id=assignment.judge_id,
            defaults={"panel_id": assignment.panel_id})
        if created:
            await record("assignment.taken", subject=f"assignment:{stored.id}", now=now,
                         actor=_actor(by, on_behalf), contest_id=round_.contest_id,
                         data={"entry": stored.entry_id, "panel": stored.panel_id, **_behalf_data(by, on_behalf)})
    return stored


async def save_score(assignment: Assignment, *, criterion: Criterion, value: object, now: datetime, by: User,
                     on_behalf: OnBehalf | None = None) -> Decimal:
    """Save one criterion's value for `assignment` (autosave). Returns the stored value. `by` is the judge
    whose score it is; with `on_behalf` the chair enters it from the judge's paper sheet (same rules).

    Refused with InvalidInput (value outside criterion.scale_min..scale_max, not a number) or
    RoundNotScoring (the round is switched off, not open, closed or locked); nothing is saved then.
    Side effects: one row in `score` per (assignment, criterion), written by INSERT ... ON CONFLICT
    DO UPDATE so concurrent saves leave one row with the last committed value; one audit event.
    """
    if criterion.round_id != assignment.round_id:
        raise NotFound()
    parsed = parse_value(value, criterion)
    round_ = await _open_round(assignment, by, now)
    updated_at = Score._meta.fields_map["updated_at"].to_db_value(now, Score)
    async with in_transaction() as connection:
        # locked until commit, so a removal (a conflict, the judge off the panel) waits or has already won
        if not await Assignment.filter(id=assignment.id).select_for_update().using_db(connection).first():
            raise NotFound()
        if await Conflict.filter(judge_id=assignment.judge_id, entry_id=assignment.entry_id).exists():
            raise NotFound()
        await connection.execute_query(
            _upsert_sql(connection.capabilities.dialect), [assignment.id, criterion.id, parsed, updated_at]
        )
        await record(
            "score.saved", subject=f"assignment:{assignment.id}", now=now, actor=_actor(by, on_behalf),
            contest_id=round_.contest_id,
            data={"criterion": criterion.id, "value": str(parsed), **_behalf_data(by, on_behalf)},
        )
    return parsed


async def save_comment(assignment: Assignment, *, comment: str, now: datetime, by: User) -> None:
    """Save the judge's comment on the entry (autosave); same window rules as scores."""
    text = comment.strip()
    if len(text) > COMMENT_MAX:
        raise InvalidInput({"comment": N_("Too long for this field.")})
    round_ = await _open_round(assignment, by, now)
    async with in_transaction():
        if not await Assignment.filter(id=assignment.id).update(comment=text):
            raise NotFound()
        await record(
            "assignment.comment", subject=f"assignment:{assignment.id}", now=now, actor=by,
            contest_id=round_.contest_id, data={"length": len(text)},
        )
    assignment.comment = text


async def set_comment_shared(assignment: Assignment, *, shared: bool, now: datetime, by: User) -> None:
    """Whether the judge's comment may reach the entry's designer after the announcement (where the contest
    gives feedback) or stays with the committee; same window rules as scores, audited."""
    round_ = await _open_round(assignment, by, now)
    async with in_transaction():
        if not await Assignment.filter(id=assignment.id).update(comment_shared=shared):
            raise NotFound()
        await record(
            "assignment.comment_shared", subject=f"assignment:{assignment.id}", now=now, actor=by,
            contest_id=round_.contest_id, data={"shared": shared},
        )
    assignment.comment_shared = shared


async def complete_assignment(assignment: Assignment, *, now: datetime, by: User,
                              on_behalf: OnBehalf | None = None) -> None:
    """"Submit my scores": every criterion of the round must be scored, else InvalidInput by criterion.
    With `on_behalf` the submission is the chair's entry of the judge's paper sheet, stored as such
    (Assignment.entered_by, entered_reason) and audited as "assignment.paper_entered"; the judge's own
    submission clears that mark."""
    round_ = await _open_round(assignment, by, now)
    criteria = cast(list[int], await Criterion.filter(round_id=round_.id).values_list("id", flat=True))
    scored = set(await Score.filter(assignment_id=assignment.id).values_list("criterion_id", flat=True))
    missing = [c for c in criteria if c not in scored]
    if missing:
        raise InvalidInput({field_name(c): N_("Please score this criterion.") for c in missing})
    entered_by, reason = (None, "") if on_behalf is None else (on_behalf.chair, on_behalf.reason)
    async with in_transaction():
        if not await Assignment.filter(id=assignment.id).update(
                completed_at=now, entered_by_id=entered_by.id if entered_by else None, entered_reason=reason):
            raise NotFound()
        await record(
            "assignment.completed" if on_behalf is None else "assignment.paper_entered",
            subject=f"assignment:{assignment.id}", now=now, actor=_actor(by, on_behalf),
            contest_id=round_.contest_id, data=_behalf_data(by, on_behalf) or None,
        )
    assignment.completed_at, assignment.entered_by_id, assignment.entered_reason = (
        now, entered_by.id if entered_by else None, reason)
