"""Short videos for motion and interactive design entries: check an upload, then transcode it to a clean,
web-playable MP4 (H.264 yuv420p + AAC, at most 1080p, moov box first) with a poster frame.

Engine: PyAV, whose wheels ship FFmpeg with libx264; it releases the GIL while it decodes and encodes,
so the worker thread leaves the event loop alone. Nothing here shells out.

Checks come in two steps. ``probe_video`` reads only the container header: cheap, but a header can lie.
``transcode`` then bounds the real work: every decoded frame's timestamp is held to ``max_seconds``, the
frame count to what ``MAX_FPS`` allows, each frame's size to the same limits as the header's, and the
whole run to a ``time.monotonic()`` deadline checked per packet.

Only the MP4 and QuickTime demuxer (``mov``) and the Matroska demuxer (for WebM) are ever opened, chosen
from the file's first bytes, so a hostile upload never reaches FFmpeg's other demuxers.

The output carries no metadata of the upload: no title, artist, comment, creation time, location,
handler name or encoder string (muxer and encoders run bit-exact, which also drops FFmpeg's "Lavf"/"Lavc"
tags). libx264 still writes its own version and settings into the stream, as every H.264 file from it does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import av
import av.error
from av.codec.context import Flags

MAX_SECONDS = 300.0
MAX_SIDE = 8192
MAX_PIXELS = 40_000_000
MIN_SIDE = 64
MAX_FPS = 240
MAX_STREAMS = 8              # video, audio, and the timecode/metadata tracks phones and editors add
MAX_SHORT_SIDE = 1080        # "1080p", landscape or portrait
MAX_LONG_SIDE = 1920
POSTER_AT = 1.0              # seconds in; shorter videos get their first frame
DEFAULT_TIMEOUT = 600.0
DEFAULT_CRF = 23
DEFAULT_PRESET = "veryfast"
AUDIO_BITRATE = 128_000
MAX_TRANSCODES = 1           # at once per process: libx264 already uses both cores of the server

VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "prores", "mpeg4", "mjpeg", "png", "qtrle"})
AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "vorbis", "alac", "flac", "ac3", "eac3",
                          "pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_f32le", "pcm_f32be"})
AAC_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000})
# HEIF/AVIF pictures and sequences share MP4's box structure; they are images, not entries' videos.
IMAGE_BRANDS = frozenset({"mif1", "msf1", "heic", "heix", "heim", "heis", "hevc", "hevx", "avif", "avis", "jp2 "})
# Box types a QuickTime file may start with (old .mov files have no ftyp).
_MOV_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"})
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# A file is truncated when it decodes to this much less than its header claims (streams may end a little apart).
TRUNCATION_SLACK_S = 0.5
TRUNCATION_SLACK = 0.05
_HEAD_BYTES = 64
_TMP_SUFFIX = ".part"


class VideoReason(StrEnum):
    """Machine-readable refusal codes; the lead words each one for the person who uploaded the file."""

    UNSUPPORTED = "unsupported"            # not MP4/MOV/WebM, or a codec outside VIDEO_CODECS/AUDIO_CODECS
    NO_VIDEO = "no_video"
    TOO_MANY_STREAMS = "too_many_streams"
    TOO_LONG = "too_long"                  # seconds
    TOO_LARGE = "too_large"                # a side, in pixels
    TOO_MANY_PIXELS = "too_many_pixels"    # width x height
    TOO_SMALL = "too_small"                # the shorter side, in pixels
    BAD_FRAME_RATE = "bad_frame_rate"      # frames per second
    CORRUPT = "corrupt"                    # unreadable header, decode error, truncated stream
    TIMEOUT = "timeout"                    # seconds of work


class InvalidVideo(Exception):
    def __init__(self, reason: VideoReason, *, limit: float | str | None = None,
                 actual: float | str | None = None, detail: str = "") -> None:
        figures = f" (limit {limit}, actual {actual})" if limit is not None or actual is not None else ""
        super().__init__(f"{reason.value}{figures}{': ' + detail if detail else ''}")
        self.reason = reason
        self.limit = limit
        self.actual = actual
        self.detail = detail


@dataclass(frozen=True)
class VideoInfo:
    container: str               # "mp4" | "mov" | "webm", from the file's bytes
    duration_s: float | None     # as the header claims; None when it does not say
    width: int                   # as stored, before any display rotation
    height: int
    fps: float | None
    has_audio: bool
    video_codec: str
    audio_codec: str | None
    metadata: dict[str, str] = field(default_factory=dict)  # the container's tags, for organisers only


@dataclass(frozen=True)
class TranscodedVideo:
    path: Path
    poster_path: Path            # JPEG, upright (turned by ``rotation``)
    width: int                   # as shown: after ``rotation``
    height: int
    rotation: int                # degrees counter-clockwise the player turns the stored frames (phones held upright)
    duration_s: float            # decoded, not claimed
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Limits:
    max_seconds: float = MAX_SECONDS
    max_side: int = MAX_SIDE
    max_pixels: int = MAX_PIXELS
    min_side: int = MIN_SIDE
    max_fps: float = MAX_FPS
    max_streams: int = MAX_STREAMS


def probe_video(path: Path, *, limits: Limits = Limits()) -> VideoInfo:
    """What the video at ``path`` claims to be, from its header only. Raises ``InvalidVideo``."""
    kind, demuxer = container_kind(path)
    with _open(path, demuxer, limits) as source:
        return _checked_info(source, kind, limits)


def container_kind(path: Path) -> tuple[str, str]:
    """("mp4" | "mov" | "webm", the FFmpeg demuxer to read it with), from the first bytes."""
    with path.open("rb") as file:
        head = file.read(_HEAD_BYTES)
    if head[4:8] in _MOV_FIRST_BOXES:
        brand = head[8:12].decode("latin-1") if head[4:8] == b"ftyp" else "qt  "
        if brand in IMAGE_BRANDS:
            raise InvalidVideo(VideoReason.UNSUPPORTED, actual=brand.strip())
        return ("mov" if brand == "qt  " else "mp4"), "mov"
    if head.startswith(_EBML_MAGIC):
        doc_type = _ebml_doc_type(head)
        if doc_type != "webm":
            raise InvalidVideo(VideoReason.UNSUPPORTED, actual=doc_type or "ebml")
        return "webm", "matroska"
    raise InvalidVideo(VideoReason.UNSUPPORTED, detail="not an MP4, MOV or WebM file")


def _ebml_doc_type(head: bytes) -> str | None:
    at = head.find(b"\x42\x82")  # DocType, with a one-byte size in every muxer's output
    if at < 0 or at + 3 > len(head) or not head[at + 2] & 0x80:
        return None
    size = head[at + 2] & 0x7F
    return head[at + 3:at + 3 + size].decode("ascii", "replace")


@contextmanager
def _open(path: Path, demuxer: str, limits: Limits) -> Iterator[av.container.InputContainer]:
    try:
        source = av.open(str(path), format=demuxer, metadata_errors="replace")
    except av.error.FFmpegError as exc:
        raise InvalidVideo(VideoReason.CORRUPT, detail=str(exc)) from exc
    with source:
        for stream in source.streams.video:
            # The decoder refuses frames larger than the limit before allocating them, whatever the header said.
            stream.codec_context.options = {"max_pixels": str(limits.max_pixels)}
        yield source


def _checked_info(source: av.container.InputContainer, kind: str, limits: Limits) -> VideoInfo:
    if len(source.streams) > limits.max_streams:
        raise InvalidVideo(VideoReason.TOO_MANY_STREAMS, limit=limits.max_streams, actual=len(source.streams))
    if not source.streams.video:
        raise InvalidVideo(VideoReason.NO_VIDEO)
    video = source.streams.video[0]
    audio = source.streams.audio[0] if source.streams.audio else None
    _check_codec(video.codec_context.name, VIDEO_CODECS)
    if audio is not None:
        _check_codec(audio.codec_context.name, AUDIO_CODECS)
    check_dimensions(video.codec_context.width, video.codec_context.height, limits)
    duration = _claimed_duration(source, video)
    if duration is not None and duration > limits.max_seconds:
        raise InvalidVideo(VideoReason.TOO_LONG, limit=limits.max_seconds, actual=round(duration, 3))
    rate = video.average_rate or video.guessed_rate
    if rate is not None and rate > limits.max_fps:
        raise InvalidVideo(VideoReason.BAD_FRAME_RATE, limit=limits.max_fps, actual=round(float(rate), 3))
    return VideoInfo(
        container=kind, duration_s=duration, width=video.codec_context.width, height=video.codec_context.height,
        fps=float(rate) if rate else None, has_audio=audio is not None, video_codec=video.codec_context.name,
        audio_codec=audio.codec_context.name if audio is not None else None, metadata=dict(source.metadata),
    )


def _check_codec(name: str, allowed: frozenset[str]) -> None:
    if name not in allowed:
        raise InvalidVideo(VideoReason.UNSUPPORTED, actual=name)


def check_dimensions(width: int, height: int, limits: Limits = Limits()) -> None:
    if width <= 0 or height <= 0:
        raise InvalidVideo(VideoReason.CORRUPT, detail="no frame size")
    if max(width, height) > limits.max_side:
        raise InvalidVideo(VideoReason.TOO_LARGE, limit=limits.max_side, actual=max(width, height))
    if width * height > limits.max_pixels:
        raise InvalidVideo(VideoReason.TOO_MANY_PIXELS, limit=limits.max_pixels, actual=width * height)
    if min(width, height) < limits.min_side:
        raise InvalidVideo(VideoReason.TOO_SMALL, limit=limits.min_side, actual=min(width, height))


def _claimed_duration(source: av.container.InputContainer, video: av.video.stream.VideoStream) -> float | None:
    if source.duration is not None and source.duration > 0:
        return source.duration / av.time_base
    if video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return None


def output_size(width: int, height: int, *, max_short: int = MAX_SHORT_SIDE, max_long: int = MAX_LONG_SIDE,
                ) -> tuple[int, int]:
    """(width, height) scaled down, never up, to fit ``max_short`` x ``max_long`` either way round, keeping the
    aspect ratio; both even, as H.264 in yuv420p needs."""
    scale = min(1.0, max_short / min(width, height), max_long / max(width, height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


@dataclass(frozen=True)
class _Plan:
    width: int
    height: int
    rotation: int
    crf: int
    preset: str
    claimed_s: float | None


class _Budget:
    """The transcode's bounds that only decoding can check: wall time, decoded seconds and frame count."""

    def __init__(self, limits: Limits, deadline: float | None, stop: threading.Event | None) -> None:
        self.limits = limits
        self.deadline = deadline
        self.stop = stop
        self.max_frames = int(limits.max_seconds * limits.max_fps) + 1
        self.frames = 0
        self.started = time.monotonic()

    def check_time(self) -> None:
        now = time.monotonic()
        if (self.deadline is not None and now > self.deadline) or (self.stop is not None and self.stop.is_set()):
            limit = None if self.deadline is None else round(self.deadline - self.started, 3)
            raise InvalidVideo(VideoReason.TIMEOUT, limit=limit, actual=round(now - self.started, 3))

    def check_frame(self, frame: av.VideoFrame | av.AudioFrame, start: float) -> float:
        """The frame's time from the start of the stream, once it is known to be within the limits."""
        if frame.time is None:
            raise InvalidVideo(VideoReason.CORRUPT, detail="a frame without a timestamp")
        at = frame.time - start
        if at > self.limits.max_seconds:
            raise InvalidVideo(VideoReason.TOO_LONG, limit=self.limits.max_seconds, actual=f"> {round(at, 3)}")
        if isinstance(frame, av.VideoFrame):
            self.frames += 1
            if self.frames > self.max_frames:
                raise InvalidVideo(VideoReason.BAD_FRAME_RATE, limit=self.limits.max_fps,
                                   actual=f"> {self.frames} frames in {self.limits.max_seconds} s")
            check_dimensions(frame.width, frame.height, self.limits)
        return at


def transcode(
    src: Path, out_path: Path, poster_path: Path, *, limits: Limits = Limits(), max_short_side: int = MAX_SHORT_SIDE,
    max_long_side: int = MAX_LONG_SIDE, deadline: float | None = None, stop: threading.Event | None = None,
    crf: int = DEFAULT_CRF, preset: str = DEFAULT_PRESET,
) -> TranscodedVideo:
    """Check ``src`` (``probe_video``), then write it as a clean H.264/AAC MP4 to ``out_path`` and a JPEG poster
    to ``poster_path``. Blocking; run it in a worker thread or call ``transcode_async``.

    ``deadline`` is a ``time.monotonic()`` value and ``stop`` an event, both checked per packet. Raises
    ``InvalidVideo``; nothing is left at ``out_path`` or ``poster_path`` then.
    """
    budget = _Budget(limits, deadline, stop)
    kind, demuxer = container_kind(src)
    tmp_video, tmp_poster = _temp_path(out_path), _temp_path(poster_path)
    try:
        with _open(src, demuxer, limits) as source:
            info = _checked_info(source, kind, limits)
            rotation = _rotation(source, budget)
        width, height = output_size(info.width, info.height, max_short=max_short_side, max_long=max_long_side)
        plan = _Plan(width, height, rotation, crf, preset, info.duration_s)
        with _open(src, demuxer, limits) as source:
            duration = _transcode(source, tmp_video, tmp_poster, plan, budget)
        os.replace(tmp_poster, poster_path)
        os.replace(tmp_video, out_path)
    except av.error.FFmpegError as exc:
        _remove(tmp_video, tmp_poster, poster_path)
        raise InvalidVideo(VideoReason.CORRUPT, detail=str(exc)) from exc
    except BaseException:
        _remove(tmp_video, tmp_poster, poster_path)
        raise
    size_bytes, sha256 = _file_digest(out_path)
    shown = (height, width) if rotation % 180 else (width, height)
    return TranscodedVideo(out_path, poster_path, *shown, rotation, round(duration, 3), size_bytes, sha256)


def _rotation(source: av.container.InputContainer, budget: _Budget) -> int:
    """The display rotation of the first frame: the output's track must say it before its first frame is encoded,
    and PyAV shows it on decoded frames only."""
    for packet in source.demux(source.streams.video[0]):
        budget.check_time()
        for frame in packet.decode():
            return int(frame.rotation) % 360
    return 0


def _transcode(source: av.container.InputContainer, out_path: Path, poster_path: Path, plan: _Plan,
               budget: _Budget) -> float:
    """Write the MP4 and the poster; the decoded duration, from the first frame to the end of the last one."""
    video_in = source.streams.video[0]
    audio_in = source.streams.audio[0] if source.streams.audio else None
    video_in.thread_type = "AUTO"
    options = {"movflags": "+faststart", "fflags": "+bitexact"}
    with av.open(str(out_path), "w", format="mp4", options=options) as out:
        video_out = _video_stream(out, video_in, plan)
        audio = _AudioTrack(out, audio_in) if audio_in is not None else None
        poster: tuple[av.VideoFrame, float] | None = None
        end = 0.0
        for frame, at in _frames(source, (video_in, audio_in) if audio_in else (video_in,), budget):
            end = max(end, at + _length(frame))
            if isinstance(frame, av.AudioFrame):
                if audio is not None:
                    audio.write(frame)
                continue
            scaled = frame.reformat(plan.width, plan.height, "yuv420p", interpolation="BICUBIC")
            if poster is None or poster[1] < POSTER_AT <= at:
                poster = (scaled, at)
            out.mux(video_out.encode(scaled))
        if poster is None:
            raise InvalidVideo(VideoReason.CORRUPT, detail="no frame decodes")
        out.mux(video_out.encode(None))
        if audio is not None:
            audio.flush()
    _check_complete(end, plan.claimed_s)
    poster[0].to_image().rotate(plan.rotation, expand=True).save(poster_path, "JPEG", quality=90)
    return end


def _frames(source: av.container.InputContainer, streams: tuple[av.stream.Stream, ...], budget: _Budget,
            ) -> Iterator[tuple[av.VideoFrame | av.AudioFrame, float]]:
    """Each decoded frame with its time from the start, in the order the file holds them, within ``budget``."""
    start = source.start_time / av.time_base if source.start_time is not None else 0.0
    for packet in source.demux(*streams):
        budget.check_time()
        for frame in packet.decode():
            if isinstance(frame, av.VideoFrame | av.AudioFrame):
                yield frame, budget.check_frame(frame, start)


def _length(frame: av.VideoFrame | av.AudioFrame) -> float:
    if isinstance(frame, av.AudioFrame):
        return frame.samples / frame.sample_rate if frame.sample_rate else 0.0
    return float(frame.duration * frame.time_base) if frame.duration and frame.time_base else 0.0


def _check_complete(decoded_s: float, claimed_s: float | None) -> None:
    """A file cut short (an interrupted upload or copy) decodes to less than its header claims."""
    if claimed_s is not None and claimed_s - decoded_s > max(TRUNCATION_SLACK_S, claimed_s * TRUNCATION_SLACK):
        raise InvalidVideo(VideoReason.CORRUPT, limit=round(claimed_s, 3), actual=round(decoded_s, 3),
                           detail="truncated")


def _video_stream(out: av.container.OutputContainer, video_in: av.video.stream.VideoStream, plan: _Plan,
                  ) -> av.video.stream.VideoStream:
    stream = out.add_stream("libx264", options={"preset": plan.preset, "crf": str(plan.crf)})
    if plan.rotation:
        stream.set_display_rotation(plan.rotation)
    context = stream.codec_context
    context.width, context.height, context.pix_fmt = plan.width, plan.height, "yuv420p"
    context.time_base = video_in.time_base or Fraction(1, 90_000)
    if video_in.average_rate:
        context.framerate = video_in.average_rate
    context.thread_count = 0  # libx264 picks one per core
    context.flags |= Flags.bitexact
    stream.time_base = context.time_base
    return stream


class _AudioTrack:
    """The first audio stream, as AAC in stereo (or mono) at its own sample rate when AAC has that rate."""

    def __init__(self, out: av.container.OutputContainer, audio_in: av.audio.stream.AudioStream) -> None:
        rate = audio_in.rate if audio_in.rate in AAC_RATES else 48_000
        layout = "mono" if audio_in.codec_context.channels == 1 else "stereo"
        self.out = out
        self.stream = out.add_stream("aac", rate=rate, layout=layout)
        self.stream.codec_context.bit_rate = AUDIO_BITRATE
        self.stream.codec_context.flags |= Flags.bitexact
        self.resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate, frame_size=1024)

    def write(self, frame: av.AudioFrame | None) -> None:
        for resampled in self.resampler.resample(frame):
            self.out.mux(self.stream.encode(resampled))

    def flush(self) -> None:
        self.write(None)
        self.out.mux(self.stream.encode(None))


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}{_TMP_SUFFIX}")


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _file_digest(path: Path) -> tuple[int, str]:
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256")
    return path.stat().st_size, digest.hexdigest()


async def probe_video_async(path: Path, *, limits: Limits = Limits()) -> VideoInfo:
    """``probe_video`` in a worker thread. Probes read headers only, so they do not queue behind transcodes."""
    async with probe_limiter():
        return await anyio.to_thread.run_sync(partial(probe_video, path, limits=limits))


async def transcode_async(src: Path, out_path: Path, poster_path: Path, *, timeout: float = DEFAULT_TIMEOUT,
                          limiter: anyio.CapacityLimiter | None = None, **options: Any) -> TranscodedVideo:
    """``transcode`` in a worker thread, at most ``default_limiter().total_tokens`` at once, within ``timeout`` s
    of getting a slot (``InvalidVideo(TIMEOUT)`` after). ``options`` are ``transcode``'s keyword arguments.

    If the caller is cancelled, the worker stops at its next packet and removes what it wrote.
    """
    async with limiter or default_limiter():
        stop = threading.Event()
        work = partial(transcode, src, out_path, poster_path, deadline=time.monotonic() + timeout, stop=stop,
                       **options)
        try:
            return await anyio.to_thread.run_sync(partial(_at_low_priority, work), abandon_on_cancel=True)
        finally:
            stop.set()


TRANSCODE_NICENESS = 10
_T = TypeVar("_T")


def _at_low_priority(work: Callable[[], _T]) -> _T:
    """Run `work` in a thread of its own at a lower CPU priority, which libx264's threads inherit: on a
    two-core server the encoder otherwise takes the cores from the event loop (the contest home page's p99
    tripled during a transcode; at niceness 10 it stayed under 1.5x idle, benchmarks/media.py). A thread of
    its own because a pool thread cannot get its priority back without privileges."""
    outcome: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        with contextlib.suppress(OSError):  # e.g. a sandbox that forbids it: run at normal priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), TRANSCODE_NICENESS)
        try:
            outcome.append(work())
        except BaseException as exc:  # noqa: BLE001  # handed to the waiting thread, raised there
            failure.append(exc)

    thread = threading.Thread(target=run, name="transcode", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


_limiter: anyio.CapacityLimiter | None = None
_probe_limiter: anyio.CapacityLimiter | None = None


def default_limiter() -> anyio.CapacityLimiter:
    """The process's bound on concurrent transcodes (``MAX_TRANSCODES`` unless ``set_max_transcodes`` says)."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(MAX_TRANSCODES)
    return _limiter


def set_max_transcodes(total: int) -> None:
    default_limiter().total_tokens = total


def probe_limiter() -> anyio.CapacityLimiter:
    global _probe_limiter
    if _probe_limiter is None:
        _probe_limiter = anyio.CapacityLimiter(os.cpu_count() or 1)
    return _probe_limiter
