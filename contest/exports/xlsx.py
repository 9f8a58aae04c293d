"""Sheets into an XLSX workbook with openpyxl's write-only mode: rows go to disk as they come, so
memory holds one batch. The workbook is written to an anonymous temporary file (gone when closed).

A write-only sheet puts its column widths before its rows, so each sheet is read twice: once to
measure its widest cells, once to write them."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from typing import IO

import anyio
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from contest.exports.tables import Cell, Column, HeaderLanguages, Sheet, clean_text, display_width

CHUNK = 256 * 1024
MAX_WIDTH = 60  # a concept statement is read in its cell, not across the screen
PADDING = 2
_TEXT = Column("", "")  # a header cell: text, made safe like any other


def _cell(sheet: WriteOnlyWorksheet, column: Column, value: Cell) -> object:
    if isinstance(value, str):
        value = clean_text(value)
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # openpyxl would store it as a formula
            return cell
    if column.number_format and isinstance(value, int | float):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = column.number_format
        return cell
    return value  # openpyxl gives a datetime its own date format


def _append(sheet: WriteOnlyWorksheet, columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> None:
    for row in rows:
        sheet.append([_cell(sheet, column, value) for column, value in zip(columns, row, strict=True)])


def _width(column: Column, value: Cell) -> int:
    if column.digits is not None and isinstance(value, int | float):
        return len(f"{value:.{column.digits}f}")
    return display_width(value)


def _widen(widths: list[int], columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> list[int]:
    return [max(width, max((_width(column, row[n]) for row in rows), default=0))
            for n, (width, column) in enumerate(zip(widths, columns, strict=True))]


async def column_widths(sheet: Sheet, languages: HeaderLanguages) -> list[int]:
    """Each column as wide as its widest cell, header included (up to MAX_WIDTH), plus a margin."""
    widths = [max(map(display_width, labels)) for labels in zip(*sheet.header_rows(languages), strict=True)]
    async for batch in sheet.batches():
        widths = await anyio.to_thread.run_sync(_widen, widths, sheet.columns, batch)
    return [min(w, MAX_WIDTH) + PADDING for w in widths]


async def _new_sheet(workbook: Workbook, sheet: Sheet, languages: HeaderLanguages) -> WriteOnlyWorksheet:
    target = workbook.create_sheet(sheet.title)
    for n, width in enumerate(await column_widths(sheet, languages), start=1):
        target.column_dimensions[get_column_letter(n)].width = width
    target.freeze_panes = f"A{len(languages) + 1}"
    _append(target, [_TEXT] * len(sheet.columns), sheet.header_rows(languages))
    return target


async def write_workbook(sheets: Sequence[Sheet], *, languages: HeaderLanguages) -> IO[bytes]:
    """The workbook in a temporary file, rewound, with a header row per language. Rows are measured and
    written off the event loop, batch by batch."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        target = await _new_sheet(workbook, sheet, languages)
        async for batch in sheet.batches():
            await anyio.to_thread.run_sync(_append, target, sheet.columns, batch)
    if not sheets:
        workbook.create_sheet("-")
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, closed by file_chunks
    try:
        await anyio.to_thread.run_sync(workbook.save, output)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


async def file_chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    """The file's bytes in chunks, read off the event loop; the file is closed at the end."""
    try:
        while chunk := await anyio.to_thread.run_sync(file.read, CHUNK):
            yield chunk
    finally:
        file.close()


async def workbook_bytes(sheets: Sequence[Sheet], *, languages: HeaderLanguages) -> bytes:
    """The workbook whole, for a small one that goes into an archive or a cached response."""
    with await write_workbook(sheets, languages=languages) as file:
        return await anyio.to_thread.run_sync(file.read)
