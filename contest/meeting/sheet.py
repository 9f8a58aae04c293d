"""The signed results sheet of a locked meeting: an A4 PDF in Chinese listing every entry with its figures
and grade, the panel's votes judge by judge, the rescorings with their reasons, the audit chain's head at
the lock, and a signature line for each judge and the chair. The font is the certificates' (embedded as a
TrueType subset, so the text extracts exactly)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import anyio
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from contest.accounts.models import User
from contest.clock import to_zone
from contest.contests.models import AwardTier, Contest, Track
from contest.errors import Conflict as StateConflict
from contest.i18n import N_
from contest.judging.figures import shown
from contest.judging.models import Round, RoundEntry
from contest.media.cjk_font import truetype_subset
from contest.meeting import outcome, queries
from contest.meeting.models import GradeBallot, MeetingSession, Rescore
from contest.meeting.screens import grade_names

HEADING = "终评会评审结果签字表"
FIXED_TEXT = (HEADING + "赛道排名代号编号作品名称得分均值等次表决记录复评原因审计链头锁定时间评委签字主持人日期：、，。（）·"
              + "—不获奖年月日0123456789.:-/ 号票")


class NotLocked(StateConflict):
    message = N_("The results sheet is printed once the chair has locked the meeting.")


@dataclass(frozen=True)
class SheetRow:
    track: str
    rank: str
    alias: str
    number: str
    title: str
    figure: str
    mean: str
    grade: str


@dataclass(frozen=True)
class Sheet:
    contest: str
    round: str
    locked_at: str
    chain_head: str
    rows: list[SheetRow]
    votes: list[str]
    rescores: list[str]
    judges: list[str]
    chair: str

    def text(self) -> str:
        cells = [v for row in self.rows for v in vars(row).values()]
        return "".join([self.contest, self.round, self.locked_at, self.chain_head, *cells, *self.votes, *self.rescores,
                        *self.judges, self.chair])


async def _votes(session: MeetingSession, round_: Round, aliases: dict[int, str], names: dict[int, str]) -> list[str]:
    lines = []
    for vote in await queries.votes_of(session):
        grades = await grade_names(round_, [*vote.choices, vote.decided_tier or 0])
        ballots = await GradeBallot.filter(vote_id=vote.id).order_by("id").values("judge_id", "choice")
        cast = "、".join(f"{names.get(b['judge_id'], '')}：{grades.get(b['choice'], '')}" for b in ballots)
        decided = grades.get(vote.decided_tier, "") if vote.decided_tier is not None else "—"
        lines.append(f"{aliases[vote.entry_id]}（{cast or '—'}）→ {decided}")
    return lines


async def sheet_of(contest: Contest, session: MeetingSession, round_: Round) -> Sheet:
    if session.locked_at is None:
        raise NotLocked()
    standings = await outcome.standings(session, round_)
    tracks = dict(await Track.filter(contest_id=contest.id).values_list("id", "name"))
    tiers = dict(await AwardTier.filter(contest_id=contest.id).values_list("id", "name"))
    aliases = dict(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", "alias"))
    judges = await queries.panel_judges(round_)
    names = {j.judge_id: j.name for j in judges}
    rows = [SheetRow(tracks.get(s.track_id, ""), str(s.rank or "—"), s.alias, s.number, s.title, shown(s.figure),
                     shown(s.mean), (tiers.get(s.tier_id, "") if s.tier_id else "—") + ("（表决）" if s.by_vote else ""))
            for s in standings]
    rescores = [f"{aliases[r['item__entry_id']]}：{r['reason']}" for r in await Rescore.filter(
        item__session_id=session.id).order_by("at", "id").values("item__entry_id", "reason")]
    chair = await User.get_or_none(id=session.chair_id) if session.chair_id else None
    locked = to_zone(session.locked_at, contest.time_zone)
    return Sheet(contest=contest.title, round=round_.name, locked_at=f"{locked:%Y-%m-%d %H:%M}",
                 chain_head=session.chain_head, rows=rows, votes=await _votes(session, round_, aliases, names),
                 rescores=rescores, judges=[j.name for j in judges], chair=chair.display_name if chair else "")


COLUMNS = (("赛道", 24), ("排名", 10), ("代号", 18), ("编号", 26), ("作品名称", 42), ("得分", 16), ("均值", 16),
           ("等次", 28))  # 180 mm: A4 less the margins


def render_sheet(sheet: Sheet, font_file: Path) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_lang("zh-CN")
    pdf.set_title(f"{sheet.contest} · {HEADING}")
    pdf.add_font("serif", fname=font_file)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font("serif", size=16)
    text_block(pdf, 9, f"{sheet.contest}\n{HEADING}", align="C")
    pdf.set_font("serif", size=10)
    text_block(pdf, 6, f"{sheet.round} · 锁定时间：{sheet.locked_at}", align="C")
    pdf.ln(3)
    pdf.set_font("serif", size=8.5)
    headings = FontFace(emphasis=None, fill_color=(243, 235, 221))  # no bold face ships with the font
    with pdf.table(col_widths=[w for _, w in COLUMNS], text_align="LEFT", line_height=5.5, wrapmode=WrapMode.CHAR,
                   headings_style=headings) as table:
        table.row([name for name, _ in COLUMNS])
        for row in sheet.rows:
            table.row([row.track, row.rank, row.alias, row.number, row.title, row.figure, row.mean, row.grade])
    for heading, lines in (("表决记录", sheet.votes), ("复评记录（原因）", sheet.rescores)):
        if lines:
            pdf.ln(3)
            pdf.set_font("serif", size=10)
            text_block(pdf, 6, heading)
            pdf.set_font("serif", size=8.5)
            for line in lines:
                text_block(pdf, 5, line)
    pdf.ln(3)
    pdf.set_font("serif", size=8)
    text_block(pdf, 5, f"审计链头（锁定时）：{sheet.chain_head}")
    _signatures(pdf, sheet)
    return bytes(pdf.output())


def text_block(pdf: FPDF, height: float, text: str, *, align: str = "L") -> None:
    """Text across the page, wrapped anywhere (Chinese has no spaces); the next block starts below it."""
    pdf.multi_cell(0, height, text, align=align, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")


def _signatures(pdf: FPDF, sheet: Sheet) -> None:
    pdf.ln(4)
    pdf.set_font("serif", size=10)
    for role, name in [*(("评委签字", j) for j in sheet.judges), ("主持人签字", sheet.chair)]:
        signature_line(pdf, role, name)


def signature_line(pdf: FPDF, role: str, name: str) -> None:
    """"<role>：<name> ______ 日期：" on one line of its own (a new page when too near the bottom)."""
    if pdf.get_y() > 270:
        pdf.add_page()
    draw_signature(pdf, role, name)


def draw_signature(pdf: FPDF, role: str, name: str) -> None:
    """The signature line where the cursor is (a page's footer draws it without breaking the page)."""
    pdf.cell(30, 10, f"{role}：")
    pdf.cell(40, 10, name)
    y = pdf.get_y() + 8
    pdf.line(pdf.get_x() + 2, y, pdf.get_x() + 62, y)
    pdf.set_x(pdf.get_x() + 66)
    pdf.cell(0, 10, "日期：", new_x="LMARGIN", new_y="NEXT")


def render_with_font(text: str, render: Callable[[Path], bytes]) -> bytes:
    """`render(font_file)` with the font cut down to `text` in a temporary file (blocking: run it in a thread)."""
    with tempfile.TemporaryDirectory(prefix="sheet-") as folder:
        font_file = Path(folder) / "serif.ttf"
        font_file.write_bytes(truetype_subset(text))
        return render(font_file)


def _render(sheet: Sheet) -> bytes:
    return render_with_font(FIXED_TEXT + sheet.text(), partial(render_sheet, sheet))


async def sheet_pdf(contest: Contest, session: MeetingSession, round_: Round) -> bytes:
    """The sheet's PDF, made off the event loop."""
    return await anyio.to_thread.run_sync(_render, await sheet_of(contest, session, round_))
