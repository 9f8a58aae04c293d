"""PDF design boards (展板): checked and rendered to page images in a child process with a memory and time budget.

Judges and the gallery only ever see the rendered pages, never the PDF. A page image is written from pixels
alone, so nothing of the PDF's metadata can ride along; the metadata is read for organisers (``PdfInfo.metadata``).
Each page is rendered so that its long edge is ``long_edge`` px (the largest copy ``pipeline`` makes) or the
page's size at 300 dpi if that is smaller; pass each ``RenderedPage.path`` through ``pipeline.process_image``.

Why a child process (``python -m contest.media.pdf_check``) for both the checks and the rendering: qpdf and
pdfium are C++ libraries that cannot be interrupted, and one page of a hostile file can take minutes or
gigabytes. A thread with a deadline between pages would keep running (and allocating) after its deadline; a
process is killed at its deadline and its address space is capped (RLIMIT_AS), so a refusal costs at most
``PdfLimits.timeout`` seconds and ``PdfLimits.memory_mb`` of memory. pdfium is not thread-safe either.

Form fields and annotations are NOT rendered: a filled field or a comment may hold the author's name, and what
a print shop prints of a board is its page content. Their names are listed for organisers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

CHECKER = "contest.media.pdf_check"
MM_PER_PT = 25.4 / 72
PRINT_DPI = 300
DEFAULT_LONG_EDGE = 2560  # pipeline's largest copy ("judging")
_T = TypeVar("_T")


class PdfReason(StrEnum):
    ENCRYPTED = "encrypted"
    SCRIPTED = "scripted"
    LAUNCH_ACTION = "launch_action"
    EMBEDDED_FILES = "embedded_files"
    TOO_MANY_PAGES = "too_many_pages"
    PAGE_TOO_LARGE = "page_too_large"          # limit and actual in mm
    PAGE_TOO_SMALL = "page_too_small"          # limit and actual in mm
    TOO_DEEP = "too_deep"                      # nesting levels; actual is None past what qpdf itself reads (500)
    STREAM_TOO_LARGE = "stream_too_large"      # decoded bytes, counted up to just past the limit
    TOO_MANY_OBJECTS = "too_many_objects"
    CORRUPT = "corrupt"
    TIMEOUT = "timeout"                        # seconds
    TOO_COMPLEX = "too_complex"                # the checker ran out of its memory (MB) or died


class InvalidPdf(Exception):
    """A refused PDF. ``metadata`` is what could be read before the refusal, for organisers only."""

    def __init__(self, reason: PdfReason, limit: float | None = None, actual: float | None = None,
                 detail: str = "", *, metadata: dict[str, Any] | None = None, peak_rss_mb: float | None = None) -> None:
        super().__init__(f"{reason.value}: limit {limit}, actual {actual} {detail}".strip())
        self.reason = reason
        self.limit = limit
        self.actual = actual
        self.detail = detail
        self.metadata = metadata or {}
        self.peak_rss_mb = peak_rss_mb


@dataclass(frozen=True)
class PdfLimits:
    max_pages: int = 20
    max_side_mm: float = 5000.0
    min_side_mm: float = 10.0
    max_depth: int = 100               # direct nesting of arrays and dictionaries inside one object
    max_stream_mb: int = 200           # decoded size of any one stream (or an image's pixels)
    max_objects: int = 500_000
    memory_mb: int = 1024              # the child's whole address space, libraries included
    timeout: float = 10.0              # seconds of wall-clock for the child, start-up included


DEFAULT_LIMITS = PdfLimits()


@dataclass(frozen=True)
class PageSize:
    width_pt: float    # as displayed (after /Rotate)
    height_pt: float

    @property
    def mm(self) -> tuple[float, float]:
        return self.width_pt * MM_PER_PT, self.height_pt * MM_PER_PT

    @property
    def pixels_300dpi(self) -> tuple[int, int]:
        """What the slot's pixel limit (A3 at 300 dpi: 3508 x 4961) is checked against."""
        return round(self.width_pt * PRINT_DPI / 72), round(self.height_pt * PRINT_DPI / 72)

    def render_size(self, long_edge: int) -> tuple[int, int]:
        """Pixels of the page image: long edge ``long_edge``, or the 300 dpi size if that is smaller."""
        at_300 = self.pixels_300dpi
        edge = min(long_edge, max(at_300))
        scale = edge / max(self.width_pt, self.height_pt)
        return max(1, round(self.width_pt * scale)), max(1, round(self.height_pt * scale))


@dataclass(frozen=True)
class PdfInfo:
    page_sizes: tuple[PageSize, ...]
    metadata: dict[str, Any]      # the PDF's own (pdf_check.pdf_metadata): for organisers, never for judges
    peak_rss_mb: float            # of the child that read the file

    @property
    def pages(self) -> int:
        return len(self.page_sizes)


@dataclass(frozen=True)
class RenderedPage:
    path: Path
    width: int
    height: int
    width_300dpi: int
    height_300dpi: int


@dataclass(frozen=True)
class RenderedPdf:
    info: PdfInfo
    pages: tuple[RenderedPage, ...] = field(default=())


def inspect_pdf(path: Path, *, limits: PdfLimits = DEFAULT_LIMITS) -> PdfInfo:
    """Check ``path`` in a child process; raises ``InvalidPdf``."""
    return _info(_run_checker({"task": "inspect", "path": str(path), "limits": asdict(limits)}, limits))


def render_pages(path: Path, out_dir: Path, *, long_edge: int = DEFAULT_LONG_EDGE,
                 limits: PdfLimits = DEFAULT_LIMITS) -> RenderedPdf:
    """Check ``path`` and render every page into ``out_dir`` as ``page-001.jpg``, ... (JPEG q95) in one child process.

    Raises ``InvalidPdf``; nothing is left in ``out_dir`` then (the child writes into a scratch folder that is
    removed whatever happens, and pages are moved out of it only once all are written).
    """
    scratch = out_dir / f".pdf-{uuid.uuid4().hex}.part"
    scratch.mkdir(parents=True)
    try:
        request = {"task": "render", "path": str(path), "out_dir": str(scratch), "long_edge": long_edge,
                   "limits": asdict(limits)}
        reply = _run_checker(request, limits)
        return RenderedPdf(_info(reply), _move_pages(reply["pages"], scratch, out_dir))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


async def inspect_pdf_async(path: Path, *, limits: PdfLimits = DEFAULT_LIMITS,
                            limiter: anyio.CapacityLimiter | None = None) -> PdfInfo:
    return await _in_thread(partial(inspect_pdf, path, limits=limits), limiter)


async def render_pages_async(path: Path, out_dir: Path, *, long_edge: int = DEFAULT_LONG_EDGE,
                             limits: PdfLimits = DEFAULT_LIMITS,
                             limiter: anyio.CapacityLimiter | None = None) -> RenderedPdf:
    return await _in_thread(partial(render_pages, path, out_dir, long_edge=long_edge, limits=limits), limiter)


async def _in_thread(work: Callable[[], _T], limiter: anyio.CapacityLimiter | None) -> _T:
    """At most ``cpu_count`` children at once; a cancelled caller leaves the thread to its child's own timeout."""
    async with limiter or default_limiter():
        return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)


_limiter: anyio.CapacityLimiter | None = None


def default_limiter() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(os.cpu_count() or 1)
    return _limiter


def _run_checker(request: dict[str, Any], limits: PdfLimits) -> dict[str, Any]:
    command = [sys.executable, "-m", CHECKER, json.dumps(request)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=limits.timeout, env=_child_env(), check=False)
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise InvalidPdf(PdfReason.TIMEOUT, limits.timeout) from exc
    reply = _last_json_line(done.stdout)
    if reply is None:  # killed by a signal or aborted inside qpdf/pdfium, usually on a failed allocation
        detail = f"checker exited with {done.returncode}: {done.stderr.decode(errors='replace')[-300:]}"
        raise InvalidPdf(PdfReason.TOO_COMPLEX, limits.memory_mb, None, detail)
    if "refused" in reply:
        reason, limit, actual, detail = reply["refused"]
        raise InvalidPdf(PdfReason(reason), limit, actual, detail,
                         metadata=reply["metadata"], peak_rss_mb=reply["peak_rss_mb"])
    return reply


def _child_env() -> dict[str, str]:
    """The child imports ``contest`` from wherever this process did."""
    root = str(Path(__file__).resolve().parents[2])  # the folder that holds the `contest` package
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}


def _last_json_line(stdout: bytes) -> dict[str, Any] | None:
    lines = stdout.strip().splitlines()
    try:
        reply = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def _info(reply: dict[str, Any]) -> PdfInfo:
    sizes = tuple(PageSize(width, height) for width, height in reply["page_sizes"])
    return PdfInfo(sizes, reply["metadata"], reply["peak_rss_mb"])


def _move_pages(pages: list[dict[str, Any]], scratch: Path, out_dir: Path) -> tuple[RenderedPage, ...]:
    moved: list[RenderedPage] = []
    try:
        for page in pages:
            target = out_dir / page["name"]
            os.replace(scratch / page["name"], target)
            moved.append(RenderedPage(target, page["width"], page["height"], *page["size_300dpi"]))
    except BaseException:
        for done in moved:
            done.path.unlink(missing_ok=True)
        raise
    return tuple(moved)
