"""Award certificates: one A4 landscape PDF per confirmed award, in Chinese, with the font embedded.

The issuing bodies sign at the foot, each above a circle for its seal, the date below; the certificate number
(contest.results.certificate_numbers) and a QR code to the public check page sit at the left. The English heading
is printed only when the contest asks for it.

The font (contest.media.cjk_font) is cut down to the characters a batch of certificates uses.
A certificate is about 30 KB.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from fpdf import FPDF
from fpdf.enums import TextMode, WrapMode

from contest import clock
from contest.entries import minors
from contest.media import cjk_font
from contest.media.pdf_qr import draw_qr
from contest.results.certificate_numbers import numbers_of
from contest.zipstream import ZipSink

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
PT = 0.3528  # mm per point
SEAL_RED = (178, 34, 34)
INK = (43, 33, 28)
MUTED = (120, 96, 84)
PAPER = (255, 251, 242)
GOLD = (191, 151, 82)
SEAL_GUIDE = (232, 176, 176)  # the dashed circle where a body's seal goes
SEAL_RADIUS = 17.0  # mm: an official seal is 38 to 42 mm across, so it overlaps the guide a little
MAX_ISSUERS = 4
QR_SIZE = 26.0  # mm, quiet zone included
SCAN = "扫码查验证书"
ORGANISER = "大赛组委会"
HEADING = "荣誉证书"
HEADING_EN = "CERTIFICATE OF HONOUR"
# Every fixed string printed, so the font subset always holds their characters.
FIXED_TEXT = (HEADING + HEADING_EN + ORGANISER
              + SCAN + "团队成员指导老师证书编号：、，。《》「」（）·在评选中参赛作品荣获特发此证以资鼓励年月日0123456789-")


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
    issuers: tuple[str, ...] = (ORGANISER,)  # who awards it, each with a seal: the contest's issuing bodies
    check_url: str = ""  # the public check page, printed as a QR code
    english: bool = False  # print the English heading

    def text(self) -> str:
        return "".join([self.contest, self.track, self.grade, self.title, self.winner, *self.members, self.supervisor,
                        self.number, *self.issuers])


def certificate_of(award: Any, number: str = "", check_url: str = "") -> Certificate:
    """The certificate of an award fetched with contest, tier__track, entry__members and entry__owner."""
    entry, tier, contest = award.entry, award.tier, award.contest
    track = tier.track.name if tier.track is not None and not tier.is_special else ""
    winner = entry.public_name.strip() or entry.owner.display_name
    members = tuple(m.name.strip() for m in entry.members if m.name.strip() and m.name.strip() != winner
                    and minors.full_names_shown(entry))
    issued = clock.to_zone(contest.announce_at or award.decided_at or clock.now(), contest.time_zone)
    folder = _safe(track or tier.name)
    return Certificate(
        contest=contest.title, track=track, grade=tier.name, title=entry.title, winner=winner, members=members,
        supervisor=entry.supervisor_name.strip(), issued_on=issued, number=number,
        filename=f"{folder}/{_safe(tier.name)}-{_safe(entry.number or str(entry.id))}-{award.id}.pdf",
        issuers=issuers_of(contest), check_url=check_url, english=contest.certificate_english,
    )


async def certificates_for(contest: Any, awards: Sequence[Any], *, now: datetime,
                           link: Callable[[str], str]) -> list[Certificate]:
    """The certificates of `contest`'s `awards`, numbered (certificate_numbers.numbers_of: issued once results are
    public) with the check page's address `link(token)` for the QR code."""
    numbers = await numbers_of(contest, now=now)
    return [certificate_of(a, numbers[a.id].number, link(numbers[a.id].token)) if a.id in numbers
            else certificate_of(a) for a in awards]


def split_issuers(text: str) -> tuple[str, ...]:
    """Issuing bodies written one a line."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def issuers_of(contest: Any) -> tuple[str, ...]:
    """The bodies the contest set to issue its certificates; else its hosting bodies (主办单位, as written, split at
    、 and commas); else the committee."""
    configured = split_issuers(contest.certificate_issuers)
    hosts = tuple(name.strip() for name in re.split(r"[、,，;；]", contest.host_bodies) if name.strip())
    return configured or hosts[:MAX_ISSUERS] or (ORGANISER,)


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
    _heading(pdf, english=certificate.english)
    _write(pdf, body_lines(certificate), top=72, width=230)
    _issuers(pdf, certificate)
    _number(pdf, certificate)
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


def _heading(pdf: FPDF, *, english: bool) -> None:
    heading = Line(HEADING, 44, SEAL_RED, bold=True, spacing=10, after=1)
    lines = [heading, Line(HEADING_EN, 10, MUTED, spacing=2.5)] if english else [heading]
    _write(pdf, lines, top=27 if english else 31, width=PAGE_W)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    middle, y = PAGE_W / 2, 64
    pdf.line(middle - 55, y, middle - 6, y)
    pdf.line(middle + 6, y, middle + 55, y)
    pdf.set_fill_color(*SEAL_RED)
    pdf.polygon([(middle, y - 2.5), (middle + 3.5, y), (middle, y + 2.5), (middle - 3.5, y)], style="F")


def _issuers(pdf: FPDF, c: Certificate) -> None:
    """落款: the bodies side by side at the right of the foot, each centred over a dashed circle for its seal, and
    the date under them; the seals overlap names and date, as stamped."""
    count = len(c.issuers)
    column = 90.0 if count == 1 else min(60.0, 176.0 / count)
    right, name_top = PAGE_W - 32, 172.0
    size = 14 if count <= 2 else 12 if count == 3 else 11
    below = name_top + 10
    for i, name in enumerate(c.issuers):
        left = right - (count - i) * column
        _seal_area(pdf, left + column / 2, name_top + 5)
        below = max(below, _write(pdf, [Line(name, size, spacing=0.5)], top=name_top, width=column - 4, left=left + 2))
    date = f"{c.issued_on.year}年{c.issued_on.month}月{c.issued_on.day}日"
    _write(pdf, [Line(date, 13)], top=below, width=count * column, left=right - count * column)


def _seal_area(pdf: FPDF, x: float, y: float) -> None:
    pdf.set_draw_color(*SEAL_GUIDE)
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=1.2, gap=1.2)
    pdf.circle(x, y, SEAL_RADIUS)
    pdf.set_dash_pattern()


def _number(pdf: FPDF, c: Certificate) -> None:
    """The QR code to the check page at the foot's left, the number and how to check it under it."""
    left, top = 30.0, 140.0
    if c.check_url:
        draw_qr(pdf, c.check_url, left, top, QR_SIZE)
    lines = [Line(f"证书编号：{c.number}", 9, MUTED, after=1)]
    if c.check_url:
        lines.append(Line(SCAN, 8, MUTED))
    _write(pdf, lines, top=top + QR_SIZE + 1, width=80, left=left + 2, align="L")


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
