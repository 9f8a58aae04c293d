"""What an uploaded file really is: magic numbers first, then Pillow reads the header only.

Nothing here decodes pixels; the full decode (which is what catches truncated files) happens
once, in ``pipeline``, with libvips told to fail on truncation.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()  # Pillow reads HEIC (iPhones' default) through pillow-heif

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
MAX_PIXELS = 50_000_000
MAX_SIDE = 12_000
MIN_SIDE = 64
HEAD_BYTES = 64


class Reason(StrEnum):
    """Machine-readable refusal codes; contest.errors.IMAGE_REFUSALS words each one for the person who uploaded
    the file."""

    EMPTY = "empty"
    UNSUPPORTED_TYPE = "unsupported_type"
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_LARGE_SIDE = "too_large_side"
    TOO_SMALL = "too_small"
    MULTI_FRAME = "multi_frame"
    TIMEOUT = "timeout"


class InvalidImage(Exception):
    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ImageInfo:
    format: str        # "JPEG" | "PNG" | "WEBP" (an MPO is reported as JPEG)
    width: int         # as stored, before EXIF orientation
    height: int
    mode: str          # Pillow mode, e.g. "RGB", "CMYK", "P", "I;16"
    frames: int        # > 1 only for MPO, whose extra frames are ignored

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]


# (offset, signature, kind): order matters only where signatures share a prefix
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"II+\x00", "tiff"),
    (0, b"MM\x00+", "tiff"),
    (0, b"BM", "bmp"),
    (0, b"8BPS", "psd"),
    (0, b"%!PS", "eps"),
    (0, b"\xc5\xd0\xd3\xc6", "eps"),
    (0, b"%PDF", "pdf"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),
    (0, b"\x00\x00\x01\x00", "ico"),
    (0, b"\xff\x4f\xff\x51", "jpeg2000"),
    (0, b"\x00\x00\x00\x0cjP  ", "jpeg2000"),
    (0, b"\xff\x0a", "jpegxl"),
    (0, b"\x00\x00\x00\x0cJXL ", "jpegxl"),
    (4, b"ftypavif", "avif"),
    (4, b"ftypavis", "avif"),
    (4, b"ftypheic", "heic"),
    (4, b"ftypheix", "heic"),
    (4, b"ftypmif1", "heic"),
    (4, b"ftypmsf1", "heic"),
    (4, b"ftypqt  ", "mov"),
    (4, b"ftyp", "mp4"),  # any other ISO media brand (isom, mp41, mp42, avc1, M4V ...): the video probe decides
    (0, b"\x1a\x45\xdf\xa3", "webm"),  # Matroska/WebM (EBML)
)
_TEXT_KINDS = ((b"<svg", "svg"), (b"<?xml", "xml"), (b"<!doctype html", "html"), (b"<html", "html"),
               (b"<script", "html"), (b"<!--", "html"))
_ACCEPTED = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF"}


def identify(head: bytes) -> str:
    """Name the kind of file from its first bytes ("jpeg", "png", "webp", "gif", "svg", ... or "unknown")."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for offset, signature, kind in _SIGNATURES:
        if head[offset:offset + len(signature)] == signature:
            return kind
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return next((kind for prefix, kind in _TEXT_KINDS if text.startswith(prefix)), "unknown")


def sniff(head: bytes) -> str:
    """The Pillow format name for an allowed type, or ``InvalidImage`` for anything else."""
    if not head:
        raise InvalidImage(Reason.EMPTY)
    kind = identify(head)
    if kind not in _ACCEPTED:
        raise InvalidImage(Reason.UNSUPPORTED_TYPE, kind)
    return _ACCEPTED[kind]


def inspect_image(path: Path, *, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """Check type, size limits and frame count from the header, without decoding pixels.

    MPO (phone JPEGs with a depth map or preview appended) is accepted as JPEG: only the primary
    image is ever decoded, the other frames are ignored and not re-encoded.
    """
    with path.open("rb") as file:
        fmt = sniff(file.read(HEAD_BYTES))
        file.seek(0)
        with _header_errors(), _open_header(file, fmt) as im:
            info = ImageInfo("JPEG" if im.format == "MPO" else fmt, im.width, im.height,
                             im.mode, getattr(im, "n_frames", 1))
    check_dimensions(info.width, info.height, max_pixels=max_pixels)
    if info.frames > 1 and info.format != "JPEG":
        raise InvalidImage(Reason.MULTI_FRAME, f"{info.frames} frames")
    return info


def _open_header(file: IO[bytes], fmt: str) -> Image.Image:
    with warnings.catch_warnings():
        # between Pillow's limit and twice it, a bomb is only a warning (docs/stack.md, "Pillow")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(file, formats=[fmt])


@contextmanager
def _header_errors() -> Iterator[None]:
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage(Reason.TOO_MANY_PIXELS, str(exc)) from exc
    except UnidentifiedImageError as exc:
        raise InvalidImage(Reason.CORRUPT, "header not readable") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidImage(Reason.TRUNCATED if _looks_truncated(exc) else Reason.CORRUPT, str(exc)) from exc


def _looks_truncated(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, EOFError) or "truncated" in text or "premature" in text


def check_dimensions(width: int, height: int, *, max_pixels: int = MAX_PIXELS) -> None:
    if width * height > max_pixels:
        raise InvalidImage(Reason.TOO_MANY_PIXELS, f"{width}x{height}")
    if max(width, height) > MAX_SIDE:
        raise InvalidImage(Reason.TOO_LARGE_SIDE, f"{width}x{height}")
    if min(width, height) < MIN_SIDE:
        raise InvalidImage(Reason.TOO_SMALL, f"{width}x{height}")
