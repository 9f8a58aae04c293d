"""The scores table: one row per judge, entry and criterion, one sheet per track, every round.

The anonymised variant names judges 评委 1..n (numbered by account, the same in every export of
the contest) and entries by number and alias only; the entries' titles stay.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from functools import partial
from typing import Any, cast

from contest.accounts.models import User
from contest.contests.models import Contest, Track
from contest.exports.tables import (
    Column,
    Row,
    Sheet,
    local_time,
    number,
    sheet_titles,
)
from contest.judging.models import (
    Assignment,
    JudgeGroup,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)
from contest.judging.standings import judge_groups

COLUMNS = (Column("轮次", "Round"), Column("作品代号", "Alias"), Column("作品编号", "Entry number"),
           Column("作品名称", "Title"), Column("评委", "Judge"), Column("评委类别", "Judge group"),
           Column("评分标准", "Criterion"), Column("分值", "Score"), Column("完成评审时间", "Completed at"),
           Column("录入方式", "Entered"))
ONLINE = "评委提交"  # the judge submitted the sheet themselves
PAPER = "由主持人代录（纸质评分表）：{reason}"  # the judge's submission, entered by the chair from paper

_VALUES = ("value", "assignment_id", "criterion_id", "criterion__position", "assignment__round_id", "assignment__entry_id",
           "assignment__entry__number", "assignment__entry__title", "assignment__judge_id", "assignment__completed_at",
           "criterion__name", "assignment__entered_by_id", "assignment__entered_reason")
_ORDER = ("round__position", "round_id", "entry__number", "entry_id", "judge_id")
ASSIGNMENTS_PER_BATCH = 125


async def judge_labels(contest: Contest, *, anonymised: bool) -> dict[int, str]:
    """Every judge with an assignment in the contest: their name, or 评委 n in the order of their accounts."""
    ids = sorted(set(cast(list[int], await Assignment.filter(round__contest_id=contest.id).values_list("judge_id", flat=True))))
    if anonymised:
        return {judge: f"评委 {n}" for n, judge in enumerate(ids, start=1)}
    return dict(await User.filter(id__in=ids).values_list("id", "display_name"))


async def round_groups(contest: Contest) -> dict[tuple[int, int], str]:
    """(round, judge) → the name of the judge's group in that round, by the rule the figures use."""
    names = dict(await JudgeGroup.filter(contest_id=contest.id).values_list("id", "name"))
    groups: dict[tuple[int, int], str] = {}
    for round_id in cast(list[int], await Round.filter(contest_id=contest.id).values_list("id", flat=True)):
        assignments = await Assignment.filter(round_id=round_id).values_list("entry_id", "judge_id", "panel_id")
        seats = await PanelMember.filter(panel__round_id=round_id).values_list("panel_id", "judge_id", "group_id")
        for judge, group in judge_groups(assignments, seats).items():
            groups[(round_id, judge)] = names.get(group, "") if group is not None else ""
    return groups


class _Context:
    """What every batch of a contest's score rows needs, loaded once: round names, judges, groups."""

    def __init__(self, rounds: Mapping[int, str], judges: Mapping[int, str], groups: Mapping[tuple[int, int], str],
                 zone: str) -> None:
        self.rounds, self.judges, self.groups, self.zone = rounds, judges, groups, zone

    def row(self, score: dict[str, Any], aliases: Mapping[tuple[int, int], str]) -> Row:
        round_id, judge = score["assignment__round_id"], score["assignment__judge_id"]
        return [self.rounds[round_id], aliases.get((round_id, score["assignment__entry_id"])),
                score["assignment__entry__number"], score["assignment__entry__title"], self.judges.get(judge, ""),
                self.groups.get((round_id, judge), ""), score["criterion__name"], number(score["value"]),
                local_time(score["assignment__completed_at"], self.zone), entered(score)]


def entered(score: Mapping[str, Any]) -> str | None:
    """How the submitted scores came in: by the judge, or the chair's paper entry; None while not submitted."""
    if score["assignment__completed_at"] is None:
        return None
    if score["assignment__entered_by_id"] is None:
        return ONLINE
    return PAPER.format(reason=score["assignment__entered_reason"])


async def _aliases(rows: list[dict[str, Any]]) -> dict[tuple[int, int], str]:
    entries = {r["assignment__entry_id"] for r in rows}
    rounds = {r["assignment__round_id"] for r in rows}
    found = await RoundEntry.filter(round_id__in=rounds, entry_id__in=entries).values_list("round_id", "entry_id", "alias")
    return {(round_id, entry_id): alias for round_id, entry_id, alias in found}


async def _batches(track: Track, context: _Context) -> AsyncIterator[list[Row]]:
    # The ordered assignment ids (a few bytes each) page the scores: OFFSET over the joined, sorted
    # scores would sort them all again for every batch.
    ids = await Assignment.filter(entry__track_id=track.id).order_by(*_ORDER).values_list("id", flat=True)
    for start in range(0, len(ids), ASSIGNMENTS_PER_BATCH):
        chunk = ids[start:start + ASSIGNMENTS_PER_BATCH]
        place = {assignment: n for n, assignment in enumerate(chunk)}
        rows = sorted(await Score.filter(assignment_id__in=chunk).values(*_VALUES), key=lambda r: (
            place[r["assignment_id"]], r["criterion__position"], r["criterion_id"]))
        aliases = await _aliases(rows)
        yield [context.row(r, aliases) for r in rows]


async def score_sheets(contest: Contest, tracks: list[Track], *, anonymised: bool) -> list[Sheet]:
    """One sheet per track: every score of every round, by round, entry number, judge and criterion."""
    context = _Context(dict(await Round.filter(contest_id=contest.id).values_list("id", "name")),
                       await judge_labels(contest, anonymised=anonymised), await round_groups(contest), contest.time_zone)
    titles = sheet_titles(t.name for t in tracks)
    return [Sheet(title, COLUMNS, partial(_batches, t, context)) for title, t in zip(titles, tracks, strict=True)]
