"""Award certificates: one A4 landscape PDF per confirmed award, in Chinese, with the font embedded.

The font (contest.media.cjk_font) is cut down to the characters a batch of certificates uses.
A certificate is about 30 KB.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from fpdf import FPDF
from fpdf.enums import TextMode, WrapMode

from contest import clock
from contest.media import cjk_font
from contest.zipstream import ZipSink

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
PT = 0.3528  # mm per point
SEAL_RED = (178, 34, 34)
INK = (43, 33, 28)
MUTED = (120, 96, 84)
PAPER = (255, 251, 242)
GOLD = (191, 151, 82)
ORGANISER = "大赛组委会"
HEADING = "荣誉证书"
HEADING_EN = "CERTIFICATE OF HONOUR"
# Every fixed string printed, so the font subset always holds their characters.
FIXED_TEXT = (HEADING + HEADING_EN + ORGANISER
              + "团队成员指导老师证书编号：、，。《》「」（）·在评选中参赛作品荣获特发此证以资鼓励年月日0123456789-")


@dataclass(frozen=True)
class Certificate:
    contest: str
    track: str  # "" for a special award across tracks
    grade: str
    title: str
    winner: str  # the public name the entrant chose: person, team or organisation
    members: tuple[str, ...]
    supervisor: str
    issued_on: datetime  # in the contest's zone
    number: str
    filename: str  # inside the organisers' ZIP: "<track or special award>/<grade>-<entry number>.pdf"
    issuers: tuple[str, ...] = (ORGANISER,)  # who awards it: the contest's hosting bodies, one a line

    def text(self) -> str:
        return "".join([self.contest, self.track, self.grade, self.title, self.winner, *self.members, self.supervisor,
                        self.number, *self.issuers])


def certificate_of(award: Any) -> Certificate:
    """The certificate of an award fetched with contest, tier__track, entry__members and entry__owner."""
    entry, tier, contest = award.entry, award.tier, award.contest
    track = tier.track.name if tier.track is not None and not tier.is_special else ""
    winner = entry.public_name.strip() or entry.owner.display_name
    members = tuple(m.name.strip() for m in entry.members if m.name.strip() and m.name.strip() != winner)
    issued = clock.to_zone(contest.announce_at or award.decided_at or clock.now(), contest.time_zone)
    folder = _safe(track or tier.name)
    return Certificate(
        contest=contest.title, track=track, grade=tier.name, title=entry.title, winner=winner, members=members,
        supervisor=entry.supervisor_name.strip(), issued_on=issued, number=f"{contest.slug.upper()}-{award.id:05d}",
        filename=f"{folder}/{_safe(tier.name)}-{_safe(entry.number or str(entry.id))}-{award.id}.pdf",
        issuers=_issuers(contest.host_bodies),
    )


def _issuers(host_bodies: str) -> tuple[str, ...]:
    """The hosting bodies (主办单位) as the organisers wrote them, split at 、 and commas; the committee without."""
    names = tuple(name.strip() for name in re.split(r"[、,，;；]", host_bodies) if name.strip())
    return names or (ORGANISER,)


def _safe(name: str) -> str:
    return "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip() or "_"


# --- the font -------------------------------------------------------------------------------------


def missing_characters(certificate: Certificate) -> str:
    """Characters of the certificate the font cannot draw (e.g. rare characters of CJK extension B)."""
    return cjk_font.missing_characters(certificate.text())


def truetype_subset(text: str) -> bytes:
    """The font cut down to `text`'s characters and every fixed string a certificate prints."""
    return cjk_font.truetype_subset(text + FIXED_TEXT)


# --- the page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str
    size: float  # pt
    colour: tuple[int, int, int] = INK
    bold: bool = False
    spacing: float = 0.0  # extra mm between characters
    after: float = 2.0  # mm below


def body_lines(c: Certificate) -> list[Line]:
    people = [Line(c.winner, 24, bold=True, after=3)]
    if c.members:
        people.append(Line("团队成员：" + "、".join(c.members), 13, MUTED))
    if c.supervisor:
        people.append(Line(f"指导老师：{c.supervisor}", 13, MUTED))
    contest = c.contest if "「" in c.contest or "《" in c.contest else f"「{c.contest}」"
    where = f"在{contest}（{c.track}）评选中，参赛作品" if c.track else f"在{contest}评选中，参赛作品"
    title_size = 20 if len(c.title) <= 24 else 16 if len(c.title) <= 60 else 12
    return [*people, Line(where, 15, after=2, spacing=0.3), Line(f"《{c.title}》", title_size, bold=True, after=2),
            Line("荣获", 15, after=1), Line(c.grade, 40, SEAL_RED, bold=True, spacing=4, after=4),
            Line("特发此证，以资鼓励。", 14, spacing=0.5)]


def render_pdf(certificate: Certificate, font_file: Path) -> bytes:
    """The certificate as PDF bytes, with `font_file` (from truetype_subset) embedded as a subset."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(f"{HEADING} · {certificate.grade} · {certificate.title}")
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(certificate.issued_on)
    pdf.add_font("serif", fname=font_file)
    pdf.add_page()
    _frame(pdf)
    _heading(pdf)
    _write(pdf, body_lines(certificate), top=76, width=230)
    _footer(pdf, certificate)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_fill_color(*PAPER)
    pdf.rect(0, 0, PAGE_W, PAGE_H, style="F")
    pdf.set_draw_color(*SEAL_RED)
    pdf.set_line_width(1.6)
    pdf.rect(9, 9, PAGE_W - 18, PAGE_H - 18)
    pdf.set_line_width(0.4)
    pdf.rect(13, 13, PAGE_W - 26, PAGE_H - 26)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.25)
    pdf.rect(15.5, 15.5, PAGE_W - 31, PAGE_H - 31)
    for x, y, dx, dy in ((13, 13, 1, 1), (PAGE_W - 13, 13, -1, 1), (13, PAGE_H - 13, 1, -1),
                         (PAGE_W - 13, PAGE_H - 13, -1, -1)):
        _corner(pdf, x, y, dx, dy)


def _corner(pdf: FPDF, x: float, y: float, dx: int, dy: int) -> None:
    """A 回-fret ornament in a corner, in seal red."""
    pdf.set_draw_color(*SEAL_RED)
    pdf.set_line_width(0.8)
    for step in (5, 10):
        pdf.polyline([(x + dx * step, y + dy * 18), (x + dx * step, y + dy * step), (x + dx * 18, y + dy * step)])
    pdf.set_fill_color(*SEAL_RED)
    pdf.rect(min(x + dx * 13, x + dx * 16), min(y + dy * 13, y + dy * 16), 3, 3, style="F")


def _heading(pdf: FPDF) -> None:
    _write(pdf, [Line(HEADING, 44, SEAL_RED, bold=True, spacing=10, after=1),
                 Line(HEADING_EN, 10, MUTED, spacing=2.5)], top=27, width=PAGE_W)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    middle, y = PAGE_W / 2, 64
    pdf.line(middle - 55, y, middle - 6, y)
    pdf.line(middle + 6, y, middle + 55, y)
    pdf.set_fill_color(*SEAL_RED)
    pdf.polygon([(middle, y - 2.5), (middle + 3.5, y), (middle, y + 2.5), (middle - 3.5, y)], style="F")


def _footer(pdf: FPDF, c: Certificate) -> None:
    date = f"{c.issued_on.year}年{c.issued_on.month}月{c.issued_on.day}日"
    top = 166 - 7 * (len(c.issuers) - 1)  # more hosting bodies start higher, so the date stays in its place
    issuers = [Line(name, 14, spacing=1, after=1.5) for name in c.issuers]
    _write(pdf, [*issuers, Line(date, 13)], top=top, width=90, left=PAGE_W - 120)
    _write(pdf, [Line(f"证书编号：{c.number}", 9, MUTED)], top=PAGE_H - 27, width=120, left=36, align="L")


def _write(pdf: FPDF, lines: Sequence[Line], *, top: float, width: float, left: float | None = None,
           align: str = "C") -> float:
    """Lines one under another, each centred (or left-aligned) in `width`; returns the y below them."""
    y = top
    x = (PAGE_W - width) / 2 if left is None else left
    for line in lines:
        pdf.set_font("serif", size=line.size)
        pdf.set_text_color(*line.colour)
        pdf.set_char_spacing(line.spacing)
        pdf.set_draw_color(*line.colour)
        pdf.set_line_width(line.size * 0.012)
        pdf.text_mode = TextMode.FILL_STROKE if line.bold else TextMode.FILL  # no bold face ships: stroke thickens
        pdf.set_xy(x, y)
        pdf.multi_cell(width, line.size * PT * 1.35, line.text, align=align, wrapmode=WrapMode.CHAR)
        y = pdf.get_y() + line.after
    pdf.text_mode = TextMode.FILL
    return y


# --- one, or many as a streamed ZIP ---------------------------------------------------------------


def render_all(certificates: Sequence[Certificate]) -> list[bytes]:
    """PDFs of several certificates sharing one font subset (blocking: run it in a worker thread)."""
    with tempfile.TemporaryDirectory(prefix="certificates-") as folder:
        font_file = Path(folder) / "serif.ttf"
        font_file.write_bytes(truetype_subset("".join(c.text() for c in certificates)))
        return [render_pdf(c, font_file) for c in certificates]


async def certificate_pdf(certificate: Certificate) -> bytes:
    """One certificate's PDF, made off the event loop."""
    return (await anyio.to_thread.run_sync(render_all, [certificate]))[0]


async def certificates_zip(certificates: Iterable[Certificate], *, batch: int = 20) -> AsyncIterator[bytes]:
    """A ZIP with one PDF per certificate, yielded piece by piece: a batch of PDFs is made in a worker
    thread, written to the archive and handed on, so memory holds one batch, not the whole archive."""
    pending = list(certificates)
    sink = ZipSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(pending), batch):
            group = pending[start:start + batch]
            for certificate, pdf in zip(group, await anyio.to_thread.run_sync(render_all, group), strict=True):
                archive.writestr(certificate.filename, pdf)
            yield sink.take()
    yield sink.take()
