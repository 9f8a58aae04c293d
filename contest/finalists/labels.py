"""Blind labels for the samples of a round: an A4 sheet of ten, each with the entry's round alias and a QR code
that opens the entry's judging page (also a link on the code, for the PDF read on screen).

A label carries the alias, the round's name and the QR code, nothing else: no name, title or entry number.
The caller builds the (alias, url) pairs (the web layer knows the judging page's URL).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio
from fpdf import FPDF

from contest.media import cjk_font
from contest.media.pdf_qr import draw_qr

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, mm
COLUMNS, ROWS = 2, 5
LABEL_W, LABEL_H = 90.0, 52.0
GAP_X, GAP_Y = 6.0, 3.0
LEFT = (PAGE_W - COLUMNS * LABEL_W - (COLUMNS - 1) * GAP_X) / 2
TOP = (PAGE_H - ROWS * LABEL_H - (ROWS - 1) * GAP_Y) / 2
QR_SIZE = 40.0  # mm, border included
INK = (30, 30, 30)
MUTED = (110, 110, 110)
CAPTION = "终评样品 · 盲评标签"
SCAN = "扫码打开评审页"
HEADING = "样品盲评标签"


@dataclass(frozen=True)
class Label:
    alias: str
    url: str  # the entry's judging page


def _label(pdf: FPDF, label: Label, round_name: str, x: float, y: float) -> None:
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.rect(x, y, LABEL_W, LABEL_H)
    pdf.set_dash_pattern()
    draw_qr(pdf, label.url, x + 4, y + (LABEL_H - QR_SIZE) / 2, QR_SIZE)
    text_x, text_w = x + QR_SIZE + 8, LABEL_W - QR_SIZE - 11
    for text, size, colour, top in ((CAPTION, 8, MUTED, 8), (label.alias, 22, INK, 17), (round_name, 9, INK, 33),
                                    (SCAN, 8, MUTED, 41)):
        pdf.set_font("serif", size=size)
        pdf.set_text_color(*colour)
        pdf.set_xy(text_x, y + top)
        pdf.cell(text_w, size * 0.3528 * 1.3, text, align="L")


def render_sheet(labels: Sequence[Label], round_name: str, font_file: Path) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(f"{HEADING} · {round_name}")
    pdf.set_lang("zh-CN")
    pdf.add_font("serif", fname=font_file)
    pdf.add_page()
    if not labels:
        pdf.set_font("serif", size=12)
        pdf.set_xy(LEFT, TOP)
        pdf.cell(PAGE_W - 2 * LEFT, 8, f"{HEADING} · {round_name}")
    per_page = COLUMNS * ROWS
    for i, label in enumerate(labels):
        if i and i % per_page == 0:
            pdf.add_page()
        row, column = divmod(i % per_page, COLUMNS)
        _label(pdf, label, round_name, LEFT + column * (LABEL_W + GAP_X), TOP + row * (LABEL_H + GAP_Y))
    return bytes(pdf.output())


def _sheet(labels: Sequence[Label], round_name: str) -> bytes:
    text = "".join(label.alias for label in labels) + round_name + CAPTION + SCAN + HEADING + " ·"
    with tempfile.TemporaryDirectory(prefix="labels-") as folder:
        font_file = Path(folder) / "serif.ttf"
        font_file.write_bytes(cjk_font.truetype_subset(text))
        return render_sheet(labels, round_name, font_file)


async def label_sheet(labels: Sequence[Label], *, round_name: str) -> bytes:
    """The PDF of the labels, ten to an A4 page, made off the event loop."""
    return await anyio.to_thread.run_sync(_sheet, list(labels), round_name)
