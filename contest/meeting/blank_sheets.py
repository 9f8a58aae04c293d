"""Blank paper score sheets for the final, the fallback when a judge cannot score on a device: one A4 part
per judge of the round (one or more pages), listing the entries that judge scores by alias only (judging
is blind: no title, no name), each criterion with its range and weight, an empty box per entry and
criterion, and on every page a line for the judge's signature and the date. The chair enters a filled sheet with
contest.judging.paper. Printed with the results sheet's font and layout helpers (contest.meeting.sheet).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import anyio
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from contest.contests.models import Contest
from contest.judging.models import Conflict, Criterion, Panel, PanelMember, Round
from contest.meeting import queries
from contest.meeting.sheet import draw_signature, render_with_font, text_block

HEADING = "纸质评分表"
FIXED_TEXT = (HEADING + "评委代号评分标准分值范围权重说明请在方框内填写各项得分，可保留两位小数。本表由主持人代为录入系统，"
              "录入时注明原因。无作品签字日期：、，。（）·—–0123456789.分第页共")
ALIAS_WIDTH = 28
PAGE_WIDTH = 180  # A4 less the margins, in mm


@dataclass(frozen=True)
class SheetCriterion:
    name: str
    scale_min: int
    scale_max: int
    weight: float
    guidance: str

    @property
    def range(self) -> str:
        return f"{self.scale_min}–{self.scale_max} 分"

    @property
    def weight_text(self) -> str:
        return f"权重 {self.weight:g}"


@dataclass(frozen=True)
class JudgeSheet:
    judge: str
    aliases: list[str]


@dataclass(frozen=True)
class BlankSheets:
    contest: str
    round: str
    criteria: list[SheetCriterion]
    judges: list[JudgeSheet]

    def text(self) -> str:
        parts = [self.contest, self.round]
        parts += [f"{c.name}{c.range}{c.weight_text}{c.guidance}" for c in self.criteria]
        parts += [j.judge + "".join(j.aliases) for j in self.judges]
        return "".join(parts)


async def _aliases_by_judge(round_: Round) -> dict[int, list[str]]:
    """Judge → the aliases they score, in the meeting's order when it is open: the entries of a panel they sit
    on that takes the entry's track, less their conflicts (the judges the meeting's reveal waits for)."""
    entries = await queries.meeting_entries(round_)
    session = await queries.session_of_round(round_)
    if session is not None:
        place = {item.entry_id: item.position for item in await queries.items_of(session)}
        entries.sort(key=lambda e: place.get(e["entry_id"], len(place)))
    tracks_of_panel = dict(await Panel.filter(round_id=round_.id).values_list("id", "track_id"))
    tracks: dict[int, set[int | None]] = defaultdict(set)
    for panel_id, judge_id in await PanelMember.filter(panel_id__in=list(tracks_of_panel) or [0]).values_list(
            "panel_id", "judge_id"):
        tracks[judge_id].add(tracks_of_panel[panel_id])
    conflicts = set(await Conflict.filter(entry_id__in=[e["entry_id"] for e in entries] or [0]).values_list(
        "judge_id", "entry_id"))
    return {judge: [e["alias"] for e in entries
                    if (None in taken or e["entry__track_id"] in taken) and (judge, e["entry_id"]) not in conflicts]
            for judge, taken in tracks.items()}


async def blank_sheets_of(contest: Contest, round_: Round) -> BlankSheets:
    criteria = [SheetCriterion(c.name, c.scale_min, c.scale_max, c.weight, c.guidance)
                for c in await Criterion.filter(round_id=round_.id).order_by("position", "id")]
    aliases = await _aliases_by_judge(round_)
    judges = [JudgeSheet(seat.name, aliases.get(seat.judge_id, [])) for seat in await queries.panel_judges(round_)]
    return BlankSheets(contest.title, round_.name, criteria, judges)


class _SheetPDF(FPDF):
    """Every page of a judge's part ends with the judge's signature and date line, to sign each page."""

    judge = ""

    def footer(self) -> None:
        self.set_y(-27)
        self.set_font("serif", size=10)
        draw_signature(self, "评委签字", self.judge)


def _judge_part(pdf: _SheetPDF, sheets: BlankSheets, judge: JudgeSheet) -> None:
    pdf.add_page()  # draws the previous page's footer, so the judge changes after it
    pdf.judge = judge.judge
    pdf.set_font("serif", size=15)
    text_block(pdf, 8, f"{sheets.contest}\n{sheets.round} · {HEADING}", align="C")
    pdf.ln(2)
    pdf.set_font("serif", size=11)
    text_block(pdf, 7, f"评委：{judge.judge}")
    pdf.set_font("serif", size=8.5)
    for n, c in enumerate(sheets.criteria, start=1):
        guidance = f"：{c.guidance}" if c.guidance else ""
        text_block(pdf, 5, f"{n}. {c.name}（{c.range}，{c.weight_text}）{guidance}")
    text_block(pdf, 5, "请在方框内填写各项得分，可保留两位小数。本表由主持人代为录入系统，录入时注明原因。")
    pdf.ln(2)
    _table(pdf, sheets.criteria, judge.aliases)


def _table(pdf: FPDF, criteria: list[SheetCriterion], aliases: list[str]) -> None:
    if not aliases:
        text_block(pdf, 6, "无作品")
        return
    box = (PAGE_WIDTH - ALIAS_WIDTH) / max(len(criteria), 1)
    headings = FontFace(emphasis=None, fill_color=(243, 235, 221))  # no bold face ships with the font
    with pdf.table(col_widths=[ALIAS_WIDTH, *(box for _ in criteria)], text_align="CENTER", line_height=5,
                   wrapmode=WrapMode.CHAR, headings_style=headings) as table:
        table.row(["代号", *(f"{c.name}\n{c.range}\n{c.weight_text}" for c in criteria)])
        for alias in aliases:
            table.row([alias, *("" for _ in criteria)], min_height=12)


def render_blank_sheets(sheets: BlankSheets, font_file: Path) -> bytes:
    pdf = _SheetPDF(orientation="P", unit="mm", format="A4")
    pdf.set_lang("zh-CN")
    pdf.set_title(f"{sheets.contest} · {sheets.round} · {HEADING}")
    pdf.add_font("serif", fname=font_file)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=32)  # room for the signature line
    for judge in sheets.judges:
        _judge_part(pdf, sheets, judge)
    if not sheets.judges:
        pdf.add_page()
    return bytes(pdf.output())


async def blank_sheets_pdf(contest: Contest, round_: Round) -> bytes:
    """The round's blank score sheets as one PDF, made off the event loop."""
    sheets = await blank_sheets_of(contest, round_)
    return await anyio.to_thread.run_sync(render_with_font, FIXED_TEXT + sheets.text(),
                                          partial(render_blank_sheets, sheets))
