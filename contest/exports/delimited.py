"""A sheet as CSV: UTF-8 with a byte-order mark (so Excel reads the Chinese correctly), a header row
per language asked for, and text that a spreadsheet would run as a formula quoted with a leading '."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from contest.exports.tables import Cell, HeaderLanguages, Row, Sheet, clean_text, defuse

BOM = "\ufeff"


def _value(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        return defuse(clean_text(value))
    return value


def _encode(rows: Iterable[Row | list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([_value(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


async def csv_chunks(sheet: Sheet, *, languages: HeaderLanguages) -> AsyncIterator[bytes]:
    yield BOM.encode("utf-8") + _encode(sheet.header_rows(languages))
    async for batch in sheet.batches():
        yield _encode(batch)
