"""Organising a round: its entries and aliases, assignments, conflicts, advancing and locking.

Module-level async verbs; each writes its rows and one audit event in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from contest.accounts.models import EntrantProfile, User
from contest.audit.log import record
from contest.entries.models import Entry, TeamMember
from contest.entries.states import JUDGEABLE_STATES, LeakStatus
from contest.errors import Conflict as StateConflict
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.judging import leaks
from contest.judging.aggregation import TIE_DECIMALS
from contest.judging.assignment import (
    EntrantProfile as EntrantFacts,
)
from contest.judging.assignment import (
    JudgeProfile,
    Shortfall,
    TeamMemberProfile,
    assign_k_per_entry,
    assign_whole_panel,
    detect_conflicts,
    make_alias,
    make_aliases,
)
from contest.judging.models import (
    Assignment,
    AssignmentMode,
    Conflict,
    ConflictSource,
    EntrySource,
    Panel,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)

REASON_MAX = 1000


class RoundLocked(StateConflict):
    message = N_("This round is locked; nothing was changed.")


class NoPreviousRound(StateConflict):
    message = N_("This round takes the entries advanced from the previous round, and there is none.")


def _require_unlocked(round_: Round) -> None:
    if round_.locked_at is not None:
        raise RoundLocked()


# --- entries of a round --------------------------------------------------------------------------


async def _source_entry_ids(round_: Round) -> list[int]:
    judgeable = {"contest_id": round_.contest_id, "state__in": list(JUDGEABLE_STATES)}
    if round_.entry_source == EntrySource.ALL_ELIGIBLE:
        return list(await Entry.filter(**judgeable).order_by("id").values_list("id", flat=True))
    previous = await Round.filter(contest_id=round_.contest_id, position__lt=round_.position).order_by(
        "-position", "-id").first()
    if previous is None:
        raise NoPreviousRound()
    return list(await RoundEntry.filter(
        round_id=previous.id, advanced=True, entry__state__in=list(JUDGEABLE_STATES),
    ).order_by("entry_id").values_list("entry_id", flat=True))


async def open_round_entries(round_: Round, *, now: datetime) -> int:
    """Put the round's entries in it, each with a per-round alias; idempotent. Returns how many were added.

    all_eligible: every submitted entry of the contest; advanced: those marked advanced in the
    previous round by position. Entries never leak-checked are checked now (FLAGGED ones are held).
    """
    _require_unlocked(round_)
    wanted = await _source_entry_ids(round_)
    existing = dict(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", "alias"))
    new_ids = [e for e in wanted if e not in existing]
    taken = set(existing.values())
    aliases = make_aliases(new_ids, round_.secret)
    for entry_id in new_ids:
        attempt = 0
        while aliases[entry_id] in taken:
            attempt += 1
            aliases[entry_id] = make_alias(entry_id, round_.secret, 1000 + attempt)
        taken.add(aliases[entry_id])
    for entry in await Entry.filter(id__in=new_ids, leak_status=LeakStatus.UNCHECKED):
        await leaks.check_entry_leaks(entry, now=now)
    async with in_transaction():
        await RoundEntry.bulk_create(
            [RoundEntry(round_id=round_.id, entry_id=e, alias=aliases[e]) for e in new_ids], ignore_conflicts=True)
        await record("round.entries_opened", subject=f"round:{round_.id}", now=now, contest_id=round_.contest_id,
                     data={"added": len(new_ids), "total": len(existing) + len(new_ids)})
    return len(new_ids)


# --- assignment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentSummary:
    created: int  # new Assignment rows
    total: int  # Assignment rows of the round afterwards
    detected_conflicts: int  # new Conflict(source=detected) rows
    shortfalls: list[Shortfall] = field(default_factory=list)  # entries with fewer judges than wanted


async def _judge_profiles(judge_ids: Iterable[int]) -> list[JudgeProfile]:
    ids = sorted(set(judge_ids))
    organisations = dict(await EntrantProfile.filter(user_id__in=ids).values_list("user_id", "organisation"))
    return [JudgeProfile(id=u["id"], email=u["email"], name=u["display_name"], organisation=organisations.get(u["id"], ""))
            for u in await User.filter(id__in=ids).values("id", "email", "display_name")]


async def _entrant_facts(entry_ids: Sequence[int]) -> list[EntrantFacts]:
    team: dict[int, list[TeamMemberProfile]] = defaultdict(list)
    for m in await TeamMember.filter(entry_id__in=entry_ids).values("entry_id", "name", "organisation"):
        team[m["entry_id"]].append(TeamMemberProfile(name=m["name"], organisation=m["organisation"]))
    rows = await Entry.filter(id__in=entry_ids).values(
        "id", "owner__email", "organisation", "school", "supervisor_name", "supervisor_email")
    return [EntrantFacts(entry_id=r["id"], email=r["owner__email"], organisation=r["organisation"], school=r["school"],
                         supervisor_name=r["supervisor_name"], supervisor_email=r["supervisor_email"],
                         team=tuple(team[r["id"]])) for r in rows]


async def _store_detected(round_: Round, entry_ids: list[int], judge_ids: set[int]) -> tuple[set[tuple[int, int]], int]:
    """All (judge, entry) conflicts for these judges and entries, after storing newly detected ones."""
    stored = set(await Conflict.filter(judge_id__in=judge_ids, entry_id__in=entry_ids).values_list("judge_id", "entry_id"))
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for found in detect_conflicts(await _judge_profiles(judge_ids), await _entrant_facts(entry_ids)):
        reasons[(found.judge_id, found.entry_id)].append(found.reason)
    new = [Conflict(contest_id=round_.contest_id, judge_id=j, entry_id=e, source=ConflictSource.DETECTED,
                    reason=", ".join(r)) for (j, e), r in sorted(reasons.items()) if (j, e) not in stored]
    await Conflict.bulk_create(new, ignore_conflicts=True)
    return stored | set(reasons), len(new)


def _plan_panel(round_: Round, panel_id: int, entries: list[int], judges: list[int], blocked: set[tuple[int, int]],
                have: dict[int, set[int]], load: dict[int, int]) -> tuple[list[tuple[int, int]], list[Shortfall]]:
    """New (entry, judge) pairs for one panel; `have` is the judges each entry already has."""
    if round_.assignment_mode == AssignmentMode.WHOLE_PANEL:
        pairs = assign_whole_panel(entries, judges, blocked | {(j, e) for e in entries for j in have[e]})
        return pairs, []
    k = round_.judges_per_entry
    by_need: dict[int, list[int]] = defaultdict(list)
    for entry_id in entries:
        need = k - len(have[entry_id] & set(judges))
        if need > 0:
            by_need[need].append(entry_id)
    pairs, shortfalls = [], []
    for need, group in sorted(by_need.items()):
        already = {(j, e) for e in group for j in have[e]}
        plan = assign_k_per_entry(group, judges, need, blocked | already, existing_load=load,
                                  seed=f"{round_.secret}:panel:{panel_id}:{need}")
        load.update(plan.load)
        pairs += plan.pairs
        shortfalls += [Shortfall(s.entry_id, k, k - need + s.assigned) for s in plan.shortfalls]
    return pairs, shortfalls


async def assign_round(round_: Round, *, by: User, now: datetime) -> AssignmentSummary:
    """Assign the round's entries to its panels' judges, never across a conflict; idempotent.

    A panel with a track takes that track's entries, one without a track takes all. Whole-panel
    or k-per-entry (balanced by load) per the round's switches. Detected conflicts are stored as
    Conflict(source=detected). Existing assignments are kept. One audit event.
    """
    _require_unlocked(round_)
    entries = await RoundEntry.filter(round_id=round_.id, entry__state__in=list(JUDGEABLE_STATES)).order_by(
        "entry_id").values_list("entry_id", "entry__track_id")
    entry_ids = [e for e, _ in entries]
    panels = await Panel.filter(round_id=round_.id).order_by("id").values_list("id", "track_id")
    members: dict[int, list[int]] = defaultdict(list)
    for panel_id, judge_id in await PanelMember.filter(panel__round_id=round_.id).order_by("judge_id").values_list(
            "panel_id", "judge_id"):
        members[panel_id].append(judge_id)
    judge_ids = {j for js in members.values() for j in js}
    existing = await Assignment.filter(round_id=round_.id).values_list("entry_id", "judge_id")
    have: dict[int, set[int]] = defaultdict(set)
    load: dict[int, int] = defaultdict(int)
    for entry_id, judge_id in existing:
        have[entry_id].add(judge_id)
        load[judge_id] += 1
    async with in_transaction():
        blocked, detected = await _store_detected(round_, entry_ids, judge_ids) if judge_ids and entry_ids else (set(), 0)
        new_pairs: list[tuple[int, int, int]] = []
        shortfalls: dict[int, Shortfall] = {}
        for panel_id, track_id in panels:
            panel_entries = [e for e, t in entries if track_id is None or t == track_id]
            pairs, short = _plan_panel(round_, panel_id, panel_entries, members[panel_id], blocked, have, load)
            for entry_id, judge_id in pairs:
                if judge_id not in have[entry_id]:
                    have[entry_id].add(judge_id)
                    new_pairs.append((entry_id, judge_id, panel_id))
            shortfalls.update({s.entry_id: s for s in short})
        needed = round_.judges_per_entry if round_.assignment_mode == AssignmentMode.K_PER_ENTRY else 1
        for entry_id in entry_ids:  # entries no panel covers, or covered by nobody
            if len(have[entry_id]) < needed and entry_id not in shortfalls:
                shortfalls[entry_id] = Shortfall(entry_id, needed, len(have[entry_id]))
        await Assignment.bulk_create(
            [Assignment(round_id=round_.id, entry_id=e, judge_id=j, panel_id=p) for e, j, p in new_pairs],
            ignore_conflicts=True)
        total = await Assignment.filter(round_id=round_.id).count()
        ordered = [shortfalls[e] for e in entry_ids if e in shortfalls]
        await record("round.assigned", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"created": len(new_pairs), "total": total, "detected_conflicts": detected,
                           "shortfalls": len(ordered)})
    return AssignmentSummary(created=len(new_pairs), total=total, detected_conflicts=detected, shortfalls=ordered)


# --- conflicts -----------------------------------------------------------------------------------


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


# --- decisions -----------------------------------------------------------------------------------


def top_n(ranking: Iterable[Any], *, n: int, per_track: bool) -> list[int]:
    """Pure: entry ids of the n best figures (per track or overall); an entry tied with the n-th on the
    rounded figure (aggregation.TIE_DECIMALS) also advances; unranked entries (figure None) never do."""
    if n < 0:
        raise InvalidInput({"n": N_("Enter a number.")})
    groups: dict[Any, list[tuple[float, int]]] = defaultdict(list)
    for result in ranking:
        if result.figure is not None:
            groups[result.track_id if per_track else None].append((round(result.figure, TIE_DECIMALS), result.entry_id))
    chosen = []
    for rows in groups.values():
        rows.sort(key=lambda r: (-r[0], r[1]))
        if n and rows:
            cutoff = rows[min(n, len(rows)) - 1][0]
            chosen += [entry_id for figure, entry_id in rows if figure >= cutoff]
    return sorted(chosen)


async def advance_top_n(round_: Round, *, ranking: Iterable[Any], n: int, per_track: bool, by: User,
                        now: datetime) -> list[int]:
    """Mark the top n of `ranking` (aggregation.EntryResult-like: entry_id, track_id, figure) as advanced,
    and every other entry of the round as not advanced. Returns the advanced entry ids; audited."""
    _require_unlocked(round_)
    in_round = set(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", flat=True))
    chosen = [e for e in top_n(ranking, n=n, per_track=per_track) if e in in_round]
    async with in_transaction():
        await RoundEntry.filter(round_id=round_.id).update(advanced=False)
        if chosen:
            await RoundEntry.filter(round_id=round_.id, entry_id__in=chosen).update(advanced=True)
        await record("round.advanced", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"n": n, "per_track": per_track, "entries": chosen})
    return chosen


async def lock_round(round_: Round, *, by: User, now: datetime) -> None:
    """Lock the round: no score, assignment or decision changes afterwards. Refused when already locked."""
    async with in_transaction():
        if not await Round.filter(id=round_.id, locked_at__isnull=True).update(locked_at=now):
            raise RoundLocked()
        await record("round.locked", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id)
    round_.locked_at = now
