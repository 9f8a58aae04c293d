"""Test images and hostile files, generated in code (no binaries in the repository).

Everything returns bytes (or a PIL image) so unit tests can write them to ``tmp_path`` and web
tests can post them as uploads.
"""

from __future__ import annotations

import io
import random
import struct
import subprocess
import zipfile
import zlib
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, ImageDraw, ImageFilter, ImageFont
from PIL.PngImagePlugin import PngInfo

MARKER = "MRK7QZ"  # must never appear in anything a judge can receive
RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)


# --- realistic images ----------------------------------------------------------------------------

def poster(size: tuple[int, int] = (800, 600), seed: int = 0) -> Image.Image:
    """A design-like RGB image: gradient, shapes, soft shadows, text-like bars and grain."""
    rng = random.Random(seed)
    width, height = size
    im = _gradient(size, _colour(rng), _colour(rng), vertical=rng.random() < 0.5)
    draw = ImageDraw.Draw(im)
    for _ in range(rng.randint(5, 9)):
        _random_shape(draw, rng, width, height)
    im = im.filter(ImageFilter.GaussianBlur(radius=max(1, width // 400)))
    draw = ImageDraw.Draw(im)
    for _ in range(rng.randint(2, 4)):
        _random_shape(draw, rng, width, height)
    _text_bars(draw, rng, width, height)
    return _grain(im, seed, amount=0.12)


def photo(size: tuple[int, int] = (1200, 800), seed: int = 0) -> Image.Image:
    """A noisier, photo-like image (hard to compress), used for large benchmark files."""
    base = poster((max(64, size[0] // 4), max(64, size[1] // 4)), seed)
    im = base.resize(size, Image.Resampling.BICUBIC)
    return _grain(im, seed, amount=0.2)


def _gradient(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int],
              *, vertical: bool) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size if vertical else size[::-1])
    if not vertical:
        ramp = ramp.transpose(Image.Transpose.ROTATE_90)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _random_shape(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    x0, y0 = rng.randrange(width), rng.randrange(height)
    x1 = min(width, x0 + rng.randint(width // 10, width // 2))
    y1 = min(height, y0 + rng.randint(height // 10, height // 2))
    kind = rng.choice(("rect", "ellipse", "poly"))
    if kind == "rect":
        draw.rectangle((x0, y0, x1, y1), fill=_colour(rng))
    elif kind == "ellipse":
        draw.ellipse((x0, y0, x1, y1), fill=_colour(rng), outline=_colour(rng), width=3)
    else:
        points = [(rng.randrange(width), rng.randrange(height)) for _ in range(rng.randint(3, 6))]
        draw.polygon(points, fill=_colour(rng))


def _text_bars(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    top = rng.randrange(height // 2, height - height // 8)
    for row in range(rng.randint(2, 4)):
        y = top + row * max(4, height // 40)
        x = width // 12
        while x < width * 0.8:
            word = rng.randint(width // 40, width // 12)
            draw.rectangle((x, y, x + word, y + max(2, height // 80)), fill=(20, 20, 20))
            x += word + max(3, width // 80)


def _grain(im: Image.Image, seed: int, *, amount: float) -> Image.Image:
    # seeded (Image.effect_noise is not), so the same seed always gives the same bytes
    noise = Image.frombytes("L", im.size, random.Random(seed).randbytes(im.width * im.height))
    return Image.blend(im, noise.convert("RGB"), amount)


def encode(im: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg(size: tuple[int, int] = (800, 600), seed: int = 0, **options: object) -> bytes:
    return encode(poster(size, seed), "JPEG", quality=90, **options)


def png(size: tuple[int, int] = (800, 600), seed: int = 0, **options: object) -> bytes:
    return encode(poster(size, seed), "PNG", **options)


def webp(size: tuple[int, int] = (800, 600), seed: int = 0, **options: object) -> bytes:
    return encode(poster(size, seed), "WEBP", quality=90, **options)


# --- text drawn into a design --------------------------------------------------------------------

def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """Noto Sans CJK, as installed on the machine (the browser tests need it too)."""
    path = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True,
                          check=True).stdout
    return ImageFont.truetype(path, size)


def lettered(lines: list[str], size: tuple[int, int] = (1200, 800), seed: int = 0,
             font_size: int = 56) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """A plain design with `lines` of dark text on a light band, and each line's box (left, top, right, bottom)."""
    width, height = size
    im = _gradient(size, (236, 228, 212), (214, 224, 232), vertical=seed % 2 == 0)
    draw = ImageDraw.Draw(im)
    draw.ellipse((width // 2, height // 8, width - width // 10, height // 2), fill=(176, 58, 46))
    font = cjk_font(font_size)
    boxes = []
    for n, text in enumerate(lines):
        top = height // 2 + n * font_size * 2
        draw.text((width // 12, top), text, font=font, fill=(28, 28, 28))
        boxes.append(draw.textbbox((width // 12, top), text, font=font))
    return im, boxes


# --- orientation ---------------------------------------------------------------------------------

# what a viewer applies to the stored pixels for each EXIF orientation (as ImageOps.exif_transpose)
_TO_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}
_INVERSE = {Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
            Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270}


def marked_upright(size: tuple[int, int] = (600, 400)) -> Image.Image:
    """Grey image with a red block top-left and a green block top-right (tells flips apart)."""
    width, height = size
    im = Image.new("RGB", size, (128, 128, 128))
    draw = ImageDraw.Draw(im)
    block = min(width, height) // 4
    draw.rectangle((0, 0, block, block), fill=RED)
    draw.rectangle((width - block, 0, width - 1, block), fill=GREEN)
    return im


def oriented_jpeg(orientation: int, size: tuple[int, int] = (600, 400)) -> bytes:
    """A JPEG that looks like ``marked_upright(size)`` once its EXIF orientation is applied."""
    stored = marked_upright(size)
    if orientation != 1:
        undo = _TO_UPRIGHT[orientation]
        stored = stored.transpose(_INVERSE.get(undo, undo))
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(stored, "JPEG", quality=95, exif=exif)


# --- metadata carriers ---------------------------------------------------------------------------

def marker_exif(marker: str = MARKER) -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = f"Artist {marker}"          # Artist
    exif[0x010E] = f"Description {marker}"     # ImageDescription
    exif[0x8298] = f"(c) {marker}"             # Copyright
    exif[0x0131] = f"Software {marker}"        # Software
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0),
                0x1D: f"2024:{marker}"})      # GPSDateStamp carries the marker too
    return exif


def marker_xmp(marker: str = MARKER) -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:creator>{marker}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>'
        '<?xpacket end="w"?>'
    ).encode()


def marker_icc(marker: str = MARKER) -> bytes:
    """A valid sRGB ICC profile whose description text is replaced by the marker."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = "sRGB built-in".encode("utf-16-be")
    replacement = marker.ljust(len("sRGB built-in"), "_")[:13].encode("utf-16-be")
    assert original in icc
    return icc.replace(original, replacement)


def iptc_app13(marker: str = MARKER) -> bytes:
    by_line = f"By {marker}".encode()
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(by_line)) + by_line
    if len(iptc) % 2:
        iptc += b"\x00"
    payload = b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_metadata(marker: str = MARKER, size: tuple[int, int] = (800, 600), seed: int = 3) -> bytes:
    """EXIF (Artist, GPS...), XMP, ICC, a COM comment and an IPTC APP13 block, all carrying marker."""
    data = encode(poster(size, seed), "JPEG", quality=90, exif=marker_exif(marker),
                  xmp=marker_xmp(marker), icc_profile=marker_icc(marker),
                  comment=f"Comment {marker}")
    return data[:2] + iptc_app13(marker) + data[2:]


def png_with_metadata(marker: str = MARKER, size: tuple[int, int] = (800, 600)) -> bytes:
    info = PngInfo()
    info.add_text("Author", f"tEXt {marker}")
    info.add_text("Comment", f"zTXt {marker} " * 20, zip=True)
    info.add_itxt("Description", f"iTXt {marker} 设计师", lang="zh", tkey="描述")
    info.add_text("XML:com.adobe.xmp", marker_xmp(marker).decode())
    return encode(poster(size, 4), "PNG", pnginfo=info, exif=marker_exif(marker),
                  icc_profile=marker_icc(marker))


def webp_with_metadata(marker: str = MARKER, size: tuple[int, int] = (800, 600)) -> bytes:
    return encode(poster(size, 5), "WEBP", quality=90, exif=marker_exif(marker),
                  xmp=marker_xmp(marker), icc_profile=marker_icc(marker))


# --- odd but legitimate images -------------------------------------------------------------------

def cmyk_jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    """Left half pure cyan, right half pure magenta (CMYK ink values)."""
    im = Image.new("CMYK", size, (255, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((size[0] // 2, 0, size[0], size[1]), fill=(0, 255, 0, 0))
    return encode(im, "JPEG", quality=95)


def png16(size: tuple[int, int] = (400, 300)) -> bytes:
    """A 16-bit-per-channel RGB PNG (Pillow cannot write one, so the chunks are built here)."""
    width, height = size
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += struct.pack(">HHH", x * 65535 // width, y * 65535 // height, 40000)
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return _png_file([(b"IHDR", ihdr), (b"IDAT", zlib.compress(bytes(rows))), (b"IEND", b"")])


def grey16_png(size: tuple[int, int] = (300, 200)) -> bytes:
    im = Image.linear_gradient("L").resize(size).convert("I").point(lambda v: v * 257).convert("I;16")
    return encode(im, "PNG")


def palette_png_with_transparency(size: tuple[int, int] = (300, 200)) -> bytes:
    """Palette image: index 0 transparent (the left half), index 1 red, index 2 blue."""
    im = Image.new("P", size, 0)
    im.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
    draw = ImageDraw.Draw(im)
    draw.rectangle((size[0] // 2, 0, size[0], size[1] // 2), fill=1)
    draw.rectangle((size[0] // 2, size[1] // 2, size[0], size[1]), fill=2)
    return encode(im, "PNG", transparency=0)


def rgba_png(size: tuple[int, int] = (300, 200)) -> bytes:
    """Transparent left half, opaque blue right half."""
    im = Image.new("RGBA", size, (255, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((size[0] // 2, 0, size[0], size[1]), fill=(0, 0, 255, 255))
    return encode(im, "PNG")


def progressive_jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    return encode(poster(size, 6), "JPEG", quality=90, progressive=True)


def grey_jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    return encode(poster(size, 7).convert("L"), "JPEG", quality=90)


def mpo(size: tuple[int, int] = (640, 480)) -> bytes:
    """A phone-style multi-picture JPEG: primary image plus a second (e.g. depth) frame."""
    first, second = poster(size, 8), poster(size, 9)
    return encode(first, "MPO", save_all=True, append_images=[second], quality=90)


# --- hostile files -------------------------------------------------------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_file(chunks: list[tuple[bytes, bytes]]) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(_png_chunk(kind, data) for kind, data in chunks)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` but carries a tiny IDAT (a pixel-flood header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return _png_file([(b"IHDR", ihdr), (b"IDAT", zlib.compress(b"\x00" * 64)), (b"IEND", b"")])


def png_bomb() -> bytes:
    return png_header_only(100_000, 100_000)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF header is patched to claim other dimensions."""
    data = bytearray(encode(Image.new("RGB", (16, 16), BLUE), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    return data[: int(len(data) * keep)]


def gif() -> bytes:
    return encode(poster((200, 150), 10).convert("P"), "GIF")


def tiff() -> bytes:
    return encode(poster((200, 150), 11), "TIFF")


def bmp() -> bytes:
    return encode(poster((200, 150), 12), "BMP")


def avif() -> bytes:
    return encode(poster((200, 150), 13), "AVIF", quality=50, speed=8)


def heic_like() -> bytes:
    """A HEIC file's first bytes and nothing after them: a broken photo."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def heic_photo(marker: str = MARKER, size: tuple[int, int] = (1600, 1200), seed: int = 5) -> bytes:
    """An iPhone-style HEIC taken sideways (EXIF orientation 6, which the encoder turns into the file's rotation),
    with EXIF, XMP and ICC carrying `marker`."""
    exif = marker_exif(marker)
    exif[0x0112] = 6
    image = pillow_heif.from_pillow(poster(size, seed))
    buffer = io.BytesIO()
    image.save(buffer, quality=85, exif=exif.tobytes(), xmp=marker_xmp(marker), icc_profile=marker_icc(marker))
    return buffer.getvalue()


def psd() -> bytes:
    return b"8BPS\x00\x01" + b"\x00" * 6 + struct.pack(">HIIHH", 3, 100, 100, 8, 3) + b"\x00" * 64


def eps() -> bytes:
    return b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nnewpath 0 0 moveto showpage\n"


def eps_dos_binary() -> bytes:
    return b"\xc5\xd0\xd3\xc6" + struct.pack("<IIIIII", 30, len(eps()), 0, 0, 0, 0) + b"\xff\xff" + eps()


def svg() -> bytes:
    return (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(1)</script></svg>")


def html() -> bytes:
    return b"\xef\xbb\xbf  <!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n%%EOF\n"


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def jpeg_zip_polyglot() -> bytes:
    """A valid JPEG with a ZIP appended: image viewers and unzip both accept it."""
    return jpeg((400, 300), 14) + zip_archive()


def png_with_html_chunk() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "<html><body><script>alert(1)</script></body></html>")
    return encode(poster((400, 300), 15), "PNG", pnginfo=info)


def animated_png() -> bytes:
    frames = [poster((200, 150), seed) for seed in (16, 17)]
    return encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)


def animated_webp() -> bytes:
    frames = [poster((200, 150), seed) for seed in (18, 19)]
    return encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)


def garbage(size: int = 4096, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


@dataclass(frozen=True)
class HostileFile:
    name: str        # the file name a hostile client would send
    data: bytes
    reason: str      # the InvalidImage.reason our checks must give


def hostile_files() -> list[HostileFile]:
    jpg = jpeg((400, 300), 20)
    return [
        HostileFile("empty.jpg", b"", "empty"),
        HostileFile("garbage.jpg", garbage(), "unsupported_type"),
        HostileFile("bomb.png", png_bomb(), "too_many_pixels"),
        HostileFile("bomb.jpg", jpeg_claiming(65_000, 65_000), "too_many_pixels"),
        HostileFile("flood.png", png_header_only(10_000, 5_001), "too_many_pixels"),
        HostileFile("wide.png", png_header_only(12_001, 100), "too_large_side"),
        HostileFile("tiny.png", png((10, 10)), "too_small"),
        HostileFile("truncated.jpg", truncated(jpg), "truncated"),
        HostileFile("truncated.png", truncated(png((400, 300), 21)), "truncated"),
        HostileFile("anim.gif", gif(), "unsupported_type"),
        HostileFile("scan.tif", tiff(), "unsupported_type"),
        HostileFile("paint.bmp", bmp(), "unsupported_type"),
        HostileFile("photo.avif", avif(), "unsupported_type"),
        HostileFile("photo.heic", heic_like(), "corrupt"),
        HostileFile("layers.jpg", psd(), "unsupported_type"),
        HostileFile("print.jpg", eps(), "unsupported_type"),
        HostileFile("print-dos.jpg", eps_dos_binary(), "unsupported_type"),
        HostileFile("logo.jpg", svg(), "unsupported_type"),
        HostileFile("page.jpg", html(), "unsupported_type"),
        HostileFile("doc.jpg", pdf(), "unsupported_type"),
        HostileFile("archive.jpg", zip_archive(), "unsupported_type"),
        HostileFile("anim.png", animated_png(), "multi_frame"),
        HostileFile("anim.webp", animated_webp(), "multi_frame"),
    ]


def p3_jpeg(size: tuple[int, int] = (200, 100)) -> bytes:
    """Pure sRGB red, stored as Display P3 values with the P3 profile embedded (about 234, 51, 34)."""
    import pyvips  # only this generator needs libvips: Pillow cannot build a P3 profile

    red = (pyvips.Image.black(*size) + list(RED)).cast("uchar").copy(interpretation="srgb")
    return red.icc_transform("p3", input_profile="srgb").jpegsave_buffer(Q=95, keep=pyvips.enums.ForeignKeep.ICC)
