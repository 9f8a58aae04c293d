from __future__ import annotations

import shutil
import struct
import threading
import time
from pathlib import Path

import anyio
import av
import pytest
from PIL import Image

from contest.media.video import (
    InvalidVideo,
    Limits,
    VideoReason,
    default_limiter,
    output_size,
    probe_video,
    probe_video_async,
    set_max_transcodes,
    transcode,
    transcode_async,
)
from tests.media.videogen import (
    lie_about_webm_duration,
    make_audio_only,
    make_video,
    mp4_boxes,
    top_level_boxes,
)

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

PLANTED = {
    "title": "PlantedTitle", "artist": "PlantedArtist", "comment": "PlantedComment",
    "creation_time": "2019-05-04T03:02:01.000000Z", "location": "+35.6895+139.6917/",
    "encoder": "PlantedEncoder", "copyright": "PlantedCopyright",
}
HANDLER = "PlantedHandler"
# What an FFmpeg muxer or encoder writes about itself unless told to be bit-exact
ENCODER_TELLS = [b"Lavf", b"Lavc"]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    for kind in ("mp4", "mov", "webm"):
        make_video(folder / f"in.{kind}", kind=kind, metadata=PLANTED, stream_metadata={"handler_name": HANDLER})
    make_video(folder / "two_seconds.webm", kind="webm", seconds=2)
    return folder


def _src(videos: Path, tmp_path: Path, name: str) -> Path:
    src = tmp_path / "upload"
    shutil.copyfile(videos / name, src)  # no telling extension: the kind comes from the bytes
    return src


def _run(src: Path, **options: object) -> tuple[Path, Path]:
    out, poster = src.parent / "out.mp4", src.parent / "poster.jpg"
    transcode(src, out, poster, **options)  # type: ignore[arg-type]
    return out, poster


def _refused(src: Path, **options: object) -> InvalidVideo:
    with pytest.raises(InvalidVideo) as caught:
        _run(src, **options)
    assert sorted(p.name for p in src.parent.iterdir()) == [src.name], "a refusal leaves nothing behind"
    return caught.value


@pytest.mark.parametrize("kind", ["mp4", "mov", "webm"])
def test_probe_reports_the_container_from_the_bytes(videos: Path, tmp_path: Path, kind: str) -> None:
    info = probe_video(_src(videos, tmp_path, f"in.{kind}"))
    assert (info.container, info.width, info.height, info.has_audio) == (kind, 160, 120, True)
    assert info.fps == 10
    assert info.duration_s == pytest.approx(1.0, abs=0.05)
    assert info.video_codec == {"webm": "vp9"}.get(kind, "h264")
    assert "PlantedTitle" in info.metadata.values(), "organisers may see what the upload said"


@pytest.mark.parametrize("kind", ["mp4", "mov", "webm"])
def test_each_container_becomes_a_faststart_h264_aac_mp4_with_a_poster(videos: Path, tmp_path: Path,
                                                                       kind: str) -> None:
    src = _src(videos, tmp_path, f"in.{kind}")
    result = transcode(src, tmp_path / "out.mp4", tmp_path / "poster.jpg")
    data = result.path.read_bytes()
    boxes = top_level_boxes(data)
    assert boxes.index(b"moov") < boxes.index(b"mdat")
    with av.open(str(result.path)) as out:
        assert out.format.name.startswith("mov,mp4")
        video, audio = out.streams.video[0], out.streams.audio[0]
        assert (video.codec_context.name, video.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert (video.codec_context.width, video.codec_context.height) == (160, 120)
        assert audio.codec_context.name == "aac"
        assert video.frames == 10
    assert (result.width, result.height, result.rotation, result.bytes) == (160, 120, 0, len(data))
    assert result.duration_s == pytest.approx(1.0, abs=0.05)
    with Image.open(result.poster_path) as poster:
        assert (poster.format, poster.size) == ("JPEG", (160, 120))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4", "poster.jpg", "upload"], "no temp files left"


@pytest.mark.parametrize("kind", ["mp4", "mov", "webm"])
def test_no_planted_metadata_or_encoder_string_survives(videos: Path, tmp_path: Path, kind: str) -> None:
    src = _src(videos, tmp_path, f"in.{kind}")
    planted = [value.encode() for value in PLANTED.values()] + [HANDLER.encode(), b"Lavf62"]
    assert any(tell in src.read_bytes() for tell in planted), "the input really carries the planted tags"
    out, _ = _run(src)
    data = out.read_bytes()
    assert [tell for tell in planted + ENCODER_TELLS if tell in data] == []
    assert [tell for tell in (b"Planted", b"35.6895", b"2019-05") if tell in data] == []
    with av.open(str(out)) as video:
        assert set(video.metadata) <= {"major_brand", "minor_version", "compatible_brands"}
        assert {s.metadata.get("handler_name") for s in video.streams} == {"VideoHandler", "SoundHandler"}


def _header_times(data: bytes) -> list[tuple[int, int]]:
    """(creation, modification) time of every mvhd, tkhd and mdhd box (version 0: after the version and flags)."""
    offsets = [offset for kind, offset in mp4_boxes(data) if kind in (b"mvhd", b"tkhd", b"mdhd")]
    return [struct.unpack(">II", data[at + 12:at + 20]) for at in offsets]


def test_creation_and_modification_times_are_zero(videos: Path, tmp_path: Path) -> None:
    src = _src(videos, tmp_path, "in.mov")
    assert (0, 0) not in _header_times(src.read_bytes()), "the input carries its planted creation time"
    out, _ = _run(src)
    assert _header_times(out.read_bytes()) == [(0, 0)] * 5  # one movie, two tracks with a media header each


def test_a_portrait_phone_video_keeps_its_rotation_and_gets_an_upright_poster(tmp_path: Path) -> None:
    src = make_video(tmp_path / "upload", rotation=90)
    result = transcode(src, tmp_path / "out.mp4", tmp_path / "poster.jpg")
    assert (result.rotation, result.width, result.height) == (90, 120, 160)
    with av.open(str(result.path)) as out:
        assert next(out.decode(video=0)).rotation == 90
    with Image.open(result.poster_path) as poster:
        grey = poster.convert("L")
    assert grey.size == (120, 160)
    # the stored frame's white top-left quadrant is at the bottom left once turned 90 degrees counter-clockwise
    assert grey.getpixel((20, 140)) == pytest.approx(255, abs=20)
    assert grey.getpixel((100, 20)) == pytest.approx(150, abs=60)


def test_large_videos_are_scaled_down_to_even_sides_keeping_the_aspect_ratio(tmp_path: Path) -> None:
    src = make_video(tmp_path / "upload", size=(320, 200), audio=False)
    result = transcode(src, tmp_path / "out.mp4", tmp_path / "poster.jpg", max_short_side=75, max_long_side=400)
    assert (result.width, result.height) == (120, 74)
    with av.open(str(result.path)) as out:
        assert (out.streams.video[0].codec_context.width, out.streams.video[0].codec_context.height) == (120, 74)
        assert not out.streams.audio


@pytest.mark.parametrize(("size", "expected"), [
    ((3840, 2160), (1920, 1080)),
    ((2160, 3840), (1080, 1920)),
    ((4000, 3000), (1440, 1080)),
    ((1920, 1080), (1920, 1080)),
    ((5000, 1000), (1920, 384)),
    ((161, 121), (160, 120)),
    ((100, 100), (100, 100)),  # never up
])
def test_output_size_fits_1080p_either_way_round(size: tuple[int, int], expected: tuple[int, int]) -> None:
    assert output_size(*size) == expected


def test_a_side_beyond_8192_pixels_is_too_large(tmp_path: Path) -> None:
    src = make_video(tmp_path / "upload", size=(8200, 64), seconds=0.1, audio=False)
    refusal = _refused(src)
    assert (refusal.reason, refusal.limit, refusal.actual) == (VideoReason.TOO_LARGE, 8192, 8200)


def test_too_many_pixels(videos: Path, tmp_path: Path) -> None:
    refusal = _refused(_src(videos, tmp_path, "in.mp4"), limits=Limits(max_pixels=10_000))
    assert (refusal.reason, refusal.limit, refusal.actual) == (VideoReason.TOO_MANY_PIXELS, 10_000, 19_200)


def test_a_tiny_video_is_too_small(tmp_path: Path) -> None:
    refusal = _refused(make_video(tmp_path / "upload", size=(96, 48), seconds=0.1, audio=False))
    assert (refusal.reason, refusal.limit, refusal.actual) == (VideoReason.TOO_SMALL, 64, 48)


def test_a_header_claiming_more_than_max_seconds_is_refused_before_decoding(videos: Path, tmp_path: Path) -> None:
    src = _src(videos, tmp_path, "two_seconds.webm")
    with pytest.raises(InvalidVideo) as caught:
        probe_video(src, limits=Limits(max_seconds=1))
    assert (caught.value.reason, caught.value.limit) == (VideoReason.TOO_LONG, 1)
    assert caught.value.actual == pytest.approx(2.0, abs=0.05)
    assert _refused(src, limits=Limits(max_seconds=1)).reason == VideoReason.TOO_LONG


def test_a_header_that_lies_about_its_length_is_stopped_while_decoding(videos: Path, tmp_path: Path) -> None:
    src = _src(videos, tmp_path, "two_seconds.webm")
    lie_about_webm_duration(src, milliseconds=100)
    assert probe_video(src, limits=Limits(max_seconds=1)).duration_s == pytest.approx(0.1)
    refusal = _refused(src, limits=Limits(max_seconds=1))
    assert (refusal.reason, refusal.limit) == (VideoReason.TOO_LONG, 1)
    assert str(refusal.actual).startswith("> 1.")


def test_a_frame_rate_beyond_the_limit_is_refused(videos: Path, tmp_path: Path) -> None:
    refusal = _refused(_src(videos, tmp_path, "in.mp4"), limits=Limits(max_fps=5))
    assert (refusal.reason, refusal.limit, refusal.actual) == (VideoReason.BAD_FRAME_RATE, 5, 10)


def test_too_many_streams(videos: Path, tmp_path: Path) -> None:
    refusal = _refused(_src(videos, tmp_path, "in.mp4"), limits=Limits(max_streams=1))
    assert (refusal.reason, refusal.limit, refusal.actual) == (VideoReason.TOO_MANY_STREAMS, 1, 2)


@pytest.mark.parametrize("kind", ["mp4", "mov", "webm"])
def test_a_file_cut_in_half_is_corrupt(videos: Path, tmp_path: Path, kind: str) -> None:
    src = tmp_path / "upload"
    whole = (videos / "two_seconds.webm").read_bytes() if kind == "webm" else (videos / f"in.{kind}").read_bytes()
    src.write_bytes(whole[: len(whole) // 2])
    assert _refused(src).reason == VideoReason.CORRUPT


def test_a_faststart_file_cut_in_half_is_corrupt(videos: Path, tmp_path: Path) -> None:
    out, _ = _run(_src(videos, tmp_path, "in.mp4"))
    whole = out.read_bytes()
    folder = tmp_path / "cut"
    folder.mkdir()
    (folder / "upload").write_bytes(whole[: len(whole) // 2])
    assert _refused(folder / "upload").reason == VideoReason.CORRUPT


def test_a_jpeg_is_not_a_video(tmp_path: Path) -> None:
    Image.new("RGB", (200, 100), "red").save(tmp_path / "upload", "JPEG")
    assert _refused(tmp_path / "upload").reason == VideoReason.UNSUPPORTED


def test_an_avif_picture_is_not_a_video(tmp_path: Path) -> None:
    (tmp_path / "upload").write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64))
    refusal = _refused(tmp_path / "upload")
    assert (refusal.reason, refusal.actual) == (VideoReason.UNSUPPORTED, "avif")


def test_matroska_that_is_not_webm_is_unsupported(tmp_path: Path) -> None:
    refusal = _refused(make_video(tmp_path / "upload", kind="mkv"))
    assert (refusal.reason, refusal.actual) == (VideoReason.UNSUPPORTED, "matroska")


def test_a_codec_outside_the_list_is_unsupported(tmp_path: Path) -> None:
    refusal = _refused(make_video(tmp_path / "upload", kind="mov", codec="mpeg2video", audio=False))
    assert (refusal.reason, refusal.actual) == (VideoReason.UNSUPPORTED, "mpeg2video")


def test_an_audio_only_file_has_no_video(tmp_path: Path) -> None:
    assert _refused(make_audio_only(tmp_path / "upload")).reason == VideoReason.NO_VIDEO


def test_a_passed_deadline_or_a_stop_request_ends_the_transcode(videos: Path, tmp_path: Path) -> None:
    src = _src(videos, tmp_path, "in.mp4")
    assert _refused(src, deadline=time.monotonic() - 1).reason == VideoReason.TIMEOUT
    stop = threading.Event()
    stop.set()
    assert _refused(src, stop=stop).reason == VideoReason.TIMEOUT


async def test_async_wrappers_give_what_the_blocking_functions_give(videos: Path, tmp_path: Path) -> None:
    src = _src(videos, tmp_path, "in.webm")
    assert await probe_video_async(src) == probe_video(src)
    blocking = transcode(src, tmp_path / "a.mp4", tmp_path / "a.jpg")
    in_thread = await transcode_async(src, tmp_path / "b.mp4", tmp_path / "b.jpg")
    assert in_thread.sha256 == blocking.sha256, "bit-exact output: same input, same bytes"


async def test_at_most_the_configured_number_of_transcodes_run_at_once(videos: Path, tmp_path: Path) -> None:
    src = _src(videos, tmp_path, "in.mp4")
    running, most, lock = 0, 0, threading.Lock()
    pairs = threading.Barrier(2, timeout=30)  # breaks (and fails the test) if two never run together

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        pairs.wait()
        try:
            return transcode(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                running -= 1

    set_max_transcodes(2)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("contest.media.video.transcode", counting)
            async with anyio.create_task_group() as tasks:
                for n in range(4):
                    tasks.start_soon(transcode_async, src, tmp_path / f"{n}.mp4", tmp_path / f"{n}.jpg")
    finally:
        set_max_transcodes(1)
    assert default_limiter().total_tokens == 1
    assert most == 2
    assert len(list(tmp_path.glob("*.mp4"))) == 4
