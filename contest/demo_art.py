"""Demo artwork drawn in code: mascots, products, 老字号 crossovers and the contest banner.

Everything is deterministic by seed and uses Pillow only. Shapes are drawn at twice the output
size and reduced, which gives anti-aliased edges for the price of one box filter. Drawing happens
in "units" around a centre (a 400 × 300 unit stage for the default 4:3 size), so the same subject
can be rendered whole, as a close-up detail, or small in a line-up.

The demo draws its pictures in worker processes (drawing holds the GIL) and keeps them as JPEG files
under the data directory, so a rebuild draws nothing (`entry_picture_files`, `poster_file`).
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw

TRACKS = ("ip", "product", "brand")
SUPERSAMPLE = 2

Colour = tuple[int, int, int]
Point = tuple[float, float]
# A colour as Pillow takes it: a grey level, an RGB(A) tuple or a name.
Ink = float | tuple[int, ...] | str


def _rgb(value: str) -> Colour:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def darker(c: Colour, t: float = 0.2) -> Colour:
    return mix(c, (0, 0, 0), t)


def lighter(c: Colour, t: float = 0.2) -> Colour:
    return mix(c, (255, 255, 255), t)


@dataclass(frozen=True)
class Palette:
    bg: Colour
    bg_alt: Colour
    main: Colour
    second: Colour
    accent: Colour
    ink: Colour

    @classmethod
    def of(cls, *hexes: str) -> Palette:
        return cls(*(_rgb(h) for h in hexes))


PALETTES = (
    Palette.of("#F6EBDD", "#ECD9C0", "#C8102E", "#1F4E79", "#E0B341", "#2A1E1A"),  # 朱砂
    Palette.of("#E3EEE6", "#CDE0D3", "#3E8A7A", "#C8102E", "#E9B949", "#1F2A2A"),  # 青瓷
    Palette.of("#E6EBF3", "#D2DBEA", "#25406E", "#E4572E", "#F2C14E", "#141C2B"),  # 黛蓝
    Palette.of("#FFF2CF", "#F7DE9C", "#D9822B", "#B3242E", "#2F6F8F", "#3A2414"),  # 藤黄
    Palette.of("#FBE7E4", "#F3CFC9", "#D9465F", "#2E6F6A", "#F1B84B", "#3B1D22"),  # 胭脂
    Palette.of("#2A2523", "#3A322E", "#D4AF37", "#C8102E", "#F4E6C8", "#0F0D0C"),  # 墨金
    Palette.of("#EAF0E2", "#D5E2C5", "#4F7B3A", "#D0562D", "#E9C46A", "#22301A"),  # 松绿
    Palette.of("#EFE8F3", "#DCCFE8", "#6B4C9A", "#E07A5F", "#F2CC8F", "#261B33"),  # 藕荷
    Palette.of("#FDF0E6", "#F6D9C4", "#E4572E", "#17324D", "#F3B61F", "#2B1A12"),  # 橘红
    Palette.of("#E4F1F6", "#CAE2EC", "#1B7F9E", "#F05D5E", "#F7C548", "#10303B"),  # 天青
)
SKINS = tuple(_rgb(h) for h in ("#FFE1CC", "#F8D3B5", "#EFC29F", "#FFE9DA"))
WHITE: Colour = (255, 253, 248)


# --- geometry ------------------------------------------------------------------------------------

def ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0, n: int = 40) -> list[Point]:
    ca, sa = math.cos(angle), math.sin(angle)
    points = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return points


def petal_points(cx: float, cy: float, length: float, width: float, angle: float, n: int = 24) -> list[Point]:
    """A teardrop whose tip sits at (cx, cy) and which points along `angle`."""
    ca, sa = math.cos(angle), math.sin(angle)
    points = []
    for i in range(n + 1):
        t = math.pi * i / n
        along = length * (1 - math.cos(t)) / 2
        across = width / 2 * math.sin(t) ** 1.4 * (0.55 + 0.45 * (1 - math.cos(t)) / 2)
        points.append((along, across))
    points += [(x, -y) for x, y in reversed(points[1:-1])]
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in points]


def gear_points(cx: float, cy: float, r: float, teeth: int, depth: float, rot: float = 0.0) -> list[Point]:
    points = []
    for i in range(teeth * 4):
        a = rot + 2 * math.pi * i / (teeth * 4)
        radius = r if i % 4 in (1, 2) else r - depth
        points.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    return points


def star_points(cx: float, cy: float, r_out: float, r_in: float, n: int = 5, rot: float = -math.pi / 2) -> list[Point]:
    points = []
    for i in range(n * 2):
        r = r_out if i % 2 == 0 else r_in
        a = rot + math.pi * i / n
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


# --- canvas --------------------------------------------------------------------------------------

class Canvas:
    """An ImageDraw in stage units: `u` pixels per unit, origin at (cx, cy)."""

    def __init__(self, image: Image.Image, unit: float, origin: Point) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.u = unit
        self.cx, self.cy = origin

    @classmethod
    def new(cls, size: tuple[int, int], fill: Colour, *, zoom: float = 1.0, focus: Point = (0, 0),
            stage: tuple[float, float] = (400, 300)) -> Canvas:
        w, h = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
        unit = min(w / stage[0], h / stage[1]) * zoom
        return cls(Image.new("RGB", (w, h), fill), unit, (w / 2 - focus[0] * unit, h / 2 - focus[1] * unit))

    @property
    def visible(self) -> tuple[float, float, float, float]:
        return (-self.cx / self.u, -self.cy / self.u, (self.image.width - self.cx) / self.u,
                (self.image.height - self.cy) / self.u)

    def px(self, x: float, y: float) -> Point:
        return (self.cx + x * self.u, self.cy + y * self.u)

    def _box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        a, b = self.px(x0, y0), self.px(x1, y1)
        return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))

    def circle(self, x: float, y: float, r: float, fill: Ink) -> None:
        self.draw.ellipse(self._box(x - r, y - r, x + r, y + r), fill=fill)

    def ring(self, x: float, y: float, r: float, width: float, fill: Ink) -> None:
        self.draw.ellipse(self._box(x - r, y - r, x + r, y + r), outline=fill, width=max(1, round(width * self.u)))

    def ellipse(self, x: float, y: float, rx: float, ry: float, fill: Ink) -> None:
        self.draw.ellipse(self._box(x - rx, y - ry, x + rx, y + ry), fill=fill)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: Ink, radius: float = 0) -> None:
        if radius:
            r = min(radius * self.u, (abs(x1 - x0) * self.u) / 2, (abs(y1 - y0) * self.u) / 2)
            self.draw.rounded_rectangle(self._box(x0, y0, x1, y1), radius=r, fill=fill)
        else:
            self.draw.rectangle(self._box(x0, y0, x1, y1), fill=fill)

    def poly(self, points: Sequence[Point], fill: Ink) -> None:
        self.draw.polygon([self.px(x, y) for x, y in points], fill=fill)

    def chord(self, x: float, y: float, rx: float, ry: float, start: float, end: float, fill: Ink) -> None:
        self.draw.chord(self._box(x - rx, y - ry, x + rx, y + ry), start, end, fill=fill)

    def arc(self, x: float, y: float, rx: float, ry: float, start: float, end: float, width: float,
            fill: Ink) -> None:
        self.draw.arc(self._box(x - rx, y - ry, x + rx, y + ry), start, end, fill=fill,
                      width=max(1, round(width * self.u)))

    def stroke(self, points: Sequence[Point], width: float, fill: Ink) -> None:
        """A polyline with round joints and caps."""
        self.draw.line([self.px(x, y) for x, y in points], fill=fill, width=max(1, round(width * self.u)),
                       joint="curve")
        for x, y in (points[0], points[-1]):
            self.circle(x, y, width / 2, fill)

    @contextmanager
    def clipped(self, x0: float, y0: float, x1: float, y1: float) -> Iterator[tuple[Canvas, Canvas]]:
        """Yield (paint, mask) canvases over a box; paint is pasted where the mask is drawn."""
        bx0, by0, bx1, by1 = (round(v) for v in self._box(x0, y0, x1, y1))
        size = (max(1, bx1 - bx0), max(1, by1 - by0))
        origin = (self.cx - bx0, self.cy - by0)
        paint = Canvas(Image.new("RGB", size, (0, 0, 0)), self.u, origin)
        mask = Canvas(Image.new("L", size, 0), self.u, origin)
        yield paint, mask
        self.image.paste(paint.image, (bx0, by0), mask.image)

    @contextmanager
    def moved(self, dx: float, dy: float, scale: float = 1.0) -> Iterator[Canvas]:
        saved = (self.cx, self.cy, self.u)
        self.cx, self.cy = self.px(dx, dy)
        self.u *= scale
        try:
            yield self
        finally:
            self.cx, self.cy, self.u = saved

    def finish(self) -> Image.Image:
        return self.image.reduce(SUPERSAMPLE)


# --- motifs --------------------------------------------------------------------------------------

def cloud(c: Canvas, x: float, y: float, s: float, fill: Ink, cut: Ink) -> None:
    """祥云: a puff of three lobes on a flat base, with a curl cut into the big lobe."""
    c.rect(x - 2.2 * s, y - 0.1 * s, x + 2.2 * s, y + 0.7 * s, fill, radius=0.4 * s)
    c.circle(x - 1.1 * s, y - 0.1 * s, 0.8 * s, fill)
    c.circle(x + 0.3 * s, y - 0.55 * s, 1.15 * s, fill)
    c.circle(x + 1.5 * s, y + 0.05 * s, 0.65 * s, fill)
    c.arc(x + 0.3 * s, y - 0.55 * s, 0.7 * s, 0.7 * s, 150, 420, 0.18 * s, cut)
    c.arc(x + 0.45 * s, y - 0.45 * s, 0.32 * s, 0.32 * s, 200, 470, 0.16 * s, cut)
    c.arc(x - 1.1 * s, y - 0.1 * s, 0.42 * s, 0.42 * s, 120, 380, 0.14 * s, cut)


def papercut_flower(c: Canvas, x: float, y: float, r: float, fill: Ink, cut: Ink, petals: int = 6,
                    rot: float = 0.0) -> None:
    """剪纸 flower: teardrop petals, a round heart, and crescent and dot cuts."""
    for i in range(petals):
        a = rot + 2 * math.pi * i / petals
        c.poly(petal_points(x, y, r, r * 0.78, a), fill)
    c.circle(x, y, r * 0.34, cut)
    c.circle(x, y, r * 0.24, fill)
    c.circle(x, y, r * 0.08, cut)
    for i in range(petals):
        a = rot + 2 * math.pi * i / petals
        px, py = x + math.cos(a) * r * 0.66, y + math.sin(a) * r * 0.66
        c.poly(petal_points(px, py, r * 0.22, r * 0.12, a + math.pi), cut)


def plum_blossom(c: Canvas, x: float, y: float, r: float, fill: Ink, heart: Ink, rot: float = 0.0) -> None:
    for i in range(5):
        a = rot + 2 * math.pi * i / 5
        c.circle(x + math.cos(a) * r * 0.55, y + math.sin(a) * r * 0.55, r * 0.48, fill)
    c.circle(x, y, r * 0.26, heart)


def gear(c: Canvas, x: float, y: float, r: float, fill: Ink, hole: Ink, teeth: int = 10,
         rot: float = 0.0, spokes: bool = False) -> None:
    c.poly(gear_points(x, y, r, teeth, r * 0.2, rot), fill)
    if spokes:
        c.circle(x, y, r * 0.62, hole)
        for i in range(5):
            a = rot + 2 * math.pi * i / 5
            c.stroke([(x, y), (x + math.cos(a) * r * 0.62, y + math.sin(a) * r * 0.62)], r * 0.12, fill)
        c.circle(x, y, r * 0.22, fill)
        c.circle(x, y, r * 0.09, hole)
    else:
        c.circle(x, y, r * 0.36, hole)


def sparkle(c: Canvas, x: float, y: float, r: float, fill: Ink) -> None:
    c.poly(star_points(x, y, r, r * 0.28, 4, 0), fill)


def meander_band(c: Canvas, x0: float, x1: float, y: float, h: float, fill: Ink) -> None:
    """回纹: a row of square spirals, each `h` units tall."""
    step = h * 1.1
    w = max(0.05, h * 0.13)
    x = x0
    while x < x1:
        p = [(x, y + h), (x, y), (x + h, y), (x + h, y + h * 0.75), (x + h * 0.28, y + h * 0.75),
             (x + h * 0.28, y + h * 0.3), (x + h * 0.66, y + h * 0.3), (x + h * 0.66, y + h * 0.5)]
        c.draw.line([c.px(*pt) for pt in p], fill=fill, width=max(1, round(w * c.u)), joint="curve")
        c.draw.line([c.px(x, y + h), c.px(x + step, y + h)], fill=fill, width=max(1, round(w * c.u)))
        x += step


# --- surface patterns, painted into a clipped box ---------------------------------------------------

def pattern_waves(c: Canvas, box: tuple[float, float, float, float], cols: tuple[Colour, Colour], s: float) -> None:
    """青海波: overlapping rows of concentric half discs."""
    x0, y0, x1, y1 = box
    row = 0
    y = y0 - s
    while y < y1 + s:
        offset = (row % 2) * s
        x = x0 - 2 * s + offset
        while x < x1 + 2 * s:
            for k, f in enumerate((1.0, 0.75, 0.5, 0.25)):
                c.circle(x, y, s * f, cols[k % 2])
            x += 2 * s
        y += s * 0.5
        row += 1


def pattern_lattice(c: Canvas, box: tuple[float, float, float, float], cols: tuple[Colour, Colour], s: float) -> None:
    """窗格: a square window lattice with a diamond in every pane."""
    x0, y0, x1, y1 = box
    s *= 1.5
    c.rect(x0, y0, x1, y1, cols[0])
    w = s * 0.09
    x = x0
    while x <= x1 + s:
        c.rect(x - w / 2, y0, x + w / 2, y1, cols[1])
        x += s
    y = y0
    while y <= y1 + s:
        c.rect(x0, y - w / 2, x1, y + w / 2, cols[1])
        y += s
    y = y0 + s / 2
    while y <= y1 + s:
        x = x0 + s / 2
        while x <= x1 + s:
            k = s * 0.3
            c.poly([(x, y - k), (x + k, y), (x, y + k), (x - k, y)], cols[1])
            k = s * 0.17
            c.poly([(x, y - k), (x + k, y), (x, y + k), (x - k, y)], cols[0])
            c.circle(x, y, s * 0.06, cols[1])
            x += s
        y += s


def pattern_coins(c: Canvas, box: tuple[float, float, float, float], cols: tuple[Colour, Colour], s: float) -> None:
    """铜钱纹: interlocking circles on a grid."""
    x0, y0, x1, y1 = box
    c.rect(x0, y0, x1, y1, cols[0])
    y = y0
    while y <= y1 + s:
        x = x0
        while x <= x1 + s:
            c.ring(x, y, s * 0.72, s * 0.1, cols[1])
            c.circle(x + s / 2, y + s / 2, s * 0.1, cols[1])
            x += s
        y += s


def pattern_clouds(c: Canvas, box: tuple[float, float, float, float], cols: tuple[Colour, Colour], s: float) -> None:
    x0, y0, x1, y1 = box
    c.rect(x0, y0, x1, y1, cols[0])
    row = 0
    y = y0 + s
    while y < y1 + s:
        x = x0 + (row % 2) * s * 2.6 - s
        while x < x1 + s * 2:
            cloud(c, x, y, s * 0.55, cols[1], cols[0])
            x += s * 5.2
        y += s * 1.8
        row += 1


def pattern_flowers(c: Canvas, box: tuple[float, float, float, float], cols: tuple[Colour, Colour], s: float) -> None:
    x0, y0, x1, y1 = box
    c.rect(x0, y0, x1, y1, cols[0])
    row = 0
    y = y0
    while y < y1 + s:
        x = x0 + (row % 2) * s
        while x < x1 + s:
            plum_blossom(c, x, y, s * 0.42, cols[1], cols[0], rot=row * 0.4)
            x += s * 2
        y += s
        row += 1


PATTERNS: dict[str, Callable[[Canvas, tuple[float, float, float, float], tuple[Colour, Colour], float], None]] = {
    "waves": pattern_waves, "lattice": pattern_lattice, "coins": pattern_coins,
    "clouds": pattern_clouds, "flowers": pattern_flowers,
}


def patterned(c: Canvas, box: tuple[float, float, float, float], shape: Callable[[Canvas, int], None],
              kind: str, cols: tuple[Colour, Colour], scale: float) -> None:
    """Fill `shape` (drawn by a callback on the mask) with a pattern."""
    with c.clipped(*box) as (paint, mask):
        PATTERNS[kind](paint, box, cols, scale)
        shape(mask, 255)


# --- backgrounds ---------------------------------------------------------------------------------

BACKDROPS = ("halo", "floor", "clouds", "arch", "dots", "stripes")


def background(c: Canvas, p: Palette, style: str, rng: random.Random) -> None:
    x0, y0, x1, y1 = c.visible
    if style == "halo":
        c.circle(0, -10, 128, p.bg_alt)
        c.ring(0, -10, 140, 2, p.bg_alt)
    elif style == "arch":
        c.rect(x0, 60, x1, y1, p.bg_alt)
        c.circle(0, -15, 125, lighter(p.bg, 0.35) if p.bg[0] > 100 else p.bg_alt)
        c.ring(0, -15, 125, 7, darker(p.bg_alt, 0.06))
    elif style == "floor":
        c.rect(x0, 75, x1, y1, p.bg_alt)
        c.rect(x0, 75, x1, 79, darker(p.bg_alt, 0.08))
    elif style == "clouds":
        for _ in range(7):
            cloud(c, rng.uniform(x0, x1), rng.uniform(y0 + 10, y1 - 10), rng.uniform(6, 12), p.bg_alt, p.bg)
    elif style == "dots":
        step = 22
        y = y0 + step / 2
        while y < y1:
            x = x0 + step / 2
            while x < x1:
                c.circle(x, y, 2.2, p.bg_alt)
                x += step
            y += step
    elif style == "stripes":
        for i in range(-14, 14):
            x = i * 36
            c.poly([(x, y0), (x + 16, y0), (x + 16 - (y1 - y0) * 0.6, y1), (x - (y1 - y0) * 0.6, y1)], p.bg_alt)
    confetti(c, p, rng, style)


def confetti(c: Canvas, p: Palette, rng: random.Random, style: str) -> None:
    x0, y0, x1, y1 = c.visible
    for _ in range(rng.randint(4, 8)):
        x, y = rng.uniform(x0 + 15, x1 - 15), rng.uniform(y0 + 15, y1 - 40)
        if abs(x) < 95 and abs(y) < 120:
            continue
        kind = rng.random()
        colour = rng.choice((p.accent, p.main, p.second))
        if kind < 0.4:
            sparkle(c, x, y, rng.uniform(5, 10), colour)
        elif kind < 0.7:
            c.circle(x, y, rng.uniform(2, 4), colour)
        else:
            plum_blossom(c, x, y, rng.uniform(5, 9), colour, p.bg, rot=rng.random())


def shadow(c: Canvas, p: Palette, x: float, y: float, rx: float) -> None:
    c.ellipse(x, y, rx, rx * 0.13, darker(p.bg_alt, 0.12))


# --- IP track: mascots ---------------------------------------------------------------------------

POSES = {
    # (left hand, right hand, elbows or None)
    "wave": ((-58, 78), (72, -18), None),
    "cheer": ((-72, -14), (72, -14), None),
    "hips": ((-40, 72), (40, 72), ((-70, 52), (70, 52))),
    "hold": ((-26, 64), (26, 64), None),
    "tool": ((-58, 78), (66, 10), None),
}
HEADGEAR = ("helmet", "cap", "buns", "ears", "scarf")
PROPS = ("none", "wrench", "gear", "flower", "flag")


@dataclass(frozen=True)
class Design:
    track: str
    palette: Palette
    backdrop: str
    variant: str
    pattern: str
    pose: str
    extra: str
    skin: Colour
    rot: float


def mascot(c: Canvas, d: Design) -> None:
    p = d.palette
    left, right, elbows = POSES[d.pose]
    shadow(c, p, 0, 122, 74)
    suit, trim = p.main, p.second
    pants = darker(suit, 0.25)
    for sx in (-1, 1):
        c.rect(sx * 26 - 11, 84, sx * 26 + 11, 116, pants, radius=8)
        c.ellipse(sx * 28, 117, 17, 9, p.ink)
    if not elbows:
        arms(c, d, left, right, elbows)
    c.rect(-48, 22, 48, 104, suit, radius=38)
    c.rect(-28, 38, 28, 82, lighter(suit, 0.25), radius=10)
    for sx in (-1, 1):
        c.rect(sx * 28 - 4, 26, sx * 28 + 4, 40, trim, radius=3)
        c.circle(sx * 22, 44, 3.5, p.accent)
    gear(c, 0, 60, 12, p.accent, lighter(suit, 0.25), teeth=8, rot=d.rot)
    if elbows:
        arms(c, d, left, right, elbows)
    for hand in (left, right):
        c.circle(*hand, 12, d.skin)
    prop(c, d, right, left)
    head(c, d)


def arms(c: Canvas, d: Design, left: Point, right: Point, elbows: tuple[Point, Point] | None) -> None:
    for sx, hand in ((-1, left), (1, right)):
        path: list[Point] = [(sx * 40, 40)]
        if elbows:
            path.append(elbows[0 if sx < 0 else 1])
        path.append(hand)
        c.stroke(path, 19, darker(d.palette.main, 0.1))


def head(c: Canvas, d: Design) -> None:
    p = d.palette
    hx, hy, r = 0, -42, 64
    skin = d.skin if d.variant != "ears" else lighter(p.accent, 0.55)
    if d.variant == "ears":
        for sx in (-1, 1):
            c.circle(sx * 46, hy - 46, 22, skin)
            c.circle(sx * 46, hy - 46, 12, lighter(p.main, 0.45))
    if d.variant == "buns":
        for sx in (-1, 1):
            c.circle(sx * 50, hy - 44, 22, p.ink)
            c.rect(sx * 50 - 14, hy - 30, sx * 50 + 14, hy - 24, p.main, radius=3)
    c.circle(hx, hy, r, skin)
    if d.variant == "buns":
        c.chord(hx, hy - 2, r + 1, r + 1, 180, 360, p.ink)
        c.chord(hx - 22, hy - 2, 26, 18, 0, 180, p.ink)
    face(c, d, hx, hy)
    headgear(c, d, hx, hy, r)


def face(c: Canvas, d: Design, hx: float, hy: float) -> None:
    p = d.palette
    ey = hy + 8
    for sx in (-1, 1):
        c.ellipse(hx + sx * 22, ey, 7.5, 9.5, p.ink)
        c.circle(hx + sx * 22 - 2.5, ey - 3.5, 2.8, WHITE)
        c.ellipse(hx + sx * 38, ey + 18, 10, 5.5, mix(d.skin, (240, 110, 120), 0.45))
    mouth = int(d.rot * 10) % 3
    if mouth == 0:
        c.chord(hx, ey + 16, 11, 10, 0, 180, darker(p.second, 0.1) if p.second[0] > 150 else (196, 62, 72))
    elif mouth == 1:
        c.arc(hx, ey + 12, 9, 7, 20, 160, 3, p.ink)
    else:
        c.arc(hx - 5, ey + 14, 5, 5, 0, 180, 2.6, p.ink)
        c.arc(hx + 5, ey + 14, 5, 5, 0, 180, 2.6, p.ink)


def headgear(c: Canvas, d: Design, hx: float, hy: float, r: float) -> None:
    p = d.palette
    if d.variant == "helmet":
        hat = p.accent
        c.chord(hx, hy - 6, r + 4, r - 2, 180, 360, hat)
        c.rect(hx - r - 12, hy - 11, hx + r + 12, hy - 1, darker(hat, 0.12), radius=5)
        c.rect(hx - 7, hy - r - 2, hx + 7, hy - 11, lighter(hat, 0.3), radius=6)
        c.poly(star_points(hx, hy - 34, 11, 4.6), p.main)
    elif d.variant == "cap":
        hat = p.second
        c.chord(hx, hy - 12, r - 2, r - 12, 180, 360, hat)
        c.rect(hx - r + 2, hy - 18, hx + r - 2, hy - 8, darker(hat, 0.2), radius=4)
        c.chord(hx + 22, hy - 8, 44, 10, 0, 180, darker(hat, 0.3))
        gear(c, hx, hy - 36, 9, p.accent, hat, teeth=8)
    elif d.variant == "scarf":
        c.chord(hx, hy - 4, r + 2, r + 2, 180, 360, p.second)
        for i in range(5):
            c.circle(hx - 40 + i * 20, hy - 30 - (12 if i in (1, 2, 3) else 0), 3.2, lighter(p.second, 0.5))
        c.poly([(hx + r - 6, hy - 14), (hx + r + 18, hy - 22), (hx + r + 12, hy + 4)], p.second)
    elif d.variant == "ears":
        c.chord(hx, hy - 6, r + 3, r - 4, 180, 360, p.main)
        c.rect(hx - r - 8, hy - 10, hx + r + 8, hy - 1, darker(p.main, 0.2), radius=4)
        c.poly(star_points(hx, hy - 30, 10, 4.2), p.accent)


def prop(c: Canvas, d: Design, right: Point, left: Point) -> None:
    p = d.palette
    x, y = right
    if d.extra == "wrench":
        c.stroke([(x, y + 2), (x + 24, y - 46)], 8, (150, 160, 172))
        c.circle(x + 26, y - 50, 12, (150, 160, 172))
        c.rect(x + 21, y - 68, x + 31, y - 50, d.palette.bg, radius=2)
        c.circle(x, y, 12, d.skin)
    elif d.extra == "gear":
        gear(c, (left[0] + right[0]) / 2, min(left[1], right[1]) - 8, 26, p.accent, p.main, 9, d.rot, spokes=True)
    elif d.extra == "flower":
        c.stroke([(x, y), (x + 6, y - 40)], 3, (84, 130, 72))
        plum_blossom(c, x + 6, y - 48, 16, p.second if p.second != p.main else p.accent, p.accent)
    elif d.extra == "flag":
        c.stroke([(x, y + 18), (x, y - 74)], 4, p.ink)
        c.poly([(x, y - 74), (x + 52, y - 62), (x, y - 44)], (200, 16, 46))
        c.poly(star_points(x + 14, y - 60, 6, 2.5), p.accent)
    if d.extra in ("wrench", "flag"):
        c.circle(x, y, 12, d.skin)


# --- product track -------------------------------------------------------------------------------

def product(c: Canvas, d: Design) -> None:
    {"mug": mug, "tote": tote, "notebook": notebook, "lamp": lamp, "fan": fan, "bottle": bottle}[d.variant](c, d)


def _cols(d: Design) -> tuple[Colour, Colour]:
    return (d.palette.main, lighter(d.palette.main, 0.35)) if d.pose == "tone" else (WHITE, d.palette.main)


def mug(c: Canvas, d: Design) -> None:
    p = d.palette
    shadow(c, p, 0, 110, 100)
    c.ring(78, 20, 34, 15, darker(p.main, 0.1))
    body = darker(p.main, 0.05)

    def shape(m: Canvas, f: Ink) -> None:
        m.rect(-78, -60, 78, 112, f, radius=26)
        m.rect(-78, -60, 78, 40, f)

    c.rect(-80, -62, 80, 112, body, radius=28)
    patterned(c, (-78, -30, 78, 50), shape, d.pattern, _cols(d), 14)
    c.rect(-78, 46, 78, 52, p.accent)
    c.rect(-78, -36, 78, -30, p.accent)
    c.ellipse(0, -62, 80, 15, lighter(body, 0.2))
    c.ellipse(0, -60, 70, 10, darker(p.main, 0.45))
    for i, dx in enumerate((-26, 0, 26)):
        pts = [(dx + 6 * math.sin(t / 3 + i), -80 - t * 2.4) for t in range(16)]
        c.stroke(pts, 4, darker(p.bg_alt, 0.05))


def tote(c: Canvas, d: Design) -> None:
    p = d.palette
    cloth = lighter(p.bg_alt, 0.55) if p.bg[0] > 100 else (236, 226, 206)
    shadow(c, p, 0, 122, 112)
    for sx in (-1, 1):
        c.arc(sx * 38, -58, 28, 70, 180, 360, 10, darker(cloth, 0.25))
    c.poly([(-98, -50), (98, -50), (108, 118), (-108, 118)], cloth)
    c.rect(-98, -50, 98, -38, darker(cloth, 0.08))
    patterned(c, (-62, -18, 62, 92), lambda m, f: m.circle(0, 37, 55, f), d.pattern, _cols(d), 11)
    c.ring(0, 37, 58, 4, p.main)
    papercut_flower(c, 0, 37, 26, p.second, cloth if d.pattern == "lattice" else WHITE, 6, d.rot)
    for sx in (-1, 1):
        c.rect(sx * 38 - 8, -54, sx * 38 + 8, -34, darker(cloth, 0.25))


def notebook(c: Canvas, d: Design) -> None:
    p = d.palette
    shadow(c, p, 10, 124, 112)
    back = p.second
    c.rect(-60, -104, 112, 114, back, radius=8)
    c.rect(-60, -104, -44, 114, darker(back, 0.25), radius=4)
    c.rect(-100, -114, 82, 116, (248, 244, 236), radius=8)
    cover = p.main

    def shape(m: Canvas, f: Ink) -> None:
        m.rect(-104, -118, 76, 112, f, radius=8)

    patterned(c, (-104, -118, 76, 112), shape, d.pattern, (cover, lighter(cover, 0.22)), 16)
    c.rect(-104, -118, -86, 112, darker(cover, 0.25), radius=6)
    c.rect(-80, 62, 56, 96, cover, radius=4)
    meander_band(c, -76, 50, 72, 14, p.accent)
    c.circle(-14, -20, 44, p.accent)
    c.circle(-14, -20, 38, cover)
    papercut_flower(c, -14, -20, 30, p.accent, cover, 8, d.rot)
    c.rect(60, -118, 68, 112, p.accent)


def lamp(c: Canvas, d: Design) -> None:
    p = d.palette
    c.circle(0, -40, 110, mix(p.bg, (255, 236, 170), 0.45))
    c.circle(0, -40, 80, mix(p.bg, (255, 236, 170), 0.75))
    shadow(c, p, 0, 124, 84)
    c.rect(-6, 20, 6, 104, p.ink, radius=3)
    c.ellipse(0, 110, 58, 14, darker(p.second, 0.25))
    c.rect(-58, 100, 58, 110, p.second)
    c.ellipse(0, 100, 58, 14, p.second)
    shade = [(-54, -110), (54, -110), (96, 28), (-96, 28)]
    patterned(c, (-96, -110, 96, 28), lambda m, f: m.poly(shade, f), d.pattern, _cols(d), 15)
    c.rect(-100, 22, 100, 32, p.main, radius=4)
    c.rect(-56, -114, 56, -104, p.main, radius=4)
    c.ellipse(0, 36, 26, 6, (255, 230, 150))
    c.stroke([(0, 34), (0, 58)], 2, p.ink)
    c.circle(0, 62, 5, p.accent)


def fan(c: Canvas, d: Design) -> None:
    p = d.palette
    shadow(c, p, 0, 126, 60)
    c.stroke([(0, 40), (0, 118)], 12, darker(p.second, 0.2))
    c.circle(0, 122, 7, p.accent)
    c.poly([(-3, 126), (3, 126), (8, 146), (-8, 146)], p.main)
    c.circle(0, -30, 100, darker(p.second, 0.2))
    c.circle(0, -30, 94, (250, 244, 232))
    patterned(c, (-94, -124, 94, 64), lambda m, f: m.chord(0, -30, 94, 94, 0, 180, f), d.pattern,
              (lighter(p.main, 0.75), lighter(p.main, 0.45)), 13)
    for i in range(3):
        cloud(c, -50 + i * 42, -78 + (i % 2) * 20, 7, lighter(p.second, 0.6), (250, 244, 232))
    plum_blossom(c, 44, -18, 16, p.main, p.accent, d.rot)
    plum_blossom(c, 16, 6, 11, p.main, p.accent, d.rot + 1)
    c.stroke([(80, 60), (56, 10), (44, -18)], 3, p.ink)


def bottle(c: Canvas, d: Design) -> None:
    p = d.palette
    shadow(c, p, 0, 122, 66)
    c.rect(-56, -72, 56, 120, p.main, radius=30)

    def shape(m: Canvas, f: Ink) -> None:
        m.rect(-56, -10, 56, 70, f)

    patterned(c, (-56, -10, 56, 70), shape, d.pattern, (WHITE, p.main), 11)
    c.rect(-56, -14, 56, -8, p.accent)
    c.rect(-56, 68, 56, 74, p.accent)
    c.rect(-42, -116, 42, -70, p.second, radius=12)
    c.rect(-42, -86, 42, -78, darker(p.second, 0.2))
    c.rect(-46, -30, -34, 100, lighter(p.main, 0.3), radius=6)


PRODUCTS = ("mug", "tote", "notebook", "lamp", "fan", "bottle")


# --- brand track: 老字号 × trendy toys ------------------------------------------------------------

def brand(c: Canvas, d: Design) -> None:
    {"toy": toy, "box": gift_box, "tin": tin, "giftset": giftset}[d.variant](c, d)


def toy(c: Canvas, d: Design, *, base: bool = True) -> None:
    p = d.palette
    if base:
        shadow(c, p, 0, 124, 74)
        c.rect(-64, 100, 64, 122, darker(p.second, 0.15), radius=10)
        c.ellipse(0, 100, 64, 12, p.second)
    robe = p.main
    c.poly([(-40, 20), (40, 20), (62, 102), (-62, 102)], robe)

    def robe_shape(m: Canvas, f: Ink) -> None:
        m.poly([(-58, 84), (58, 84), (62, 102), (-62, 102)], f)

    patterned(c, (-62, 84, 62, 102), robe_shape, "waves", (robe, lighter(robe, 0.35)), 7)
    c.poly([(0, 22), (16, 22), (0, 60), (-16, 22)], lighter(robe, 0.45))
    for i in range(3):
        c.rect(-9, 40 + i * 16, 9, 44 + i * 16, p.accent, radius=2)
        c.circle(0, 42 + i * 16, 3, p.accent)
    for sx in (-1, 1):
        c.stroke([(sx * 36, 30), (sx * 56, 70)], 18, darker(robe, 0.12))
        c.circle(sx * 56, 74, 10, d.skin)
    c.circle(0, -40, 62, d.skin)
    if d.pose in ("tiger", "lion"):
        tiger_hat(c, d)
    else:
        for sx in (-1, 1):
            c.circle(sx * 44, -92, 20, p.ink)
            papercut_flower(c, sx * 44, -92, 11, p.second, p.ink, 5, d.rot)
        c.chord(0, -42, 63, 63, 180, 360, p.ink)
        c.chord(0, -52, 40, 20, 0, 180, p.ink)
    for sx in (-1, 1):
        c.arc(sx * 22, -32, 9, 7, 200, 340, 3.2, p.ink)
        c.circle(sx * 34, -16, 9, mix(d.skin, (235, 80, 90), 0.5))
    c.circle(0, -62, 5, (200, 16, 46))
    c.chord(0, -12, 7, 7, 0, 180, (196, 40, 60))


def tiger_hat(c: Canvas, d: Design) -> None:
    p = d.palette
    hat = p.accent
    for sx in (-1, 1):
        c.circle(sx * 44, -94, 18, hat)
        c.circle(sx * 44, -94, 9, p.main)
    c.chord(0, -44, 66, 64, 180, 360, hat)
    c.rect(-68, -50, 68, -38, p.main, radius=5)
    for dx in (-20, 0, 20):
        c.rect(dx - 3, -96, dx + 3, -78, darker(hat, 0.45), radius=2)
    for sx in (-1, 1):
        c.poly([(sx * 40, -66), (sx * 58, -72), (sx * 56, -62)], darker(hat, 0.45))


def gift_box(c: Canvas, d: Design) -> None:
    p = d.palette
    shadow(c, p, 20, 120, 130)
    front = p.main
    fx0, fy0, fx1, fy1 = -110, -60, 60, 112
    depth = (46, -34)
    c.poly([(fx1, fy0), (fx1 + depth[0], fy0 + depth[1]), (fx1 + depth[0], fy1 + depth[1]), (fx1, fy1)],
           darker(front, 0.3))
    c.poly([(fx0, fy0), (fx0 + depth[0], fy0 + depth[1]), (fx1 + depth[0], fy0 + depth[1]), (fx1, fy0)],
           lighter(front, 0.2))
    patterned(c, (fx0, fy0, fx1, fy1), lambda m, f: m.rect(fx0, fy0, fx1, fy1, f), d.pattern,
              (front, lighter(front, 0.18)), 14)
    c.rect(fx0, fy0, fx1, fy0 + 22, darker(front, 0.15))
    meander_band(c, fx0 + 6, fx1 - 8, fy0 + 5, 12, p.accent)
    mx, my = (fx0 + fx1) / 2, (fy0 + fy1) / 2 + 12
    c.circle(mx, my, 52, p.accent)
    c.circle(mx, my, 46, lighter(p.bg, 0.5) if p.bg[0] > 100 else (246, 236, 214))
    with c.moved(mx, my + 8, 0.42):
        toy(c, d, base=False)
    c.rect(fx1 + 6, fy1 - 76, fx1 + 30, fy1 - 52, (200, 16, 46), radius=3)
    c.rect(fx1 + 10, fy1 - 72, fx1 + 26, fy1 - 56, (228, 80, 90))
    c.poly([(fx1 + 12, fy1 - 64), (fx1 + 18, fy1 - 70), (fx1 + 24, fy1 - 64), (fx1 + 18, fy1 - 58)], (200, 16, 46))


def tin(c: Canvas, d: Design) -> None:
    p = d.palette
    shadow(c, p, 0, 118, 110)
    c.rect(-100, -40, 100, 104, darker(p.main, 0.2), radius=0)
    c.ellipse(0, 104, 100, 22, darker(p.main, 0.2))

    def shape(m: Canvas, f: Ink) -> None:
        m.rect(-100, -10, 100, 80, f)

    patterned(c, (-100, -10, 100, 80), shape, d.pattern, (p.main, lighter(p.main, 0.3)), 13)
    c.rect(-100, -16, 100, -10, p.accent)
    c.rect(-100, 80, 100, 86, p.accent)
    c.rect(-104, -66, 104, -36, p.second)
    c.ellipse(0, -36, 104, 22, p.second)
    c.ellipse(0, -66, 104, 22, lighter(p.second, 0.15))
    c.ellipse(0, -66, 80, 15, p.accent)
    c.ellipse(0, -66, 72, 12, lighter(p.second, 0.15))
    for i in range(6):
        a = d.rot + i * math.pi / 3
        c.circle(math.cos(a) * 52, -66 + math.sin(a) * 9, 4, p.accent)
    papercut_flower(c, 0, 34, 30, p.accent, p.main if d.pattern != "lattice" else darker(p.main, 0.2), 6, d.rot)


def giftset(c: Canvas, d: Design) -> None:
    p = d.palette
    shadow(c, p, 0, 126, 140)
    c.rect(-140, -110, 140, 118, darker(p.main, 0.25), radius=10)
    c.rect(-132, -102, 132, 110, p.main, radius=6)
    cells = [(-66, -46), (66, -46), (-66, 54), (66, 54)]
    for i, (x, y) in enumerate(cells):
        c.rect(x - 58, y - 46, x + 58, y + 46, lighter(p.main, 0.82), radius=4)
        crust = mix((214, 150, 80), p.accent, 0.3)
        c.circle(x, y + 4, 38, darker(crust, 0.18))
        c.circle(x, y, 38, crust)
        c.ring(x, y, 30, 2.6, darker(crust, 0.2))
        if i % 2 == 0:
            plum_blossom(c, x, y, 18, darker(crust, 0.14), darker(crust, 0.24), d.rot + i)
        else:
            cloud(c, x, y + 4, 8, darker(crust, 0.14), crust)
    c.rect(-6, -110, 6, 118, p.accent)
    c.rect(-140, -8, 140, 4, p.accent)


BRAND_VARIANTS = ("toy", "box", "tin", "giftset")


# --- designs and views ---------------------------------------------------------------------------

SUBJECTS: dict[str, Callable[[Canvas, Design], None]] = {"ip": mascot, "product": product, "brand": brand}
FOCUS = {"ip": (0, -40), "product": (0, 0), "brand": (0, -20)}


def design_for(seed: int, track: str) -> Design:
    if track not in SUBJECTS:
        raise ValueError(f"unknown track {track!r}; expected one of {TRACKS}")
    rng = random.Random(f"{track}:{seed}")
    # Consecutive seeds step through palettes and variants, so a small gallery never repeats itself.
    offset = TRACKS.index(track) * 4
    palette = PALETTES[(seed * 3 + offset) % len(PALETTES)]
    backdrop = BACKDROPS[(seed + offset) % len(BACKDROPS)]
    pattern = tuple(PATTERNS)[(seed * 2 + offset) % len(PATTERNS)]
    skin = rng.choice(SKINS)
    rot = rng.random()
    if track == "ip":
        variant, extra = HEADGEAR[seed % len(HEADGEAR)], rng.choice(PROPS)
        pose = tuple(POSES)[(seed * 2 + seed // 5 + 1) % len(POSES)]
        if pose == "tool":
            extra = "wrench"
        elif pose == "hold":
            extra = "gear"
        elif extra in ("wrench", "gear"):
            extra = "flower"
    elif track == "product":
        variant, pose, extra = PRODUCTS[seed % len(PRODUCTS)], rng.choice(("white", "tone")), ""
    else:
        variant, pose, extra = BRAND_VARIANTS[seed % len(BRAND_VARIANTS)], ("buns", "tiger")[seed // 4 % 2], ""
    return Design(track, palette, backdrop, variant, pattern, pose, extra, skin, rot)


def _render(d: Design, size: tuple[int, int], *, zoom: float = 1.0, focus: Point = (0, 0),
            seed: int = 0) -> Image.Image:
    c = Canvas.new(size, d.palette.bg, zoom=zoom, focus=focus)
    background(c, d.palette, d.backdrop, random.Random(f"bg:{seed}:{d.backdrop}"))
    SUBJECTS[d.track](c, d)
    return c.finish()


def _series(d: Design, size: tuple[int, int], seed: int) -> Image.Image:
    """Three colourways or poses of the same entry, side by side on a floor."""
    c = Canvas.new(size, d.palette.bg)
    background(c, d.palette, "floor", random.Random(f"series:{seed}"))
    index = PALETTES.index(d.palette)
    for i, dx in enumerate((-130, 0, 130)):
        palette = PALETTES[(index + i * 3) % len(PALETTES)] if i else d.palette
        member = replace(d, palette=replace(palette, bg=d.palette.bg, bg_alt=d.palette.bg_alt))
        if d.track == "ip":
            pose = tuple(POSES)[(tuple(POSES).index(d.pose) + i) % len(POSES)]
            extra = {"tool": "wrench", "hold": "gear"}.get(pose, "flower" if d.extra in ("wrench", "gear") else d.extra)
            member = replace(member, pose=pose, extra=extra)
        with c.moved(dx, 28, 0.52):
            SUBJECTS[d.track](c, member)
    return c.finish()


def render_artwork(seed: int, *, track: str, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """One demo entry image for a track ("ip", "product" or "brand"), deterministic by seed."""
    return _render(design_for(seed, track), size, seed=seed)


def render_entry_images(seed: int, *, track: str, count: int,
                        size: tuple[int, int] = (1600, 1200)) -> list[Image.Image]:
    """Views of one entry that belong together: main view, close-up, colourway, series line-up."""
    d = design_for(seed, track)
    index = PALETTES.index(d.palette)
    views: list[Callable[[int], Image.Image]] = [
        lambda i: _render(d, size, seed=seed),
        lambda i: _render(replace(d, backdrop="dots"), size, zoom=2.1, focus=FOCUS[track], seed=seed),
        lambda i: _render(replace(d, palette=PALETTES[(index + 4 + i) % len(PALETTES)]), size, seed=seed + i),
        lambda i: _series(d, size, seed),
    ]
    return [views[i % len(views)](i) for i in range(count)]


# --- the contest banner --------------------------------------------------------------------------

POSTER_SCHEMES = (
    # top, bottom, pattern, gold, cream, skyline
    ("#8E0C1C", "#C8102E", "#A8142A", "#D9B45A", "#F7E7C6", "#5E0612"),
    ("#A3111F", "#D4312A", "#B91C25", "#E6C068", "#FBEBCB", "#6B0A14"),
    ("#1F1A17", "#4A1A17", "#2F2320", "#C9A227", "#EFDDB8", "#120E0C"),
)


def _gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    column = Image.new("RGB", (1, 256))
    column.putdata([mix(top, bottom, i / 255) for i in range(256)])
    return column.resize(size, Image.Resampling.BILINEAR)


def render_poster(seed: int, *, size: tuple[int, int] = (1920, 800)) -> Image.Image:
    """A festive contest banner: paper-cut flowers, gears, clouds and a city skyline, no text."""
    rng = random.Random(f"poster:{seed}")
    top, bottom, pattern, gold, cream, skyline = (_rgb(h) for h in POSTER_SCHEMES[rng.randrange(len(POSTER_SCHEMES))])
    w, h = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
    stage = (480, 200)
    unit = min(w / stage[0], h / stage[1])
    image = _gradient((w, h), top, bottom)
    c = Canvas(image, unit, (w / 2, h / 2))
    flip = -1 if rng.random() < 0.3 else 1
    layers = {colour: Canvas(Image.new("L", (w, h), 0), unit, (w / 2, h / 2))
              for colour in (pattern, gold, cream, skyline)}
    _poster_pattern(layers[pattern], rng)
    _poster_sun(layers[gold], flip)
    _poster_gears(layers[gold], rng, flip)
    _poster_flowers(layers[cream], rng, flip)
    _poster_clouds(layers[cream], rng, flip)
    _poster_skyline(layers[skyline], rng)
    for colour, layer in layers.items():
        c.image.paste(colour, (0, 0, w, h), layer.image)
    return c.finish()


def _poster_pattern(m: Canvas, rng: random.Random) -> None:
    x0, y0, x1, y1 = m.visible
    row = 0
    y = y0
    while y < y1 + 10:
        x = x0 + (row % 2) * 10
        while x < x1 + 10:
            m.ring(x, y, 10, 0.9, 255)
            x += 20
        y += 10
        row += 1
    m.rect(x0, -60, -40, y1, 0)


def _poster_sun(m: Canvas, flip: int) -> None:
    sx = 120 * flip
    for i in range(24):
        a = 2 * math.pi * i / 24
        m.poly([(sx, -10), (sx + math.cos(a - 0.04) * 260, -10 + math.sin(a - 0.04) * 260),
                (sx + math.cos(a + 0.04) * 260, -10 + math.sin(a + 0.04) * 260)], 60)
    m.circle(sx, -10, 78, 0)
    m.ring(sx, -10, 74, 2.5, 255)
    m.ring(sx, -10, 66, 1, 255)


def _poster_gears(m: Canvas, rng: random.Random, flip: int) -> None:
    for x, y, r, teeth in ((175, -60, 46, 14), (218, 2, 28, 10), (80, 70, 22, 9)):
        rot = rng.random()
        m.poly(gear_points(x * flip, y, r, teeth, r * 0.16, rot), 255)
        m.circle(x * flip, y, r * 0.72, 0)
        m.ring(x * flip, y, r * 0.5, r * 0.06, 255)
        for i in range(6):
            a = rot + i * math.pi / 3
            m.stroke([(x * flip, y), (x * flip + math.cos(a) * r * 0.72, y + math.sin(a) * r * 0.72)], r * 0.07, 255)
        m.circle(x * flip, y, r * 0.14, 255)
        m.circle(x * flip, y, r * 0.06, 0)


def _poster_flowers(m: Canvas, rng: random.Random, flip: int) -> None:
    for x, y, r in ((120, -10, 50), (40, -62, 20), (200, 66, 22), (-10, 40, 14), (240, -88, 12)):
        papercut_flower(m, x * flip, y, r, 255, 0, petals=rng.choice((6, 8)), rot=rng.random())
    for _ in range(7):
        bx, by = rng.uniform(-20, 235) * flip, rng.uniform(-90, 70)
        plum_blossom(m, bx, by, rng.uniform(4, 7), 255, 0, rot=rng.random())


def _poster_clouds(m: Canvas, rng: random.Random, flip: int) -> None:
    for x, y, s in ((-200, -70, 11), (-120, -86, 7), (30, 6, 9), (236, 40, 8)):
        cloud(m, x * flip + rng.uniform(-10, 10), y, s, 120, 0)


def _poster_skyline(m: Canvas, rng: random.Random) -> None:
    x0, _, x1, y1 = m.visible
    base = 82
    x = x0
    while x < x1:
        kind = rng.random()
        width = rng.uniform(12, 26)
        if kind < 0.15:
            m.rect(x + width * 0.35, base - 60, x + width * 0.55, base, 255)
            m.rect(x, base - 20, x + width, base, 255)
        elif kind < 0.55:
            peak = base - rng.uniform(10, 22)
            m.poly([(x, base), (x, peak + 5), (x + width / 2, peak), (x + width, peak + 5), (x + width, base)], 255)
        else:
            m.rect(x, base - rng.uniform(14, 40), x + width, base, 255)
        x += width + rng.uniform(0, 4)
    tower = rng.uniform(-60, 60)
    m.rect(tower - 2, base - 110, tower + 2, base, 255)
    m.circle(tower, base - 44, 11, 255)
    m.circle(tower, base - 84, 7, 255)
    m.rect(tower - 6, base - 44, tower + 6, base, 255)
    m.rect(tower + 34, base - 80, tower + 48, base, 255)
    m.poly([(tower + 34, base - 80), (tower + 41, base - 92), (tower + 48, base - 80)], 255)
    m.rect(x0, base, x1, y1, 255)


# --- pictures as files, drawn once --------------------------------------------------------------


def entry_picture_files(folder: str, seed: int, track: str, count: int, size: tuple[int, int]) -> list[str]:
    """`render_entry_images` as JPEG files in `folder`; files already there are reused (runs in a worker process)."""
    paths = [Path(folder) / f"{track}-{seed}-{n}-{size[0]}x{size[1]}.jpg" for n in range(count)]
    if not all(path.exists() for path in paths):
        for path, image in zip(paths, render_entry_images(seed, track=track, count=count, size=size), strict=True):
            _save_jpeg(image, path)
    return [str(path) for path in paths]


def poster_file(folder: str, seed: int) -> str:
    """`render_poster` as a JPEG file in `folder`, reused when it is there already."""
    path = Path(folder) / f"poster-{seed}.jpg"
    if not path.exists():
        _save_jpeg(render_poster(seed), path)
    return str(path)


def _save_jpeg(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + f".{os.getpid()}.part")
    image.convert("RGB").save(part, "JPEG", quality=90)
    part.replace(path)
