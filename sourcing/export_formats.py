"""How every export writes its cells, and the export kinds the apps offer as jobs.

One formatting for every CSV and XLSX: human column labels in the viewer's language (sentence case), money as
a plain number in the currency's minor units beside a currency column (``Money``), unit prices with up to four
decimals (``UnitPrice``), other decimals with two to four, booleans as Yes/No in the
viewer's language, dates as ISO 8601 and times as ISO 8601 in the viewer's zone, to the second.

Every cell a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) gets a
leading apostrophe, so exported data stays inert text. Every CSV cell is quoted, so a separator inside a cell
(a ";" where Excel splits on it) cannot start a new cell that then reads as a formula. Characters XLSX cannot
hold are replaced, so stored text never breaks an export.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ISO 4217 minor units where they are not two (the currencies a sourcing team meets).
MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "IDR": 0, "CLP": 0, "TWD": 2, "KWD": 3, "BHD": 3, "OMR": 3}
UNIT_PRICE_PLACES = 4
DECIMAL_PLACES = 4


@dataclass(frozen=True)
class Money:
    """An amount written in its currency's minor units (the currency has a column of its own)."""

    amount: Decimal | None
    currency: str = ""


@dataclass(frozen=True)
class UnitPrice:
    """A unit price: up to four decimals, at least two."""

    amount: Decimal | None


def _places(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _trimmed(value: Decimal, places: int, at_least: int = 0) -> Decimal:
    """``value`` to ``places`` decimals, trailing zeros dropped down to ``at_least``; never in exponent form."""
    rounded = _places(value, places)
    text = f"{rounded:f}"
    if "." in text:
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0").ljust(at_least, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    return Decimal(text)


def number(value: Any) -> Decimal | int | None:
    """The number a cell holds, as exported: money in minor units, unit prices and other decimals trimmed."""
    if isinstance(value, Money):
        if value.amount is None:
            return None
        return _places(Decimal(value.amount), MINOR_UNITS.get(value.currency.upper(), 2))
    if isinstance(value, UnitPrice):
        return None if value.amount is None else _trimmed(Decimal(value.amount), UNIT_PRICE_PLACES, 2)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _trimmed(Decimal(repr(value)), DECIMAL_PLACES, 2)
    if isinstance(value, Decimal):
        return _trimmed(value, DECIMAL_PLACES, 2)
    return None


def is_number(value: Any) -> bool:
    if isinstance(value, (Money, UnitPrice)):
        return value.amount is not None
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def cell_text(value: Any) -> str:
    """A cell as text a spreadsheet shows as text. Numbers are written as they are (a negative amount is
    data, not a formula); anything else that would start a formula gets a leading apostrophe."""
    if value is None or (isinstance(value, (Money, UnitPrice)) and value.amount is None):
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if is_number(value):
        return str(number(value))
    if isinstance(value, datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_text(text: str) -> str:
    """``text`` with the control characters XLSX cannot store replaced by U+FFFD (the replacement character)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def xlsx_cell(value: Any, sheet: Any = None) -> Any:
    """Numbers stay numbers. Text that would start a formula is stored as a text cell with Excel's quote prefix
    (the cell shows the text as written, without the CSV's apostrophe, and stays text when edited); with no
    ``sheet`` to make such a cell, the CSV's apostrophe guards it instead."""
    if is_number(value):
        return number(value)
    text = xlsx_text(cell_text(value))
    raw = str(value) if isinstance(value, str) else ""
    if sheet is None or not raw.startswith(FORMULA_STARTS):
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text[1:])  # without the guard's apostrophe
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def csv_writer(out: Any) -> Any:
    """The CSV writer of every export: every cell quoted, lines ended as Excel expects."""
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)


def write_csv(
    out: Any, header: Sequence[Any], rows: Iterable[Sequence[Any]], on_rows: Callable[[int], None] | None = None
) -> int:
    """Write a CSV export to the text stream ``out`` (UTF-8 with a byte-order mark, so Excel reads Chinese),
    row by row; ``on_rows(n)`` hears every thousand rows. Returns the rows written."""
    writer = csv_writer(out)
    out.write("\ufeff")
    writer.writerow([cell_text(h) for h in header])
    done = 0
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
        done += 1
        if on_rows is not None and done % 1000 == 0:
            on_rows(done)
    return done


def write_xlsx(
    out: Any, header: Sequence[Any], rows: Iterable[Sequence[Any]], on_rows: Callable[[int], None] | None = None
) -> int:
    """Write an XLSX export to the binary stream ``out`` in openpyxl's write-only mode (rows go to a temporary
    file as they come, so memory stays flat); ``on_rows(n)`` hears every thousand rows."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([xlsx_text(cell_text(h)) for h in header])
    done = 0
    for row in rows:
        sheet.append([xlsx_cell(v, sheet) for v in row])
        done += 1
        if on_rows is not None and done % 1000 == 0:
            on_rows(done)
    book.save(out)
    return done


@dataclass(frozen=True)
class ExportKind:
    """A list that can be exported as a job. An app offers its kinds from its ``AppConfig.export_kinds()``;
    ``header()`` and ``rows(filters)`` run inside the requester's tenant, in the requester's language.
    ``filters`` is the list page's query string as a dict; ``count(filters)`` sizes the progress bar."""

    name: str
    label: Any  # a lazy translation, read in the viewer's language
    scope: str
    header: Callable[[], list[str]]
    count: Callable[[dict[str, str]], int]
    rows: Callable[[dict[str, str]], Iterable[Sequence[Any]]]
    basename: str
