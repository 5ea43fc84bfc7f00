"""Checking and normalising a whole spend file at once, a column at a time (polars, in native code), rather than
a row at a time in Python: a million lines are checked in about a second. The rules are those of
``normalise.py``; no ORM here: the look-ups it needs (rates, categories) come in as plain data.

A frame holds every cell as text, plus ``__row``: the row number reported in errors (the header is row 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from sourcing.spend.normalise import CENT, FIELDS, LIMITS, MAX_LENGTHS, REQUIRED, TEXT_COLUMNS, FxTable, RowError
from sourcing.spend.reader import ROW
from sourcing.text import (
    CONTROL_CHARACTERS,
    SINGLE_LINE_CONTROL_CHARACTERS,
    control_character_error,
    visible,
)

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

# The order in which one row's errors are listed.
_ORDER = {
    **{("required", name): i for i, name in enumerate(REQUIRED)},
    **{("length", name): 10 + i for i, name in enumerate(MAX_LENGTHS)},
    **{("control", name): 20 + i for i, name in enumerate(TEXT_COLUMNS)},
    ("date", "invoice_date"): 30,
    ("number", "quantity"): 31,
    ("number", "unit_price"): 32,
    ("number", "amount"): 33,
    ("iso", "currency"): 34,
    ("tolerance", "amount"): 35,
    ("fx", "currency"): 36,
    ("code", "category_code"): 37,
}


# --- checking ------------------------------------------------------------------------------------------------


@dataclass
class Rules:
    """Everything a file is checked against, loaded once per import."""

    columns: dict[str, int]  # canonical column -> cell position
    fx: FxTable
    tolerance_pct: Decimal
    currencies: frozenset[str]
    categories: dict[str, tuple[str, str]]  # code -> (category id, class)
    date_format: str = ""
    decimal_comma: bool = False
    max_errors: int = 100_000


class Errors:
    """The errors of a file checked in parts: every one counted, at most ``limit`` kept. Those kept are the ones
    a check of the whole file at once keeps: by kind of check (in ``_ORDER``), then by row."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self._kept: list[tuple[int, int, RowError]] = []

    def add(self, order: int, error: RowError) -> None:
        self.count += 1
        self._kept.append((order, error.row, error))
        if len(self._kept) >= 2 * self.limit:
            self._trim()

    def _trim(self) -> None:
        self._kept.sort(key=lambda e: (e[0], e[1]))
        del self._kept[self.limit :]

    def listed(self) -> list[RowError]:
        """Those kept, in row order (a row's own in the order its columns are checked)."""
        self._trim()
        return [e for _o, _r, e in sorted(self._kept, key=lambda e: (e[1], e[0]))]


@dataclass
class Checked:
    frame: pl.DataFrame  # the canonical columns, stripped, with parsed values; meaningful when there are no errors
    rows: int
    errors: Errors


def _cell(rules: Rules, name: str) -> pl.Expr:
    position = rules.columns.get(name)
    if position is None:
        return pl.lit("").alias(name)
    # (stripping every cell costs less than looking for cells to strip first)
    return pl.col(f"column_{position}").cast(pl.String).fill_null("").str.strip_chars().alias(name)


def _clean_number(expr: pl.Expr, decimal_comma: bool, column: pl.Series) -> pl.Expr:
    """``expr`` without spaces and thousands separators; only the replacements ``column`` needs are made."""
    if not decimal_comma and not column.str.contains(r"[ \u00a0,]").any():
        return expr  # the usual case: plain digits and a point, one search of the column
    present = {c for c in (" ", "\u00a0", ",", ".") if column.str.contains(c, literal=True).any()}
    for space in (" ", "\u00a0"):
        if space in present:
            expr = expr.str.replace_all(space, "", literal=True)
    if decimal_comma:
        if "." in present:
            expr = expr.str.replace_all(".", "", literal=True)
        return expr.str.replace_all(",", ".", literal=True) if "," in present else expr
    return expr.str.replace_all(",", "", literal=True) if "," in present else expr


def _canonical_number(frame: pl.DataFrame, name: str) -> pl.Expr:
    """The same number written one way (for line ids): no sign for positives, no leading or trailing zeros. Only
    the steps the column's numbers need are taken (most files write every number of a column alike)."""
    column = frame.get_column(name)
    expr = pl.col(name)
    if column.str.starts_with("+").any():
        expr = expr.str.strip_prefix("+")
    points = column.str.contains(".", literal=True)
    if points.any():
        with_point = expr.str.strip_chars_end("0").str.strip_suffix(".")
        expr = with_point if points.all() else pl.when(points).then(with_point).otherwise(expr)
    if column.str.contains(r"^[+-]?0\d").any():
        expr = expr.str.replace(r"^(-?)0+(\d)", "${1}${2}")
    return expr


def _day(text: pl.Expr, rules: Rules) -> pl.Expr:
    """The invoice date a cell of text gives (null when it is not one)."""
    if rules.date_format:
        return text.str.strptime(pl.Date, rules.date_format, strict=False)
    iso = pl.when((text.str.len_chars() > 10) & text.str.slice(10, 1).is_in(["T", " "])).then(text.str.slice(0, 10))
    return iso.otherwise(text).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def write_order(frame: pl.DataFrame, rules: Rules) -> pl.Series:
    """The frame's row positions by invoice date, rows of one day in file order. Line ids start with the day, so
    lines written in this order land next to each other in the primary key instead of all over it; and identical
    lines (which share their day) keep their order, so each still gets the id it would get in file order."""
    position = rules.columns.get("invoice_date")
    if position is None or f"column_{position}" not in frame.columns:
        return pl.Series("order", range(frame.height), dtype=pl.UInt32)
    day = _day(_cell(rules, "invoice_date"), rules)
    return frame.select(pl.arg_sort_by(day, maintain_order=True, nulls_last=True)).to_series()


def check(frame: pl.DataFrame, rules: Rules, errors: Errors | None = None) -> Checked:
    """Every error of every row (added to ``errors`` when given, so a file can be checked in parts); and the
    frame with parsed columns for the loader."""
    errors = errors if errors is not None else Errors(rules.max_errors)
    present = [c for c in frame.columns if c.startswith("column_")]
    width_ok = {
        name: (rules.columns.get(name) is not None and f"column_{rules.columns[name]}" in present) for name in FIELDS
    }
    base = frame.select(pl.col(ROW), *(_cell(rules, n) if width_ok[n] else pl.lit("").alias(n) for n in FIELDS))
    base = base.with_columns(pl.col("currency").str.to_uppercase())
    day = _day(pl.col("invoice_date"), rules)
    numbers = {
        name: _clean_number(pl.col(name), rules.decimal_comma, base.get_column(name))
        for name in ("quantity", "unit_price", "amount")
    }
    base = base.with_columns(
        day.alias("_day"),
        *(numbers[n].alias(f"_{n}_text") for n in numbers),
    ).with_columns(
        *(pl.col(f"_{n}_text").str.contains(_NUMBER).fill_null(False).alias(f"_{n}_ok") for n in numbers),
        *(pl.col(f"_{n}_text").cast(pl.Float64, strict=False).alias(f"_{n}_f") for n in numbers),
    )
    base = base.with_columns(
        *((pl.col(f"_{n}_ok") & (pl.col(f"_{n}_f").abs() < float(LIMITS[n]))).alias(f"_{n}_valid") for n in numbers),
        pl.col("currency").is_in(sorted(rules.currencies)).alias("_iso"),
    )
    base = _with_rates(base, rules)
    codes = {code: found[0] for code, found in rules.categories.items()}
    base = base.with_columns(
        pl.col("category_code").replace_strict(codes, default=None, return_dtype=pl.String).alias("_category_id")
    )

    q, p, a = pl.col("_quantity_f"), pl.col("_unit_price_f"), pl.col("_amount_f")
    both = (
        pl.col("_quantity_valid")
        & pl.col("_unit_price_valid")
        & (pl.col("quantity") != "")
        & (pl.col("unit_price") != "")
    )
    allowed = pl.max_horizontal(pl.lit(0.01), a.abs() * float(rules.tolerance_pct) / 100)
    checks: list[tuple[str, str, pl.Expr]] = []
    for name in REQUIRED:
        checks.append(("required", name, pl.col(name) == ""))
    for name, limit in MAX_LENGTHS.items():
        checks.append(("length", name, pl.col(name).str.len_chars() > limit))
    for name, multiline in TEXT_COLUMNS.items():
        pattern = CONTROL_CHARACTERS if multiline else SINGLE_LINE_CONTROL_CHARACTERS
        checks.append(("control", name, _contains_anywhere(base, name, pattern)))
    checks.append(("date", "invoice_date", (pl.col("invoice_date") != "") & pl.col("_day").is_null()))
    for name in ("quantity", "unit_price", "amount"):
        checks.append(("number", name, (pl.col(name) != "") & ~pl.col(f"_{name}_valid")))
    checks.append(("iso", "currency", (pl.col("currency") != "") & ~pl.col("_iso")))
    # floats only pick the candidates; each candidate is then judged exactly, with decimals
    checks.append(
        (
            "tolerance",
            "amount",
            both
            & (pl.col("amount") != "")
            & pl.col("_amount_valid")
            & ((q * p - a).abs() > allowed * (1 - 1e-9) - 1e-9),
        )
    )
    checks.append(("fx", "currency", pl.col("_day").is_not_null() & pl.col("_iso") & pl.col("_rate").is_null()))
    checks.append(("code", "category_code", (pl.col("category_code") != "") & pl.col("_category_id").is_null()))
    flags = base.select(pl.col(ROW), *(expr.fill_null(False).alias(f"{kind}:{name}") for kind, name, expr in checks))
    for kind, name, _expr in checks:
        flagged = flags.get_column(f"{kind}:{name}")
        if not flagged.any():
            continue
        hits = base.filter(flagged)
        for record in hits.iter_rows(named=True):
            error = _error(kind, name, record, rules)
            if error is not None:  # None: a tolerance candidate that the exact check clears
                errors.add(_ORDER[(kind, name)], error)
    return Checked(base, base.height, errors)


def _contains_anywhere(base: pl.DataFrame, name: str, pattern: str) -> pl.Expr:
    """Which cells of a column ``pattern`` (a class of control characters) finds: searched cell by cell only when
    one search of the whole column, its cells joined by a space (which no such class holds), finds any."""
    if not base.select(pl.col(name).str.join(" ").str.contains(pattern)).item():
        return pl.repeat(False, pl.len())
    return pl.col(name).str.contains(pattern)


def _with_rates(base: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """The rate in force on each line's day (the latest on or before it, at most max_age_days old), as text.
    Worked out once per distinct (currency, day) and mapped onto the lines, so the big frame is not joined."""
    if base.is_empty():
        return base.with_columns(pl.lit(None, dtype=pl.String).alias("_rate"))
    currencies = {c: i for i, c in enumerate(base.get_column("currency").unique().to_list())}
    # (currency, day) as one number: day * n + currency
    key = pl.col("_day").cast(pl.Int64) * len(currencies) + pl.col("currency").replace_strict(
        currencies, return_dtype=pl.Int64
    )
    pairs = base.filter(pl.col("_day").is_not_null()).select("currency", "_day", key.alias("key")).unique("key")
    rates = {}
    for currency, day, number in pairs.iter_rows():
        rate = rules.fx.rate(currency, day)
        if rate is not None:
            rates[number] = "1" if currency == rules.fx.base_currency else str(rate)
    return base.with_columns(key.replace_strict(rates, default=None, return_dtype=pl.String).alias("_rate"))


def _decimal(text: str) -> Decimal:
    return Decimal(text)


def _error(kind: str, name: str, record: dict[str, Any], rules: Rules) -> RowError | None:
    row, raw = record[ROW], record.get(name, "") or ""
    value = visible(raw)  # what is shown back (and stored with the error) holds no control character
    if kind == "required":
        return RowError(row, name, _("This field is required."))
    if kind == "length":
        return RowError(row, name, _("Longer than %(n)s characters.") % {"n": MAX_LENGTHS[name]}, value[:100])
    if kind == "control":
        message = control_character_error(raw, multiline=TEXT_COLUMNS[name]) or ""
        return RowError(row, name, message, value[:100])
    if kind == "date":
        expected = rules.date_format or "YYYY-MM-DD"
        return RowError(row, name, _("Not a date (expected %(format)s).") % {"format": expected}, value[:100])
    if kind == "number":
        if record[f"_{name}_ok"]:
            return RowError(row, name, _("Too large."), value[:100])
        return RowError(row, name, _("Not a number."), value[:100])
    if kind == "iso":
        return RowError(row, name, _("Not an ISO 4217 currency code."), value[:100])
    if kind == "tolerance":
        try:
            quantity, price = _decimal(record["_quantity_text"]), _decimal(record["_unit_price_text"])
            amount = _decimal(record["_amount_text"])
        except InvalidOperation:
            return None
        product = quantity * price
        allowed = max(CENT, abs(amount) * rules.tolerance_pct / Decimal(100))
        if abs(product - amount) <= allowed:
            return None
        message = _("Differs from quantity × unit price (%(product)s) by more than %(pct)s%%.") % {
            "product": product.quantize(CENT, ROUND_HALF_UP),
            "pct": rules.tolerance_pct.normalize(),
        }
        return RowError(row, name, message, record["amount"][:100])
    if kind == "fx":
        day: date = record["_day"]
        currency = record["currency"]
        latest = rules.fx.latest_before(currency, day)
        if latest is None:
            message = _("No %(currency)s rate on or before %(date)s. Add one on the FX rates page.") % {
                "currency": currency,
                "date": day.isoformat(),
            }
        else:
            message = _(
                "No %(currency)s rate in force on %(date)s: the latest before it, of %(latest)s, is more than "
                "%(days)s days old. Add one on the FX rates page."
            ) % {
                "currency": currency,
                "date": day.isoformat(),
                "latest": latest.isoformat(),
                "days": rules.fx.max_age_days,
            }
        return RowError(row, name, message, currency)
    return RowError(row, name, _("No category has this code."), value[:100])


# --- what the loader writes ------------------------------------------------------------------------------------


_VARIANTS = pl.Series("variants", ["8", "9", "a", "b"])


def line_ids(frame: pl.DataFrame, *, vendor_keys: pl.Expr, id_salt: bytes, seen: set[bytes]) -> pl.Series:
    """Each line's id (a UUIDv8, as 32 hex digits): the invoice day (its date ordinal, 32 bits) first, so ids sort
    by date, then 88 bits of a BLAKE2b hash of the tenant (``id_salt``), the line's content with its numbers
    written one way, and its occurrence among identical lines of this file (two identical lines on one invoice
    are two lines). The same invoice line gets the same id in any file, so the primary key refuses it twice.
    ``seen``: the digests earlier chunks of the file leave for the next; the chunks come in date order."""
    import hashlib

    content = pl.concat_str(
        [
            vendor_keys,
            pl.col("invoice_number"),
            pl.col("_day").dt.to_string("%Y-%m-%d"),
            pl.col("item_sku"),
            pl.col("description"),
            _canonical_number(frame, "_quantity_text"),
            pl.col("uom"),
            _canonical_number(frame, "_unit_price_text"),
            pl.col("currency"),
            _canonical_number(frame, "_amount_text"),
            pl.col("po_number"),
            pl.col("cost_center"),
        ],
        separator="\x1f",
    )
    texts = frame.select(content.cast(pl.Binary)).to_series().to_list()
    keyed = hashlib.blake2b(key=id_salt, digest_size=12)  # copied per line: the key is hashed in once

    def digest(text: bytes, fresh: Callable[[], Any] = keyed.copy) -> bytes:
        h = fresh()
        h.update(text)
        return h.digest()  # type: ignore[no-any-return]

    digests = [digest(text) for text in texts]
    del texts
    if not seen.isdisjoint(digests) or pl.Series(digests, dtype=pl.Binary).n_unique() != len(digests):
        # some line repeats another: each is numbered by its occurrence (the usual case needs none of this)
        for i, found in enumerate(digests):
            if found in seen:
                n = 1
                while found in seen:
                    n += 1
                    found = hashlib.blake2b(found + n.to_bytes(4, "big"), digest_size=12, key=id_salt).digest()
                digests[i] = found
            seen.add(found)
    _keep_last_day(frame.get_column("_day"), digests, seen)
    # days since 1970 + 719163 = date.toordinal()
    ordinals = frame.get_column("_day").cast(pl.Int64) + 719163
    prefix = ordinals.replace_strict({o: f"{o:08x}" for o in ordinals.unique().to_list()}, return_dtype=pl.String)
    hashed = pl.DataFrame({"p": prefix, "d": pl.Series(digests, dtype=pl.Binary)})
    h = pl.col("d").bin.encode("hex")
    ids = hashed.select(
        pl.concat_str(
            [
                pl.col("p"),
                h.str.slice(0, 4),
                pl.lit("8"),  # the version
                h.str.slice(4, 3),
                pl.lit(_VARIANTS).gather(pl.col("d").bin.get(3) & 3),  # from the digest's 8th hex digit
                h.str.slice(8, 15),
            ]
        ).alias("id")
    )
    return ids.to_series()


def _keep_last_day(days: pl.Series, digests: list[bytes], seen: set[bytes]) -> None:
    """Keep in ``seen`` only what a later chunk may repeat. Chunks come in date order and identical lines share
    their day, so a later line can only repeat a line of this chunk's last day (and, when the whole chunk is that
    one day, of the chunks before it on that day)."""
    last = days.max()
    if days.min() != last:
        seen.clear()
    seen.update(pl.Series(digests, dtype=pl.Binary).filter(days == last).to_list())


def amounts(quantity: str, unit_price: str, amount: str, rate: str) -> tuple[str, str, str, str, str]:
    """The stored decimals of one line (the embedded default computes them here; PostgreSQL in the insert)."""
    q, p = Decimal(quantity), Decimal(unit_price)
    a = Decimal(amount).quantize(CENT, ROUND_HALF_UP) if amount else (q * p).quantize(CENT, ROUND_HALF_UP)
    r = Decimal(rate)
    return (
        str(q.quantize(Decimal("0.0001"), ROUND_HALF_UP)),
        str(p.quantize(Decimal("0.000001"), ROUND_HALF_UP)),
        str(a),
        str(r),
        str((a * r).quantize(CENT, ROUND_HALF_UP)),
    )


Progress = Callable[[int], None]
