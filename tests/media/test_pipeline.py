from __future__ import annotations

import hashlib
import io
import time
import zipfile
from pathlib import Path

import anyio
import pytest
from PIL import Image, ImageChops, ImageStat
from PIL.PngImagePlugin import PngInfo

from contest.media.pipeline import SIZES, ProcessedImage, clean_copy, process_image, process_image_async
from contest.media.sniffing import InvalidImage, Reason
from contest.media.storage import derived_filename
from tests import imagegen
from tests.media.containers import container_names, webp_chunks

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

KEY = "0123456789abcdef0123456789abcdef"
JUDGE_SIZES = ("judging", "thumb")  # what contest/web/judge/scoring.py serves
CLEAN_JPEG = ["DQT", "DQT", "SOF0", "DHT", "DHT", "DHT", "DHT", "SOS"]
# strings that only exist inside metadata blocks
METADATA_TELLS = [imagegen.MARKER.encode(), imagegen.MARKER.encode("utf-16-be"), b"Exif\x00", b"http://ns.adobe.com",
                  b"ICC_PROFILE", b"Photoshop 3.0", b"8BIM", b"acsp", b"xpacket", b"GPS"]


def _process(tmp_path: Path, data: bytes) -> ProcessedImage:
    tmp_path.mkdir(exist_ok=True)
    src = tmp_path / "src"
    src.write_bytes(data)
    return process_image(src, tmp_path / "out", KEY)


def _open(path: Path) -> Image.Image:
    with Image.open(path) as im:
        im.load()
        return im


def _open_bytes(data: bytes) -> Image.Image:
    return _open(io.BytesIO(data))  # type: ignore[arg-type]  # Image.open reads a file object as well as a path


def _close(pixel: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def test_derivative_set_sizes_and_names(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.jpeg((3000, 2000)))
    assert [(d.name, d.format, d.width, d.height) for d in result.derivatives] == [
        ("judging", "WEBP", 2560, 1707), ("judging", "JPEG", 2560, 1707),
        ("display", "WEBP", 1280, 853), ("display", "JPEG", 1280, 853),
        ("thumb", "WEBP", 400, 267), ("thumb", "JPEG", 400, 267),
    ]
    assert [d.path.name for d in result.derivatives] == [derived_filename(KEY, d.name, d.format) for d in result.derivatives]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(d.path.name for d in result.derivatives)


def test_derivative_facts_match_files_on_disk(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.png((900, 700)))
    for d in result.derivatives:
        data = d.path.read_bytes()
        assert (d.bytes, d.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert _open(d.path).size == (d.width, d.height)
        assert _open(d.path).format == d.format


def test_original_facts(tmp_path: Path) -> None:
    data = imagegen.webp((900, 700))
    result = _process(tmp_path, data)
    assert (result.key, result.format, result.width, result.height, result.bytes, result.sha256, result.has_alpha) == (
        KEY, "WEBP", 900, 700, len(data), hashlib.sha256(data).hexdigest(), False)


def test_small_images_are_scaled_up_to_the_next_fixed_size(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.jpeg((500, 300)))
    assert [(d.width, d.height) for d in result.derivatives] == [(640, 384)] * 4 + [(400, 240)] * 2


CLASSES = {  # originals of one aspect ratio (3:2) -> the size of every copy: judging, display, thumb
    640: ([(96, 64), (600, 400), (639, 426)], [(640, 427), (640, 427), (400, 267)]),
    1280: ([(642, 428), (900, 600), (1280, 853)], [(1280, 853), (1280, 853), (400, 267)]),
    2560: ([(1500, 1000), (2559, 1706), (6000, 4000)], [(2560, 1707), (1280, 853), (400, 267)]),
}


@pytest.mark.parametrize(("size", "expected"), [pytest.param(size, expected, id=f"{size[0]}x{size[1]}")
                                               for sizes, expected in CLASSES.values() for size in sizes])
def test_a_copy_tells_the_class_of_the_original_never_its_size(tmp_path: Path, size, expected) -> None:
    """A judge must not learn the original's pixel size: only its aspect ratio and its class."""
    result = _process(tmp_path, imagegen.jpeg(size))
    assert [(d.name, d.format, d.width, d.height) for d in result.derivatives] == [
        (name, fmt, *dimensions) for name, dimensions in zip(("judging", "display", "thumb"), expected, strict=True)
        for fmt in ("WEBP", "JPEG")]
    assert [_open(d.path).size for d in result.derivatives] == [(d.width, d.height) for d in result.derivatives]


def test_the_same_pixels_give_the_same_bytes_whatever_the_file_that_carried_them(tmp_path: Path) -> None:
    """Byte size, encoder and quality follow from the pixels alone: not the format, metadata or name of the original."""
    pixels = imagegen.poster((700, 500), 22)
    info = PngInfo()
    info.add_text("Author", imagegen.MARKER)
    files = [imagegen.encode(pixels, "PNG"), imagegen.encode(pixels, "PNG", pnginfo=info, dpi=(300, 300)),
             imagegen.encode(pixels, "WEBP", lossless=True, exif=imagegen.marker_exif())]
    copies = [_process(tmp_path / str(n), data) for n, data in enumerate(files)]
    assert [[d.sha256 for d in copy.derivatives if d.name != "display"] for copy in copies[1:]] == [
        [d.sha256 for d in copies[0].derivatives if d.name != "display"]] * 2


def test_long_edge_is_the_limit_for_portrait_images(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.jpeg((1000, 3000)))
    assert [(d.width, d.height) for d in result.derivatives[::2]] == [(853, 2560), (427, 1280), (133, 400)]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_ends_upright(tmp_path: Path, orientation: int) -> None:
    result = _process(tmp_path, imagegen.oriented_jpeg(orientation, (600, 400)))
    assert (result.width, result.height) == (600, 400)
    for d in result.derivatives:
        im = _open(d.path).convert("RGB")
        w, h = im.size
        assert (d.name, w, h) == (d.name, *((640, 427) if d.name != "thumb" else (400, 267)))
        assert _close(im.getpixel((w // 20, h // 20)), imagegen.RED, 40), (d.name, d.format)
        assert _close(im.getpixel((w - 1 - w // 20, h // 20)), imagegen.GREEN, 40), (d.name, d.format)
        assert _close(im.getpixel((w // 20, h - 1 - h // 20)), (128, 128, 128), 20), (d.name, d.format)


@pytest.mark.parametrize("make", [imagegen.jpeg_with_metadata, imagegen.png_with_metadata, imagegen.webp_with_metadata,
                                  imagegen.heic_photo], ids=["jpeg", "png", "webp", "heic"])
def test_no_metadata_survives_in_any_derivative(tmp_path: Path, make: object) -> None:
    data = make()  # type: ignore[operator]  # an imagegen maker: no arguments, the bytes
    assert [tell in data for tell in METADATA_TELLS[:1]] == [True]
    result = _process(tmp_path, data)
    for d in result.derivatives:
        out = d.path.read_bytes()
        assert container_names(out) == (CLEAN_JPEG if d.format == "JPEG" else ["VP8 "]), d.path.name
        assert [tell for tell in METADATA_TELLS if tell in out] == [], d.path.name
        assert _open(d.path).info.get("exif") is None
        assert _open(d.path).info.get("icc_profile") is None


def test_metadata_generators_really_carry_the_marker(tmp_path: Path) -> None:
    jpeg = imagegen.jpeg_with_metadata()
    names = container_names(jpeg)
    assert [n for n in names if n.startswith("APP") or n == "COM"] == ["APP13", "APP0", "APP1", "APP1", "APP2", "COM"]
    png_kinds = container_names(imagegen.png_with_metadata())
    assert sorted({"tEXt", "zTXt", "iTXt", "iCCP", "eXIf"} & set(png_kinds)) == ["eXIf", "iCCP", "iTXt", "tEXt", "zTXt"]
    webp_kinds = [k for k, _ in webp_chunks(imagegen.webp_with_metadata())]
    assert sorted({"EXIF", "XMP ", "ICCP"} & set(webp_kinds)) == ["EXIF", "ICCP", "XMP "]


CLEAN_CONTAINERS = {"JPEG": ["DHT", "DQT", "SOF0", "SOS"], "PNG": ["IDAT", "IEND", "IHDR", "pHYs"], "WEBP": ["VP8 "]}


@pytest.mark.parametrize("make", [imagegen.jpeg_with_metadata, imagegen.png_with_metadata, imagegen.webp_with_metadata],
                         ids=["jpeg", "png", "webp"])
def test_a_clean_copy_is_the_full_image_in_its_format_without_metadata(tmp_path: Path, make: object) -> None:
    src = tmp_path / "src"
    src.write_bytes(make())  # type: ignore[operator]  # an imagegen maker: no arguments, the bytes
    copy = clean_copy(src)
    fmt = _open(src).format
    assert (_open_bytes(copy.data).format, _open_bytes(copy.data).size) == (fmt, (800, 600))
    assert sorted(set(container_names(copy.data))) == CLEAN_CONTAINERS[fmt]
    assert [tell for tell in METADATA_TELLS if tell in copy.data] == []
    assert copy.sha256 == hashlib.sha256(copy.data).hexdigest()


def test_a_phone_heic_is_read_upright_and_its_clean_copy_is_a_jpeg_without_metadata(tmp_path: Path) -> None:
    data = imagegen.heic_photo(size=(1600, 1200))  # taken sideways: stored with a quarter turn
    result = _process(tmp_path, data)
    assert (result.format, result.width, result.height) == ("HEIF", 1200, 1600)
    assert {(d.width, d.height) for d in result.derivatives if d.name == "display"} == {(960, 1280)}
    src = tmp_path / "src.heic"
    src.write_bytes(data)
    copy = clean_copy(src).data
    assert (_open_bytes(copy).format, _open_bytes(copy).size) == ("JPEG", (1200, 1600))
    assert [tell for tell in METADATA_TELLS if tell in copy] == []


def test_a_clean_copy_is_upright_and_refuses_what_is_not_an_image(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(imagegen.oriented_jpeg(6, (600, 400)))
    upright = _open_bytes(clean_copy(src).data)
    assert upright.size == (600, 400)
    assert _close(upright.getpixel((20, 20)), imagegen.RED, 40)
    src.write_bytes(imagegen.truncated(imagegen.jpeg((600, 400)), 0.3))
    with pytest.raises(InvalidImage) as caught:
        clean_copy(src)
    assert caught.value.reason == Reason.TRUNCATED


def test_cmyk_jpeg_becomes_srgb(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.cmyk_jpeg((400, 300)))
    im = _open(result.derivative("display", "JPEG").path)
    assert im.mode == "RGB"
    w, h = im.size
    cyan, magenta = im.getpixel((w // 4, h // 2)), im.getpixel((w * 3 // 4, h // 2))
    assert (cyan[0] < 40, cyan[1] > 120, cyan[2] > 190) == (True, True, True), cyan
    assert (magenta[0] > 190, magenta[1] < 60, magenta[2] > 100) == (True, True, True), magenta


def test_icc_tagged_p3_image_is_converted_to_srgb(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.p3_jpeg((200, 100)))
    im = _open(result.derivative("judging", "JPEG").path)
    middle = (im.width // 2, im.height // 2)
    # ignoring the profile would leave the P3 numbers (about 234, 51, 34)
    assert _close(im.getpixel(middle), imagegen.RED, 8), im.getpixel(middle)
    assert im.info.get("icc_profile") is None


def test_16_bit_png_becomes_8_bit_srgb_with_the_right_values(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.png16((400, 300)))
    im = _open(result.derivative("judging", "JPEG").path)
    middle = (im.width // 2, im.height // 2)
    assert im.mode == "RGB"
    assert _close(im.getpixel(middle), (128, 128, 156), 6), im.getpixel(middle)


def test_16_bit_grey_png_becomes_rgb(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.grey16_png((300, 200)))
    im = _open(result.derivative("judging", "WEBP").path)
    middle = (im.width // 2, im.height // 2)
    assert im.mode == "RGB"
    assert _close(im.getpixel(middle), (128, 128, 128), 6), im.getpixel(middle)


def test_palette_png_transparency_kept_in_display_webp_and_flattened_on_white_elsewhere(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.palette_png_with_transparency((300, 200)))
    assert result.has_alpha is True
    display_webp = _open(result.derivative("display", "WEBP").path)
    w, h = display_webp.size
    alpha = display_webp.getpixel((w // 6, h // 2))[3], display_webp.getpixel((w * 5 // 6, h // 4))[3]
    assert (display_webp.mode, *alpha) == ("RGBA", 0, 255)
    for d in result.derivatives:
        if d.format == "JPEG" or d.name in JUDGE_SIZES:
            im = _open(d.path)
            w, h = im.size
            assert im.mode == "RGB", d.path.name
            assert _close(im.getpixel((w // 6, h // 2)), (255, 255, 255), 6), d.path.name
            assert _close(im.getpixel((w * 5 // 6, h // 4)), imagegen.RED, 30), d.path.name


def test_what_a_judge_sees_does_not_tell_whether_the_original_was_transparent(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.rgba_png((300, 200)))
    assert result.has_alpha is True
    seen = [d for d in result.derivatives if d.name in JUDGE_SIZES]
    assert [(d.name, d.format, _open(d.path).mode) for d in seen] == [
        ("judging", "WEBP", "RGB"), ("judging", "JPEG", "RGB"), ("thumb", "WEBP", "RGB"), ("thumb", "JPEG", "RGB")]
    assert [container_names(d.path.read_bytes()) for d in seen if d.format == "WEBP"] == [["VP8 "], ["VP8 "]]


def test_alpha_channel_that_is_fully_opaque_is_dropped(tmp_path: Path) -> None:
    opaque = imagegen.encode(imagegen.poster((300, 200)).convert("RGBA"), "PNG")
    result = _process(tmp_path, opaque)
    assert result.has_alpha is False
    assert container_names(result.derivative("thumb", "WEBP").path.read_bytes()) == ["VP8 "]


def test_progressive_and_grey_jpegs_are_normalised(tmp_path: Path) -> None:
    progressive = _process(tmp_path / "p", imagegen.progressive_jpeg((800, 600)))
    grey = _process(tmp_path / "g", imagegen.grey_jpeg((400, 300)))
    assert [_open(r.derivative("display", "JPEG").path).mode for r in (progressive, grey)] == ["RGB", "RGB"]
    assert container_names(progressive.derivative("display", "JPEG").path.read_bytes()) == CLEAN_JPEG


def test_mpo_uses_the_primary_image_only(tmp_path: Path) -> None:
    result = _process(tmp_path, imagegen.mpo((640, 480)))
    out = _open(result.derivative("judging", "JPEG").path).convert("RGB").resize((640, 480))
    first, second = imagegen.poster((640, 480), 8), imagegen.poster((640, 480), 9)
    diff = [sum(ImageStat.Stat(ImageChops.difference(out, frame)).mean) for frame in (first, second)]
    assert (result.format, result.width, result.height) == ("JPEG", 640, 480)
    assert diff[0] < 40 < diff[1], diff


def test_jpeg_zip_polyglot_comes_out_as_a_plain_image(tmp_path: Path) -> None:
    data = imagegen.jpeg_zip_polyglot()
    assert zipfile.is_zipfile(io.BytesIO(data)) is True
    result = _process(tmp_path, data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    for d in result.derivatives:
        out = d.path.read_bytes()
        assert (zipfile.is_zipfile(io.BytesIO(out)), b"PK\x03\x04" in out, b"<script" in out) == (False, False, False)


def test_html_in_png_text_chunk_is_dropped(tmp_path: Path) -> None:
    data = imagegen.png_with_html_chunk()
    assert b"<script>" in data
    result = _process(tmp_path, data)
    assert [d.path.name for d in result.derivatives if b"<script" in d.path.read_bytes()] == []


@pytest.mark.parametrize("hostile", imagegen.hostile_files(), ids=lambda h: h.name)
def test_hostile_files_are_refused_and_leave_nothing(tmp_path: Path, hostile: imagegen.HostileFile) -> None:
    src = tmp_path / hostile.name
    src.write_bytes(hostile.data)
    with pytest.raises(InvalidImage) as caught:
        process_image(src, tmp_path / "out", KEY)
    assert caught.value.reason == hostile.reason
    assert list((tmp_path / "out").glob("*")) == []


def test_truncated_webp_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "cut.webp"
    src.write_bytes(imagegen.truncated(imagegen.webp((600, 400)), 0.7))
    with pytest.raises(InvalidImage) as caught:
        process_image(src, tmp_path / "out", KEY)
    assert caught.value.reason in (Reason.TRUNCATED, Reason.CORRUPT)
    assert list((tmp_path / "out").glob("*")) == []


def test_passed_deadline_stops_before_writing(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(imagegen.jpeg((600, 400)))
    with pytest.raises(InvalidImage) as caught:
        process_image(src, tmp_path / "out", KEY, deadline=time.monotonic() - 1)
    assert caught.value.reason == Reason.TIMEOUT
    assert list((tmp_path / "out").glob("*")) == []


async def test_async_wrapper_gives_the_same_result(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(imagegen.jpeg((900, 600)))
    result = await process_image_async(src, tmp_path / "out", KEY, limiter=anyio.CapacityLimiter(1))
    assert [(d.name, d.format, d.width, d.height) for d in result.derivatives] == [
        (s.name, fmt, *((1280, 853) if s.name != "thumb" else (400, 267))) for s in SIZES for fmt in ("WEBP", "JPEG")]


async def test_async_wrapper_times_out_and_the_worker_cleans_up(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(imagegen.jpeg((3000, 2000)))
    with pytest.raises(InvalidImage) as caught:
        await process_image_async(src, tmp_path / "out", KEY, timeout=0.001)
    assert caught.value.reason == Reason.TIMEOUT
    await anyio.sleep(1.5)  # the abandoned thread reaches its next deadline check
    assert list((tmp_path / "out").glob("*")) == []


async def test_async_wrapper_propagates_refusals(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(imagegen.gif())
    with pytest.raises(InvalidImage) as caught:
        await process_image_async(src, tmp_path / "out", KEY)
    assert caught.value.reason == Reason.UNSUPPORTED_TYPE
