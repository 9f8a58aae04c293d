"""The share poster: a portrait PNG of the contest for WeChat groups and moments, with a QR code to its page.

Before the announcement it is the call for entries (the QR code opens the contest page, the only public page
then); from the announcement on it says the winners are out and its QR code opens the award gallery. It shows
the key visual (the contest's banner) or, without one, a drawn background in the site's red and gold.

A poster depends only on what `PosterSpec` holds, so its digest names it: kept in this process by digest
(a poster changes when the contest's title, banner, bodies or announcement do, which is rare) and sent
with it as the ETag. The text is Chinese: the poster is made for Chinese chat groups.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import anyio.to_thread
import pylopdf_fonts_zh_cn
import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from contest.media.storage import Storage, derived_name
from contest.results import embargo

WIDTH, HEIGHT = 1080, 1920
MARGIN = 84
BANNER_MAX_HEIGHT = 608  # 16:9 across the poster; a taller banner is cropped to its middle
REVEALED = "获奖作品已揭晓"
SCAN_GALLERY = "扫码查看获奖作品"
SCAN_CONTEST = "扫码了解大赛详情"
HOSTED_BY = "主办单位"
DRAWING = "2"  # part of every digest: a change to the drawing below is a new poster
KEPT = 16

RED, RED_DEEP, GOLD, INK = (200, 16, 46), (74, 7, 18), (226, 188, 96), (31, 26, 23)
WHITE, SOFT_WHITE = (255, 255, 255), (244, 234, 220)


@dataclass(frozen=True)
class PosterSpec:
    title: str
    title_en: str
    tagline: str
    headline: str  # REVEALED after the announcement, else empty
    scan_hint: str
    url: str  # what the QR code opens
    hosts: str
    banner: str  # the stored name of the banner's display copy, or empty

    @property
    def digest(self) -> str:
        facts = json.dumps([DRAWING, asdict(self)], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(facts.encode()).hexdigest()[:20]


def spec_for(contest: Any, *, gallery_url: str, contest_url: str, now: datetime) -> PosterSpec:
    """What the poster of `contest` shows at `now`: the gallery's QR code only once results are public."""
    public = embargo.results_public(contest, now)
    banner = derived_name(contest.poster_key, "display", "JPEG") if contest.poster_key else ""
    return PosterSpec(
        title=contest.title, title_en=contest.title_en, tagline=contest.tagline,
        headline=REVEALED if public else "", scan_hint=SCAN_GALLERY if public else SCAN_CONTEST,
        url=gallery_url if public else contest_url, hosts=contest.host_bodies, banner=banner,
    )


_kept: OrderedDict[str, bytes] = OrderedDict()


async def poster_png(spec: PosterSpec, store: Storage) -> bytes:
    """The poster as PNG bytes: drawn once per digest in this process (in a thread), then kept."""
    if (png := _kept.get(spec.digest)) is not None:
        _kept.move_to_end(spec.digest)
        return png
    banner = await _banner_bytes(spec, store)
    png = await anyio.to_thread.run_sync(render, spec, banner)
    _kept[spec.digest] = png
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    return png


async def _banner_bytes(spec: PosterSpec, store: Storage) -> bytes | None:
    if not spec.banner:
        return None
    try:
        return await store.read(spec.banner)
    except FileNotFoundError:
        return None  # a banner replaced a moment ago: the drawn background until the page links the new one


# --- drawing (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    kind: str  # "serif" or "sans"
    size: int
    leading: int
    max_lines: int


TITLE, TITLE_EN, TAGLINE, HOSTS = Style("serif", 88, 116, 3), Style("sans", 32, 46, 2), Style("sans", 40, 60, 3), \
    Style("sans", 28, 40, 2)
PILL_HEIGHT, CARD_WIDTH, CARD_HEIGHT, QR_SIZE = 112, 520, 596, 440
DRAWN_TOP = 300  # the top of the drawn background, where a banner would be
GAP = 64


@dataclass(frozen=True)
class Layout:
    """Where things go, top to bottom: the banner (or the empty top), the text, the QR card, the hosting bodies."""

    banner: int  # the banner's height on the poster
    text_top: int
    text_height: int
    card_top: int
    hosts_top: int


@lru_cache(maxsize=16)
def _font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    path = pylopdf_fonts_zh_cn.serif_path() if kind == "serif" else pylopdf_fonts_zh_cn.sans_path()
    return ImageFont.truetype(str(path), size)


def _wrapped(text: str, style: Style) -> list[str]:
    return _lines(text, _font(style.kind, style.size), WIDTH - 2 * MARGIN, style.max_lines) if text else []


def _hosts_line(spec: PosterSpec) -> str:
    return f"{HOSTED_BY}：{spec.hosts}" if spec.hosts else ""


def _text_height(spec: PosterSpec) -> int:
    height = len(_wrapped(spec.title, TITLE)) * TITLE.leading + GAP // 2
    if spec.title_en:
        height += 12 + len(_wrapped(spec.title_en, TITLE_EN)) * TITLE_EN.leading
    return height + (PILL_HEIGHT if spec.headline else len(_wrapped(spec.tagline, TAGLINE)) * TAGLINE.leading)


def layout(spec: PosterSpec, banner_size: tuple[int, int] | None) -> Layout:
    """The hosting bodies sit at the bottom; the text and the QR card share the space between them and the
    banner, centred; the banner gives up height (cut to its middle) when the texts are at their longest."""
    hosts_top = HEIGHT - 56 - len(_wrapped(_hosts_line(spec), HOSTS)) * HOSTS.leading
    lowest_card = hosts_top - 40 - CARD_HEIGHT
    text_height = _text_height(spec)
    natural = round(WIDTH * banner_size[1] / banner_size[0]) if banner_size else DRAWN_TOP
    banner = max(0, min(natural, BANNER_MAX_HEIGHT, lowest_card - GAP - text_height - 96))
    shift = max(0, lowest_card - GAP - text_height - banner - 96) // 2
    return Layout(banner, banner + 96 + shift, text_height, lowest_card - shift, hosts_top)


def render(spec: PosterSpec, banner: bytes | None) -> bytes:
    """The poster, WIDTH x HEIGHT, as PNG bytes."""
    picture = Image.open(io.BytesIO(banner)).convert("RGB") if banner else None
    places = layout(spec, picture.size if picture else None)
    canvas = _backdrop(picture, places.banner) if picture else _drawn_background()
    draw = ImageDraw.Draw(canvas)
    if picture is None:
        draw.rectangle((MARGIN, places.text_top - 56, MARGIN + 120, places.text_top - 50), fill=GOLD)
    _text_block(draw, spec, top=places.text_top)
    _qr_card(canvas, spec, top=places.card_top)
    for n, line in enumerate(_wrapped(_hosts_line(spec), HOSTS)):
        draw.text((WIDTH // 2, places.hosts_top + n * HOSTS.leading + HOSTS.leading // 2), line,
                  font=_font(HOSTS.kind, HOSTS.size), fill=SOFT_WHITE, anchor="mm")
    out = io.BytesIO()
    canvas.save(out, "PNG", optimize=True)
    return out.getvalue()


def _backdrop(picture: Image.Image, height: int) -> Image.Image:
    """The banner across the top, `height` high, fading into a blurred, darkened copy of itself."""
    # blurred small, then enlarged: the same soft backdrop for a fraction of the work
    backdrop = _cover(picture, (WIDTH // 8, HEIGHT // 8)).filter(ImageFilter.GaussianBlur(6)).resize(
        (WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    canvas = Image.blend(backdrop, Image.new("RGB", (WIDTH, HEIGHT), RED_DEEP), 0.72)
    if height:
        top = _cover(picture, (WIDTH, height))
        canvas.paste(top, (0, 0), _fade_mask(top.size))
    return canvas


def _cover(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    scale = max(size[0] / picture.width, size[1] / picture.height)
    resized = picture.resize((round(picture.width * scale) + 1, round(picture.height * scale) + 1),
                             Image.Resampling.LANCZOS)
    left, top = (resized.width - size[0]) // 2, (resized.height - size[1]) // 2
    return resized.crop((left, top, left + size[0], top + size[1]))


def _fade_mask(size: tuple[int, int], band: int = 160) -> Image.Image:
    """Opaque, but for the bottom `band` pixels, which fade out: a soft seam under the banner."""
    mask = Image.new("L", size, 255)
    fade = Image.linear_gradient("L").point(lambda v: 255 - v).resize((size[0], min(band, size[1])))
    mask.paste(fade, (0, size[1] - fade.height))
    return mask


def _drawn_background() -> Image.Image:
    """Red to deep red from top to bottom, with gold rings: no picture needed."""
    gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    canvas = Image.composite(Image.new("RGB", (WIDTH, HEIGHT), RED_DEEP), Image.new("RGB", (WIDTH, HEIGHT), RED),
                             gradient)
    rings = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(rings)
    for radius in range(120, 900, 60):
        draw.ellipse((WIDTH - 180 - radius, 140 - radius, WIDTH - 180 + radius, 140 + radius),
                     outline=(*GOLD, 44), width=3)
    return Image.alpha_composite(canvas.convert("RGBA"), rings).convert("RGB")


def _lines(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """`text` broken to fit `width`: between any two characters (Chinese), at spaces for Latin words."""
    lines: list[str] = []
    for word in _breakable(text):
        if lines and font.getlength(lines[-1] + word) <= width:
            lines[-1] += word
        else:
            lines.append(word.lstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and font.getlength(lines[-1] + "…") > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] += "…"
    return lines


def _breakable(text: str) -> list[str]:
    pieces: list[str] = []
    for char in text:
        latin = char.isascii() and not char.isspace()
        if pieces and latin and pieces[-1][-1:].isascii() and not pieces[-1][-1:].isspace():
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _text_block(draw: ImageDraw.ImageDraw, spec: PosterSpec, *, top: int) -> None:
    """Title, English title, then the headline (after the announcement) or the tagline."""
    y = top
    for line in _wrapped(spec.title, TITLE):
        draw.text((MARGIN, y), line, font=_font(TITLE.kind, TITLE.size), fill=WHITE, stroke_width=2, stroke_fill=WHITE)
        y += TITLE.leading
    if spec.title_en:
        y += 12
        for line in _wrapped(spec.title_en, TITLE_EN):
            draw.text((MARGIN, y + 8), line, font=_font(TITLE_EN.kind, TITLE_EN.size), fill=SOFT_WHITE)
            y += TITLE_EN.leading
    y += GAP // 2
    if spec.headline:
        _pill(draw, spec.headline, top=y)
        return
    for line in _wrapped(spec.tagline, TAGLINE):
        draw.text((MARGIN, y), line, font=_font(TAGLINE.kind, TAGLINE.size), fill=SOFT_WHITE)
        y += TAGLINE.leading


def _pill(draw: ImageDraw.ImageDraw, text: str, *, top: int) -> None:
    font = _font("serif", 60)
    width = round(font.getlength(text))
    draw.rounded_rectangle((MARGIN, top, MARGIN + width + 96, top + PILL_HEIGHT), radius=PILL_HEIGHT // 2, fill=GOLD)
    draw.text((MARGIN + 48, top + PILL_HEIGHT // 2), text, font=font, fill=RED_DEEP, anchor="lm", stroke_width=1,
              stroke_fill=RED_DEEP)


def _qr_card(canvas: Image.Image, spec: PosterSpec, *, top: int) -> None:
    """A white card, centred, with the QR code and what scanning it opens."""
    left = (WIDTH - CARD_WIDTH) // 2
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((left, top, left + CARD_WIDTH, top + CARD_HEIGHT), radius=28, fill=WHITE)
    canvas.paste(_qr_image(spec.url, QR_SIZE), (left + (CARD_WIDTH - QR_SIZE) // 2, top + 40))
    draw.text((WIDTH // 2, top + CARD_HEIGHT - 52), spec.scan_hint, font=_font("sans", 34), fill=INK, anchor="mm")


def _qr_image(url: str, size: int) -> Image.Image:
    """The QR code of `url` with its quiet zone, scaled by whole modules (crisp edges) to at most `size`."""
    rows = [list(row) for row in segno.make(url, error="m").matrix_iter(scale=1, border=2)]
    module = max(1, size // len(rows))
    code = Image.new("L", (len(rows), len(rows)), 255)
    code.putdata([0 if dark else 255 for row in rows for dark in row])
    scaled = code.resize((len(rows) * module, len(rows) * module), Image.Resampling.NEAREST)
    framed = Image.new("L", (size, size), 255)
    framed.paste(scaled, ((size - scaled.width) // 2, (size - scaled.height) // 2))
    return framed.convert("RGB")
