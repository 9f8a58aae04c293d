"""Queries for judging. Visibility is part of each query: what a judge may not see is simply not there.

A judge sees an entry of a round only while the round's window is open ([opens_at, closes_at)),
only if assigned to it (or, with the round's `judges_see_only_assigned` off, if one of their panels
takes its track), without a conflict, and not held by the leak check (FLAGGED), and only while the
entry is submitted. That rule is written once per switch position, in `_VISIBLE_SQL` and `_PANEL_SQL`.
A judge taken off a panel loses the assignments that came through it (judging.setup), so both
answer nothing for them; an assignment through a panel they no longer sit on (removed before that
rule) is not shown either.

Judges' pages are read often and never cached, and every autosave answers with the queue's
progress, so they are read with plain SQL into rows (`contest.plain_sql`): Tortoise spent
0.13-0.39 ms of CPU building each query, several times the database's own work. A queue page is
two queries (the round with the judge's seat, then the queue); the scoring page adds its one
entry's images and questions (benchmarks/scoring.py, README "Scoring").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from tortoise.expressions import Q, Subquery

from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.contests.models import SEEN_BY_JUDGES, Contest, SlotKind, TrackField
from contest.entries.disclosure import Disclosure, ai_label
from contest.entries.models import Entry, EntryFile, EntryImage, FileStatus
from contest.entries.states import JUDGEABLE_STATES, LeakStatus
from contest.judging.assignment import shuffle_for_judge
from contest.judging.blind import (
    FIELD_VALUES,
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
    OthersScores,
    Panel,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)
from contest.judging.scoring import round_accepts_scores
from contest.plain_sql import model_from_row, placeholders, select, take_prefixed


@dataclass(frozen=True)
class ListedEntry:
    """An entry as the judge's lists show it."""

    alias: str
    title: str
    track: str = ""
    track_en: str = ""
    thumbnail: tuple[str, ...] = ()  # derivative names of its first judging image (none: no image)


@dataclass(frozen=True)
class QueueItem:
    entry: ListedEntry
    scored: int  # criteria this judge has scored for the entry
    complete: bool  # submitted ("submit my scores"), as the organiser's progress counts it
    identity: EntrantIdentity | None = None  # only when the round lets judges see identities


@dataclass(frozen=True)
class JudgeQueue:
    items: list[QueueItem]  # in this judge's own shuffled order
    scored: int  # entries submitted ("12 of 40"), the organiser's count of this judge
    total: int
    criteria: int  # per entry (0 when the queue is empty: nothing to count them on)
    read_only: bool  # the round does not take scores now


def round_visible_to_judges(round_: Round, now: datetime) -> bool:
    """Pure: the round's window holds `now` (G2: judges see a round only while it is open)."""
    if round_.opens_at is None or now < round_.opens_at:
        return False
    return round_.closes_at is None or now < round_.closes_at


# --- plain SQL for the judges' pages (portable: `?` marks, numbered for PostgreSQL) ---------------

_STATES = sorted(s.value for s in JUDGEABLE_STATES)

# The assignment came through a panel the judge still sits on (or through none, when made by hand).
_STILL_SEATED = """(a."panel_id" IS NULL OR EXISTS (SELECT 1 FROM "panel_member" pm
                    WHERE pm."panel_id" = a."panel_id" AND pm."judge_id" = a."judge_id"))"""

_JUDGEABLE = f"""
  AND e."state" IN ({", ".join("?" for _ in _STATES)}) AND e."leak_status" <> ?
  AND NOT EXISTS (SELECT 1 FROM "conflict" c WHERE c."judge_id" = ? AND c."entry_id" = re."entry_id")
"""

# What the queue lists beside the alias and title: the track's name and the first image's derivatives.
_LISTED = """t."name" AS "track__name", t."name_en" AS "track__name_en",
       (SELECT i."derivatives" FROM "entry_image" i WHERE i."entry_id" = e."id"
        ORDER BY i."position", i."id" LIMIT 1) AS "thumb__derivatives"
"""

# One row per entry the judge may see (ENTRY_VALUES plus the assignment, its number of scores, the
# round's number of criteria and the panel the judge scores it through).
_VISIBLE_SQL = f"""
SELECT re."entry_id", re."alias", e."title" AS "entry__title", e."concept" AS "entry__concept",
       e."answers" AS "entry__answers", e."track_id" AS "entry__track_id", {_LISTED}, a."id" AS "assignment_id",
       a."panel_id", a."completed_at", (SELECT COUNT(*) FROM "score" s WHERE s."assignment_id" = a."id") AS "scored",
       (SELECT COUNT(*) FROM "criterion" c WHERE c."round_id" = a."round_id") AS "criteria"
FROM "assignment" a
JOIN "round_entry" re ON re."round_id" = a."round_id" AND re."entry_id" = a."entry_id"
JOIN "entry" e ON e."id" = a."entry_id"
JOIN "track" t ON t."id" = e."track_id"
WHERE a."round_id" = ? AND a."judge_id" = ? AND {_STILL_SEATED} {_JUDGEABLE}"""

# The panel of the round through which the judge (first ?) may score entry e: one of their seats
# whose panel takes e's track (a panel without a track takes all), the lowest id when several do.
_SEAT_SQL = """(SELECT MIN(p."id") FROM "panel" p JOIN "panel_member" pm ON pm."panel_id" = p."id"
  WHERE p."round_id" = re."round_id" AND pm."judge_id" = ? AND (p."track_id" IS NULL OR p."track_id" = e."track_id"))"""

# With `judges_see_only_assigned` off: every entry of the round that one of the judge's panels takes,
# assigned or not (an unassigned one has no assignment until the judge saves a score for it).
_PANEL_SQL = f"""
SELECT re."entry_id", re."alias", e."title" AS "entry__title", e."concept" AS "entry__concept",
       e."answers" AS "entry__answers", e."track_id" AS "entry__track_id", {_LISTED}, a."id" AS "assignment_id",
       COALESCE(a."panel_id", {_SEAT_SQL}) AS "panel_id", a."completed_at",
       (SELECT COUNT(*) FROM "score" s WHERE s."assignment_id" = a."id") AS "scored",
       (SELECT COUNT(*) FROM "criterion" c WHERE c."round_id" = re."round_id") AS "criteria"
FROM "round_entry" re
JOIN "entry" e ON e."id" = re."entry_id"
JOIN "track" t ON t."id" = e."track_id"
LEFT JOIN "assignment" a ON a."round_id" = re."round_id" AND a."entry_id" = re."entry_id" AND a."judge_id" = ?
WHERE re."round_id" = ? AND ((a."id" IS NOT NULL AND {_STILL_SEATED}) OR {_SEAT_SQL} IS NOT NULL) {_JUDGEABLE}"""

# The round with whether this user judges it: assigned to some entry of it, or seated on one of its
# panels (after conflicts took every entry away).
_JUDGE_ROUND_SQL = f"""
SELECT r.*, (EXISTS (SELECT 1 FROM "assignment" a WHERE a."round_id" = r."id" AND a."judge_id" = ? AND {_STILL_SEATED})
             OR EXISTS (SELECT 1 FROM "panel_member" pm JOIN "panel" p ON p."id" = pm."panel_id"
                        WHERE p."round_id" = r."id" AND pm."judge_id" = ?)) AS "judge__seated"
FROM "round" r WHERE r."id" = ?
"""

_decode_answers = Entry._meta.fields_map["answers"].to_python_value
_decode_derivatives = EntryImage._meta.fields_map["derivatives"].to_python_value
_decode_options = TrackField._meta.fields_map["options"].to_python_value


def _visible_query(judge: User, round_: Round) -> tuple[str, list[object]]:
    judgeable = [*_STATES, LeakStatus.FLAGGED.value, judge.id]
    if round_.judges_see_only_assigned:
        return _VISIBLE_SQL, [round_.id, judge.id, *judgeable]
    return _PANEL_SQL, [judge.id, judge.id, round_.id, judge.id, *judgeable]


async def _visible_rows(judge: User, round_: Round, now: datetime, *, alias: str | None = None) -> list[dict[str, Any]]:
    if not round_visible_to_judges(round_, now):
        return []
    sql, params = _visible_query(judge, round_)
    if round_.paced_by_chair:  # judges never see ahead of the chair
        sql = f'{sql} AND re."reached_at" IS NOT NULL'
    return await select(sql if alias is None else f'{sql} AND re."alias" = ?', params if alias is None else [*params, alias])


async def _images(entry_ids: list[int]) -> dict[int, list[dict]]:
    images: dict[int, list[dict]] = defaultdict(list)
    columns = ", ".join(f'i."{c}"' for c in IMAGE_VALUES)
    sql = (f'SELECT {columns} FROM "entry_image" i JOIN "file_slot" s ON s."id" = i."slot_id" '
           f'WHERE i."entry_id" IN ({placeholders(entry_ids)}) AND s."audience" IN (?, ?) ORDER BY i."position", i."id"')
    for image in await select(sql, [*entry_ids, *SEEN_BY_JUDGES]):
        image["derivatives"] = _decode_derivatives(image["derivatives"])
        images[image["entry_id"]].append(image)
    return images


async def _track_fields(rows: list[dict[str, Any]]) -> dict[int, list[dict]]:
    """The questions of the tracks whose entries answered some (read only then)."""
    fields: dict[int, list[dict]] = defaultdict(list)
    track_ids = sorted({r["entry__track_id"] for r in rows if r["entry__answers"]})
    if not track_ids:
        return fields
    columns = ", ".join(f'"{c}"' for c in FIELD_VALUES)
    sql = f'SELECT {columns} FROM "track_field" WHERE "track_id" IN ({placeholders(track_ids)}) ORDER BY "position", "id"'
    for field in await select(sql, track_ids):
        field["options"] = _decode_options(field["options"])
        fields[field["track_id"]].append(field)
    return fields


def _listed(row: dict[str, Any]) -> ListedEntry:
    thumbnail = _decode_derivatives(row["thumb__derivatives"]) if row["thumb__derivatives"] else {}
    return ListedEntry(alias=row["alias"], title=row["entry__title"] or "", track=row["track__name"] or "",
                       track_en=row["track__name_en"] or "", thumbnail=tuple(sorted(thumbnail)))


async def judge_queue(judge: User, round_: Round, *, now: datetime) -> JudgeQueue:
    """The judge's entries of `round_` (alias and title: `judged_entry` gives one with its images
    and answers), in the judge's shuffled order, with progress."""
    read_only = not round_accepts_scores(round_, now)
    rows = await _visible_rows(judge, round_, now)
    if not rows:
        return JudgeQueue(items=[], scored=0, total=0, criteria=0, read_only=read_only)
    criteria = rows[0]["criteria"]
    by_id = {r["entry_id"]: r for r in rows}
    shown = sorted(by_id)
    identities: dict[int, EntrantIdentity] = {}
    if round_.judges_see_identity:
        identities = {r["entry_id"]: entrant_identity(r)
                      for r in await RoundEntry.filter(round_id=round_.id, entry_id__in=shown).values(*IDENTITY_VALUES)}
    items = []
    for e in shuffle_for_judge(shown, round_seed=round_.secret, judge_id=judge.id):
        row = by_id[e]
        entry = _listed(row)
        items.append(QueueItem(entry=entry, scored=row["scored"], complete=row["completed_at"] is not None,
                               identity=identities.get(e)))
    return JudgeQueue(items=items, scored=sum(i.complete for i in items), total=len(items), criteria=criteria,
                      read_only=read_only)


async def judged_entry(judge: User, round_: Round, alias: str, *, now: datetime) -> AnonymousEntry | None:
    """The entry under `alias` with its images and answers, when the judge may see it (else None)."""
    rows = await _visible_rows(judge, round_, now, alias=alias)
    if not rows:
        return None
    row = rows[0]
    row["entry__answers"] = _decode_answers(row["entry__answers"])
    images, fields = await _images([row["entry_id"]]), await _track_fields(rows)
    return anonymous_entry(row, images[row["entry_id"]], fields[row["entry__track_id"]])


async def queue_progress(judge: User, round_: Round, *, now: datetime) -> tuple[int, int]:
    """(entries submitted, entries in the queue): what an autosave answers, without building the queue."""
    rows = await _visible_rows(judge, round_, now)
    return sum(1 for r in rows if r["completed_at"] is not None), len(rows)


async def assignment_for_judge(judge: User, round_: Round, alias: str, *, now: datetime) -> Assignment | None:
    """The judge's assignment for the entry under `alias`, or None when the judge may not see it
    (not assigned, in conflict, held, withdrawn, or the round is not open): the same 404 as a missing alias.

    With `judges_see_only_assigned` off, an entry of the judge's panel not yet assigned to them gives an
    Assignment not yet stored (no id): `scoring.take_assignment` stores it when the judge first saves."""
    rows = await _visible_rows(judge, round_, now, alias=alias)
    if not rows:
        return None
    row = rows[0]
    if row["assignment_id"] is None:
        return Assignment(round_id=round_.id, entry_id=row["entry_id"], judge_id=judge.id, panel_id=row["panel_id"])
    return await Assignment.get_or_none(id=row["assignment_id"])


async def round_for_judge(round_id: int, judge: User) -> Round | None:
    """The round, when `judge` is one of its judges (whether it is open is the caller's question)."""
    rows = await select(_JUDGE_ROUND_SQL, [judge.id, judge.id, round_id])
    if not rows or not take_prefixed(rows[0], "judge__")["seated"]:
        return None
    return model_from_row(Round, rows[0])


# --- other judges' scores (the round's `judges_see_others_scores`) -------------------------------

# For each setting, whether the judge has submitted their own scores for the entry, when others' show.
OTHERS_SHOWN: dict[OthersScores, frozenset[bool]] = {
    OthersScores.NEVER: frozenset(),
    OthersScores.AFTER_OWN: frozenset({True}),
    OthersScores.ALWAYS: frozenset({False, True}),
}


def shows_others_scores(round_: Round, *, own_submitted: bool) -> bool:
    """Pure: whether the judge sees the other judges' scores of an entry now."""
    return own_submitted in OTHERS_SHOWN[OthersScores(round_.judges_see_others_scores)]


async def others_scores(judge: User, round_: Round, assignment: Assignment) -> list[dict[int, Decimal]] | None:
    """The scores other judges submitted for the assignment's entry, each judge's as {criterion id: value},
    unnamed and ordered by value; None when the round does not show them to this judge now. Drafts
    (not submitted) and judges in conflict with the entry are left out."""
    if not shows_others_scores(round_, own_submitted=assignment.completed_at is not None):
        return None
    conflicted = await Conflict.filter(entry_id=assignment.entry_id).values_list("judge_id", flat=True)
    rows = await Score.filter(
        assignment__round_id=round_.id, assignment__entry_id=assignment.entry_id, assignment__completed_at__isnull=False,
    ).exclude(assignment__judge_id__in=[judge.id, *conflicted]).values_list("assignment_id", "criterion_id", "value")
    by_judge: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for assignment_id, criterion_id, value in rows:
        by_judge[assignment_id][criterion_id] = value
    return sorted(by_judge.values(), key=lambda values: sorted(values.items()))


# --- lookups for the judges' pages ---------------------------------------------------------------

CRITERION_VALUES = ("id", "name", "name_en", "guidance", "guidance_en", "scale_min", "scale_max", "weight")


async def rounds_of(contest: Contest) -> list[Round]:
    return await Round.filter(contest_id=contest.id).order_by("position", "id")


async def round_of(contest: Contest, round_id: int) -> Round | None:
    """The round, only if it belongs to `contest`."""
    return await Round.get_or_none(id=round_id, contest_id=contest.id)


async def criterion_of(round_: Round, criterion_id: int) -> Criterion | None:
    return await Criterion.get_or_none(id=criterion_id, round_id=round_.id)


async def panel_of(round_: Round, panel_id: int) -> Panel | None:
    return await Panel.get_or_none(id=panel_id, round_id=round_.id)


async def panel_member_of(round_: Round, member_id: int) -> PanelMember | None:
    return await PanelMember.get_or_none(id=member_id, panel__round_id=round_.id)


async def round_by_id(round_id: int) -> Round | None:
    return await Round.get_or_none(id=round_id)


async def judged_round_ids(judge: User) -> set[int]:
    """Rounds where the user is a judge: assigned entries, or a seat on a panel (after conflicts took them all)."""
    assigned = await Assignment.filter(Q(panel_id=None) | Q(panel__members__judge_id=judge.id),
                                       judge_id=judge.id).distinct().values_list("round_id", flat=True)
    seated = await PanelMember.filter(judge_id=judge.id).values_list("panel__round_id", flat=True)
    return set(cast(list[int], assigned)) | set(cast(list[int], seated))


async def judges_an_open_round(judge: User, now: datetime) -> bool:
    """Whether `judge` is assigned in, or seated on a panel of, a round that has opened and is neither closed
    nor locked at `now`. One query: it runs at a signed-in user's activity, once a minute at most."""
    assigned = Subquery(Assignment.filter(judge_id=judge.id).values("round_id"))
    seated = Subquery(PanelMember.filter(judge_id=judge.id).values("panel__round_id"))
    return await Round.filter(Q(id__in=assigned) | Q(id__in=seated), Q(closes_at=None) | Q(closes_at__gt=now),
                              opens_at__lte=now, locked_at=None).exists()


async def rounds_for_judge(judge: User) -> list[Round]:
    """The judge's rounds with their contest (a judge may sit on several contests' panels)."""
    return await Round.filter(id__in=await judged_round_ids(judge)).select_related("contest").order_by(
        "contest_id", "position", "id")


async def criteria_of(round_: Round) -> list[Criterion]:
    return await Criterion.filter(round_id=round_.id).order_by("position", "id")


async def criteria_rows(round_: Round) -> list[dict]:
    return list(await Criterion.filter(round_id=round_.id).order_by("position", "id").values(*CRITERION_VALUES))


async def paper_entry(assignment: Assignment) -> tuple[str, str] | None:
    """(the chair's name, the reason) when the chair entered the assignment's submission from a paper sheet."""
    if assignment.completed_at is None or assignment.entered_by_id is None:
        return None
    name = await User.filter(id=assignment.entered_by_id).first().values_list("display_name", flat=True)
    return str(name or ""), assignment.entered_reason


async def paper_sheets_of_round(round_: Round) -> list[dict[str, Any]]:
    """The round's submissions the chair entered from judges' paper sheets, newest first."""
    return list(await Assignment.filter(round_id=round_.id, completed_at__isnull=False, entered_by_id__isnull=False)
                .order_by("-completed_at", "-id").values("entry_id", "judge__display_name", "entered_by__display_name",
                                                        "entered_reason", "completed_at"))


async def stored_scores(assignment: Assignment) -> list[tuple[int, Decimal]]:
    """(criterion id, value) of what this judge saved for this entry."""
    return list(await Score.filter(assignment_id=assignment.id).values_list("criterion_id", "value"))


async def ai_label_for_judges(entry_id: int) -> str | None:
    """"generated", "assisted" or None: the entry's declaration, or the signals in the files judges see."""
    declared = cast(list[dict[str, Any]], await Entry.filter(id=entry_id).values_list("ai_disclosure", flat=True))
    signals = await EntryImage.filter(entry_id=entry_id, slot__audience__in=SEEN_BY_JUDGES).values_list(
        "provenance", flat=True)
    return ai_label(Disclosure.of(declared[0] if declared else {}), cast(list[dict[str, Any]], signals))


async def judging_videos(entry_id: int) -> list[dict]:
    """Storage key and facts of an entry's transcoded videos that judges may see, in order (server side only)."""
    return list(await EntryFile.filter(
        entry_id=entry_id, kind=SlotKind.VIDEO.value, status=FileStatus.READY, slot__audience__in=SEEN_BY_JUDGES,
    ).order_by("position", "id").values("key", "details"))


async def judging_images(entry_id: int) -> list[dict]:
    """Storage key and derivative facts of an entry's images, in the designer's order (server side only)."""
    return list(await EntryImage.filter(entry_id=entry_id, slot__audience__in=SEEN_BY_JUDGES).order_by(
        "position", "id").values("key", "derivatives"))



async def contest_time_zone(round_: Round) -> str:
    """The zone the round's contest shows its times in."""
    return cast(list[str], await Contest.filter(id=round_.contest_id).values_list("time_zone", flat=True))[0]


async def upcoming_rounds(judge: User, *, now: datetime) -> list[Round]:
    """For each contest the user judges, its next round that has not opened yet (with its contest), soonest first."""
    contest_ids = set(await ContestRole.filter(user_id=judge.id, role=ContestRoleKind.JUDGE).values_list(
        "contest_id", flat=True))
    contest_ids |= set(await Round.filter(id__in=await judged_round_ids(judge)).values_list("contest_id", flat=True))
    later = await Round.filter(contest_id__in=contest_ids, opens_at__gt=now).select_related("contest").order_by(
        "opens_at", "position", "id")
    next_by_contest: dict[int, Round] = {}
    for round_ in later:
        next_by_contest.setdefault(round_.contest_id, round_)
    return list(next_by_contest.values())
