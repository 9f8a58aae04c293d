"""Text drawn into an image (a name, a school, a logo's words), read with RapidOCR.

rapidocr-onnxruntime 1.4.x ships its PP-OCRv4 models inside the wheel, so nothing is fetched at run
time. Loading them takes about 2 s, so each process keeps one engine, made at first use. Reading
runs in a worker thread, one image at a time per process (`default_limiter`): the engine uses one
core, and uploads keep the other.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import numpy as np
from PIL import Image

# Small print on a 2560 px judging copy stays legible at this size; detection time grows with pixels.
LONG_EDGE = 1600
DEFAULT_TIMEOUT = 60.0
MIN_SCORE = 0.5

_engine: Any = None
_engine_lock = threading.Lock()
_limiter: anyio.CapacityLimiter | None = None
# The text of a picture depends only on its pixels: a picture uploaded again (to another entry, after a
# deletion, by a team mate) is read once per process. Keyed by the bytes' SHA-256; ~2 s of CPU saved per hit.
MEMO_SIZE = 256
_memo: OrderedDict[str, list[TextLine]] = OrderedDict()
_memo_lock = threading.Lock()


@dataclass(frozen=True)
class TextLine:
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom, in the pixels of the image read
    score: float


def engine() -> Any:
    """The process's one RapidOCR engine (made at first use; thread-safe)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR  # imports onnxruntime and OpenCV: only where OCR runs

            # One thread each: measured here, more threads are slower when other work shares the cores.
            _engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, det_limit_type="max",
                               det_limit_side_len=LONG_EDGE, text_score=MIN_SCORE)
        return _engine


def read_text(path: Path) -> list[TextLine]:
    """The lines of text RapidOCR finds in the image at `path`, top to bottom. Blocking."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with _memo_lock:
        if digest in _memo:
            _memo.move_to_end(digest)
            return list(_memo[digest])
    lines = _read_pixels(path)
    with _memo_lock:
        _memo[digest] = lines
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return list(lines)


def _read_pixels(path: Path) -> list[TextLine]:
    with Image.open(path) as image:
        width = image.width
        small = image.convert("RGB")
    small.thumbnail((LONG_EDGE, LONG_EDGE))
    pixels = np.asarray(small)[:, :, ::-1]  # RapidOCR takes OpenCV's BGR order
    result, _ = engine()(pixels)
    return [_line(box, text, score, width / small.width) for box, text, score in result or []]


def _line(box: list[list[float]], text: str, score: float, scale: float) -> TextLine:
    xs, ys = [p[0] * scale for p in box], [p[1] * scale for p in box]
    return TextLine(text, (round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))), round(float(score), 3))


async def read_text_async(path: Path, *, timeout: float = DEFAULT_TIMEOUT,
                          limiter: anyio.CapacityLimiter | None = None) -> list[TextLine]:
    """`read_text` in a worker thread, within `timeout` s once it has a slot (TimeoutError after)."""
    async with limiter or default_limiter():
        with anyio.fail_after(timeout):
            return await anyio.to_thread.run_sync(partial(read_text, path), abandon_on_cancel=True)


def default_limiter() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(1)
    return _limiter
