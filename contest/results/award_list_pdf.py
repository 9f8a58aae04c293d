"""The award list as an A4 portrait PDF in Chinese, laid out like an attachment to an official notice: the
title in red over the guiding, hosting and organising bodies and the date, a red rule, the list by track and
grade in tables, and at the end the issuing bodies and the date right-aligned (落款) over a marked place for
the seal. The font is the certificates' (contest.media.cjk_font), cut down to the characters printed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import anyio
from fpdf import FPDF
from fpdf.enums import TextMode, WrapMode
from fpdf.fonts import FontFace

from contest.media import cjk_font
from contest.results.award_list import AwardList, Section, date_label
from contest.results.certificates import INK, MUTED, PT, SEAL_RED

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, mm
MARGIN = 20.0
WIDTH = PAGE_W - 2 * MARGIN
HEADING = "获奖名单"
BODY_LABELS = (("guiding", "指导单位"), ("hosting", "主办单位"), ("organising", "承办单位"))
SEAL = "（盖章）"
NO_TEXT = "（此页无正文）"
INTRO = "现将{title}公布如下，共 {count} 件作品获奖。"
COLUMNS = (("奖项", 24.0), ("作品编号", 26.0), ("作品名称", 40.0), ("获奖者", 30.0), ("单位／学校", 50.0))
NUMERALS = "一二三四五六七八九十"
HEAD_FILL = (246, 238, 230)
SEAL_RADIUS = 21.0
GRADE_SPAN = 8
# Every fixed string printed, so the font subset always holds their characters.
FIXED_TEXT = ("".join(label for _, label in BODY_LABELS) + HEADING + SEAL + NO_TEXT + INTRO + "".join(c for c, _ in COLUMNS)
              + NUMERALS + "特别奖发布日期：、第页共年月日（）0123456789")


def section_heading(n: int, section: Section) -> str:
    """一、<track>; past ten sections the numbers are written in digits."""
    numeral = NUMERALS[n] if n < len(NUMERALS) else str(n + 1)
    return f"{numeral}、{section.heading}"


def printed_text(award_list: AwardList) -> str:
    """Every character the document prints besides FIXED_TEXT."""
    parts = [award_list.contest, award_list.bodies.guiding, award_list.bodies.hosting, award_list.bodies.organising,
             *award_list.issuers]
    for section, grade, line in award_list.lines():
        parts += [section.heading, grade.grade, line.number, line.title, line.public_name, line.affiliation]
    return "".join(parts)


class _Document(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        _font(self, 9, MUTED)
        self.cell(0, 5, f"第 {self.page_no()} 页 共 {{nb}} 页", align="C")


def _font(pdf: FPDF, size: float, colour: tuple[int, int, int] = INK, *, bold: bool = False) -> None:
    pdf.set_font("serif", size=size)
    pdf.set_text_color(*colour)
    pdf.set_draw_color(*colour)
    pdf.set_line_width(size * 0.012)
    pdf.text_mode = TextMode.FILL_STROKE if bold else TextMode.FILL  # no bold face ships: stroke thickens


def _line(pdf: FPDF, text: str, size: float, colour: tuple[int, int, int] = INK, *, bold: bool = False,
          align: str = "C", spacing: float = 0.0, after: float = 1.5, x: float = MARGIN, width: float = WIDTH) -> None:
    _font(pdf, size, colour, bold=bold)
    pdf.set_char_spacing(spacing)
    pdf.set_x(x)
    pdf.multi_cell(width, size * PT * 1.45, text, align=align, wrapmode=WrapMode.CHAR, new_x="LMARGIN")
    pdf.set_char_spacing(0)
    pdf.text_mode = TextMode.FILL
    pdf.set_y(pdf.get_y() + after)


def _masthead(pdf: FPDF, award_list: AwardList) -> None:
    pdf.set_y(24)
    _line(pdf, award_list.contest, 16, bold=True, after=2)
    _line(pdf, HEADING, 26, SEAL_RED, bold=True, spacing=6, after=5)
    for key, label in BODY_LABELS:
        if name := getattr(award_list.bodies, key):
            _line(pdf, f"{label}：{name}", 11, after=0.8)
    _line(pdf, f"发布日期：{date_label(award_list.issued_on)}", 11, MUTED, after=3)
    y = pdf.get_y()
    pdf.set_draw_color(*SEAL_RED)
    pdf.set_line_width(0.9)
    pdf.line(MARGIN, y, PAGE_W - MARGIN, y)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, y + 1.3, PAGE_W - MARGIN, y + 1.3)
    pdf.set_y(y + 6)


def _keep_with_next(pdf: FPDF, height: float) -> bool:
    """A heading is not left alone at the foot of a page: True when it starts a new one."""
    if pdf.get_y() + height <= PAGE_H - pdf.b_margin:
        return False
    pdf.add_page()
    return True


def _table(pdf: FPDF, section: Section) -> None:
    """One table for the section, its grade named once beside each run of up to GRADE_SPAN of its lines (a
    merged cell never breaks across pages, so a long grade is named again)."""
    _font(pdf, 10)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    heading = FontFace(emphasis="", fill_color=HEAD_FILL, color=INK)
    with pdf.table(col_widths=[w for _, w in COLUMNS], width=WIDTH, headings_style=heading, text_align="CENTER",
                   line_height=10 * PT * 1.5, wrapmode=WrapMode.CHAR, padding=1.2) as table:
        table.row([c for c, _ in COLUMNS])
        for grade in section.grades:
            for n, line in enumerate(grade.lines):
                row = table.row()
                if n % GRADE_SPAN == 0:
                    span = min(GRADE_SPAN, len(grade.lines) - n)
                    row.cell(grade.grade, rowspan=span, style=FontFace(color=SEAL_RED))
                for text in (line.number, line.title, line.public_name, line.affiliation):
                    row.cell(text)
    pdf.set_y(pdf.get_y() + 5)


def _sections(pdf: FPDF, award_list: AwardList) -> None:
    _line(pdf, INTRO.format(title=award_list.title, count=award_list.entries), 12, align="L", after=4)
    for n, section in enumerate(award_list.sections):
        _keep_with_next(pdf, 30)
        count = sum(len(grade.lines) for grade in section.grades)
        _line(pdf, f"{section_heading(n, section)}（{count} 件）", 13, bold=True, align="L", after=2)
        _table(pdf, section)


def _signature(pdf: FPDF, award_list: AwardList) -> None:
    """The 落款: the issuing bodies and the date, right-aligned, inside a dashed circle marking the seal's place.
    On a page of its own it says so, as official documents do (此页无正文)."""
    if _keep_with_next(pdf, 14 + 4.5 * len(award_list.issuers) + 4 + SEAL_RADIUS + 4):
        _line(pdf, NO_TEXT, 12, align="L")
    block_w, right = 72.0, PAGE_W - MARGIN
    top = pdf.get_y() + 14
    pdf.set_y(top)
    for name in award_list.issuers:
        _line(pdf, name, 14, bold=True, align="R", x=right - block_w, width=block_w, after=1)
    _line(pdf, date_label(award_list.issued_on), 12, align="R", x=right - block_w, width=block_w, after=0)
    middle_y = (top + pdf.get_y()) / 2
    _font(pdf, 14)
    centre_x = right - max(pdf.get_string_width(name) for name in award_list.issuers) / 2
    pdf.set_draw_color(*SEAL_RED)
    pdf.set_line_width(0.4)
    pdf.set_dash_pattern(dash=1.6, gap=1.2)
    pdf.circle(centre_x, middle_y, SEAL_RADIUS)
    pdf.set_dash_pattern()
    pdf.set_y(middle_y + SEAL_RADIUS - 9)
    _line(pdf, SEAL, 10, SEAL_RED, x=centre_x - SEAL_RADIUS, width=2 * SEAL_RADIUS, after=0)


def render_pdf(award_list: AwardList, font_file: Path) -> bytes:
    """The list as PDF bytes, with `font_file` (a subset holding printed_text and FIXED_TEXT) embedded."""
    pdf = _Document(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(award_list.title)
    pdf.set_lang("zh-CN")
    pdf.add_font("serif", fname=font_file)
    pdf.alias_nb_pages()
    pdf.add_page()
    _masthead(pdf, award_list)
    _sections(pdf, award_list)
    _signature(pdf, award_list)
    return bytes(pdf.output())


def _render(award_list: AwardList) -> bytes:
    with tempfile.TemporaryDirectory(prefix="award-list-") as folder:
        font_file = Path(folder) / "serif.ttf"
        font_file.write_bytes(cjk_font.truetype_subset(printed_text(award_list) + FIXED_TEXT))
        return render_pdf(award_list, font_file)


async def award_list_pdf(award_list: AwardList) -> bytes:
    """The PDF, made off the event loop."""
    return await anyio.to_thread.run_sync(_render, award_list)
