"""Byte-level views of JPEG, PNG and WebP files, to prove what an output file contains."""

from __future__ import annotations

import struct

JPEG_NAMES = {0xE0: "APP0", 0xE1: "APP1", 0xE2: "APP2", 0xED: "APP13", 0xEE: "APP14", 0xFE: "COM",
              0xDB: "DQT", 0xC4: "DHT", 0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2", 0xDD: "DRI", 0xDA: "SOS"}


def jpeg_segments(data: bytes) -> list[tuple[str, bytes]]:
    """(name, payload) of every marker segment up to the first SOS, plus the markers after EOI."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    segments, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"bad marker at {pos}"
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        name = JPEG_NAMES.get(marker, f"APP{marker - 0xE0}" if 0xE0 <= marker <= 0xEF else hex(marker))
        segments.append((name, data[pos + 4:pos + 2 + length]))
        pos += 2 + length
        if marker == 0xDA:
            break
    return segments


def jpeg_marker_names(data: bytes) -> list[str]:
    return [name for name, _ in jpeg_segments(data)]


def png_chunks(data: bytes) -> list[tuple[str, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, pos = [], 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8].decode("latin-1")
        chunks.append((kind, data[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return chunks


def webp_chunks(data: bytes) -> list[tuple[str, bytes]]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    assert struct.unpack("<I", data[4:8])[0] + 8 == len(data), "RIFF size does not match the file"
    chunks, pos = [], 12
    while pos < len(data):
        kind = data[pos:pos + 4].decode("latin-1")
        length = struct.unpack("<I", data[pos + 4:pos + 8])[0]
        chunks.append((kind, data[pos + 8:pos + 8 + length]))
        pos += 8 + length + (length & 1)
    return chunks


def container_names(data: bytes) -> list[str]:
    """The segment or chunk names of any of the three formats, in file order."""
    if data[:2] == b"\xff\xd8":
        return jpeg_marker_names(data)
    if data[:4] == b"RIFF":
        return [kind for kind, _ in webp_chunks(data)]
    return [kind for kind, _ in png_chunks(data)]
