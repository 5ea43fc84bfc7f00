"""Spreadsheet downloads (CSV and XLSX) answered by a page. The cells are written as every export writes them
(``sourcing/export_formats.py``: one formatting, formulas made inert, every CSV cell quoted); large lists are
exported as jobs instead (``sourcing/export_job_services.py``)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from sourcing.export_formats import FORMULA_STARTS, cell_text, csv_writer, write_xlsx, xlsx_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

__all__ = [
    "FORMULA_STARTS",
    "csv_response",
    "csv_writer",
    "escape_cell",
    "export_response",
    "xlsx_response",
    "xlsx_text",
]


def escape_cell(value: Any) -> str:
    """A cell as the CSV export writes it."""
    return cell_text(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download, UTF-8 with a byte-order mark so Excel reads Chinese names correctly."""
    writer = csv_writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow([cell_text(h) for h in header])
        for row in rows:
            yield writer.writerow([cell_text(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An XLSX download. Numbers stay numbers; text is escaped as in CSV."""
    out = io.BytesIO()
    write_xlsx(out, header, rows)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(
    fmt: str, basename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse | StreamingHttpResponse:
    if fmt == "xlsx":
        return xlsx_response(f"{basename}.xlsx", header, rows)
    return csv_response(f"{basename}.csv", header, rows)
