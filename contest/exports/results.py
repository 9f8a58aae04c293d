"""The results table: every round's explained figures per entry (the aggregation the organiser's
results page shows) and each entry's award grade, one sheet per track, rounds in order.

The figures are rounded as the results page prints them (contest.judging.figures); a sheet of
exact figures per track follows the track sheets, for the audit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import cast

from contest.contests.models import Contest, Track
from contest.exports.scores import judge_labels
from contest.exports.tables import Cell, Column, Row, Sheet, joined, sheet_titles
from contest.judging import standings
from contest.judging.aggregation import (
    FORMULA_VERSION,
    EntryResult,
    Flag,
    JudgeTotal,
    Method,
)
from contest.judging.figures import Digits, percent, rounded, shown
from contest.judging.models import Round, RoundEntry
from contest.results.awarding import grades_by_entry
from contest.results.standings import round_inputs

ROUND, ALIAS, NUMBER = Column("轮次", "Round"), Column("作品代号", "Alias"), Column("作品编号", "Entry number")
FIGURES = (Column("排名依据分", "Figure", Digits.SCORE), Column("评委分", "Judges' figure", Digits.SCORE),
           Column("平均分", "Mean", Digits.SCORE), Column("去掉最高最低分后平均", "Trimmed mean", Digits.SCORE),
           Column("标准分", "Z-score", Digits.ZSCORE), Column("网络投票占比（%）", "Public vote share (%)", Digits.PERCENT))
JUDGE_TOTALS = Column("各评委总分", "Each judge's total")
COLUMNS = (ROUND, Column("排名", "Rank"), ALIAS, NUMBER, Column("作品名称", "Title"), Column("奖项", "Award"),
           *FIGURES, Column("评委人数", "Judges"), JUDGE_TOTALS, Column("标记", "Flags"), Column("晋级", "Advanced"),
           Column("计算方法", "Method"), Column("公式版本", "Formula version"))
EXACT_COLUMNS = (ROUND, ALIAS, NUMBER, *(replace(c, digits=None) for c in FIGURES), JUDGE_TOTALS)
EXACT_SUFFIX = " 精确值"
METHODS = {Method.MEAN: "平均分", Method.TRIMMED_MEAN: "去掉最高最低分后平均", Method.ZSCORE: "标准分"}
FLAGS = {Flag.NO_SCORES: "无评分", Flag.MISSING_SCORES: "有评委未评分", Flag.INCOMPLETE_JUDGE: "有评委漏评标准（不计）",
         Flag.NOT_TRIMMED: "评委不足五人，未去掉最高最低分", Flag.DEGENERATE_JUDGE: "有评委各作品总分相同（标准分为0）",
         Flag.TIE: "并列"}


def _exact_text(value: float | None) -> str:
    return "—" if value is None else repr(value)


def judge_total(total: JudgeTotal, judges: Mapping[int, str], text: Callable[[float | None], str] = shown) -> str:
    note = "（去掉）" if total.trimmed_out else "（漏评，不计）" if total.missing_criteria else ""
    return f"{judges.get(total.judge_id, '')} {text(total.total)}{note}"


def exact_figures(result: EntryResult) -> list[Cell]:
    share = None if result.vote_share is None else result.vote_share * 100
    return [result.figure, result.judge_figure, result.mean, result.trimmed_mean, result.zscore, share]


def shown_figures(result: EntryResult) -> list[Cell]:
    """The figures as the results page prints them."""
    return [rounded(result.figure), rounded(result.judge_figure), rounded(result.mean), rounded(result.trimmed_mean),
            rounded(result.zscore, Digits.ZSCORE), percent(result.vote_share)]


@dataclass(frozen=True)
class _RoundFacts:
    """What a round's rows are written from besides the result: names, judges, grades, who advanced."""

    round_: Round
    labels: standings.Labels
    judges: Mapping[int, str]
    grades: Mapping[int, list[str]]
    advanced: set[int]

    def row(self, result: EntryResult) -> Row:
        entry = self.labels.entries[result.entry_id]
        return [self.round_.name, result.rank, entry.alias, entry.number, entry.title,
                joined(self.grades.get(result.entry_id, ())) or None, *shown_figures(result), result.n_judges,
                joined(judge_total(t, self.judges) for t in result.judge_totals), joined(FLAGS[f] for f in result.flags),
                "是" if result.entry_id in self.advanced else "", METHODS[result.method], FORMULA_VERSION]

    def exact_row(self, result: EntryResult) -> Row:
        entry = self.labels.entries[result.entry_id]
        return [self.round_.name, entry.alias, entry.number, *exact_figures(result),
                joined(judge_total(t, self.judges, _exact_text) for t in result.judge_totals)]


RoundRows = dict[int | None, list[tuple[Row, Row]]]  # by track: (shown, exact) per entry


async def _round_rows(round_: Round, judges: Mapping[int, str], grades: Mapping[int, list[str]]) -> RoundRows:
    inputs = await round_inputs(round_)
    advanced = set(cast(list[int], await RoundEntry.filter(round_id=round_.id, advanced=True).values_list(
        "entry_id", flat=True)))
    facts = _RoundFacts(round_, inputs.labels, judges, grades, advanced)
    rows: RoundRows = {}
    for result in standings.compute(inputs, round_.method):
        rows.setdefault(result.track_id, []).append((facts.row(result), facts.exact_row(result)))
    return rows


async def _batches(round_rows: Sequence[RoundRows], track_id: int, exact: bool) -> AsyncIterator[list[Row]]:
    for by_track in round_rows:
        if by_track.get(track_id):
            yield [pair[exact] for pair in by_track[track_id]]


async def result_sheets(contest: Contest, tracks: list[Track], *, anonymised: bool) -> list[Sheet]:
    """One sheet per track, then one of exact figures per track. A round's figures need all its scores
    at once, so each round is computed once here (as its results page does) and the sheets hand out
    its rows per track."""
    judges, grades = await judge_labels(contest, anonymised=anonymised), await grades_by_entry(contest)
    # A round still without criteria has no figures yet (aggregation needs at least one).
    rounds = await Round.filter(contest_id=contest.id, criteria__id__isnull=False).distinct().order_by("position", "id")
    round_rows = [await _round_rows(r, judges, grades) for r in rounds]
    kinds = [(False, t) for t in tracks] + [(True, t) for t in tracks]
    titles = sheet_titles(t.name + (EXACT_SUFFIX if exact else "") for exact, t in kinds)
    return [Sheet(title, EXACT_COLUMNS if exact else COLUMNS, partial(_batches, round_rows, t.id, exact))
            for title, (exact, t) in zip(titles, kinds, strict=True)]
