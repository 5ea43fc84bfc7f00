"""Reading spend files: the encoding and delimiter of a CSV file (any of the encodings ERP exports come in, any
common delimiter), and the rows of an XLSX workbook as text. ``frame.py`` reads CSV itself. No ORM here.

Encodings: a byte-order mark decides (UTF-8, UTF-16); otherwise the file must be valid UTF-8 as a whole, or it
is read as GB18030 (what Chinese ERP and Excel exports use; a superset of GBK and GB2312). A file that is valid
UTF-8 is never read as GB18030, so a UTF-8 file is never mangled; a GB18030 file is almost never valid UTF-8.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

DELIMITERS = ",;\t|"
_SAMPLE_BYTES = 65536
_CHUNK = 1 << 20


class FileReadError(Exception):
    """The file cannot be read at all (not a row's fault): wrong type, undecodable, no header."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass
class SpendFile:
    """A workbook opened for reading: its header and an iterator over (row number, cells) after it."""

    kind: str
    encoding: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


def detect_encoding(stream: IO[bytes]) -> str:
    """The encoding of a text file, by the rule in the module docstring. Reads the whole file once."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        valid = _is_utf8(stream)
    finally:
        stream.seek(0)
    return "utf-8" if valid else "gb18030"


def _is_utf8(stream: IO[bytes]) -> bool:
    """Whether the stream is valid UTF-8 from here on, checked a megabyte at a time in native code (polars refuses
    to take invalid UTF-8 as text), without decoding it."""
    import polars as pl

    rest = b""
    while chunk := stream.read(_CHUNK):
        chunk = rest + chunk
        # a character cut off by the read goes with the next one: step back to its first byte
        cut = len(chunk)
        while cut > 0 and len(chunk) - cut < 3 and chunk[cut - 1] & 0xC0 == 0x80:
            cut -= 1
        if cut > 0 and chunk[cut - 1] & 0xC0 == 0xC0:
            cut -= 1
        if not _valid_utf8(pl, chunk[:cut]):
            return False
        rest = chunk[cut:]
    return _valid_utf8(pl, rest)


def _valid_utf8(pl: Any, data: bytes) -> bool:
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
        return False
    return True


def detect_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample (the csv module's sniffer, limited to the usual four), ',' if unsure."""
    lines = sample.splitlines()
    # the sniffer is only as good as complete lines; drop the possibly cut-off last one
    complete = "\n".join(lines[:-1] if len(lines) > 1 else lines)
    try:
        return csv.Sniffer().sniff(complete, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS} if lines else {}
        best = max(counts, key=lambda d: counts[d], default=",")
        return best if counts.get(best) else ","


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # the shortest text that reads back as this float: 0.1 stays "0.1", not 0.1000000000000000055...
        text = repr(value)
        return str(Decimal(text).normalize()) if "e" in text.lower() else text.removesuffix(".0")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def open_xlsx(stream: IO[bytes]) -> SpendFile:
    """The first worksheet of a workbook, read in streaming mode; cells become text as the CSV path has it."""
    import openpyxl

    stream.seek(0)
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a variety of zip/XML errors for damaged files
        raise FileReadError(_("The workbook cannot be opened: %(error)s") % {"error": exc}) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header: list[str] = []
    for first in rows:
        if any(v not in (None, "") for v in first):
            header = [_cell_text(v) for v in first]
            break
    if not header:
        raise FileReadError(_("The file has no header row."))
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def body() -> Iterator[tuple[int, list[str]]]:
        number = 1
        for values in rows:
            number += 1
            cells = [_cell_text(v) for v in values[:width]]
            if any(cells):
                yield number, cells
        book.close()

    return SpendFile("xlsx", "xlsx", header, body())
