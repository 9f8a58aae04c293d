"""Queries for judging. Visibility is part of each query: what a judge may not see is simply not there.

A judge sees an entry of a round only while the round's window is open ([opens_at, closes_at)),
only if assigned to it, without a conflict, and not held by the leak check (FLAGGED), and only
while the entry is submitted. Judges' pages are built from `.values()` rows (issue 4: 1.9 ms of
CPU per list page with model objects, 0.9 ms with rows).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from contest.accounts.models import User
from contest.entries.models import EntryImage
from contest.entries.states import JUDGEABLE_STATES, LeakStatus
from contest.judging.assignment import shuffle_for_judge
from contest.judging.blind import (
    ENTRY_VALUES,
    IDENTITY_VALUES,
    IMAGE_VALUES,
    AnonymousEntry,
    EntrantIdentity,
    anonymous_entry,
    entrant_identity,
)
from contest.judging.models import (
    Assignment,
    Conflict,
    Criterion,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)
from contest.judging.scoring import round_accepts_scores


@dataclass(frozen=True)
class QueueItem:
    entry: AnonymousEntry
    scored: int  # criteria this judge has scored for the entry
    complete: bool  # every criterion scored
    identity: EntrantIdentity | None = None  # only when the round lets judges see identities


@dataclass(frozen=True)
class JudgeQueue:
    items: list[QueueItem]  # in this judge's own shuffled order
    scored: int  # entries with every criterion scored ("12 of 40")
    total: int
    criteria: int
    read_only: bool  # the round does not take scores now


def round_visible_to_judges(round_: Round, now: datetime) -> bool:
    """Pure: the round's window holds `now` (G2: judges see a round only while it is open)."""
    if round_.opens_at is None or now < round_.opens_at:
        return False
    return round_.closes_at is None or now < round_.closes_at


async def _visible_entry_ids(judge: User, round_: Round, now: datetime) -> list[int]:
    if not round_visible_to_judges(round_, now):
        return []
    assigned = await Assignment.filter(round_id=round_.id, judge_id=judge.id).values_list("entry_id", flat=True)
    if not assigned:
        return []
    conflicted = set(await Conflict.filter(judge_id=judge.id, entry_id__in=assigned).values_list("entry_id", flat=True))
    return [e for e in assigned if e not in conflicted]


def _round_entries(round_: Round, entry_ids: list[int]):
    return RoundEntry.filter(
        round_id=round_.id, entry_id__in=entry_ids, entry__state__in=list(JUDGEABLE_STATES),
    ).exclude(entry__leak_status=LeakStatus.FLAGGED)


async def judge_queue(judge: User, round_: Round, *, now: datetime) -> JudgeQueue:
    """The judge's entries of `round_` as AnonymousEntry, in the judge's shuffled order, with progress."""
    criteria = await Criterion.filter(round_id=round_.id).count()
    read_only = not round_accepts_scores(round_, now)
    entry_ids = await _visible_entry_ids(judge, round_, now)
    if not entry_ids:
        return JudgeQueue(items=[], scored=0, total=0, criteria=criteria, read_only=read_only)
    rows = await _round_entries(round_, entry_ids).values(*ENTRY_VALUES)
    shown = [r["entry_id"] for r in rows]
    images: dict[int, list[dict]] = defaultdict(list)
    for image in await EntryImage.filter(entry_id__in=shown).values(*IMAGE_VALUES):
        images[image["entry_id"]].append(image)
    scored = Counter(await Score.filter(
        assignment__round_id=round_.id, assignment__judge_id=judge.id, assignment__entry_id__in=shown,
    ).values_list("assignment__entry_id", flat=True))
    identities: dict[int, EntrantIdentity] = {}
    if round_.judges_see_identity:
        identities = {r["entry_id"]: entrant_identity(r)
                      for r in await RoundEntry.filter(round_id=round_.id, entry_id__in=shown).values(*IDENTITY_VALUES)}
    by_id = {r["entry_id"]: r for r in rows}
    items = [
        QueueItem(
            entry=anonymous_entry(by_id[e], images[e]), scored=scored[e], complete=criteria > 0 and scored[e] >= criteria,
            identity=identities.get(e),
        )
        for e in shuffle_for_judge(shown, round_seed=round_.secret, judge_id=judge.id)
    ]
    return JudgeQueue(items=items, scored=sum(i.complete for i in items), total=len(items), criteria=criteria,
                      read_only=read_only)


async def assignment_for_judge(judge: User, round_: Round, alias: str, *, now: datetime) -> Assignment | None:
    """The judge's assignment for the entry under `alias`, or None when the judge may not see it
    (not assigned, in conflict, held, withdrawn, or the round is not open): the same 404 as a missing alias."""
    entry_ids = await _visible_entry_ids(judge, round_, now)
    if not entry_ids:
        return None
    entry_id = await _round_entries(round_, entry_ids).filter(alias=alias).values_list("entry_id", flat=True)
    if not entry_id:
        return None
    return await Assignment.get_or_none(round_id=round_.id, judge_id=judge.id, entry_id=entry_id[0])


# --- lookups for the judges' pages ---------------------------------------------------------------

CRITERION_VALUES = ("id", "name", "name_en", "guidance", "guidance_en", "scale_min", "scale_max")


async def round_by_id(round_id: int) -> Round | None:
    return await Round.get_or_none(id=round_id)


async def judged_round_ids(judge: User) -> set[int]:
    """Rounds where the user is a judge: assigned entries, or a seat on a panel (after conflicts took them all)."""
    assigned = await Assignment.filter(judge_id=judge.id).distinct().values_list("round_id", flat=True)
    seated = await PanelMember.filter(judge_id=judge.id).values_list("panel__round_id", flat=True)
    return set(assigned) | set(seated)


async def rounds_for_judge(judge: User) -> list[Round]:
    """The judge's rounds with their contest (a judge may sit on several contests' panels)."""
    return await Round.filter(id__in=await judged_round_ids(judge)).select_related("contest").order_by(
        "contest_id", "position", "id")


async def criteria_of(round_: Round) -> list[Criterion]:
    return await Criterion.filter(round_id=round_.id).order_by("position", "id")


async def criteria_rows(round_: Round) -> list[dict]:
    return list(await Criterion.filter(round_id=round_.id).order_by("position", "id").values(*CRITERION_VALUES))


async def stored_scores(assignment: Assignment) -> list[tuple[int, object]]:
    """(criterion id, value) of what this judge saved for this entry."""
    return list(await Score.filter(assignment_id=assignment.id).values_list("criterion_id", "value"))


async def judging_images(entry_id: int) -> list[dict]:
    """Storage key and derivative facts of an entry's images, in the designer's order (server side only)."""
    return list(await EntryImage.filter(entry_id=entry_id).order_by("position", "id").values("key", "derivatives"))

