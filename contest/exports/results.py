"""The results table: every round's explained figures per entry (the aggregation the organiser's
results page shows), one sheet per track, rounds in order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from functools import partial
from typing import cast

from contest.contests.models import Contest, Track
from contest.exports.scores import judge_labels
from contest.exports.tables import Column, Row, Sheet, joined, sheet_titles
from contest.judging import standings
from contest.judging.aggregation import (
    FORMULA_VERSION,
    EntryResult,
    Flag,
    JudgeTotal,
    Method,
)
from contest.judging.models import Round, RoundEntry
from contest.results.standings import round_inputs

COLUMNS = (Column("轮次", "Round"), Column("排名", "Rank"), Column("作品代号", "Alias"),
           Column("作品编号", "Entry number"), Column("作品名称", "Title"), Column("排名依据分", "Figure"),
           Column("评委分", "Judges' figure"), Column("平均分", "Mean"),
           Column("去掉最高最低分后平均", "Trimmed mean"), Column("标准分", "Z-score"),
           Column("网络投票占比", "Public vote share"), Column("评委人数", "Judges"),
           Column("各评委总分", "Each judge's total"), Column("标记", "Flags"), Column("晋级", "Advanced"),
           Column("计算方法", "Method"), Column("公式版本", "Formula version"))
METHODS = {Method.MEAN: "平均分", Method.TRIMMED_MEAN: "去掉最高最低分后平均", Method.ZSCORE: "标准分"}
FLAGS = {Flag.NO_SCORES: "无评分", Flag.MISSING_SCORES: "有评委未评分", Flag.INCOMPLETE_JUDGE: "有评委漏评标准（不计）",
         Flag.NOT_TRIMMED: "评委不足五人，未去掉最高最低分", Flag.DEGENERATE_JUDGE: "有评委各作品总分相同（标准分为0）",
         Flag.TIE: "并列"}


def judge_total(total: JudgeTotal, judges: Mapping[int, str]) -> str:
    figure = "—" if total.total is None else f"{total.total:.2f}"
    note = "（去掉）" if total.trimmed_out else "（漏评，不计）" if total.missing_criteria else ""
    return f"{judges.get(total.judge_id, '')} {figure}{note}"


def result_row(round_: Round, result: EntryResult, labels: standings.Labels, judges: Mapping[int, str],
               advanced: set[int]) -> Row:
    entry = labels.entries[result.entry_id]
    return [round_.name, result.rank, entry.alias, entry.number, entry.title, result.figure, result.judge_figure,
            result.mean, result.trimmed_mean, result.zscore, result.vote_share, result.n_judges,
            joined(judge_total(t, judges) for t in result.judge_totals), joined(FLAGS[f] for f in result.flags),
            "是" if result.entry_id in advanced else "", METHODS[result.method], FORMULA_VERSION]


async def _round_rows(round_: Round, judges: Mapping[int, str]) -> dict[int | None, list[Row]]:
    inputs = await round_inputs(round_)
    advanced = set(cast(list[int], await RoundEntry.filter(round_id=round_.id, advanced=True).values_list(
        "entry_id", flat=True)))
    rows: dict[int | None, list[Row]] = {}
    for result in standings.compute(inputs, round_.method):
        rows.setdefault(result.track_id, []).append(result_row(round_, result, inputs.labels, judges, advanced))
    return rows


async def _batches(round_rows: list[dict[int | None, list[Row]]], track_id: int) -> AsyncIterator[list[Row]]:
    for by_track in round_rows:
        if by_track.get(track_id):
            yield by_track[track_id]


async def result_sheets(contest: Contest, tracks: list[Track], *, anonymised: bool) -> list[Sheet]:
    """One sheet per track. A round's figures need all its scores at once, so each round is computed
    once here (as its results page does) and the sheets hand out its rows per track."""
    judges = await judge_labels(contest, anonymised=anonymised)
    # A round still without criteria has no figures yet (aggregation needs at least one).
    rounds = await Round.filter(contest_id=contest.id, criteria__id__isnull=False).distinct().order_by("position", "id")
    round_rows = [await _round_rows(r, judges) for r in rounds]
    titles = sheet_titles(t.name for t in tracks)
    return [Sheet(title, COLUMNS, partial(_batches, round_rows, t.id)) for title, t in zip(titles, tracks, strict=True)]
