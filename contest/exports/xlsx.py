"""Sheets into an XLSX workbook with openpyxl's write-only mode: rows go to disk as they come, so
memory holds one batch. The workbook is written to an anonymous temporary file (gone when closed)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from typing import IO

import anyio
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from contest.exports.tables import Cell, Sheet, clean_text

CHUNK = 256 * 1024
COLUMN_WIDTH = 16


def _cell(sheet: WriteOnlyWorksheet, value: Cell) -> object:
    if isinstance(value, str):
        value = clean_text(value)
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # openpyxl would store it as a formula
            return cell
    return value  # openpyxl gives a datetime its own date format


def _append(sheet: WriteOnlyWorksheet, rows: Sequence[Sequence[Cell]]) -> None:
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def _new_sheet(workbook: Workbook, sheet: Sheet) -> WriteOnlyWorksheet:
    target = workbook.create_sheet(sheet.title)
    for n in range(1, len(sheet.columns) + 1):
        target.column_dimensions[get_column_letter(n)].width = COLUMN_WIDTH
    target.freeze_panes = "A3"
    _append(target, sheet.header_rows())
    return target


async def write_workbook(sheets: Sequence[Sheet]) -> IO[bytes]:
    """The workbook in a temporary file, rewound. Rows are written off the event loop, batch by batch."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        target = _new_sheet(workbook, sheet)
        async for batch in sheet.batches():
            await anyio.to_thread.run_sync(_append, target, batch)
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
