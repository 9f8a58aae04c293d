"""Turn a checked upload into clean, upright, sRGB derivatives (WebP + JPEG at three sizes), and an
original into a clean full-size copy for the anonymised export (``clean_copy``).

Engine: Pillow reads only the header (``sniffing``); libvips decodes and resizes. libvips'
``thumbnail`` shrinks on load (a 24 MP JPEG is decoded at 1/2..1/8 scale by libjpeg) and streams
PNGs in strips, so it is both the fastest and the leanest option measured here; Pillow needs a
full-size decode for PNG and about 3x the memory (docs/stack.md, "Images: libvips or Pillow").
Run ``process_image`` in a worker thread, or call ``process_image_async``.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pyvips
from PIL import Image

from contest.media.sniffing import MAX_PIXELS, ImageInfo, InvalidImage, Reason, check_dimensions, inspect_image
from contest.media.storage import derived_filename, write_atomic

# The operation cache keys on file names and keeps decoded pixels alive between uploads:
# a replaced file at the same path would return stale results, and memory would pile up.
pyvips.cache_set_max(0)

DEFAULT_TIMEOUT = 10.0
WHITE = [255, 255, 255]
ENCODERS = {
    "WEBP": ("webpsave_buffer", {"Q": 82, "effort": 4, "smart_subsample": False}),
    "JPEG": ("jpegsave_buffer", {"Q": 86, "optimize_coding": True}),
}
# Full-size copies for the anonymised export: in the original's format, near-lossless; HEIC as JPEG, which
# every program opens.
CLEAN_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
CLEAN_ENCODERS: dict[str, tuple[str, dict[str, Any]]] = {
    "JPEG": ("jpegsave_buffer", {"Q": 95, "optimize_coding": True, "subsample_mode": "off"}),
    "PNG": ("pngsave_buffer", {"compression": 6}),
    "WEBP": ("webpsave_buffer", {"Q": 95, "effort": 4, "smart_subsample": False}),
}
_LOADERS = {"JPEG": "jpegload", "PNG": "pngload", "WEBP": "webpload", "HEIF": "heifload"}


@dataclass(frozen=True)
class Size:
    name: str
    long_edge: int     # at most: a copy is never larger than the snapped edge of its original (EDGES)
    flatten: bool      # alpha composited onto white in every format


# Largest first: each size is made from the previous one. What judges see (judging, thumb) is on the
# same white ground whether or not the original was transparent; display copies keep transparency in WebP only.
SIZES = (Size("judging", 2560, True), Size("display", 1280, False), Size("thumb", 400, True))
# The long edges a copy can have: the original's is snapped up to the next one (small originals are
# scaled up), so a copy tells the aspect ratio and which of these classes the original falls in, never
# its pixel size. Classes rather than one edge: a small upload does not pay for a 2560 px encode.
EDGES = (640, 1280, 2560)


@dataclass(frozen=True)
class Derivative:
    name: str          # "judging" | "display" | "thumb"
    format: str        # "WEBP" | "JPEG"
    width: int
    height: int
    bytes: int
    sha256: str
    path: Path

    @property
    def mime_type(self) -> str:
        return "image/webp" if self.format == "WEBP" else "image/jpeg"


@dataclass(frozen=True)
class ProcessedImage:
    key: str
    format: str        # of the original: "JPEG" | "PNG" | "WEBP"
    width: int         # of the original, upright (after EXIF orientation)
    height: int
    bytes: int
    sha256: str        # of the original bytes
    has_alpha: bool
    derivatives: tuple[Derivative, ...]

    def derivative(self, name: str, fmt: str = "WEBP") -> Derivative:
        return next(d for d in self.derivatives if d.name == name and d.format == fmt)


class _Deadline:
    def __init__(self, at: float | None) -> None:
        self.at = at

    def check(self) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise InvalidImage(Reason.TIMEOUT, "processing took too long")


def process_image(
    src_path: Path, out_dir: Path, key: str, *, deadline: float | None = None, max_pixels: int = MAX_PIXELS,
) -> ProcessedImage:
    """Check, decode, normalise and write all derivatives of ``src_path`` into ``out_dir``.

    Raises ``InvalidImage`` (nothing is left in ``out_dir`` then). ``deadline`` is a
    ``time.monotonic()`` value checked between steps, so an abandoned worker stops early.
    ``max_pixels`` exists for benchmarks; uploads keep the default.
    Side effects: writes ``len(SIZES) * len(ENCODERS)`` files named by ``derived_filename``.
    """
    clock = _Deadline(deadline)
    info = inspect_image(src_path, max_pixels=max_pixels)
    size, sha256 = file_digest(src_path)
    header = _vips_header(src_path, info, max_pixels)
    width, height = _upright_size(header, info)
    upright = _decode(src_path, header, scaled((width, height), snapped_edge((width, height))))
    clock.check()
    has_alpha = _has_visible_alpha(upright)
    if not has_alpha and upright.hasalpha():
        upright = upright[:3]
    encoded = _encode_all(upright, (width, height), clock)
    derivatives = _write_all(encoded, out_dir, key, clock)
    return ProcessedImage(key, info.format, width, height, size, sha256, has_alpha, derivatives)


async def process_image_async(
    src_path: Path, out_dir: Path, key: str, *,
    timeout: float = DEFAULT_TIMEOUT, limiter: anyio.CapacityLimiter | None = None,
) -> ProcessedImage:
    """``process_image`` in a worker thread, at most ``cpu_count`` at once, within ``timeout`` s.

    Waiting for a free slot does not count towards the timeout. On timeout the caller gets
    ``InvalidImage(Reason.TIMEOUT)`` at once; the abandoned thread stops at its next step and
    removes what it wrote.
    """
    async with limiter or default_limiter():
        deadline = time.monotonic() + timeout
        work = partial(process_image, src_path, out_dir, key, deadline=deadline)
        try:
            with anyio.fail_after(timeout):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError as exc:
            raise InvalidImage(Reason.TIMEOUT, f"over {timeout} s") from exc


@dataclass(frozen=True)
class CleanCopy:
    data: bytes
    sha256: str


def clean_copy(src_path: Path) -> CleanCopy:
    """The image at full size, upright and in 8-bit sRGB, re-encoded in its clean format (CLEAN_FORMATS) from its
    pixels alone.

    No EXIF, GPS, XMP, IPTC, ICC profile, comment or text chunk of the file survives. Raises ``InvalidImage``.
    """
    info = inspect_image(src_path)
    header = _vips_header(src_path, info, MAX_PIXELS)
    data = _encode(_decode(src_path, header, _upright_size(header, info)), CLEAN_ENCODERS[CLEAN_FORMATS[info.format]])
    return CleanCopy(data, hashlib.sha256(data).hexdigest())


async def clean_copy_async(src_path: Path, *, limiter: anyio.CapacityLimiter | None = None) -> CleanCopy:
    """``clean_copy`` in a worker thread, sharing the uploads' limit on concurrent image work."""
    async with limiter or default_limiter():
        return await anyio.to_thread.run_sync(clean_copy, src_path)


_limiter: anyio.CapacityLimiter | None = None


def default_limiter() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(os.cpu_count() or 1)
    return _limiter


def file_digest(path: Path) -> tuple[int, str]:
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256")
    return path.stat().st_size, digest.hexdigest()


def snapped_edge(size: tuple[int, int]) -> int:
    """The long edge of the largest copy of an image of ``size``: the first of ``EDGES`` that holds it."""
    return next((edge for edge in EDGES if edge >= max(size)), EDGES[-1])


def scaled(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """``size`` scaled, up or down, so its long edge is exactly ``long_edge``."""
    scale = long_edge / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _decode(path: Path, header: pyvips.Image, target: tuple[int, int]) -> pyvips.Image:
    try:
        # "force" gives the exact size computed from the original, so no rounding piles up
        if _is_heif(header):
            image = _heif_pixels(path).thumbnail_image(target[0], height=target[1], size="force")
        else:
            options = {"output_profile": "srgb"} if _needs_icc_transform(header) else {}
            image = pyvips.Image.thumbnail(str(path), target[0], height=target[1], size="force",
                                           fail_on="truncated", **options)
        # evaluated straight into the new pixel buffer: one 2560 px copy in memory, not two
        return _pixels_only(_to_srgb8(image))
    except pyvips.Error as exc:
        raise InvalidImage(_decode_failure(exc, path), str(exc).strip()[:200]) from exc


def _is_heif(header: pyvips.Image) -> bool:
    return bool(header.get("vips-loader") == _LOADERS["HEIF"])


def _heif_pixels(path: Path) -> pyvips.Image:
    """A HEIC's pixels, upright, in sRGB. pyvips-binary's libheif reads HEIC headers but has no HEVC decoder;
    pillow-heif's has, and applies the file's rotation as it decodes."""
    try:
        with Image.open(path, formats=["HEIF"]) as im:
            icc = im.info.get("icc_profile")
            pixels = im.convert("RGBA" if "A" in im.getbands() else "RGB")
    except (OSError, ValueError, RuntimeError) as exc:
        raise InvalidImage(Reason.CORRUPT, str(exc).strip()[:200]) from exc
    image = pyvips.Image.new_from_memory(pixels.tobytes(), pixels.width, pixels.height, len(pixels.getbands()),
                                         "uchar").copy(interpretation="srgb")
    if icc:
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", icc)
        image = image.icc_transform("srgb")
    return image


def _vips_header(path: Path, info: ImageInfo, max_pixels: int) -> pyvips.Image:
    """libvips picks its own loader: make sure it agrees with what Pillow saw."""
    try:
        header = pyvips.Image.new_from_file(str(path))
    except pyvips.Error as exc:
        raise InvalidImage(Reason.CORRUPT, str(exc).strip()[:200]) from exc
    if header.get("vips-loader") != _LOADERS[info.format] or (header.width, header.height) != (info.width, info.height):
        raise InvalidImage(Reason.CORRUPT, "decoders disagree about this file")
    check_dimensions(header.width, header.height, max_pixels=max_pixels)
    return header


def _needs_icc_transform(header: pyvips.Image) -> bool:
    return bool(header.get_typeof("icc-profile-data")) or header.interpretation == "cmyk"


def _to_srgb8(image: pyvips.Image) -> pyvips.Image:
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    return image if image.format == "uchar" else image.cast("uchar")


def _pixels_only(image: pyvips.Image) -> pyvips.Image:
    """A new image from the raw pixels: no EXIF, XMP, IPTC, ICC or comment can come along."""
    return pyvips.Image.new_from_memory(
        image.write_to_memory(), image.width, image.height, image.bands, "uchar",
    ).copy(interpretation="srgb")


def _has_visible_alpha(image: pyvips.Image) -> bool:
    return bool(image.hasalpha()) and image[image.bands - 1].min() < 255


def _upright_size(header: pyvips.Image, info: ImageInfo) -> tuple[int, int]:
    # A HEIC turns by its own rotation box as it decodes; an EXIF orientation in it is not to be applied again.
    orientation = header.get("orientation") if header.get_typeof("orientation") and not _is_heif(header) else 1
    return (info.height, info.width) if orientation in (5, 6, 7, 8) else (info.width, info.height)


@dataclass(frozen=True)
class _Encoded:
    name: str
    format: str
    width: int
    height: int
    data: bytes


def _encode_all(upright: pyvips.Image, original: tuple[int, int], clock: _Deadline) -> list[_Encoded]:
    encoded: list[_Encoded] = []
    image = upright
    for size in SIZES:
        width, height = scaled(original, min(size.long_edge, snapped_edge(original)))
        if (width, height) != (image.width, image.height):
            image = image.thumbnail_image(width, height=height, size="force").copy_memory()
        for fmt in ENCODERS:
            flat = size.flatten or fmt == "JPEG"
            out = image.flatten(background=WHITE) if flat and image.hasalpha() else image
            encoded.append(_Encoded(size.name, fmt, out.width, out.height, _encode(out, ENCODERS[fmt])))
            clock.check()
    return encoded


def _encode(image: pyvips.Image, encoder: tuple[str, dict]) -> bytes:
    method, options = encoder
    return getattr(image, method)(keep=pyvips.enums.ForeignKeep.NONE, **options)


def _write_all(encoded: list[_Encoded], out_dir: Path, key: str, clock: _Deadline) -> tuple[Derivative, ...]:
    written: list[Derivative] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for item in encoded:
            clock.check()
            path = out_dir / derived_filename(key, item.name, item.format)
            write_atomic(path, item.data)
            written.append(Derivative(item.name, item.format, item.width, item.height, len(item.data),
                                      hashlib.sha256(item.data).hexdigest(), path))
    except BaseException:
        for derivative in written:
            derivative.path.unlink(missing_ok=True)
        raise
    return tuple(written)


def _decode_failure(exc: pyvips.Error, path: Path) -> Reason:
    text = str(exc).lower()
    if any(word in text for word in ("premature", "truncat", "end of file", "unexpected end")):
        return Reason.TRUNCATED
    with path.open("rb") as file:
        head = file.read(12)
        file.seek(max(0, path.stat().st_size - 12))
        tail = file.read()
    if head.startswith(b"\x89PNG") and tail[4:8] != b"IEND":
        return Reason.TRUNCATED
    if head.startswith(b"RIFF") and int.from_bytes(head[4:8], "little") + 8 > path.stat().st_size:
        return Reason.TRUNCATED
    return Reason.CORRUPT
