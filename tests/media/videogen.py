"""Small test videos made in code with PyAV, and byte-level views of MP4/WebM files to prove what they contain."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from contest.media.storage import Storage, new_key, original_name

# container -> (PyAV format, video codec, audio codec)
FORMATS = {
    "mp4": ("mp4", "libx264", "aac"),
    "mov": ("mov", "libx264", "aac"),
    "webm": ("webm", "libvpx-vp9", "libopus"),
    "mkv": ("matroska", "libx264", "aac"),
}
_FAST: dict[str, dict[str, object]] = {
    "libx264": {"preset": "ultrafast"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8"},
}
# The part of an MP4 box tree that holds children (everything else is a leaf for mp4_boxes).
_PARENTS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf"}


def make_video(
    path: Path, *, kind: str = "mp4", size: tuple[int, int] = (160, 120), seconds: float = 1.0, fps: int = 10,
    audio: bool = True, rotation: int = 0, codec: str | None = None,
    metadata: dict[str, str] | None = None, stream_metadata: dict[str, str] | None = None,
) -> Path:
    """A video of a colour sweep (and a sine tone when ``audio``), ``seconds`` long, with the metadata and display
    rotation given."""
    fmt, default_codec, audio_codec = FORMATS[kind]
    video_codec = codec or default_codec
    width, height = size
    with av.open(str(path), "w", format=fmt) as out:
        out.metadata.update(metadata or {})
        video = out.add_stream(video_codec, rate=fps)
        assert isinstance(video, av.video.stream.VideoStream)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = _FAST.get(video_codec, {})
        video.metadata.update(stream_metadata or {})
        if rotation:
            video.set_display_rotation(rotation)
        sound = _audio_stream(out, audio_codec) if audio else None
        if sound is not None:
            sound.metadata.update(stream_metadata or {})
        for index in range(round(seconds * fps)):
            out.mux(video.encode(_frame(index, width, height)))
        out.mux(video.encode(None))
        if sound is not None:
            _write_tone(out, sound, seconds)
    return path


def make_audio_only(path: Path, seconds: float = 1.0) -> Path:
    with av.open(str(path), "w", format="mp4") as out:
        _write_tone(out, _audio_stream(out, "aac"), seconds)
    return path


def _audio_stream(out: av.container.OutputContainer, codec: str) -> av.audio.stream.AudioStream:
    stream = out.add_stream(codec, rate=48000)
    assert isinstance(stream, av.audio.stream.AudioStream)
    return stream


def _frame(index: int, width: int, height: int) -> av.VideoFrame:
    shade = (index * 23) % 256
    pixels = np.full((height, width, 3), (shade, 255 - shade, 128), dtype=np.uint8)
    pixels[: height // 2, : width // 2] = (255, 255, 255)
    frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
    frame.pts = index
    return frame


def _write_tone(out: av.container.OutputContainer, sound: av.audio.stream.AudioStream, seconds: float) -> None:
    rate, size = 48000, 1024
    for start in range(0, round(seconds * rate), size):
        t = (np.arange(start, start + size) / rate).astype(np.float32)
        samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        out.mux(sound.encode(frame))
    out.mux(sound.encode(None))


def mp4_boxes(data: bytes, start: int = 0, end: int | None = None, *, descend: bool = True) -> list[tuple[bytes, int]]:
    """(type, offset) of every box, depth first, descending into the usual container boxes when ``descend``."""
    boxes, pos, end = [], start, len(data) if end is None else end
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        size = size or end - pos
        boxes.append((kind, pos))
        if descend and kind in _PARENTS:
            boxes += mp4_boxes(data, pos + header, pos + size)
        pos += size
    return boxes


def top_level_boxes(data: bytes) -> list[bytes]:
    return [kind for kind, _ in mp4_boxes(data, descend=False)]


def lie_about_webm_duration(path: Path, milliseconds: float) -> None:
    """Overwrite the Segment Info's Duration (a float in TimestampScale units, ms by default)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"\x44\x89\x88") + 3
    data[at:at + 8] = struct.pack(">d", milliseconds)
    path.write_bytes(bytes(data))


async def store_video(store: Storage, *, seconds: float) -> str:
    """A generated video stored as an original, on whichever backend `store` is; returns its key."""
    key = new_key()
    store.ensure_dirs()
    path = store.tmp / f"{key}.mp4"
    make_video(path, seconds=seconds)
    await store.store_file(original_name(key), path)
    return key
