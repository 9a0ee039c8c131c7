"""Every spreadsheet the platform produces (.xlsx and .csv) is written here: safe and printable.

Safe (OWASP "CSV Injection", CWE-1236): a cell from user text is always a *string*, never a
formula. openpyxl writes a str that starts with `=` as a formula, and Excel, WPS and
LibreOffice evaluate text cells that start with `=`, `+`, `-`, `@`, tab or CR when a CSV is
opened; such values are prefixed with a single quote `'` (OWASP's recommendation), which
spreadsheet programs show as text. In .xlsx the cell is also typed as a string (`t="s"`/
inline) explicitly, so even a value that slipped past the prefix cannot be a formula.

Printable: landscape, fit to one page wide (any number of pages tall), the header row frozen
and repeated on every printed page, column widths from the content (CJK counted double),
bold Chinese headers, A4.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_MAX_WIDTH = 60


def neutralize(value: str) -> str:
    """A user-supplied string made inert for spreadsheets: prefixed with `'` when it starts
    with a character that makes Excel/WPS/LibreOffice read it as a formula (`=`, `+`, `-`,
    `@`, tab, CR, LF, and their full-width forms, which some versions fold). Other strings
    are returned unchanged."""
    if value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralize(value: str) -> str:
    """The inverse of `neutralize`, for files coming back in (the refused-rows .xlsx is made
    to be fixed and imported again; Excel and WPS keep the `'` of a CSV cell as text): a
    leading `'` followed by a formula trigger is dropped, anything else is unchanged. The
    value is stored as plain text and neutralized again by every export."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_TRIGGERS):
        return value[1:]
    return value


def cell_value(value: Any) -> Any:
    """What a cell holds: numbers, dates and booleans as themselves (never formulas), every
    string neutralized, anything else as its neutralized `str()`; None stays empty."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value
    return neutralize(str(value))


def _display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    longest = max((line for line in text.splitlines()), key=len, default="")
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in longest)


@dataclass(frozen=True)
class Sheet:
    """One sheet of an export: title (≤ 31 characters), Chinese column headers, rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] | None = None  # characters; measured from the content when None


def _set_string(cell: Cell, value: Any) -> None:
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # a string cell, whatever it starts with: never a formula


def write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """Fill `ws` with `sheet` and apply the print setup (see the module docstring)."""
    ws.title = sheet.title[:31]
    measured = [_display_width(h) for h in sheet.headers]
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, header in enumerate(sheet.headers, start=1):
        cell = ws.cell(row=1, column=col)
        _set_string(cell, neutralize(str(header)))
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r, row in enumerate(sheet.rows, start=2):
        for c, value in enumerate(row, start=1):
            stored = cell_value(value)
            _set_string(ws.cell(row=r, column=c), stored)
            if c <= len(measured):
                measured[c - 1] = max(measured[c - 1], _display_width(stored))
    widths = sheet.widths or [min(_MAX_WIDTH, w + 2) for w in measured]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    if sheet.headers:
        last = get_column_letter(len(sheet.headers))
        ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 1)}"


def xlsx(*sheets: Sheet) -> bytes:
    """An .xlsx workbook of `sheets`, each written by `write_sheet`."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    for i, sheet in enumerate(sheets):
        ws = first if i == 0 else wb.create_sheet()
        write_sheet(ws, sheet)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV export: UTF-8 with BOM (so Excel on a Chinese Windows opens it as UTF-8), CRLF,
    every string neutralized, quoted where needed."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralize(str(h)) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else cell_value(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
