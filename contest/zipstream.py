"""Writing a ZIP to a response while it is made: the standard library's zipfile writes to this sink,
and the producer hands on what was written after each member, so memory holds one member, not the archive."""

from __future__ import annotations

import io
from typing import Any


class ZipSink(io.RawIOBase):
    """A write-only, unseekable file that hands over what was written since the last take()."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data
