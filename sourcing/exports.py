"""Spreadsheet exports (CSV and XLSX). Every cell that a spreadsheet would read as a formula (starting with
= + - @, a tab or a carriage return) gets a leading apostrophe, so exported data stays inert text. Every CSV
cell is quoted, so a separator inside a cell (a ";" where Excel splits on it) cannot start a new cell that
then reads as a formula. Characters XLSX cannot hold are replaced, so stored text never breaks an export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_writer(out: Any) -> Any:
    """The CSV writer of every export: every cell quoted, lines ended as Excel expects."""
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)


def xlsx_text(text: str) -> str:
    """``text`` with the control characters XLSX cannot store replaced by U+FFFD (the replacement character)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def escape_cell(value: Any) -> str:
    """A cell as text a spreadsheet shows as text. Numbers are written as they are (a negative amount is
    data, not a formula); anything else that would start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download, UTF-8 with a byte-order mark so Excel reads Chinese names correctly."""
    writer = csv_writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow([escape_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([escape_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An XLSX download. Numbers stay numbers; text is escaped as in CSV (openpyxl would otherwise store a
    string starting with "=" as a formula)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([xlsx_text(escape_cell(h)) for h in header])
    for row in rows:
        sheet.append(
            [
                v if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else xlsx_text(escape_cell(v))
                for v in row
            ]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(
    fmt: str, basename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse | StreamingHttpResponse:
    if fmt == "xlsx":
        return xlsx_response(f"{basename}.xlsx", header, rows)
    return csv_response(f"{basename}.csv", header, rows)
