"""Reading spend files: the encoding and delimiter of a CSV file (any of the encodings ERP exports come in, any
common delimiter), the rows of an XLSX workbook as text, and either file as a frame of text cells (CSV read by
polars) for ``frame.py`` to check. No ORM here.

Encodings: a byte-order mark decides (UTF-8, UTF-16); otherwise the file must be valid UTF-8 as a whole, or it
is read as GB18030 (what Chinese ERP and Excel exports use; a superset of GBK and GB2312). A file that is valid
UTF-8 is never read as GB18030, so a UTF-8 file is never mangled; a GB18030 file is almost never valid UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import polars as pl
from django.utils.translation import gettext as _

ROW = "__row"
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


# --- a file as a frame of text cells ---------------------------------------------------------------------


def _utf8_lines(stream: IO[bytes], encoding: str, errors: list[tuple[int, str]]) -> Iterator[bytes]:
    """The file's lines re-encoded as UTF-8; a line that is not valid text in ``encoding`` is recorded (and read
    with replacement characters, so the rest of the file is still checked)."""
    if encoding == "utf-16":
        text = io.TextIOWrapper(stream, encoding="utf-16", errors="replace", newline="")
        for line in text:
            yield line.encode("utf-8")
        text.detach()  # the stream stays open for whoever handed it over
        return
    first = "utf-8-sig" if encoding == "utf-8-sig" else encoding
    rest = "utf-8" if encoding == "utf-8-sig" else encoding
    for number, raw in enumerate(iter(stream.readline, b""), start=1):
        codec = first if number == 1 else rest
        try:
            yield raw.decode(codec).encode("utf-8")
        except UnicodeDecodeError:
            message = _("Line %(row)s is not valid %(encoding)s text.") % {"row": number, "encoding": encoding}
            errors.append((number, message))
            yield raw.decode(codec, errors="replace").encode("utf-8")


@dataclass
class SpendFrame:
    kind: str  # "csv" or "xlsx"
    encoding: str
    header: list[str]
    frame: pl.DataFrame  # column_0 … column_n as text, and __row
    decode_errors: list[tuple[int, str]] = field(default_factory=list)

    def take(self) -> pl.DataFrame:
        """The frame, handed over: this object lets go of it, so it is freed once checked (memory)."""
        frame, self.frame = self.frame, pl.DataFrame()
        return frame


def read_csv(stream: IO[bytes], *, encoding: str | None = None, delimiter: str | None = None) -> SpendFrame:
    encoding = encoding or detect_encoding(stream)
    stream.seek(0)
    sample = stream.read(65536).decode(encoding, errors="ignore").removeprefix("\ufeff")
    stream.seek(0)
    delimiter = delimiter or detect_delimiter(sample)
    decode_errors: list[tuple[int, str]] = []
    path = getattr(getattr(stream, "file", stream), "name", None)
    source: Any
    if encoding == "utf-8" and isinstance(path, str) and os.path.isfile(path):
        source = path  # read straight from the file on disk (mapped, not copied into memory)
        has_nul = _file_has_nul(path)
    else:
        data = stream.read() if encoding == "utf-8" else b"".join(_utf8_lines(stream, encoding, decode_errors))
        source = io.BytesIO(data.removeprefix(codecs.BOM_UTF8))
        has_nul = b"\x00" in data
    stream.seek(0)
    if not stream.read(4096).strip():
        raise FileReadError(_("The file has no header row."))
    try:
        raw = pl.read_csv(
            source,
            has_header=False,
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
            quote_char='"',
        )
    except Exception as exc:  # polars reports malformed CSV with its own exception types
        raise FileReadError(_("The file cannot be read as CSV: %(error)s") % {"error": str(exc)[:300]}) from exc
    return _from_raw("csv", encoding, raw, decode_errors, look_for_nul=has_nul)


def _file_has_nul(path: str) -> bool:
    """Whether the file holds a NUL byte anywhere (a search of the mapped file in native code): without one, no
    cell can hold one and the cells need not be searched."""
    import mmap

    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b"\x00") != -1


def _from_raw(
    kind: str, encoding: str, raw: pl.DataFrame, decode_errors: list[tuple[int, str]], *, look_for_nul: bool = True
) -> SpendFrame:
    raw = raw.with_row_index(ROW, offset=1)
    if raw.height == 0:
        raise FileReadError(_("The file has no header row."))
    header = [("" if v is None else str(v)).strip().removeprefix("\ufeff") for v in raw.row(0)[1:]]
    body = raw.slice(1)
    cells = [c for c in body.columns if c != ROW]
    # a row with nothing in it is no row at all (as spreadsheets leave them at the end of a sheet)
    if cells:
        body = _without_blank_rows(body, cells)
    # in one piece: the loader takes the rows in date order, chunk by chunk, which is many times faster from one
    # contiguous piece than from the many pieces a parallel read leaves
    body = body.rechunk()
    return SpendFrame(kind, encoding, header, body, decode_errors + (nul_errors(body) if look_for_nul else []))


def nul_errors(body: pl.DataFrame) -> list[tuple[int, str]]:
    """The rows with a NUL byte in any cell, mapped or not: no text column can store one, so the whole file is
    refused before anything is written, each such row named."""
    cells = [c for c in body.columns if c != ROW]
    if not cells or body.is_empty():
        return []
    found = body.filter(
        pl.any_horizontal(pl.col(c).cast(pl.String).fill_null("").str.contains("\x00", literal=True) for c in cells)
    )
    message = _("Row %(row)s contains a NUL byte, which a spend file cannot hold.")
    return [(number, message % {"row": number}) for number in found.get_column(ROW).to_list()]


def _without_blank_rows(body: pl.DataFrame, cells: list[str]) -> pl.DataFrame:
    """``body`` without the rows whose every cell is empty or blank. Only the rows blank in the column that is
    filled most often are looked at in full: usually none."""
    filled = body.select(pl.col(c).str.len_bytes().gt(0).sum() for c in cells).row(0)
    fullest = cells[max(range(len(cells)), key=lambda i: filled[i])]
    suspects = body.filter(pl.col(fullest).fill_null("").str.strip_chars() == "")
    if suspects.is_empty():
        return body
    blank = suspects.filter(pl.all_horizontal(pl.col(c).fill_null("").str.strip_chars() == "" for c in cells))
    return body.filter(~pl.col(ROW).is_in(blank.get_column(ROW).implode())) if not blank.is_empty() else body


def read_rows(kind: str, encoding: str, rows: Iterable[tuple[int, list[str]]], width: int) -> pl.DataFrame:
    """A frame from rows that are already text (a workbook's, or JSON lines'), numbered as given."""
    numbers: list[int] = []
    columns: list[list[str]] = [[] for _ in range(width)]
    for number, cells in rows:
        numbers.append(number)
        for i in range(width):
            columns[i].append(cells[i] if i < len(cells) else "")
    data: dict[str, Any] = {ROW: pl.Series(numbers, dtype=pl.Int64)}
    data.update({f"column_{i}": pl.Series(columns[i], dtype=pl.String) for i in range(width)})
    return pl.DataFrame(data)


def open_frame(stream: IO[bytes]) -> SpendFrame:
    """A CSV or XLSX file as a frame, deciding by its bytes (never by its name)."""
    from sourcing.uploads import XLSX, sniff

    stream.seek(0)
    kind = sniff(stream.read(8192))
    stream.seek(0)
    if kind != XLSX:
        return read_csv(stream)
    book = open_xlsx(stream)
    frame = read_rows("xlsx", "xlsx", book.rows, len(book.header))
    return SpendFrame("xlsx", "xlsx", book.header, frame, nul_errors(frame))
