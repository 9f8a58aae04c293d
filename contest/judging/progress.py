"""Where a round stands: the judge × entry matrix for organisers, and reminders to judges behind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.accounts.queries import locale_of
from contest.audit.log import record
from contest.columns import fits
from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.entries.states import JUDGEABLE_STATES
from contest.judging.models import (
    Assignment,
    Conflict,
    Criterion,
    Panel,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)
from contest.notifications.outbox import queue_templated
from contest.notifications.templates import Bilingual, Moment


class CellState(StrEnum):
    COMPLETE = "complete"  # "submit my scores" done: the one meaning of submitted, for judges and organisers
    SCORED = "scored"  # every criterion scored, not yet submitted
    PARTIAL = "partial"  # some criteria scored
    ASSIGNED = "assigned"  # nothing yet
    CONFLICT = "conflict"  # a panel judge in conflict with the entry
    NONE = ""  # not this judge's entry


@dataclass(frozen=True)
class JudgeRow:
    id: int
    name: str
    email: str
    assigned: int
    complete: int
    round_open: bool  # the round's window has started: before that nobody can be behind

    @property
    def behind(self) -> bool:
        return self.round_open and self.complete < self.assigned

    @property
    def waiting(self) -> bool:
        return not self.round_open and self.assigned > 0


@dataclass(frozen=True)
class EntryRow:
    id: int
    alias: str
    number: str
    title: str
    track_id: int


@dataclass(frozen=True)
class ProgressMatrix:
    judges: list[JudgeRow]
    entries: list[EntryRow]
    cells: dict[tuple[int, int], CellState]  # (judge id, entry id)

    def cell(self, judge_id: int, entry_id: int) -> CellState:
        return self.cells.get((judge_id, entry_id), CellState.NONE)

    @property
    def assigned(self) -> int:
        return sum(j.assigned for j in self.judges)

    @property
    def complete(self) -> int:
        return sum(j.complete for j in self.judges)


def has_started(round_: Round, now: datetime) -> bool:
    """Pure: the round's window has opened (judges can have fallen behind only from then on)."""
    return round_.opens_at is not None and now >= round_.opens_at


def cell_state(*, submitted: bool, scored: int, criteria: int) -> CellState:
    """Pure: an assignment's state from "submit my scores" (the one meaning of submitted) and its scores."""
    if submitted:
        return CellState.COMPLETE
    if scored and scored >= criteria:
        return CellState.SCORED
    return CellState.PARTIAL if scored else CellState.ASSIGNED


async def progress_matrix(round_: Round, *, now: datetime) -> ProgressMatrix:
    entries = [EntryRow(r["entry_id"], r["alias"], r["entry__number"], r["entry__title"], r["entry__track_id"])
               for r in await RoundEntry.filter(round_id=round_.id, entry__state__in=list(JUDGEABLE_STATES))
               .order_by("entry__track_id", "alias")
               .values("entry_id", "alias", "entry__number", "entry__title", "entry__track_id")]
    assignments = await Assignment.filter(round_id=round_.id).values("id", "entry_id", "judge_id", "completed_at")
    scored = Counter(await Score.filter(assignment__round_id=round_.id).values_list("assignment_id", flat=True))
    criteria = await Criterion.filter(round_id=round_.id).count()
    cells: dict[tuple[int, int], CellState] = {}
    for a in assignments:
        cells[(a["judge_id"], a["entry_id"])] = cell_state(submitted=a["completed_at"] is not None,
                                                           scored=scored[a["id"]], criteria=criteria)
    judge_ids = await _panel_judges(round_) | {a["judge_id"] for a in assignments}
    entry_ids = [e.id for e in entries]
    for judge_id, entry_id in await Conflict.filter(judge_id__in=judge_ids, entry_id__in=entry_ids).values_list(
            "judge_id", "entry_id"):
        cells.setdefault((judge_id, entry_id), CellState.CONFLICT)
    assigned = Counter(a["judge_id"] for a in assignments)
    complete = Counter(a["judge_id"] for a in assignments if a["completed_at"])
    started = has_started(round_, now)
    judges = [JudgeRow(u["id"], u["display_name"], u["email"], assigned[u["id"]], complete[u["id"]], started)
              for u in await User.filter(id__in=judge_ids).order_by("display_name", "id").values(
                  "id", "display_name", "email")]
    return ProgressMatrix(judges, entries, cells)


async def _panel_judges(round_: Round) -> set[int]:
    return set(cast(list[int], await PanelMember.filter(panel__round_id=round_.id).values_list("judge_id", flat=True)))


async def is_round_judge(round_: Round, judge_id: int) -> bool:
    """On one of the round's panels, or assigned in it (a judge may have left the panel since)."""
    return (await PanelMember.filter(panel__round_id=round_.id, judge_id=judge_id).exists()
            or await Assignment.filter(round_id=round_.id, judge_id=judge_id).exists())


async def find_round_entry(round_: Round, reference: str) -> Entry | None:
    """An entry of the round by its alias or its entry number, whichever the organiser has at hand."""
    reference = reference.strip()
    matches = [Q(alias=reference.upper())] if fits(RoundEntry, "alias", reference) else []
    matches += [Q(entry__number=reference)] if fits(Entry, "number", reference) else []
    if not matches:
        return None
    row = await RoundEntry.filter(round_id=round_.id).filter(Q(*matches, join_type="OR")).first().values("entry_id")
    return await Entry.get(id=row["entry_id"]) if row else None


def _reminder_values(round_: Round, judge: JudgeRow, link: str, zone: str) -> dict[str, str | int | Bilingual | Moment]:
    return {"name": judge.name, "round": Bilingual(round_.name, round_.name_en or round_.name), "link": link,
            "complete": judge.complete, "assigned": judge.assigned, "left": judge.assigned - judge.complete,
            "closes": Moment(round_.closes_at, zone) if round_.closes_at else "—"}


async def send_reminders(round_: Round, *, link: str, by: User, now: datetime) -> list[int]:
    """One outbox message to every judge with entries not yet submitted once the round has opened;
    returns their ids. Audited."""
    contest = await Contest.get(id=round_.contest_id)
    behind = [j for j in (await progress_matrix(round_, now=now)).judges if j.behind]
    async with in_transaction():
        for judge in behind:
            await queue_templated("reminder", contest=contest, to_email=judge.email, locale=await locale_of(judge.email),
                                  values=_reminder_values(round_, judge, link, contest.time_zone))
        await record("round.reminders_sent", subject=f"round:{round_.id}", now=now, actor=by, contest_id=contest.id,
                     data={"judges": [j.id for j in behind]})
    return [j.id for j in behind]


@dataclass(frozen=True)
class RoundOverview:
    round_: Round
    entries: int
    criteria: int
    panels: int
    assigned: int
    complete: int


async def rounds_overview(contest: Contest, *, round_id: int | None = None) -> list[RoundOverview]:
    """Each round of the contest (or the one `round_id`) with the counts its card on the console shows."""
    rounds = await (Round.filter(contest_id=contest.id, id=round_id) if round_id else Round.filter(contest_id=contest.id))
    ids = [r.id for r in rounds]

    async def counts(query: QuerySet[Any]) -> Counter[int]:
        return Counter(cast(list[int], await query.filter(round_id__in=ids).values_list("round_id", flat=True)))

    entries = await counts(RoundEntry.filter(entry__state__in=list(JUDGEABLE_STATES)))
    criteria, panels = await counts(Criterion.all()), await counts(Panel.all())
    assigned, complete = await counts(Assignment.all()), await counts(Assignment.filter(completed_at__isnull=False))
    return [RoundOverview(r, entries[r.id], criteria[r.id], panels[r.id], assigned[r.id], complete[r.id])
            for r in rounds]
