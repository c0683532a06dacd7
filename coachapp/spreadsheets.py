"""Every CSV and XLSX file the app sends is written here, so every cell passes the same formula
neutraliser: text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return first) gets a leading apostrophe. Names, reasons and other text typed by
people reach these files; opened in Excel or LibreOffice, ``=HYPERLINK(...)`` must stay text.

CSV is streamed through a generator; XLSX goes through openpyxl's write-only workbook into a
temporary file that is then sent in chunks, so a large table never sits in memory.

A table's columns are either plain header strings or ``Column``s, which carry a readable
header and a kind, so a file can be handed to someone who never saw the app:

- XLSX: rates stay fractions with a percentage number format (``0.0%``: 0.2381 shows as
  23.8%), counts are integers, dates are real dates with a date format, the header row is bold
  and frozen, widths fit the headers; an optional cover sheet comes first and an optional
  "Definitions" sheet last;
- CSV stays machine-friendly: rates are percentages with one decimal (23.8) under a header
  that says so ("No-show rate (%)"), dates are ISO 8601 (2026-03-31); ``bom=True`` starts the
  file with a byte-order mark so Excel on Windows reads it as UTF-8 (accented names intact).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"

TEXT, COUNT, RATE, NUMBER, DATE, AUTO = "text", "count", "rate", "number", "date", "auto"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
COUNT_FORMAT = "0"
NUMBER_FORMAT = "0.##"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


class Percent(float):
    """A fraction (0.2381) meant as a percentage: for a column of mixed figures (a report's
    "Value"), the rows that are rates say so with this type."""

    __slots__ = ()


@dataclass(frozen=True)
class Column:
    """One column of a table: ``key`` (what the code calls it), ``header`` (what a reader
    sees), ``kind`` (how cells are written), ``width`` (XLSX characters; None: from the
    header)."""

    key: str
    header: str
    kind: str = TEXT
    width: int | None = None
    csv_title: str | None = None

    @property
    def csv_header(self) -> str:
        if self.csv_title:
            return self.csv_title
        return f"{self.header} (%)" if self.kind == RATE else self.header

    @property
    def xlsx_width(self) -> int:
        if self.width:
            return self.width
        floor = 12 if self.kind in (DATE, RATE) else 8
        return max(floor, min(len(self.header) + 2, 40))


def columns_of(header: Sequence[str | Column]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c, c) for c in header]


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will take it literally: text that would start a formula gets
    a leading apostrophe; numbers, dates and other text are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _is_rate(value: Any, kind: str) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and (kind == RATE or isinstance(value, Percent))


def csv_value(value: Any, kind: str = TEXT) -> Any:
    """One CSV cell: rates as percentages with one decimal, dates ISO, text neutralised."""
    if value is None:
        return ""
    if _is_rate(value, kind):
        return round(float(value) * 100, 1)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return safe_cell(value)


def csv_chunks(
    header: Sequence[str | Column], rows: Iterable[Iterable[Any]], *, bom: bool = False
) -> Iterator[str]:
    """CSV text in chunks of about 64 KB; ``None`` is an empty cell; ``bom`` starts the file
    with a byte-order mark (for Excel)."""
    columns = columns_of(header)
    kinds = [c.kind for c in columns]
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(c.csv_header) for c in columns])
    for row in rows:
        writer.writerow([csv_value(v, k) for v, k in zip(row, kinds, strict=False)])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    # XML cannot carry most control characters; openpyxl refuses them (a 500) rather than drop.
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return safe_cell(value)


def _xlsx_cell(sheet, value: Any, kind: str = TEXT) -> Any:
    """A plain value where no format is needed (cheaper), else a formatted write-only cell."""
    value = _xlsx_value(value)
    if value is None or isinstance(value, str):
        return value
    if _is_rate(value, kind):
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = PERCENT_FORMAT
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _header_row(sheet, values: Iterable[str]) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
        cell.font = BOLD
        cells.append(cell)
    return cells


@dataclass(frozen=True)
class Definition:
    """A line of an XLSX "Definitions" sheet."""

    name: str
    meaning: str
    formula: str = ""
    numerator: str = ""
    denominator: str = ""


@dataclass(frozen=True)
class Sheet:
    """A table on a sheet of its own: its title, columns and rows."""

    title: str
    header: Sequence[str | Column]
    rows: Iterable[Iterable[Any]]


def _table_sheet(workbook: Workbook, table: Sheet) -> None:
    """A table's sheet: bold frozen header row, each column formatted by its kind."""
    columns = columns_of(table.header)
    kinds = [c.kind for c in columns]
    sheet = workbook.create_sheet(title=table.title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.xlsx_width
    sheet.freeze_panes = "A2"
    sheet.append(_header_row(sheet, (c.header for c in columns)))
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, v, k) for v, k in zip(row, kinds, strict=False)])


DEFINITION_HEADERS = [
    ("Figure", 34),
    ("What it means", 70),
    ("Formula", 50),
    ("Numerator", 40),
    ("Denominator", 40),
]


def write_xlsx(
    header: Sequence[str | Column],
    rows: Iterable[Iterable[Any]],
    title: str,
    *,
    cover: Sequence[tuple[str, Any]] | None = None,
    definitions: Iterable[Definition] | None = None,
    more: Sequence[Sheet] = (),
) -> IO[bytes]:
    """A write-only workbook (rows streamed to disk as they come) in a temporary file, rewound;
    the caller streams and closes it (closing deletes it).

    Sheets in order: "Cover" (``cover``'s label/value pairs) if given, the table ``title``
    (bold frozen header row, formats by column kind), each of ``more`` written the same way,
    "Definitions" if given."""
    workbook = Workbook(write_only=True)
    if cover is not None:
        sheet = workbook.create_sheet(title="Cover")
        sheet.column_dimensions["A"].width = 22
        sheet.column_dimensions["B"].width = 60
        for label, value in cover:
            first = WriteOnlyCell(sheet, value=_xlsx_value(label))
            first.font = BOLD
            sheet.append([first, _xlsx_cell(sheet, value)])

    for table in (Sheet(title, header, rows), *more):
        _table_sheet(workbook, table)

    if definitions is not None:
        sheet = workbook.create_sheet(title="Definitions")
        for index, (_, width) in enumerate(DEFINITION_HEADERS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append(_header_row(sheet, (h for h, _ in DEFINITION_HEADERS)))
        for item in definitions:
            cells = []
            for value in (item.name, item.meaning, item.formula, item.numerator, item.denominator):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value) or None)
                cell.alignment = WRAP
                cells.append(cell)
            sheet.append(cells)

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


def csv_response(
    header: Sequence[str | Column],
    rows: Iterable[Iterable[Any]],
    filename: str,
    *,
    bom: bool = False,
) -> Response:
    """A CSV download, streamed (the rows may be a generator reading the database)."""
    return Response(
        stream_with_context(csv_chunks(header, rows, bom=bom)),
        mimetype=CSV_MIME,
        headers=_attachment(filename),
    )


def xlsx_response(
    header: Sequence[str | Column],
    rows: Iterable[Iterable[Any]],
    filename: str,
    *,
    title: str,
    cover: Sequence[tuple[str, Any]] | None = None,
    definitions: Iterable[Definition] | None = None,
    more: Sequence[Sheet] = (),
) -> Response:
    """An XLSX download: the sheet ``title`` (then the sheets of ``more``), with a cover sheet
    and a Definitions sheet when given."""
    handle = write_xlsx(header, rows, title=title, cover=cover, definitions=definitions, more=more)
    return Response(file_chunks(handle), mimetype=XLSX_MIME, headers=_attachment(filename))
