"""The Chinese font every PDF the app prints embeds (certificates, sample labels), cut down to the text printed.

The font is Noto Serif SC (SIL OFL) from the `pylopdf-fonts-zh-cn` package, so `pip install` alone
provides it. It is cut down to the characters a document uses and its CFF outlines are redrawn as
TrueType ones before fpdf2 embeds it: fpdf2 writes CID-keyed CFF fonts with an embedded encoding CMap
that some text extractors (pypdf among them) misread, while TrueType goes in as Identity-H, which every
reader maps back to the exact characters.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pylopdf_fonts_zh_cn
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FONT_FILE = Path(pylopdf_fonts_zh_cn.serif_path())


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """The code points the font can draw."""
    with TTFont(FONT_FILE, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_characters(text: str) -> str:
    """Characters of `text` the font cannot draw (e.g. rare characters of CJK extension B), each once."""
    drawable = covered()
    return "".join(dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in drawable))


def truetype_subset(text: str) -> bytes:
    """The font cut down to `text`'s characters, its cubic CFF outlines redrawn as TrueType quadratics."""
    font = TTFont(FONT_FILE)
    subsetter = subset.Subsetter(subset.Options(desubroutinize=True, notdef_outline=True, name_IDs=["*"],
                                                layout_features=[], hinting=False))
    subsetter.populate(text=text)
    subsetter.subset(font)
    _cff_to_glyf(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _cff_to_glyf(font: TTFont) -> None:
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = font.getGlyphOrder(), {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType, font["post"].extraNames, font["post"].mapping = 3.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"
