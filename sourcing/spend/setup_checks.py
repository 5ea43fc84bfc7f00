"""Checks of spend set-up input that need no database: FX rate values and files, column mappings and date
formats. Each returns cleaned values with errors by field (or by row and column), so that services can list
every problem at once before writing anything."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sourcing.errors import DomainError
from sourcing.models import validate_currency
from sourcing.spend.columns import CANONICAL_COLUMNS, COLUMN_LABELS, REQUIRED_COLUMNS

_DECIMAL_TEXT = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$|^[+-]?\.[0-9]+$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def fail(errors: dict[str, list[str]]) -> DomainError:
    """One error for several fields; its message is the first field's."""
    first = next(iter(errors.values()))[0]
    return DomainError(first, fields=errors)


def whole_number(value: Any) -> int | None:
    """An int from an int or digits; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value):
        return int(value)
    return None


def decimal_value(value: Any) -> Decimal | None:
    """A Decimal from a Decimal, an int or text such as "7.1234"; None for anything else. Floats are refused:
    they may already have lost digits."""
    if isinstance(value, (bool, float)):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL_TEXT.match(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# FX rates

FX_INPUT_FIELDS = ["currency", "rate_date", "rate", "source"]
FX_CSV_REQUIRED = ["currency", "rate_date", "rate"]
MAX_RATE_INTEGER_DIGITS = 10  # FxRate.rate: max_digits 20, decimal_places 10
MAX_RATE_DECIMAL_PLACES = 10


@dataclass(frozen=True)
class RowError:
    """One problem in bulk input: ``row`` is the file's row (the header is row 1) or the list index."""

    row: int | None
    column: str
    message: str


class RatesRejected(DomainError):
    """Bulk rates refused as a whole; ``errors`` lists every problem found, nothing was written."""

    def __init__(self, message: str, *, errors: list[RowError], fields: dict[str, list[str]]) -> None:
        super().__init__(message, fields=fields)
        self.errors = errors


def clean_rate(values: Mapping[str, Any], *, base_currency: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check one rate's currency, date, rate and source. Returns the cleaned values and errors by field.
    ``source`` is None when not given (an update then keeps the stored one)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    currency = values.get("currency")
    currency = currency.strip().upper() if isinstance(currency, str) else ""
    if not currency:
        errors["currency"] = [_("A currency is required.")]
    else:
        try:
            validate_currency(currency)
        except ValidationError as exc:
            errors["currency"] = exc.messages
        else:
            if currency == base_currency:
                errors["currency"] = [
                    _("%(currency)s is the base currency; it always converts at 1.") % {"currency": currency}
                ]
    cleaned["currency"] = currency

    raw_date = values.get("rate_date")
    rate_date: datetime.date | None = None
    if raw_date is None or (isinstance(raw_date, str) and not raw_date.strip()):
        errors["rate_date"] = [_("A date is required.")]
    else:
        # a datetime is refused: which day a moment falls on depends on the zone
        if isinstance(raw_date, datetime.date) and not isinstance(raw_date, datetime.datetime):
            rate_date = raw_date
        elif isinstance(raw_date, str) and _ISO_DATE.match(raw_date.strip()):
            try:
                rate_date = datetime.date.fromisoformat(raw_date.strip())
            except ValueError:
                rate_date = None  # 2026-02-30 and the like
        if rate_date is None:
            errors["rate_date"] = [_("Enter the date as YYYY-MM-DD, for example 2026-03-31.")]
    cleaned["rate_date"] = rate_date

    raw_rate = values.get("rate")
    rate = decimal_value(raw_rate)
    if raw_rate is None or (isinstance(raw_rate, str) and not raw_rate.strip()):
        errors["rate"] = [_("A rate is required.")]
    elif isinstance(raw_rate, float):
        errors["rate"] = [_('Send the rate as text, for example "7.1234", so that no digits are lost.')]
    elif rate is None:
        if isinstance(raw_rate, str) and "," in raw_rate:
            errors["rate"] = [_("Use a point as the decimal separator, for example 7.1234.")]
        else:
            errors["rate"] = [_("Enter a number, for example 7.1234.")]
    elif rate <= 0:
        errors["rate"] = [_("The rate must be greater than 0.")]
    elif decimal_places(rate) > MAX_RATE_DECIMAL_PLACES:
        errors["rate"] = [_("Use at most %(places)s decimal places.") % {"places": MAX_RATE_DECIMAL_PLACES}]
    elif rate.adjusted() >= MAX_RATE_INTEGER_DIGITS:
        errors["rate"] = [_("The rate is too large.")]
    cleaned["rate"] = rate

    source = values.get("source")
    if source is not None and not isinstance(source, str):
        errors["source"] = [_("Enter text.")]
    elif isinstance(source, str) and len(source.strip()) > 100:
        errors["source"] = [_("Use at most 100 characters.")]
    cleaned["source"] = source.strip() if isinstance(source, str) else None
    return cleaned, errors


def check_rates(
    items: Sequence[tuple[int, Mapping[str, Any]]], *, base_currency: str, duplicate_of: str
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Clean every item; errors for every bad value and for a currency and date given twice.
    ``duplicate_of`` is the message for a repeat, with %(first)s, %(currency)s and %(date)s."""
    cleaned_rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, datetime.date], int] = {}
    for ref, values in items:
        cleaned, row_errors = clean_rate(values, base_currency=base_currency)
        for column in FX_INPUT_FIELDS:
            errors += [RowError(ref, column, message) for message in row_errors.get(column, [])]
        if "currency" in row_errors or "rate_date" in row_errors:
            continue
        key = (cleaned["currency"], cleaned["rate_date"])
        if key in first_seen:
            message = duplicate_of % {
                "first": first_seen[key],
                "currency": key[0],
                "date": key[1].isoformat(),
            }
            errors.append(RowError(ref, "rate_date", message))
            continue
        first_seen[key] = ref
        if not row_errors:
            cleaned_rows.append(cleaned)
    return cleaned_rows, errors


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else GB18030 (what Excel on Chinese Windows writes)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        message = _("The file is neither UTF-8 nor GB18030 text. Save it as CSV (UTF-8) and upload it again.")
        raise RatesRejected(message, errors=[RowError(None, "", message)], fields={"file": [message]}) from exc


def rejected(errors: list[RowError]) -> RatesRejected:
    def where(e: RowError) -> str:
        return _("Row %(row)s, %(column)s") % {"row": e.row, "column": e.column or "—"} if e.row else _("File")

    message = _("The file was not imported: %(count)s problem(s) found. Nothing was changed.") % {"count": len(errors)}
    return RatesRejected(message, errors=errors, fields={"file": [f"{where(e)}: {e.message}" for e in errors]})


def parse_rates_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The rows of an FX rate file as (row number, values by column), the header being row 1, and the
    problems found in the layout: the header (which rejects the file at once) or rows with more cells than
    the header has columns. The values themselves are checked by the caller."""
    text = decode_text(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        message = _("The file cannot be read as CSV: %(error)s") % {"error": exc}
        raise rejected([RowError(None, "", message)]) from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise rejected([RowError(1, "", _("The first row must name the columns: currency,rate_date,rate,source."))])
    header = [cell.strip().lstrip("\ufeff").strip().lower() for cell in rows[0]]
    errors: list[RowError] = []
    if len(header) == 1 and ";" in header[0]:
        errors.append(RowError(1, "", _("Separate the columns with commas, not semicolons.")))
    else:
        seen: set[str] = set()
        for name in header:
            if name not in FX_INPUT_FIELDS:
                message = _("Unknown column; the columns are currency, rate_date, rate and source.")
                errors.append(RowError(1, name, message))
            elif name in seen:
                errors.append(RowError(1, name, _("This column appears twice.")))
            seen.add(name)
        errors += [RowError(1, name, _("This column is missing.")) for name in FX_CSV_REQUIRED if name not in seen]
    if errors:
        raise rejected(errors)
    items: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of the file
        if any(cell.strip() for cell in cells[len(header) :]):
            errors.append(RowError(number, "", _("This row has more cells than the header has columns.")))
        items.append((number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}))
    return items, errors


def column_order(column: str) -> int:
    """Where a column's errors sort among a row's: file-level first, then in the order of FX_INPUT_FIELDS."""
    return FX_INPUT_FIELDS.index(column) if column in FX_INPUT_FIELDS else -1


# Column mappings

# Sample dates a date format must write and read back unchanged: a two-digit day above 12 and one-digit
# day and month, so that formats which lose or reorder parts fail.
DATE_FORMAT_SAMPLES = (datetime.date(2026, 12, 31), datetime.date(2026, 1, 5))


def date_format_round_trips(date_format: str) -> bool:
    """Whether ``date_format`` is a strptime format that writes the sample dates and reads them back."""
    if "%" not in date_format:
        return False
    for sample in DATE_FORMAT_SAMPLES:
        try:
            if datetime.datetime.strptime(sample.strftime(date_format), date_format).date() != sample:
                return False
        except ValueError:
            return False
    return True


def clean_columns(columns: Any) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Check a mapping's {canonical column: header in the file}: known columns only, every required column
    mapped, each to a different non-empty header (compared ignoring case, as the importer reads headers).
    Errors are keyed ``columns.<column>``."""
    if not isinstance(columns, dict):
        message = _("Map each spend column to the header it has in your file.")
        return {}, {"columns": [message]}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    used: dict[str, str] = {}
    for key in sorted(set(columns) - set(CANONICAL_COLUMNS), key=str):
        errors[f"columns.{key}"] = [
            _("Not a spend column; the columns are: %(columns)s.") % {"columns": ", ".join(CANONICAL_COLUMNS)}
        ]
    for column in CANONICAL_COLUMNS:
        if column not in columns:
            if column in REQUIRED_COLUMNS:
                errors[f"columns.{column}"] = [_("Required: give the header this column has in your file.")]
            continue
        header = columns[column].strip() if isinstance(columns[column], str) else ""
        if not header:
            errors[f"columns.{column}"] = [_("Give the header this column has in your file.")]
        elif len(header) > 200:
            errors[f"columns.{column}"] = [_("Use at most 200 characters.")]
        elif header.casefold() in used:
            errors[f"columns.{column}"] = [
                _("This header is already mapped to %(column)s.") % {"column": COLUMN_LABELS[used[header.casefold()]]}
            ]
        else:
            used[header.casefold()] = column
            cleaned[column] = header
    return cleaned, errors
