"""A round's assignments as stored rows: the plans of judging.assignment (pure) applied to the round's
panels, judges and entries, with the conflicts detected on the way stored too.

Writes the rows and one audit event in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts.models import EntrantProfile, User
from contest.audit.log import record
from contest.entries.models import Entry, TeamMember
from contest.entries.states import JUDGEABLE_STATES
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
)
from contest.judging.locking import require_unlocked
from contest.judging.models import (
    Assignment,
    AssignmentMode,
    Conflict,
    ConflictSource,
    Panel,
    PanelMember,
    Round,
    RoundEntry,
)


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
    require_unlocked(round_)
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
