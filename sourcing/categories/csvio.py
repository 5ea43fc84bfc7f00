"""Category CSV files: reading an import (every row checked, every problem reported with its row and column)
and writing an export that spreadsheets open safely. No queries: the service passes in what is stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from sourcing.categories import fields as f
from sourcing.categories.tree import cycle_through
from sourcing.exports import FORMULA_STARTS, csv_writer, escape_cell

IMPORT_COLUMNS = (
    "code",
    "name",
    "parent_code",
    "description",
    "segment",
    "profit_impact",
    "supply_risk",
    "is_production_material",
    "expected_lead_time_days",
)
REQUIRED_COLUMNS = ("code", "name")
# Columns the export adds for reading; an exported file can be edited and imported again, and these are
# skipped on the way back in.
EXPORT_ONLY_COLUMNS = (
    "kraljic_position",
    "owner",
    "children",
    "compliance_requirements",
    "required_certifications",
    "required_audits",
)
EXPORT_COLUMNS = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS

_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "code": f.clean_code,
    "name": f.clean_name,
    "parent_code": f.clean_text,
    "description": f.clean_text,
    "segment": f.clean_segment,
    "profit_impact": f.clean_score,
    "supply_risk": f.clean_score,
    "is_production_material": f.clean_bool,
    "expected_lead_time_days": f.clean_lead_time,
}

# What a spreadsheet would read as the start of a formula (OWASP, "CSV Injection").


@dataclass(frozen=True)
class RowError:
    row: int | None  # as a spreadsheet numbers it: the header is row 1; None for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row} if self.row is not None else _("File")
        return f"{where}, {self.column or '—'}: {self.message}"


@dataclass
class CsvRow:
    row: int
    values: dict[str, Any]  # cleaned values of the columns the file has


@dataclass
class ParsedFile:
    encoding: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[CsvRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with: UTF-8 (with or without a byte-order mark),
    UTF-16 with its mark, else GB18030, which Excel on Chinese Windows writes. UnicodeDecodeError if none fit."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def unescape_cell(value: str) -> str:
    """Undo the export's formula guard, so an exported file imports back to the same values. Anything else,
    formula-looking or not, is kept as the text it is."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _delimiter(header_line: str) -> str:
    """Comma, or the semicolon or tab that some spreadsheet locales write, whichever yields known columns."""
    known = set(IMPORT_COLUMNS) | set(EXPORT_ONLY_COLUMNS)

    def score(d: str) -> int:
        return sum(1 for name in header_line.split(d) if name.strip().strip('"').strip().casefold() in known)

    return max([",", ";", "\t"], key=score)


def read(data: bytes, *, existing: Mapping[str, str | None]) -> ParsedFile:
    """Check a category file completely. ``existing`` maps each stored code to its parent's code.

    Every problem is reported, not just the first; the caller writes nothing unless ``errors`` is empty.
    A column the file leaves out keeps what is stored; an empty cell in a column it has clears the value.
    """
    result = ParsedFile()
    try:
        text, result.encoding = decode(data)
    except UnicodeDecodeError:
        result.errors.append(RowError(None, "", _("The file is not UTF-8 or GB18030 text.")))
        return result
    if "\x00" in text:
        result.errors.append(RowError(None, "", _("The file contains NUL characters; it is not a CSV file.")))
        return result
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append(RowError(1, "", _("The first row must name the columns.")))
        return result
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[0]), strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        # Broken quoting leaves the rest of the file unreadable: report where it broke and stop there.
        result.errors.append(
            RowError(len(records) + 1, "", _("The row cannot be read (%(reason)s).") % {"reason": exc})
        )
    if not records:
        return result
    header = [name.strip().casefold() for name in records[0]]
    result.columns = _check_header(header, result.errors)
    for index, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank row
        row = _read_row(index, header, cells, result.errors)
        if row is not None:
            result.rows.append(row)
    _check_codes_and_parents(result, existing)
    return result


def _check_header(header: list[str], errors: list[RowError]) -> list[str]:
    columns: list[str] = []
    for name in header:
        if not name:
            continue
        if name in columns:
            errors.append(RowError(1, name, _("This column appears more than once.")))
        elif name in IMPORT_COLUMNS:
            columns.append(name)
        elif name not in EXPORT_ONLY_COLUMNS:
            errors.append(
                RowError(1, name, _("Unknown column. Use: %(columns)s.") % {"columns": ", ".join(IMPORT_COLUMNS)})
            )
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            errors.append(RowError(1, name, _("This column is required.")))
    return columns


def _read_row(index: int, header: list[str], cells: list[str], errors: list[RowError]) -> CsvRow | None:
    extra = [cell for cell in cells[len(header) :] if cell.strip()]
    if len(cells) < len(header) or extra:
        errors.append(
            RowError(
                index,
                "",
                _("This row has %(cells)d cells; the header has %(columns)d.")
                % {"cells": len(cells), "columns": len(header)},
            )
        )
        return None
    values: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        raw = unescape_cell(cell.strip())
        if not name:
            if raw:
                errors.append(RowError(index, "", _("This cell has no column name above it.")))
            continue
        cleaner = _CLEANERS.get(name)
        if cleaner is None or name in values:
            continue  # an export-only column, or a repeat already reported with the header
        try:
            values[name] = cleaner(raw)
        except f.FieldError as exc:
            errors.append(RowError(index, name, str(exc)))
    # A row with errors is still kept (its valid cells take part in the duplicate and parent checks); the
    # errors alone decide that nothing is written.
    return CsvRow(index, values)


def _check_codes_and_parents(result: ParsedFile, existing: Mapping[str, str | None]) -> None:
    first_row: dict[str, int] = {}
    for row in result.rows:
        code = row.values.get("code")
        if not code:
            continue
        if code in first_row:
            result.errors.append(
                RowError(
                    row.row, "code", _("Code %(code)s is also on row %(row)d.") % {"code": code, "row": first_row[code]}
                )
            )
        else:
            first_row[code] = row.row
    if "parent_code" not in result.columns:
        return
    parent_of: dict[str, str | None] = dict(existing)
    for row in result.rows:
        code = row.values.get("code")
        if code and "parent_code" in row.values and first_row.get(code) == row.row:
            parent_of[code] = row.values["parent_code"] or None
    for row in result.rows:
        code, parent = row.values.get("code"), row.values.get("parent_code")
        if not code or not parent or first_row.get(code) != row.row:
            continue
        if parent == code:
            result.errors.append(RowError(row.row, "parent_code", _("A category cannot be its own parent.")))
        elif parent not in parent_of:
            result.errors.append(
                RowError(
                    row.row,
                    "parent_code",
                    _("No category has the code %(code)s, in this file or already stored.") % {"code": parent},
                )
            )
        else:
            loop = cycle_through(code, parent_of)
            if loop is not None:
                path = " → ".join([*loop, code])
                result.errors.append(
                    RowError(row.row, "parent_code", _("This makes a loop of parents: %(path)s.") % {"path": path})
                )


def write(rows: Iterable[Iterable[Any]], out: Any) -> None:
    """CSV rows into a text stream, every cell through the formula guard."""
    writer = csv_writer(out)
    for row in rows:
        writer.writerow([escape_cell(value) for value in row])
