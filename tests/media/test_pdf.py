from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from contest.media.pdf import (
    DEFAULT_LIMITS,
    InvalidPdf,
    PdfLimits,
    PdfReason,
    RenderedPdf,
    inspect_pdf,
    inspect_pdf_async,
    render_pages,
    render_pages_async,
)
from contest.media.pipeline import process_image
from tests import imagegen
from tests.media import pdfgen

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

# strings that only exist inside metadata blocks
METADATA_TELLS = [pdfgen.MARKER.encode(), pdfgen.MARKER.encode("utf-16-be"), b"Exif\x00", b"http://ns.adobe.com",
                  b"xpacket", b"Illustrator", b"Producer"]
JPEG_HEADER_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}


def _write(tmp_path: Path, data: bytes) -> Path:
    tmp_path.mkdir(exist_ok=True)
    src = tmp_path / "board.pdf"
    src.write_bytes(data)
    return src


def _render(tmp_path: Path, data: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> RenderedPdf:
    return render_pages(_write(tmp_path, data), tmp_path / "out", limits=limits)


def _refusal(tmp_path: Path, data: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> InvalidPdf:
    """Refused by ``render_pages``, leaving nothing in the output folder, and by ``inspect_pdf`` alike."""
    with pytest.raises(InvalidPdf) as rendering:
        _render(tmp_path, data, limits)
    assert list((tmp_path / "out").iterdir()) == []
    with pytest.raises(InvalidPdf) as inspecting:
        inspect_pdf(tmp_path / "board.pdf", limits=limits)
    assert inspecting.value.reason == rendering.value.reason
    return rendering.value


def _open(path: Path) -> Image.Image:
    with Image.open(path) as im:
        im.load()
        return im


def _rgb(image: Image.Image, x: float, y: float) -> tuple[int, ...]:
    """The pixel at fractions ``x``, ``y`` of the width and height."""
    pixel = image.getpixel((min(image.width - 1, round(image.width * x)), min(image.height - 1, round(image.height * y))))
    assert isinstance(pixel, tuple)
    return pixel


def test_board_renders_every_page_at_the_judging_edge(tmp_path: Path) -> None:
    result = _render(tmp_path, pdfgen.board(3, pdfgen.A3_MM))
    assert result.info.pages == 3
    assert [(p.width, p.height, p.width_300dpi, p.height_300dpi) for p in result.pages] == [(1810, 2560, 3508, 4961)] * 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["page-001.jpg", "page-002.jpg", "page-003.jpg"]
    for page in result.pages:
        assert _open(page.path).size == (page.width, page.height)


def test_rendered_page_goes_through_the_image_pipeline(tmp_path: Path) -> None:
    (page,) = _render(tmp_path, pdfgen.board(1, pdfgen.A3_MM)).pages
    processed = process_image(page.path, tmp_path / "derived", "0123456789abcdef0123456789abcdef")
    judging = processed.derivative("judging")
    assert (processed.format, judging.width, judging.height) == ("JPEG", 1810, 2560)


def test_page_sizes_in_points_mm_and_pixels_at_300_dpi(tmp_path: Path) -> None:
    info = inspect_pdf(_write(tmp_path, pdfgen.board(2, pdfgen.A3_MM)))
    assert [tuple(round(side) for side in size.mm) for size in info.page_sizes] == [(297, 420)] * 2
    assert info.page_sizes[0].pixels_300dpi == (3508, 4961)  # the slot's "A3 at 300 dpi" limit


def test_small_page_renders_at_its_300_dpi_size_not_larger(tmp_path: Path) -> None:
    (page,) = _render(tmp_path, pdfgen.board(1, (74, 105))).pages  # A7
    assert (page.width, page.height) == (page.width_300dpi, page.height_300dpi) == (874, 1240)


def test_rotated_page_renders_upright_landscape(tmp_path: Path) -> None:
    (page,) = _render(tmp_path, pdfgen.rotated_page()).pages
    assert (page.width, page.height) == (2560, 1810)


def test_page_content_lands_where_it_is_drawn(tmp_path: Path) -> None:
    (page,) = _render(tmp_path, pdfgen.board(1, pdfgen.A4_MM)).pages
    image = _open(page.path)
    # the block covers x 10-40 %, y 10-30 % of the page
    assert max(_rgb(image, 0.25, 0.2)) < 30
    assert min(_rgb(image, 0.8, 0.9)) > 225


def test_colours_keep_their_channels(tmp_path: Path) -> None:
    (page,) = _render(tmp_path, pdfgen.coloured_page()).pages
    image = _open(page.path)
    red, blue = _rgb(image, 0.25, 0.5), _rgb(image, 0.75, 0.01)
    assert red[0] > 230 and max(red[1:]) < 30
    assert blue[2] > 230 and max(blue[:2]) < 30


def test_metadata_is_read_for_organisers(tmp_path: Path) -> None:
    src = _write(tmp_path, pdfgen.with_metadata())
    metadata = inspect_pdf(src).metadata
    assert metadata["author"] == pdfgen.MARKER
    assert metadata["creator"] == f"Creator {pdfgen.MARKER}"
    assert metadata["producer"] == f"Producer {pdfgen.MARKER}"
    assert metadata["title"] == f"Title {pdfgen.MARKER}"
    assert pdfgen.MARKER in metadata["xmp"] and "xpacket" in metadata["xmp"]
    with pikepdf.open(src) as pdf:
        assert metadata["document_id"] == [bytes(part).hex() for part in pdf.trailer.ID]
    assert metadata["form_fields"] == ["applicant", "applicant.name"]
    assert metadata["attachments"] == []


def test_refusal_still_carries_the_metadata_it_read(tmp_path: Path) -> None:
    refused = _refusal(tmp_path, pdfgen.attachment("secret.txt"))
    assert refused.reason == PdfReason.EMBEDDED_FILES
    assert refused.metadata["attachments"] == ["secret.txt"]


def test_attachment_annotation_names_are_listed(tmp_path: Path) -> None:
    refused = _refusal(tmp_path, pdfgen.file_attachment_annotation("notes.txt"))
    assert (refused.reason, refused.metadata["attachments"]) == (PdfReason.EMBEDDED_FILES, ["notes.txt"])


def test_rendered_pages_carry_no_metadata(tmp_path: Path) -> None:
    result = _render(tmp_path, pdfgen.with_metadata())
    for page in result.pages:
        image = _open(page.path)
        assert set(image.info) <= JPEG_HEADER_INFO
        assert not image.getexif()
        data = page.path.read_bytes()
        assert [tell for tell in METADATA_TELLS if tell in data] == []


def test_form_fields_and_annotations_are_not_drawn(tmp_path: Path) -> None:
    """The planted field (page 1) and stamp (page 2) would each paint the top half of their page black."""
    for page in _render(tmp_path, pdfgen.with_metadata()).pages:
        image = _open(page.path)
        assert min(_rgb(image, 0.5, 0.05)) > 225


HOSTILE: list[tuple[str, Callable[[], bytes], PdfReason]] = [
    ("encrypted, empty user password", lambda: pdfgen.encrypted(""), PdfReason.ENCRYPTED),
    ("encrypted, with a password", lambda: pdfgen.encrypted("secret"), PdfReason.ENCRYPTED),
    ("javascript on open", pdfgen.javascript_in_open_action, PdfReason.SCRIPTED),
    ("javascript in the names tree", pdfgen.javascript_in_names, PdfReason.SCRIPTED),
    ("javascript in a link", pdfgen.javascript_in_annotation, PdfReason.SCRIPTED),
    ("launch action", pdfgen.launch_action, PdfReason.LAUNCH_ACTION),
    ("embedded file", pdfgen.attachment, PdfReason.EMBEDDED_FILES),
    ("file attachment annotation", pdfgen.file_attachment_annotation, PdfReason.EMBEDDED_FILES),
    ("nested 150 deep", lambda: pdfgen.nested(150), PdfReason.TOO_DEEP),
    ("nested past qpdf's own limit", lambda: pdfgen.nested(5000), PdfReason.TOO_DEEP),
    ("deflate bomb", lambda: pdfgen.bomb(300 << 20), PdfReason.STREAM_TOO_LARGE),
    ("double deflate bomb, never drawn", lambda: pdfgen.with_loose_stream(
        pdfgen.deeply_deflated(4 << 30), b"[/FlateDecode /FlateDecode]"), PdfReason.STREAM_TOO_LARGE),
    ("image claiming 100k x 100k pixels", lambda: pdfgen.image_claiming(100_000, 100_000),
     PdfReason.STREAM_TOO_LARGE),
    ("absurd object count", lambda: pdfgen.declaring_objects(2_000_000_000), PdfReason.TOO_MANY_OBJECTS),
    ("21 pages", lambda: pdfgen.pages(21), PdfReason.TOO_MANY_PAGES),
    ("a page 5.3 m wide", lambda: pdfgen.page_of(15_000, 842), PdfReason.PAGE_TOO_LARGE),
    ("a page 5 mm high", lambda: pdfgen.page_of(595, 14), PdfReason.PAGE_TOO_SMALL),
    ("%PDF then garbage", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40, PdfReason.CORRUPT),
    ("truncated at 60 %", lambda: imagegen.truncated(pdfgen.board(2), 0.6), PdfReason.CORRUPT),
    ("truncated tail", lambda: pdfgen.board(2)[:-10], PdfReason.CORRUPT),
    ("empty", lambda: b"", PdfReason.CORRUPT),
]


@pytest.mark.parametrize(("make", "reason"), [(make, reason) for _, make, reason in HOSTILE],
                         ids=[name for name, _, _ in HOSTILE])
def test_hostile_file_is_refused_with_its_reason(tmp_path: Path, make: Callable[[], bytes], reason: PdfReason) -> None:
    refused = _refusal(tmp_path, make())
    assert refused.reason == reason
    assert refused.peak_rss_mb is not None and refused.peak_rss_mb < DEFAULT_LIMITS.memory_mb


def test_refusal_carries_limit_and_actual(tmp_path: Path) -> None:
    pages = _refusal(tmp_path / "pages", pdfgen.pages(4), replace(DEFAULT_LIMITS, max_pages=3))
    assert (pages.reason, pages.limit, pages.actual) == (PdfReason.TOO_MANY_PAGES, 3, 4)
    deep = _refusal(tmp_path / "deep", pdfgen.nested(150))
    assert (deep.limit, deep.actual) == (100, 101)
    large = _refusal(tmp_path / "large", pdfgen.page_of(15_000, 842))
    assert (large.limit, large.actual) == (5000, 5291.7)
    bomb = _refusal(tmp_path / "bomb", pdfgen.bomb(30 << 20), replace(DEFAULT_LIMITS, max_stream_mb=20))
    assert bomb.limit == 20 << 20 and bomb.actual is not None and bomb.actual > bomb.limit


def test_deflate_bomb_is_counted_without_being_held(tmp_path: Path) -> None:
    """Inflated a chunk at a time: the checker's peak memory stays below the 400 MB it counts before refusing."""
    data = pdfgen.with_loose_stream(pdfgen.deeply_deflated(1 << 30), b"[/FlateDecode /FlateDecode]")
    refused = _refusal(tmp_path, data, replace(DEFAULT_LIMITS, max_stream_mb=400))
    assert refused.reason == PdfReason.STREAM_TOO_LARGE
    assert refused.peak_rss_mb is not None and refused.peak_rss_mb < 250


def test_slow_file_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    """50 GB of zeros to inflate, and a size limit (100 GB) that does not stop it: only the timeout does."""
    data = pdfgen.with_loose_stream(pdfgen.deeply_deflated(50 << 30), b"[/FlateDecode /FlateDecode]")
    refused = _refusal(tmp_path, data, replace(DEFAULT_LIMITS, max_stream_mb=100 << 10, timeout=1.0))
    assert (refused.reason, refused.limit) == (PdfReason.TIMEOUT, 1.0)


def test_page_needing_more_memory_than_the_budget_is_refused_mid_render(tmp_path: Path) -> None:
    """Page 1 is written before page 2 (2 m square, asked for at 20000 px: a 1.2 GB bitmap) overflows the
    budget: nothing is left behind."""
    src = _write(tmp_path, pdfgen.sized_pages(pdfgen.A4_MM, (2000, 2000)))
    with pytest.raises(InvalidPdf) as refused:
        render_pages(src, tmp_path / "out", long_edge=20_000, limits=replace(DEFAULT_LIMITS, memory_mb=400))
    assert (refused.value.reason, refused.value.limit) == (PdfReason.TOO_COMPLEX, 400)
    assert list((tmp_path / "out").iterdir()) == []


def test_checks_pass_within_the_memory_budget(tmp_path: Path) -> None:
    info = inspect_pdf(_write(tmp_path, pdfgen.board(5, pdfgen.A3_MM)))
    assert info.peak_rss_mb < DEFAULT_LIMITS.memory_mb


async def test_async_api(tmp_path: Path) -> None:
    src = _write(tmp_path, pdfgen.board(2, pdfgen.A4_MM))
    assert (await inspect_pdf_async(src)).pages == 2
    result = await render_pages_async(src, tmp_path / "out", long_edge=1280)
    assert [(p.width, p.height) for p in result.pages] == [(905, 1280)] * 2
    with pytest.raises(InvalidPdf) as refused:
        await inspect_pdf_async(_write(tmp_path, pdfgen.launch_action()))
    assert refused.value.reason == PdfReason.LAUNCH_ACTION
