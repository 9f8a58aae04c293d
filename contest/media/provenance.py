"""Whether an uploaded original says it was made by AI, read before the pipeline strips its metadata,
and the implicit AIGC label (GB 45438-2025) written back into the public copies.

Four kinds of signal are read from the first ``HEAD_BYTES`` of the file (plus its last ``TAIL_BYTES``, where
a PDF keeps its Info dictionary): a C2PA manifest, the IPTC DigitalSourceType in XMP, the GB 45438 "AIGC"
field (XMP, EXIF or a PNG text chunk), and a known generator named in a software tag. None of them is proof:
metadata is easy to remove and to forge, so a signal is a hint for organisers, never a verdict.
"""

from __future__ import annotations

import io
import json
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

import anyio
import c2pa
from PIL import Image

from contest.media import sniffing  # registers the HEIF opener with Pillow

HEAD_BYTES = 8 * 1024 * 1024
TAIL_BYTES = 256 * 1024
MAX_XMP_PACKETS = 8
MAX_TEXT_BYTES = 1024 * 1024  # a PNG zTXt/iTXt chunk is inflated to at most this much

Signal = Literal["generated", "assisted"]
IPTC_SOURCE_TYPES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = IPTC_SOURCE_TYPES + "trainedAlgorithmicMedia"
COMPOSITE = IPTC_SOURCE_TYPES + "compositeWithTrainedAlgorithmicMedia"
SOURCE_TYPE_SIGNALS: dict[str, Signal] = {TRAINED: "generated", COMPOSITE: "assisted"}
# GB 45438 Label: 1 = is generated, 2 = possibly, 3 = suspected; the weaker claims are flagged, not asserted
LABEL_SIGNALS: dict[str, Signal] = {"1": "generated", "2": "assisted", "3": "assisted"}
AIGC_KEYS = ("Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID",
             "ReservedCode2")
TC260_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
IPTC_EXT_NS = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# (name reported, pattern matched case-insensitively in software tags and generator text chunks)
KNOWN_GENERATORS: tuple[tuple[str, str], ...] = (
    ("Midjourney", r"midjourney"),
    ("DALL·E", r"dall[·\-‧ ]?e"),
    ("Stable Diffusion", r"stable[ \-]?diffusion|\bsdxl\b|\bsteps: \d+, sampler:"),
    ("ComfyUI", r"comfyui|\"class_type\""),
    ("Automatic1111", r"automatic ?1111|\ba1111\b"),
    ("NovelAI", r"novel ?ai"),
    ("Adobe Firefly", r"\bfirefly\b"),
    ("文心一格", r"文心一格|yige\.baidu"),
    ("通义万相", r"通义万相|wanxiang|\bwanx\b"),
    ("即梦", r"即梦|\bjimeng\b|dreamina"),
    ("豆包", r"豆包|\bdoubao\b"),
    ("可灵", r"可灵|\bkling\b"),
    ("Runway", r"\brunway ?(ml|gen)"),
    ("Sora", r"\bsora\b"),
    ("Imagen", r"\bimagen\b"),
    ("Leonardo.Ai", r"leonardo\.?ai"),
    ("Ideogram", r"\bideogram\b"),
    ("FLUX", r"\bflux(\.1)?\b"),
    ("Gemini", r"\bgemini\b"),
    ("Copilot Designer", r"\bcopilot designer\b|bing image creator"),
)
_GENERATOR_PATTERNS = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in KNOWN_GENERATORS)

# where each fact sits: EXIF tags that may carry the AIGC JSON or a software name, PNG text keys, XMP properties
EXIF_LABEL_TAGS = (0x010E, 0x9286, 0x9C9C)        # ImageDescription, UserComment, XPComment
EXIF_SOFTWARE_TAGS = (0x0131,)                     # Software
EXIF_IFD = 0x8769
PNG_LABEL_KEYS = ("AIGC",)
PNG_SOFTWARE_KEYS = ("Software", "parameters", "prompt", "workflow", "Source")
PNG_XMP_KEY = "XML:com.adobe.xmp"
XMP_SOFTWARE_PROPERTIES = ("CreatorTool", "Producer")  # xmp:CreatorTool, pdf:Producer
C2PA_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}  # reading never goes online
C2PA_ACTION_LABELS = ("c2pa.actions", "c2pa.actions.v2")


@dataclass(frozen=True)
class Provenance:
    """The signals found in one file. A C2PA validation_state is only meaningful for files within HEAD_BYTES:
    beyond that the reader sees a truncated asset and reports its hashes "Invalid"."""

    c2pa: dict[str, Any] | None = None        # {"claim_generator", "digital_source_types", "validation_state"}
    digital_source_type: str | None = None    # IPTC URI from XMP
    aigc_label: dict[str, str] | None = None  # GB 45438 fields, as found
    generator: str | None = None              # a KNOWN_GENERATORS name

    @property
    def signal(self) -> Signal | None:
        signals = [SOURCE_TYPE_SIGNALS.get(uri) for uri in self._source_types()]
        signals.append(LABEL_SIGNALS.get(str((self.aigc_label or {}).get("Label", "")).strip()))
        signals.append("generated" if self.generator else None)
        return "generated" if "generated" in signals else "assisted" if "assisted" in signals else None

    def _source_types(self) -> list[str]:
        found = list((self.c2pa or {}).get("digital_source_types", []))
        return found + ([self.digital_source_type] if self.digital_source_type else [])

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Provenance:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class AigcLabel:
    """The GB 45438 implicit label written into a public copy. Nothing in it may identify the designer."""

    label: str                      # "1" | "2" | "3"
    content_producer: str
    produce_id: str
    content_propagator: str = ""
    propagate_id: str = ""
    reserved_code1: str = ""
    reserved_code2: str = ""
    digital_source_type: str = TRAINED  # written beside it as Iptc4xmpExt:DigitalSourceType

    def fields(self) -> dict[str, str]:
        values = (self.label, self.content_producer, self.produce_id, self.reserved_code1,
                  self.content_propagator, self.propagate_id, self.reserved_code2)
        return dict(zip(AIGC_KEYS, values, strict=True))


def public_label(provenance: Provenance, *, platform: str, public_id: str, declared: bool = False) -> AigcLabel | None:
    """The label for a public copy: "1" when the original's metadata says AI, "2" when only the designer
    declared it (GB 45438 / the 2025 Measures, art. 6), none otherwise. The producer fields name the platform
    and the entry's public id, never the original's producer fields, which could lead back to the designer."""
    signal = provenance.signal
    if signal is None and not declared:
        return None
    source_type = COMPOSITE if signal == "assisted" else TRAINED
    return AigcLabel("1" if signal else "2", platform, public_id, platform, public_id,
                     digital_source_type=source_type)


# --- reading -----------------------------------------------------------------------------------------------

@dataclass
class _Found:
    c2pa: dict[str, Any] | None = None
    digital_source_type: str | None = None
    aigc: dict[str, str] | None = None
    software: list[str] = field(default_factory=list)


def read_provenance(path: Path) -> Provenance:
    """Every provenance signal in the file; reads at most HEAD_BYTES + TAIL_BYTES and decodes no pixels."""
    head, tail = _read_ends(path)
    found = _Found(c2pa=_c2pa_summary(head))
    if found.c2pa and found.c2pa["claim_generator"]:
        found.software.append(found.c2pa["claim_generator"])
    kind = sniffing.identify(head[:sniffing.HEAD_BYTES])
    texts = _png_texts(head) if kind == "png" else {}
    png_xmp = texts.get(PNG_XMP_KEY, "").encode()  # found here too when the iTXt chunk is compressed
    for packet in [*_xmp_packets(head + tail), *_xmp_packets(png_xmp)]:
        _read_xmp(packet, found)
    _read_exif(head, found)
    for key, value in texts.items():
        _read_text(value, found, label=key in PNG_LABEL_KEYS, software=key in PNG_SOFTWARE_KEYS)
    if kind == "pdf":
        found.software += _pdf_info(head + tail)
    return Provenance(found.c2pa, found.digital_source_type, found.aigc, _generator(found.software))


async def read_provenance_async(path: Path, *, limiter: anyio.CapacityLimiter | None = None) -> Provenance:
    return await anyio.to_thread.run_sync(read_provenance, path, limiter=limiter)


def _read_ends(path: Path) -> tuple[bytes, bytes]:
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
        size = file.seek(0, io.SEEK_END)
        file.seek(max(len(head), size - TAIL_BYTES))
        return head, file.read(TAIL_BYTES)


def _read_text(text: str, found: _Found, *, label: bool, software: bool) -> None:
    if label and found.aigc is None:
        found.aigc = _aigc_from_text(text)
    if software:
        found.software.append(text)


def _generator(texts: list[str]) -> str | None:
    return next((name for text in texts for name, pattern in _GENERATOR_PATTERNS if pattern.search(text)), None)


# C2PA

def _c2pa_summary(head: bytes) -> dict[str, Any] | None:
    if b"jumb" not in head or b"c2pa" not in head:
        return None  # no JUMBF manifest store: skip the native reader altogether
    try:
        with c2pa.Context(c2pa.Settings.from_dict(C2PA_SETTINGS)) as context, \
                c2pa.Reader(None, io.BytesIO(head), context=context) as reader:
            manifest, state = reader.get_active_manifest(), reader.get_validation_state()
    except c2pa.C2paError:
        return None
    return c2pa_fields(manifest, state) if manifest else None


def c2pa_fields(manifest: dict[str, Any], validation_state: str | None = None) -> dict[str, Any]:
    """What is kept of an active C2PA manifest (as c2pa.Reader.get_active_manifest returns it)."""
    return {"claim_generator": _claim_generator(manifest),
            "digital_source_types": sorted(set(_action_source_types(manifest))),
            "validation_state": validation_state}


def _claim_generator(manifest: dict[str, Any]) -> str | None:
    infos = manifest.get("claim_generator_info") or []
    named = [" ".join(str(info[key]) for key in ("name", "version") if info.get(key)) for info in infos
             if isinstance(info, dict)]
    return manifest.get("claim_generator") or next(iter(named), None)


def _action_source_types(manifest: dict[str, Any]) -> Iterator[str]:
    for assertion in manifest.get("assertions") or []:
        if isinstance(assertion, dict) and assertion.get("label") in C2PA_ACTION_LABELS:
            for action in (assertion.get("data") or {}).get("actions") or []:
                if isinstance(action, dict) and isinstance(action.get("digitalSourceType"), str):
                    yield action["digitalSourceType"]


# XMP

_XMP_PACKET = re.compile(rb"<x:x[am]pmeta\b.{0,1048576}?</x:x[am]pmeta>", re.DOTALL)


def _xmp_packets(data: bytes) -> Iterator[str]:
    for n, match in enumerate(_XMP_PACKET.finditer(data)):
        if n == MAX_XMP_PACKETS:
            return
        yield match.group().decode("utf-8", "replace")


def _read_xmp(packet: str, found: _Found) -> None:
    """``packet`` starts at its root element, so no DTD (and no entity it could declare) reaches the parser."""
    try:
        root = ET.fromstring(packet)
    except ET.ParseError:
        return
    for name, value in _xmp_values(root):
        if name == "DigitalSourceType" and found.digital_source_type is None:
            found.digital_source_type = value.strip()
        elif name == "AIGC" and found.aigc is None:
            found.aigc = _aigc_from_text(value)
        elif name in XMP_SOFTWARE_PROPERTIES:
            found.software.append(value)


def _xmp_values(root: ET.Element) -> Iterator[tuple[str, str]]:
    """(local name, value) of every simple property, whether written as an attribute or an element."""
    for element in root.iter():
        for key, value in element.attrib.items():
            yield _local(key), value
        text = (element.text or "").strip() or element.get(f"{{{RDF_NS}}}resource", "")
        if text:
            yield _local(element.tag), text


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


# the GB 45438 AIGC value

def _aigc_from_text(text: str) -> dict[str, str] | None:
    """The AIGC object in a metadata value: '{"Label": ...}', '{"AIGC": {...}}' or 'AIGC={...}'."""
    decoder = json.JSONDecoder()
    for start in [m.start() for m in re.finditer(r"\{", text)][:16]:
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            continue
        label = _aigc_object(value)
        if label:
            return label
    return None


def _aigc_object(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and "AIGC" in value:
        inner = value["AIGC"]
        return _aigc_from_text(inner) if isinstance(inner, str) else _aigc_object(inner)
    if isinstance(value, dict) and "Label" in value:
        return {key: str(value[key]) for key in AIGC_KEYS if key in value}
    return None


# EXIF

def _read_exif(head: bytes, found: _Found) -> None:
    try:
        with warnings.catch_warnings(), Image.open(io.BytesIO(head), formats=sniffing.ALLOWED_FORMATS) as im:
            warnings.simplefilter("ignore")
            exif = im.getexif()
            tags = {**dict(exif), **dict(exif.get_ifd(EXIF_IFD))}
    except Exception:  # noqa: BLE001 - any unreadable header simply has no EXIF worth reading
        return
    for tag in EXIF_LABEL_TAGS:
        if tag in tags:
            _read_text(_exif_text(tags[tag]), found, label=True, software=False)
    for tag in EXIF_SOFTWARE_TAGS:
        if tag in tags:
            _read_text(_exif_text(tags[tag]), found, label=False, software=True)


def _exif_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes):
        return str(value)
    if value[:8] == b"UNICODE\x00":
        body = value[8:]
        return body.decode("utf-16-be" if body[:1] == b"\x00" else "utf-16-le", "replace")
    if value[:8] in (b"ASCII\x00\x00\x00", b"\x00" * 8):
        value = value[8:]
    if value.count(b"\x00") > len(value) // 4:  # XPComment is UTF-16LE without a prefix
        return value.decode("utf-16-le", "replace").rstrip("\x00")
    return value.decode("utf-8", "replace").rstrip("\x00")


# PNG text chunks, walked directly: Pillow only sees those before the first IDAT without decoding pixels

def _png_texts(data: bytes) -> dict[str, str]:
    """The first value of each key this module reads; other keys and repeats are never inflated."""
    wanted, texts, pos = {*PNG_LABEL_KEYS, *PNG_SOFTWARE_KEYS, PNG_XMP_KEY}, {}, 8
    while pos + 8 <= len(data) and data[pos + 4:pos + 8] != b"IEND":
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        key, _, body = data[pos + 8:pos + 8 + length].partition(b"\x00")
        name = key.decode("latin-1")
        if kind in _PNG_TEXT_READERS and name in wanted and name not in texts:
            text = _PNG_TEXT_READERS[kind](body)
            if text is not None:
                texts[name] = text
        pos += 12 + length
    return texts


def _tEXt(body: bytes) -> str | None:
    return body.decode("latin-1")


def _zTXt(body: bytes) -> str | None:
    value = _inflate(body[1:])
    return None if value is None else value.decode("latin-1")


def _iTXt(body: bytes) -> str | None:
    compressed, rest = body[:1] == b"\x01", body[2:]
    _language, _, rest = rest.partition(b"\x00")
    _translated, _, value = rest.partition(b"\x00")
    text = _inflate(value) if compressed else value
    return None if text is None else text.decode("utf-8", "replace")


def _inflate(data: bytes) -> bytes | None:
    try:
        return zlib.decompressobj().decompress(data, MAX_TEXT_BYTES)
    except zlib.error:
        return None


_PNG_TEXT_READERS = {b"tEXt": _tEXt, b"zTXt": _zTXt, b"iTXt": _iTXt}


# PDF Info dictionary (literal or hex strings, as written uncompressed by most producers)

_PDF_INFO = re.compile(rb"/(Producer|Creator)\s*(\((?:\\.|[^\\)]){0,512}\)|<[0-9A-Fa-f\s]{0,2048}>)")


def _pdf_info(data: bytes) -> list[str]:
    return [_pdf_string(match.group(2)) for match in _PDF_INFO.finditer(data)]


def _pdf_string(token: bytes) -> str:
    raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode()) if token[:1] == b"<" else token[1:-1]
    if raw[:2] == b"\xfe\xff":
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


# --- writing the label into a public copy ------------------------------------------------------------------

XMP_APP1_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
WEBP_XMP_FLAG = 0x04
WEBP_ALPHA_FLAG = 0x10


def label_xmp(label: AigcLabel) -> bytes:
    """An XMP packet holding only the label: TC260:AIGC (its JSON) and Iptc4xmpExt:DigitalSourceType."""
    aigc = json.dumps(label.fields(), ensure_ascii=False, separators=(",", ":"))
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}">'
        f'<rdf:Description rdf:about="" xmlns:TC260="{TC260_NS}" xmlns:Iptc4xmpExt="{IPTC_EXT_NS}"'
        f' TC260:AIGC={quoteattr(aigc)} Iptc4xmpExt:DigitalSourceType={quoteattr(label.digital_source_type)}/>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def labelled(data: bytes, fmt: str, label: AigcLabel) -> bytes:
    """``data`` (an encoded JPEG or WebP without XMP) with the label's XMP added; pixels are not re-encoded."""
    return _WRITERS[fmt.upper()](data, label_xmp(label))


def _jpeg_with_xmp(data: bytes, xmp: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    pos = 2
    if data[2:4] == b"\xff\xe0":  # JFIF's APP0 must stay first
        pos = 4 + struct.unpack(">H", data[4:6])[0]
    segment = XMP_APP1_HEADER + xmp
    return data[:pos] + b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment + data[pos:]


def _webp_with_xmp(data: bytes, xmp: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    body = data[12:]
    if body[:4] != b"VP8X":
        body = _vp8x_chunk(body) + body
    flags = body[8] | WEBP_XMP_FLAG
    body = body[:8] + bytes([flags]) + body[9:] + _riff_chunk(b"XMP ", xmp)
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def _vp8x_chunk(body: bytes) -> bytes:
    """The extended header a simple (VP8 or VP8L) WebP needs before it may carry metadata."""
    kind, payload = body[:4], body[8:]
    if kind == b"VP8 ":
        width, height = (value & 0x3FFF for value in struct.unpack("<HH", payload[6:10]))
        flags = 0
    elif kind == b"VP8L":
        bits = struct.unpack("<I", payload[1:5])[0]
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        flags = WEBP_ALPHA_FLAG if bits >> 28 & 1 else 0
    else:
        raise ValueError(f"unexpected WebP chunk {kind!r}")
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff_chunk(b"VP8X", bytes([flags, 0, 0, 0]) + canvas)


def _riff_chunk(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) & 1)


_WRITERS = {"JPEG": _jpeg_with_xmp, "JPG": _jpeg_with_xmp, "WEBP": _webp_with_xmp}
