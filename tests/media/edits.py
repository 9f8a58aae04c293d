"""The edits a copier makes to a picture (resized, recompressed, cropped, recoloured, brightened), which the
similarity check must still see through."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageEnhance

Edit = Callable[[Image.Image], Image.Image]


def hue(im: Image.Image, degrees: int) -> Image.Image:
    h, s, v = im.convert("HSV").split()
    h = h.point(lambda x: (x + degrees * 256 // 360) % 256)
    return Image.merge("HSV", (h, s, v)).convert("RGB")


def jpeg(im: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def crop(left: float, top: float, right: float, bottom: float) -> Edit:
    def edit(im: Image.Image) -> Image.Image:
        w, h = im.size
        return im.crop((round(w * left), round(h * top), round(w * right), round(h * bottom)))
    return edit


EDITS: dict[str, Edit] = {
    "resized_to_a_third": lambda im: im.resize((im.width // 3, im.height // 3), Image.Resampling.LANCZOS),
    "thumbnail_400": lambda im: im.resize((400, 300), Image.Resampling.BILINEAR),
    "jpeg_q40": lambda im: jpeg(im, 40),
    "crop_10pct_centred": crop(0.05, 0.05, 0.95, 0.95),
    "crop_10pct_corner": crop(0.1, 0.1, 1.0, 1.0),
    "crop_10pct_left": crop(0.1, 0.0, 1.0, 1.0),
    "crop_10pct_bottom": crop(0.0, 0.0, 1.0, 0.9),
    "hue_90": lambda im: hue(im, 90),
    "hue_180": lambda im: hue(im, 180),
    "brighter_30pct": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
    "darker_30pct": lambda im: ImageEnhance.Brightness(im).enhance(0.7),
    "hue_60_darker_and_jpeg": lambda im: jpeg(ImageEnhance.Brightness(hue(im, 60)).enhance(0.8), 60),
}
