"""Every CSV and XLSX file the app sends is written here, so every cell passes the same formula
neutraliser: text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return first) gets a leading apostrophe. Names, reasons and other text typed by
people reach these files; opened in Excel or LibreOffice, ``=HYPERLINK(...)`` must stay text.

CSV is streamed through a generator; XLSX goes through openpyxl's write-only workbook into a
temporary file that is then sent in chunks, so a large table never sits in memory.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will take it literally: text that would start a formula gets
    a leading apostrophe; numbers, dates and other text are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text in chunks of about 64 KB; ``None`` is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else safe_cell(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    # XML cannot carry most control characters; openpyxl refuses them (a 500) rather than drop.
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return safe_cell(value)


def write_xlsx(header: list[str], rows: Iterable[Iterable[Any]], title: str) -> IO[bytes]:
    """A write-only workbook (rows streamed to disk as they come) in a temporary file, rewound;
    the caller streams and closes it (closing deletes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    workbook.save(handle)
    handle.seek(0)
    return handle


def file_chunks(handle: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename={filename}"}


def csv_response(header: list[str], rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A CSV download, streamed (the rows may be a generator reading the database)."""
    return Response(
        stream_with_context(csv_chunks(header, rows)),
        mimetype=CSV_MIME,
        headers=_attachment(filename),
    )


def xlsx_response(
    header: list[str], rows: Iterable[Iterable[Any]], filename: str, *, title: str
) -> Response:
    """An XLSX download of one sheet named ``title``."""
    handle = write_xlsx(header, rows, title=title)
    return Response(file_chunks(handle), mimetype=XLSX_MIME, headers=_attachment(filename))
