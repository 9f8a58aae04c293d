"""AI provenance signals read from an original before its metadata is stripped, and the GB 45438 label
written into public copies."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
import pyvips
from PIL import Image, ImageChops

from contest.media import provenance
from contest.media.provenance import (
    COMPOSITE,
    HEAD_BYTES,
    TRAINED,
    AigcLabel,
    Provenance,
    c2pa_fields,
    labelled,
    public_label,
    read_provenance,
    read_provenance_async,
)
from tests.imagegen import encode, jpeg, png, poster, rgba_png, webp
from tests.media import provenance_files as files
from tests.media.containers import jpeg_marker_names, webp_chunks

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


def read(tmp_path: Path, data: bytes, name: str = "upload") -> Provenance:
    path = tmp_path / name
    path.write_bytes(data)
    return read_provenance(path)


@pytest.mark.parametrize("data", [jpeg(), png(), webp(), files.pdf_with()], ids=["jpeg", "png", "webp", "pdf"])
def test_a_file_without_signals_has_none(tmp_path: Path, data: bytes) -> None:
    found = read(tmp_path, data)
    assert found == Provenance()
    assert found.signal is None


# --- C2PA --------------------------------------------------------------------------------------------------

def test_a_c2pa_manifest_names_its_generator_and_source_type(tmp_path: Path) -> None:
    found = read(tmp_path, files.c2pa_signed_jpeg())
    assert found.c2pa is not None
    assert found.c2pa["claim_generator"] == "TestGenerator 2.1"
    assert found.c2pa["digital_source_types"] == [TRAINED]
    assert found.c2pa["validation_state"] in ("Valid", "Trusted")
    assert found.signal == "generated"


def test_a_c2pa_claim_generator_that_is_a_known_generator_is_named(tmp_path: Path) -> None:
    found = read(tmp_path, files.c2pa_signed_jpeg(provenance.IPTC_SOURCE_TYPES + "digitalCapture", "DALL-E 3"))
    assert found.generator == "DALL·E"
    assert found.signal == "generated"


def test_a_manifest_beyond_the_head_is_still_read_but_not_validated(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = files.c2pa_signed_jpeg()
    monkeypatch.setattr(provenance, "HEAD_BYTES", len(data) - 1000)
    found = read(tmp_path, data)
    assert found.c2pa is not None
    assert found.c2pa["digital_source_types"] == [TRAINED]
    assert found.c2pa["validation_state"] == "Invalid"


def test_bytes_that_only_look_like_a_manifest_store_are_no_manifest(tmp_path: Path) -> None:
    found = read(tmp_path, files.jpeg_with(comment="jumb c2pa c2pa.actions"))
    assert found.c2pa is None


def test_the_manifest_parser_reads_v1_claims_and_composite_actions() -> None:
    manifest = {"claim_generator": "Adobe_Photoshop/26.0 adobe_c2pa/0.12",
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                    {"action": "c2pa.opened"},
                    {"action": "c2pa.edited", "digitalSourceType": COMPOSITE}]}},
                    {"label": "stds.schema-org.CreativeWork", "data": {"author": [{"name": "someone"}]}}]}
    fields = c2pa_fields(manifest, "Invalid")
    assert fields == {"claim_generator": "Adobe_Photoshop/26.0 adobe_c2pa/0.12",
                      "digital_source_types": [COMPOSITE], "validation_state": "Invalid"}
    assert Provenance(c2pa=fields).signal == "assisted"


# --- IPTC DigitalSourceType in XMP, in every container -----------------------------------------------------

CARRIERS = {
    "jpeg": lambda packet: files.jpeg_with(xmp_packet=packet),
    "png": lambda packet: files.png_with({"XML:com.adobe.xmp": packet.decode()}),
    "png-compressed": lambda packet: files.png_with({"XML:com.adobe.xmp": packet.decode()}, compressed=True),
    "webp": files.webp_with,
    "heic": files.heic_with,
    "pdf": lambda packet: files.pdf_with(xmp_packet=packet),
}


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize(("source_type", "signal"), [(TRAINED, "generated"), (COMPOSITE, "assisted")])
def test_the_iptc_digital_source_type_is_read_from_xmp(tmp_path: Path, carrier: str, source_type: str,
                                                        signal: str) -> None:
    found = read(tmp_path, CARRIERS[carrier](files.xmp(source_type=source_type)))
    assert found.digital_source_type == source_type
    assert found.signal == signal


def test_xmp_properties_written_as_elements_are_read_too(tmp_path: Path) -> None:
    packet = files.xmp(source_type=TRAINED, aigc=files.AIGC_VALUE, as_elements=True)
    found = read(tmp_path, files.jpeg_with(xmp_packet=packet))
    assert (found.digital_source_type, found.aigc_label) == (TRAINED, files.AIGC_VALUE)


def test_a_human_made_source_type_is_no_signal(tmp_path: Path) -> None:
    found = read(tmp_path, files.jpeg_with(xmp_packet=files.xmp(source_type=provenance.IPTC_SOURCE_TYPES
                                                                 + "digitalCapture")))
    assert found.digital_source_type is not None
    assert found.signal is None


@pytest.mark.parametrize("carrier", ["jpeg", "png"])
def test_entities_declared_before_an_xmp_packet_are_never_expanded(tmp_path: Path, carrier: str) -> None:
    packet = files.xmp(source_type="&t;").replace(b"&amp;t;", b"&t;").replace(
        b"<x:xmpmeta", f'<!DOCTYPE x:xmpmeta [<!ENTITY t "{TRAINED}">]><x:xmpmeta'.encode(), 1)
    assert read(tmp_path, CARRIERS[carrier](packet)).digital_source_type is None


# --- the GB 45438 implicit label ---------------------------------------------------------------------------

AIGC_JSON = json.dumps(files.AIGC_VALUE, ensure_ascii=False)
LABEL_CARRIERS = {
    "xmp-tc260": lambda: files.jpeg_with(xmp_packet=files.xmp(aigc=files.AIGC_VALUE)),
    "exif-usercomment-ascii": lambda: files.jpeg_with(exif_ifd={0x9286: b"ASCII\x00\x00\x00" + AIGC_JSON.encode()}),
    "exif-usercomment-unicode": lambda: files.jpeg_with(
        exif_ifd={0x9286: b"UNICODE\x00" + json.dumps({"AIGC": files.AIGC_VALUE}).encode("utf-16-be")}),
    "exif-imagedescription": lambda: files.jpeg_with(exif={0x010E: "AIGC=" + AIGC_JSON}),
    "png-text": lambda: files.png_with({"AIGC": AIGC_JSON}),
    "png-text-after-pixels": lambda: files.png_text_after_idat("AIGC", AIGC_JSON),
    "webp-xmp": lambda: files.webp_with(files.xmp(aigc=files.AIGC_VALUE)),
    "heic-xmp": lambda: files.heic_with(files.xmp(aigc=files.AIGC_VALUE)),
}


@pytest.mark.parametrize("carrier", LABEL_CARRIERS)
def test_the_gb45438_label_is_read_wherever_it_is_written(tmp_path: Path, carrier: str) -> None:
    found = read(tmp_path, LABEL_CARRIERS[carrier]())
    assert found.aigc_label == files.AIGC_VALUE
    assert found.signal == "generated"


@pytest.mark.parametrize(("label", "signal"), [("1", "generated"), ("2", "assisted"), ("3", "assisted"),
                                               ("9", None)])
def test_each_label_value_gives_its_signal(label: str, signal: str | None) -> None:
    assert Provenance(aigc_label={**files.AIGC_VALUE, "Label": label}).signal == signal


def test_a_json_comment_without_a_label_is_no_label(tmp_path: Path) -> None:
    found = read(tmp_path, files.jpeg_with(exif={0x010E: '{"title": "春", "AIGC": "none"}'}))
    assert found.aigc_label is None


# --- generator names in software tags ----------------------------------------------------------------------

SD_PARAMETERS = ("a poster of a crane, ink wash\nNegative prompt: blurry\nSteps: 28, Sampler: DPM++ 2M Karras, "
                 "CFG scale: 7, Seed: 1234, Size: 768x1024, Model: sdxl_base")
COMFY_PROMPT = json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 5}}})
GENERATOR_CARRIERS = {
    "exif-software": (lambda: files.jpeg_with(exif={0x0131: "Adobe Firefly Image 3"}), "Adobe Firefly"),
    "png-parameters": (lambda: files.png_with({"parameters": SD_PARAMETERS}), "Stable Diffusion"),
    "png-comfyui-prompt": (lambda: files.png_with({"prompt": COMFY_PROMPT}), "ComfyUI"),
    "png-software": (lambda: files.png_with({"Software": "NovelAI"}), "NovelAI"),
    "xmp-creatortool": (lambda: files.webp_with(files.xmp(creator_tool="即梦AI 3.0")), "即梦"),
    "pdf-producer": (lambda: files.pdf_with(producer="Midjourney export"), "Midjourney"),
    "pdf-producer-utf16": (lambda: files.pdf_with(producer="通义万相"), "通义万相"),
}


@pytest.mark.parametrize("carrier", GENERATOR_CARRIERS)
def test_a_known_generator_in_a_software_tag_is_named(tmp_path: Path, carrier: str) -> None:
    make, name = GENERATOR_CARRIERS[carrier]
    found = read(tmp_path, make())
    assert found.generator == name
    assert found.signal == "generated"


@pytest.mark.parametrize("software", ["Adobe Photoshop 25.0 (Windows)", "GIMP 2.10", "ImageNet tools",
                                      "Fluxus renderer", "CorelDRAW 2024"])
def test_ordinary_software_names_no_generator(tmp_path: Path, software: str) -> None:
    assert read(tmp_path, files.jpeg_with(exif={0x0131: software})).generator is None


def test_a_generator_named_outside_a_software_tag_is_ignored(tmp_path: Path) -> None:
    assert read(tmp_path, files.png_with({"Comment": "not made with Midjourney"})).generator is None


# --- bounds, serialisation, async ---------------------------------------------------------------------------

def test_only_the_head_and_tail_of_a_file_are_read(tmp_path: Path) -> None:
    hidden = files.xmp(source_type=TRAINED)
    data = jpeg() + b"\x00" * HEAD_BYTES + hidden + b"\x00" * (provenance.TAIL_BYTES + 1)
    assert read(tmp_path, data).digital_source_type is None


def test_provenance_survives_a_json_round_trip(tmp_path: Path) -> None:
    found = read(tmp_path, files.c2pa_signed_jpeg())
    packed = found.to_json()
    assert json.loads(packed)["c2pa"]["digital_source_types"] == [TRAINED]
    assert Provenance.from_json(packed) == found
    labelled_found = Provenance(aigc_label=files.AIGC_VALUE, generator="可灵")
    assert Provenance.from_json(labelled_found.to_json()) == labelled_found


async def test_the_async_reader_gives_the_same_answer(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(files.png_with({"AIGC": AIGC_JSON}))
    assert await read_provenance_async(path) == read_provenance(path)


# --- the label for public copies ---------------------------------------------------------------------------

@pytest.mark.parametrize(("found", "declared", "label", "source_type"), [
    (Provenance(digital_source_type=TRAINED), False, "1", TRAINED),
    (Provenance(c2pa={"digital_source_types": [COMPOSITE]}), False, "1", COMPOSITE),
    (Provenance(), True, "2", TRAINED),
])
def test_public_label_says_what_the_platform_knows(found: Provenance, declared: bool, label: str,
                                                   source_type: str) -> None:
    public = public_label(found, platform="文创赛", public_id="E-7Q2K", declared=declared)
    assert public is not None
    assert (public.label, public.digital_source_type) == (label, source_type)
    assert public.fields()["ContentProducer"] == public.fields()["ContentPropagator"] == "文创赛"
    assert public.fields()["ProduceID"] == public.fields()["PropagateID"] == "E-7Q2K"


def test_public_label_never_copies_the_originals_producer() -> None:
    found = Provenance(aigc_label=files.AIGC_VALUE)
    public = public_label(found, platform="文创赛", public_id="E-7Q2K")
    assert public is not None
    assert files.AIGC_VALUE["ContentProducer"] not in public.fields().values()
    assert files.AIGC_VALUE["ProduceID"] not in public.fields().values()


def test_no_signal_and_no_declaration_means_no_label() -> None:
    assert public_label(Provenance(), platform="文创赛", public_id="E-7Q2K") is None


LABEL = AigcLabel("1", "文创赛", "E-7Q2K", "文创赛", "E-7Q2K")


def vips_encoded(source: bytes, fmt: str, **options: object) -> bytes:
    image = pyvips.Image.new_from_buffer(source, "")
    method = {"JPEG": image.jpegsave_buffer, "WEBP": image.webpsave_buffer}[fmt]
    return method(keep=pyvips.enums.ForeignKeep.NONE, **options)


PUBLIC_COPIES = {
    "jpeg": lambda: vips_encoded(jpeg((320, 240)), "JPEG", Q=85),
    "jpeg-without-jfif": lambda: encode(poster((200, 150), 3), "JPEG", quality=80),
    "webp-lossy": lambda: vips_encoded(jpeg((320, 240)), "WEBP", Q=80),
    "webp-lossless-alpha": lambda: vips_encoded(rgba_png(), "WEBP", lossless=True),
    "webp-lossy-alpha": lambda: vips_encoded(rgba_png(), "WEBP", Q=80),
    "webp-odd-size": lambda: vips_encoded(png((333, 211)), "WEBP", Q=80),
}


@pytest.mark.parametrize("copy", PUBLIC_COPIES)
def test_a_labelled_public_copy_carries_the_label_and_the_same_pixels(tmp_path: Path, copy: str) -> None:
    data = PUBLIC_COPIES[copy]()
    fmt = "JPEG" if data[:2] == b"\xff\xd8" else "WEBP"
    result = labelled(data, fmt, LABEL)
    found = read(tmp_path, result)
    assert found.aigc_label == LABEL.fields()
    assert found.digital_source_type == TRAINED
    assert found.signal == "generated"
    assert _pixels_equal(data, result)
    with Image.open(io.BytesIO(result)) as im:  # an independent reader finds the packet where it belongs
        assert b"TC260:AIGC" in _as_bytes(im.info["xmp"])
    if fmt == "WEBP":
        chunks = [name for name, _ in webp_chunks(result)]  # also checks the RIFF size
        assert chunks[0] == "VP8X" and chunks[-1] == "XMP "
    else:
        assert jpeg_marker_names(result).count("APP1") == 1


def test_the_label_packet_holds_nothing_but_the_label() -> None:
    packet = provenance.label_xmp(LABEL).decode()
    assert "TC260:AIGC=" in packet and "Iptc4xmpExt:DigitalSourceType=" in packet
    for absent in ("dc:creator", "xmp:CreatorTool", "photoshop:", "exif:"):
        assert absent not in packet


def test_a_labelled_webp_keeps_its_canvas_size_and_alpha() -> None:
    data = vips_encoded(rgba_png((300, 200)), "WEBP", lossless=True)
    with Image.open(io.BytesIO(labelled(data, "WEBP", LABEL))) as im:
        assert im.size == (300, 200)
        assert im.mode == "RGBA"


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _pixels_equal(a: bytes, b: bytes) -> bool:
    with Image.open(io.BytesIO(a)) as first, Image.open(io.BytesIO(b)) as second:
        one, two = first.convert("RGBA"), second.convert("RGBA")
        return one.size == two.size and ImageChops.difference(one, two).getbbox() is None


def test_a_png_full_of_compressed_text_inflates_only_what_is_read(tmp_path: Path) -> None:
    bomb = zlib.compress(b"\x00" * 50_000_000, 9)  # 50 MB of text from ~50 KB, under many names and repeats
    chunks = [_png_chunk(b"zTXt", f"Note{n}".encode() + b"\x00\x00" + bomb) for n in range(40)]
    chunks += [_png_chunk(b"zTXt", b"Software\x00\x00" + bomb) for _ in range(40)]
    data = png((64, 64))
    iend = data.rindex(b"IEND") - 4
    stuffed = data[:iend] + b"".join(chunks) + data[iend:]
    assert read(tmp_path, stuffed) == Provenance()
    texts = provenance._png_texts(stuffed)
    assert list(texts) == ["Software"]
    assert len(texts["Software"]) == provenance.MAX_TEXT_BYTES


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
