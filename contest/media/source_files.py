"""What a designer's source file really is (layered artwork, vector art, 3D models, archives of drafts),
told from its bytes and never from its name.

The server stores and serves these files but never opens or expands them. The one exception is a ZIP's
central directory, read (no entry is ever decompressed) so that an organiser who unpacks the archive is not
handed a bomb or an archive that writes outside its folder. A file that is two kinds at once (a polyglot,
e.g. a JPEG or PDF with a ZIP after it) is refused: it opens as an archive in one program and as the
harmless-looking kind in another, so neither kind can be vouched for.
"""

from __future__ import annotations

import re
import stat
import struct
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import IO

import anyio

from contest.media.sniffing import identify

HEAD_BYTES = 64 * 1024
ILLUSTRATOR_MARK = b"Adobe Illustrator"  # in an .ai file's header comments or XMP, within its first KBs


class SourceReason(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    EXECUTABLE = "executable"
    ACTIVE_CONTENT = "active_content"          # HTML, SVG, XML: a browser would run it
    POLYGLOT = "polyglot"
    CORRUPT_ARCHIVE = "corrupt_archive"
    TOO_MANY_ENTRIES = "too_many_entries"
    DIRECTORY_TOO_LARGE = "directory_too_large"
    UNCOMPRESSED_TOO_LARGE = "uncompressed_too_large"
    COMPRESSION_RATIO = "compression_ratio"
    NESTED_ARCHIVE = "nested_archive"          # an archive inside that is bomb-like, or nested too deep
    UNSAFE_PATH = "unsafe_path"                # absolute path, "..", or a link: would write outside the folder
    EXECUTABLE_INSIDE = "executable_inside"


class SourceRefused(Exception):
    def __init__(self, reason: SourceReason, *, limit: int | None = None, actual: int | None = None,
                 detail: str = "") -> None:
        figures = f" (limit {limit}, actual {actual})" if limit is not None else ""
        super().__init__(f"{reason.value}{figures}{': ' + detail if detail else ''}")
        self.reason = reason
        self.limit = limit
        self.actual = actual
        self.detail = detail


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 10_000
    max_uncompressed_bytes: int = 2 * 1024**3
    max_ratio: int = 100
    ratio_floor_bytes: int = 64 * 1024**2  # below this, a high ratio (a text file of spaces) threatens nobody
    max_directory_bytes: int = 16 * 1024**2
    max_nesting: int = 2                   # ZIPs stored inside ZIPs, whose directories are read too


@dataclass(frozen=True)
class SourceKind:
    extension: str
    mime_type: str


KINDS = {
    "zip": SourceKind("zip", "application/zip"),
    "7z": SourceKind("7z", "application/x-7z-compressed"),   # opaque: the server cannot list it
    "rar": SourceKind("rar", "application/vnd.rar"),          # opaque: the server cannot list it
    "psd": SourceKind("psd", "image/vnd.adobe.photoshop"),
    "psb": SourceKind("psb", "image/vnd.adobe.photoshop"),
    "ai": SourceKind("ai", "application/postscript"),
    "eps": SourceKind("eps", "application/postscript"),
    "pdf": SourceKind("pdf", "application/pdf"),
    "cdr": SourceKind("cdr", "application/x-cdr"),
    "sketch": SourceKind("sketch", "application/zip"),
    "obj": SourceKind("obj", "model/obj"),
    "stl": SourceKind("stl", "model/stl"),
    "glb": SourceKind("glb", "model/gltf-binary"),
    "fbx": SourceKind("fbx", "application/octet-stream"),
    "3mf": SourceKind("3mf", "model/3mf"),
    "3ds": SourceKind("3ds", "application/x-3ds"),
    "blend": SourceKind("blend", "application/x-blender"),
    "skp": SourceKind("skp", "application/vnd.sketchup.skp"),
}
# formats that are ZIP containers inside; only the name tells them from a plain ZIP
ZIP_CONTAINERS = {"cdr", "3mf", "sketch"}

# (offset, signature, kind), checked before sniffing.identify, which knows PSD, PDF, EPS and ZIP
SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"8BPS\x00\x02", "psb"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"glTF\x02\x00\x00\x00", "glb"),
    (0, b"Kaydara FBX Binary  \x00", "fbx"),
    (0, b"; FBX ", "fbx"),
    (0, b"BLENDER", "blend"),
    (0, b"\xff\xfe\xff\x0eS\x00k\x00e\x00t\x00c\x00h\x00U\x00p\x00 \x00M\x00o\x00d\x00e\x00l\x00", "skp"),
)
IDENTIFIED = {"psd", "pdf", "eps", "zip"}  # sniffing.identify's kinds that are source kinds
ACTIVE = {"html", "svg", "xml"}
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                         b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!", b"dex\n", b"\x00asm")
EXECUTABLE_EXTENSIONS = {"exe", "dll", "scr", "com", "bat", "cmd", "msi", "ps1", "vbs", "vbe", "js", "jse", "wsf",
                         "hta", "lnk", "jar", "app", "sh", "apk", "reg", "cpl", "pif"}
ARCHIVE_EXTENSIONS = {"zip", "7z", "rar", "gz", "tgz", "bz2", "xz", "zst", "tar", "cab"}
OBJ_KEYWORDS = {"#", "v", "vt", "vn", "vp", "f", "l", "p", "o", "g", "s", "mtllib", "usemtl", "cstype", "deg",
                "curv", "surf", "parm", "end"}
OBJ_SAMPLE_BYTES = 8192

EOCD = b"PK\x05\x06"
EOCD_SIZE = 22
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"


@dataclass(frozen=True)
class SourceInfo:
    kind: str
    extension: str
    mime_type: str
    entries: int | None = None             # ZIP containers only
    uncompressed_bytes: int | None = None  # ZIP containers only, as declared by the central directory


def inspect_source(path: Path, *, original_name: str, max_bytes: int, limits: ZipLimits = ZipLimits()) -> SourceInfo:
    """The file's kind, or ``SourceRefused``. ``original_name`` only tells ZIP-based formats apart."""
    size = path.stat().st_size
    if size == 0:
        raise SourceRefused(SourceReason.EMPTY)
    if size > max_bytes:
        raise SourceRefused(SourceReason.TOO_LARGE, limit=max_bytes, actual=size)
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
        kind = source_kind(head, size, zip_tail=_end_record(file, size) is not None)
        if kind != "zip":
            return _info(kind)
        entries, uncompressed = inspect_zip(file, size, limits)
    named = _extension(original_name)
    return _info(named if named in ZIP_CONTAINERS else "zip", entries, uncompressed)


async def inspect_source_async(path: Path, *, original_name: str, max_bytes: int, limits: ZipLimits = ZipLimits(),
                               limiter: anyio.CapacityLimiter | None = None) -> SourceInfo:
    def run() -> SourceInfo:
        return inspect_source(path, original_name=original_name, max_bytes=max_bytes, limits=limits)
    return await anyio.to_thread.run_sync(run, limiter=limiter)


def _info(kind: str, entries: int | None = None, uncompressed: int | None = None) -> SourceInfo:
    return SourceInfo(kind, KINDS[kind].extension, KINDS[kind].mime_type, entries, uncompressed)


def _extension(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")


# --- the kind, from the first bytes ------------------------------------------------------------------------

def source_kind(head: bytes, size: int, *, zip_tail: bool = False) -> str:
    """The kind of source file (a KINDS key), or ``SourceRefused`` for executables, web content, polyglots
    and the rest. ``zip_tail``: the file ends with a ZIP end-of-central-directory record."""
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise SourceRefused(SourceReason.EXECUTABLE, detail=head[:4].hex())
    if zip_tail and identify(head) != "zip":
        raise SourceRefused(SourceReason.POLYGLOT, detail=f"{identify(head)} that is also a ZIP archive")
    signed = next((kind for offset, signature, kind in SIGNATURES
                   if head[offset:offset + len(signature)] == signature), None)
    if signed:
        return signed
    identified = identify(head)
    if identified in ACTIVE:
        raise SourceRefused(SourceReason.ACTIVE_CONTENT, detail=identified)
    if identified in IDENTIFIED:
        return _illustrator(head, identified)
    shaped = next((kind for kind, test in SHAPES if test(head, size)), None)
    if shaped is None:
        raise SourceRefused(SourceReason.UNSUPPORTED_TYPE, detail=identified)
    return shaped


def _illustrator(head: bytes, kind: str) -> str:
    """Illustrator saves .ai as a PDF (or, long ago, PostScript) naming itself in the first KBs."""
    return "ai" if kind in ("pdf", "eps") and ILLUSTRATOR_MARK in head else kind


def _binary_stl(head: bytes, size: int) -> bool:
    # an 80-byte header (which may itself say "solid"), a triangle count, then 50 bytes per triangle
    return size >= 84 and size == 84 + 50 * struct.unpack("<I", head[80:84])[0]


def _ascii_stl(head: bytes, size: int) -> bool:
    return head.lstrip().startswith(b"solid") and (b"facet normal" in head or b"endsolid" in head)


def _3ds(head: bytes, size: int) -> bool:
    # main chunk 0x4D4D whose length is the whole file
    return size >= 6 and head[:2] == b"MM" and struct.unpack("<I", head[2:6])[0] == size


def _riff_cdr(head: bytes, size: int) -> bool:
    # RIFF....CDRx: CorelDRAW up to X3 (later versions are ZIP containers, told apart by name)
    return head[:4] == b"RIFF" and head[8:11] == b"CDR"


def _obj(head: bytes, size: int) -> bool:
    """Wavefront OBJ is plain text: every line a known statement, at least one vertex."""
    sample = head[:OBJ_SAMPLE_BYTES]
    if len(head) > OBJ_SAMPLE_BYTES:
        sample = sample[:sample.rfind(b"\n") + 1]  # whole lines only
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    words = [line.split(maxsplit=1)[0] for line in text.splitlines() if line.strip()]
    return "\x00" not in text and "v" in words and all(
        word in OBJ_KEYWORDS or word.startswith("#") for word in words)


SHAPES: tuple[tuple[str, Callable[[bytes, int], bool]], ...] = (
    ("cdr", _riff_cdr), ("stl", _binary_stl), ("3ds", _3ds), ("stl", _ascii_stl), ("obj", _obj))


# --- ZIP: the central directory only -----------------------------------------------------------------------

@dataclass(frozen=True)
class _EndRecord:
    entries: int
    directory_bytes: int


def _end_record(file: IO[bytes], size: int) -> _EndRecord | None:
    """The end-of-central-directory record, if the file ends like a ZIP (its comment running to the end)."""
    window = min(size, EOCD_SIZE + 0xFFFF)
    file.seek(size - window)
    tail = file.read(window)
    for match in reversed([m.start() for m in re.finditer(re.escape(EOCD), tail)]):
        entries, directory_bytes, _offset, comment = struct.unpack("<HIIH", tail[match + 10:match + 22])
        if match + EOCD_SIZE + comment == window:
            return _zip64_end(file, size - window + match) or _EndRecord(entries, directory_bytes)
    return None


def _zip64_end(file: IO[bytes], eocd_at: int) -> _EndRecord | None:
    if eocd_at < 20:
        return None
    file.seek(eocd_at - 20)
    locator = file.read(20)
    if locator[:4] != ZIP64_LOCATOR:
        return None
    file.seek(struct.unpack("<Q", locator[8:16])[0])
    record = file.read(56)
    if record[:4] != ZIP64_EOCD:
        return None
    entries, directory_bytes = struct.unpack("<QQ", record[32:48])
    return _EndRecord(entries, directory_bytes)


def inspect_zip(file: IO[bytes], size: int, limits: ZipLimits = ZipLimits(), depth: int = 0) -> tuple[int, int]:
    """(entries, declared uncompressed bytes), counting stored inner ZIPs; refuses bombs and zip-slip.

    The end record's entry count and directory size are checked before zipfile reads the directory."""
    end = _end_record(file, size)
    if end is None:
        raise SourceRefused(SourceReason.CORRUPT_ARCHIVE, detail="no end of central directory")
    _at_most(SourceReason.TOO_MANY_ENTRIES, limits.max_entries, end.entries)
    _at_most(SourceReason.DIRECTORY_TOO_LARGE, limits.max_directory_bytes, end.directory_bytes)
    with _archive(file) as archive:
        infos = archive.infolist()
        _at_most(SourceReason.TOO_MANY_ENTRIES, limits.max_entries, len(infos))
        for info in infos:
            _check_entry(info)
        inner = [_nested(archive, info, limits, depth) for info in infos
                 if _extension(info.filename) in ARCHIVE_EXTENSIONS]
    entries = len(infos) + sum(count for count, _ in inner)
    uncompressed = sum(info.file_size for info in infos) + sum(total for _, total in inner)
    _at_most(SourceReason.TOO_MANY_ENTRIES, limits.max_entries, entries)
    _at_most(SourceReason.UNCOMPRESSED_TOO_LARGE, limits.max_uncompressed_bytes, uncompressed)
    if uncompressed > limits.ratio_floor_bytes:
        _at_most(SourceReason.COMPRESSION_RATIO, limits.max_ratio, uncompressed // size)
    return entries, uncompressed


@contextmanager
def _archive(file: IO[bytes]) -> Iterator[zipfile.ZipFile]:
    try:
        with zipfile.ZipFile(file) as archive:
            yield archive
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise SourceRefused(SourceReason.CORRUPT_ARCHIVE, detail=str(exc)[:200]) from exc


def _check_entry(info: zipfile.ZipInfo) -> None:
    name = info.filename.replace("\\", "/")
    parts = name.split("/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
        raise SourceRefused(SourceReason.UNSAFE_PATH, detail=info.filename[:200])
    if stat.S_ISLNK(info.external_attr >> 16):
        raise SourceRefused(SourceReason.UNSAFE_PATH, detail=f"link {info.filename[:200]}")
    if _extension(name) in EXECUTABLE_EXTENSIONS:
        raise SourceRefused(SourceReason.EXECUTABLE_INSIDE, detail=info.filename[:200])


def _nested(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, depth: int) -> tuple[int, int]:
    """An archive inside: bomb-like by its own ratio is refused; a stored ZIP has its directory read too
    (seeking in a stored entry reads bytes, it expands nothing); a compressed one stays opaque."""
    ratio = info.file_size // max(info.compress_size, 1)
    if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
        raise SourceRefused(SourceReason.NESTED_ARCHIVE, limit=limits.max_ratio, actual=ratio,
                            detail=info.filename[:200])
    if info.compress_type != zipfile.ZIP_STORED or _extension(info.filename) != "zip":
        return 0, 0
    if depth >= limits.max_nesting:
        raise SourceRefused(SourceReason.NESTED_ARCHIVE, limit=limits.max_nesting, actual=depth + 1,
                            detail=info.filename[:200])
    with archive.open(info) as inner:
        return inspect_zip(inner, info.file_size, limits, depth + 1)


def _at_most(reason: SourceReason, limit: int, actual: int) -> None:
    if actual > limit:
        raise SourceRefused(reason, limit=limit, actual=actual)
