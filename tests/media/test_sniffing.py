from __future__ import annotations

from pathlib import Path

import pytest

from contest.media.sniffing import (
    MAX_PIXELS,
    MAX_SIDE,
    MIN_SIDE,
    ImageInfo,
    InvalidImage,
    Reason,
    identify,
    inspect_image,
    sniff,
)
from tests import imagegen

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


def _write(tmp_path: Path, data: bytes, name: str = "upload") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _reason(path: Path) -> Reason:
    with pytest.raises(InvalidImage) as caught:
        inspect_image(path)
    return caught.value.reason


@pytest.mark.parametrize(("data", "kind"), [
    (imagegen.jpeg((100, 80)), "jpeg"), (imagegen.png((100, 80)), "png"), (imagegen.webp((100, 80)), "webp"),
    (imagegen.gif(), "gif"), (imagegen.tiff(), "tiff"), (imagegen.bmp(), "bmp"), (imagegen.psd(), "psd"),
    (imagegen.eps(), "eps"), (imagegen.eps_dos_binary(), "eps"), (imagegen.pdf(), "pdf"),
    (imagegen.zip_archive(), "zip"), (imagegen.avif(), "avif"), (imagegen.heic_like(), "heic"),
    (imagegen.html(), "html"), (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg"), (imagegen.svg(), "xml"),
    (imagegen.garbage(), "unknown"),
])
def test_identify_names_the_real_type(data: bytes, kind: str) -> None:
    assert identify(data[:64]) == kind


def test_sniff_accepts_exactly_jpeg_png_webp() -> None:
    assert [sniff(imagegen.jpeg((80, 80))), sniff(imagegen.png((80, 80))), sniff(imagegen.webp((80, 80)))] == [
        "JPEG", "PNG", "WEBP"]


def test_sniff_refuses_empty_and_foreign_bytes() -> None:
    with pytest.raises(InvalidImage) as empty:
        sniff(b"")
    with pytest.raises(InvalidImage) as gif:
        sniff(imagegen.gif()[:64])
    assert (empty.value.reason, gif.value.reason, gif.value.detail) == (Reason.EMPTY, Reason.UNSUPPORTED_TYPE, "gif")


@pytest.mark.parametrize("hostile", [h for h in imagegen.hostile_files() if not h.name.startswith("truncated")],
                         ids=lambda h: h.name)
def test_inspect_refuses_hostile_file_with_its_reason(tmp_path: Path, hostile: imagegen.HostileFile) -> None:
    assert _reason(_write(tmp_path, hostile.data, hostile.name)) == hostile.reason


def test_inspect_reads_header_facts(tmp_path: Path) -> None:
    info = inspect_image(_write(tmp_path, imagegen.webp((640, 480))))
    assert info == ImageInfo("WEBP", 640, 480, "RGB", 1)
    assert info.mime_type == "image/webp"


def test_inspect_reports_odd_modes(tmp_path: Path) -> None:
    infos = [inspect_image(_write(tmp_path, data, str(i))) for i, data in enumerate([
        imagegen.cmyk_jpeg(), imagegen.grey16_png(), imagegen.palette_png_with_transparency(), imagegen.png16()])]
    assert [(i.format, i.mode) for i in infos] == [("JPEG", "CMYK"), ("PNG", "I;16"), ("PNG", "P"), ("PNG", "RGB")]


def test_mpo_is_accepted_as_jpeg_with_its_extra_frame_ignored(tmp_path: Path) -> None:
    info = inspect_image(_write(tmp_path, imagegen.mpo((640, 480))))
    assert info == ImageInfo("JPEG", 640, 480, "RGB", 2)


def test_pixel_limit_boundary_is_exact(tmp_path: Path) -> None:
    assert MAX_PIXELS == 10_000 * 5_000
    at_limit = inspect_image(_write(tmp_path, imagegen.png_header_only(10_000, 5_000), "at"))
    assert (at_limit.width, at_limit.height) == (10_000, 5_000)
    assert _reason(_write(tmp_path, imagegen.png_header_only(10_000, 5_001), "over")) == Reason.TOO_MANY_PIXELS


def test_side_limit_boundary_is_exact(tmp_path: Path) -> None:
    assert inspect_image(_write(tmp_path, imagegen.png_header_only(MAX_SIDE, 100), "at")).width == MAX_SIDE
    assert _reason(_write(tmp_path, imagegen.png_header_only(MAX_SIDE + 1, 100), "over")) == Reason.TOO_LARGE_SIDE


def test_min_side_boundary_is_exact(tmp_path: Path) -> None:
    assert inspect_image(_write(tmp_path, imagegen.png((MIN_SIDE, 200)), "at")).width == MIN_SIDE
    assert _reason(_write(tmp_path, imagegen.png((200, MIN_SIDE - 1)), "under")) == Reason.TOO_SMALL


def test_pillow_bomb_warning_range_is_an_error_not_a_warning(tmp_path: Path) -> None:
    # 100 MP: above Pillow's 89 MP warning limit but below its 179 MP hard error
    assert _reason(_write(tmp_path, imagegen.png_header_only(10_000, 10_000))) == Reason.TOO_MANY_PIXELS


def test_jpeg_named_file_with_png_bytes_is_a_png(tmp_path: Path) -> None:
    assert inspect_image(_write(tmp_path, imagegen.png((100, 100)), "photo.jpg")).format == "PNG"


def test_svg_and_html_with_leading_whitespace_and_bom_are_refused(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf\n\n   <svg onload='alert(1)'></svg>"
    assert (identify(data), _reason(_write(tmp_path, data))) == ("svg", Reason.UNSUPPORTED_TYPE)


def test_png_signature_with_broken_header_is_corrupt(tmp_path: Path) -> None:
    assert _reason(_write(tmp_path, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)) == Reason.CORRUPT
