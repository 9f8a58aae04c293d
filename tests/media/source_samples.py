"""Designers' source files and hostile archives, generated in code: just enough of each format for its
signature and structure, and ZIP bombs built by streaming zeros or by patching a central directory."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pikepdf

from tests.imagegen import jpeg, png


def archive(entries: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as out:
        for name, data in entries.items():
            out.writestr(name, data)
    return buffer.getvalue()


def drafts_zip() -> bytes:
    return archive({"drafts/sketch-1.png": png((120, 90)), "drafts/notes.txt": "第一稿,配色待定".encode(),
                    "final/poster.jpg": jpeg((120, 90))})


def pdf(creator: str | None = None) -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    if creator:
        document.docinfo["/Creator"] = creator
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def ai_pdf() -> bytes:
    return pdf("Adobe Illustrator 28.0 (Windows)")


def ai_postscript() -> bytes:
    return b"%!PS-Adobe-3.0\n%%Creator: Adobe Illustrator(R) 8.0\n%%BoundingBox: 0 0 100 100\n%%EndComments\n"


def psb() -> bytes:
    return b"8BPS\x00\x02" + b"\x00" * 6 + struct.pack(">HIIHH", 3, 40_000, 40_000, 8, 3) + b"\x00" * 64


def cdr_riff() -> bytes:
    body = b"CDR9" + b"vrsn" + struct.pack("<I", 2) + b"\x84\x03"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def cdr_zip() -> bytes:
    return archive({"mimetype": b"application/x-vnd.corel.zcf.draw.document+zip", "content/riffData.cdr": b"RIFF"})


def model_3mf() -> bytes:
    return archive({"[Content_Types].xml": b"<Types/>", "3D/3dmodel.model": b"<model unit='millimeter'/>"})


def obj() -> bytes:
    return (b"# Blender 4.1\nmtllib vase.mtl\no Vase\nv 0.0 0.0 0.0\nv 1.0 0.0 0.0\nv 0.0 1.0 0.0\n"
            b"vn 0 0 1\nvt 0 0\nusemtl clay\ns off\nf 1/1/1 2/1/1 3/1/1\n")


def stl_ascii() -> bytes:
    return (b"solid vase\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n"
            b"  endloop\n endfacet\nendsolid vase\n")


def stl_binary(triangles: int = 3) -> bytes:
    header = b"solid exported by a CAD program".ljust(80, b" ")  # binary files may start with "solid" too
    facet = struct.pack("<12fH", *([0.0] * 12), 0)
    return header + struct.pack("<I", triangles) + facet * triangles


def glb() -> bytes:
    content = json.dumps({"asset": {"version": "2.0"}}).encode().ljust(28, b" ")
    chunk = struct.pack("<I", len(content)) + b"JSON" + content
    return b"glTF" + struct.pack("<II", 2, 12 + len(chunk)) + chunk


def fbx_binary() -> bytes:
    return b"Kaydara FBX Binary  \x00\x1a\x00" + struct.pack("<I", 7400) + b"\x00" * 64


def fbx_ascii() -> bytes:
    return b"; FBX 7.4.0 project file\n; ----------------------------------------------------\nFBXHeaderExtension:  {\n"


def blend() -> bytes:
    return b"BLENDER-v402" + b"REND" + b"\x00" * 64


def model_3ds() -> bytes:
    version = struct.pack("<HII", 0x0002, 10, 3)
    return b"MM" + struct.pack("<I", 6 + len(version)) + version


def skp() -> bytes:
    return b"\xff\xfe\xff\x0e" + "SketchUp Model".encode("utf-16-le") + b"\xff\xfe\xff\x0e" + b"\x00" * 64


def seven_zip() -> bytes:
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 24


def rar() -> bytes:
    return b"Rar!\x1a\x07\x01\x00" + b"\x00" * 24


# --- hostile ------------------------------------------------------------------------------------------------

def zeros_bomb(path: Path, megabytes: int, name: str = "zeros.bin") -> None:
    """A ZIP of ``megabytes`` MB of zeros, streamed so that building it needs little memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out, out.open(name, "w") as entry:
        block = b"\x00" * 1024**2
        for _ in range(megabytes):
            entry.write(block)


def declaring(data: bytes, uncompressed: int) -> bytes:
    """``data`` (a ZIP) with every central directory entry claiming ``uncompressed`` bytes."""
    patched = bytearray(data)
    at = patched.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", patched, at + 24, uncompressed)
        at = patched.find(b"PK\x01\x02", at + 4)
    return bytes(patched)


def end_record_claiming(data: bytes, entries: int) -> bytes:
    patched = bytearray(data)
    at = patched.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", patched, at + 8, entries, entries)
    return bytes(patched)


def with_symlink(target: str = "/etc/passwd") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        link = zipfile.ZipInfo("drafts/link")
        link.external_attr = (0o120777 << 16)
        out.writestr(link, target)
    return buffer.getvalue()


def pe_executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"


def elf_executable() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def shell_script() -> bytes:
    return b"#!/bin/sh\nrm -rf ~\n"


def self_extracting() -> bytes:
    return pe_executable() + drafts_zip()


def pdf_zip_polyglot() -> bytes:
    return pdf() + archive({"payload.html": b"<script>alert(1)</script>"})

