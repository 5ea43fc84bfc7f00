"""Validating and normalising spend rows: pure Python, no ORM, so every rule can be tested on its own.

A row arrives as text cells under a known column layout and leaves as a normalised line (decimals, ISO date,
base-currency amount, vendor, category, classification, line key) or as errors naming its row and column.
This loop runs a million times per large import, so it works on plain tuples and caches what repeats (dates,
FX look-ups, vendor keys); each check is still one clear line.
"""

from __future__ import annotations

import bisect
import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

Q2 = Decimal("0.01")
Q4 = Decimal("0.0001")
Q6 = Decimal("0.000001")
Q10 = Decimal("0.0000000001")
CENT = Q2
ONE = Decimal(1)
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}
HUNDRED = Decimal(100)
# Largest magnitudes the columns hold (max_digits - decimal_places digits before the point).
LIMITS = {"quantity": Decimal(10) ** 14, "unit_price": Decimal(10) ** 14, "amount": Decimal(10) ** 16}
MAX_LENGTHS = {
    "invoice_number": 100,
    "supplier_name": 255,
    "supplier_erp_id": 100,
    "item_sku": 100,
    "description": 500,
    "uom": 20,
    "po_number": 100,
    "cost_center": 100,
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "value": self.value}


class Line(NamedTuple):
    """A valid line, ready to write. Decimals are kept as text in their column's precision."""

    id: str  # see line_id
    vendor_id: str
    category_id: str | None
    invoice_date: date
    invoice_number: str
    item_sku: str
    description: str
    quantity: str
    uom: str
    unit_price: str
    currency: str
    amount: str
    fx_rate: str
    amount_base: str
    po_number: str
    cost_center: str
    classification: str


class FxTable:
    """Dated rates per currency: the rate in force on a day is the latest on or before it, if it is at most
    ``max_age_days`` old. The base currency converts at 1."""

    def __init__(self, *, base_currency: str, rates: dict[str, list[tuple[date, Decimal]]], max_age_days: int):
        self.base_currency = base_currency
        self.max_age_days = max_age_days
        self._days: dict[str, list[int]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        for currency, items in rates.items():
            items = sorted(items)
            self._days[currency] = [d.toordinal() for d, _r in items]
            self._rates[currency] = [r for _d, r in items]
        self._cache: dict[tuple[str, date], Decimal | None] = {}
        self._texts: dict[Decimal, str] = {}

    def rate(self, currency: str, on: date) -> Decimal | None:
        if currency == self.base_currency:
            return ONE
        key = (currency, on)
        try:
            return self._cache[key]
        except KeyError:
            pass
        found: Decimal | None = None
        days = self._days.get(currency)
        if days:
            day = on.toordinal()
            i = bisect.bisect_right(days, day) - 1
            if i >= 0 and day - days[i] <= self.max_age_days:
                found = self._rates[currency][i]
        self._cache[key] = found
        return found

    def rate_text(self, rate: Decimal) -> str:
        try:
            return self._texts[rate]
        except KeyError:
            text = self._texts[rate] = str(rate.quantize(Q10))
            return text

    def latest_before(self, currency: str, on: date) -> date | None:
        days = self._days.get(currency) or []
        i = bisect.bisect_right(days, on.toordinal()) - 1
        return date.fromordinal(days[i]) if i >= 0 else None


@dataclass
class VendorRef:
    id: str
    key: str  # "id:<erp id>" or "name:<name key>"
    erp_id: str
    name: str
    name_key: str
    supplier_id: str | None
    match_method: str
    is_new: bool


@dataclass
class Context:
    """Everything a row is checked against, loaded once per import."""

    columns: dict[str, int]  # canonical column -> cell index
    fx: FxTable
    tolerance_pct: Decimal
    currencies: frozenset[str]
    categories: dict[str, tuple[str, str]]  # code -> (category id, "direct" | "indirect")
    category_classes: dict[str, str]  # category id -> "direct" | "indirect"
    vendor_for: Callable[[str, str], VendorRef]  # (erp id, name) -> vendor, created on first sight
    category_by_rule: Callable[[str, str, str], str | None]  # (cost center, description, supplier) -> category id
    date_format: str = ""
    decimal_comma: bool = False
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    max_errors: int = 100_000
    id_salt: bytes = b""  # the tenant's id: lines of two tenants never share an id
    _dates: dict[str, date | None] = field(default_factory=dict)
    _seen_keys: set[bytes] = field(default_factory=set)
    get_cells: Callable[[list[str]], tuple[str, ...]] = field(init=False)
    width: int = field(init=False)
    tolerance: Decimal = field(init=False)

    def __post_init__(self) -> None:
        self.get_cells, self.width = cell_getter(self.columns)
        self.tolerance = self.tolerance_pct / HUNDRED

    def error(self, row: int, column: str, message: str, value: str = "") -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(RowError(row, column, message, value[:100]))

    def parse_date(self, text: str) -> date | None:
        try:
            return self._dates[text]
        except KeyError:
            pass
        parsed: date | None
        try:
            if self.date_format:
                parsed = datetime.strptime(text, self.date_format).date()
            else:
                parsed = date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
        except ValueError:
            parsed = None
        self._dates[text] = parsed
        return parsed

    def parse_decimal(self, text: str) -> Decimal | None:
        """A decimal, with thousands separators ("1,250.00"; with a decimal comma "1.250,00") allowed."""
        if not self.decimal_comma:
            try:
                value = Decimal(text)  # the common case: plain digits and a point
            except InvalidOperation:
                text = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
            else:
                return value if value.is_finite() else None
        else:
            text = text.replace(".", "").replace(",", ".").replace(" ", "").replace("\u00a0", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        return value if value.is_finite() else None

    def line_id(self, content: str, day: date) -> str:
        """The line's id: the same invoice line gets the same id in any file, so the primary key refuses it
        twice. A UUIDv8 (RFC 9562, custom layout): 32 bits of the invoice day (date ordinal), so ids sort by
        date, then 88 bits of a BLAKE2b hash of the tenant, the line's content and its occurrence among
        identical lines of this file (two identical lines on one invoice are two lines)."""
        digest = hashlib.blake2b(content.encode(), digest_size=12, key=self.id_salt).digest()
        n = 1
        while digest in self._seen_keys:
            n += 1
            digest = hashlib.blake2b(digest + n.to_bytes(4, "big"), digest_size=12, key=self.id_salt).digest()
        self._seen_keys.add(digest)
        h = digest.hex()
        return f"{day.toordinal():08x}-{h[:4]}-8{h[4:7]}-{_VARIANT[h[7]]}{h[8:11]}-{h[11:23]}"


# The order in which normalise_row reads a row's cells.
FIELDS = (
    "invoice_date",
    "invoice_number",
    "supplier_name",
    "supplier_erp_id",
    "category_code",
    "item_sku",
    "description",
    "quantity",
    "uom",
    "unit_price",
    "currency",
    "amount",
    "po_number",
    "cost_center",
)
REQUIRED = ("invoice_date", "invoice_number", "supplier_name", "quantity", "unit_price", "currency")
_CHECKED_LENGTHS = tuple((FIELDS.index(name), name, limit) for name, limit in MAX_LENGTHS.items())


def cell_getter(columns: dict[str, int]) -> tuple[Callable[[list[str]], tuple[str, ...]], int]:
    """A function picking FIELDS out of a row in one call (absent columns read as ""), and the row width it
    needs: shorter rows are padded first."""
    width = max(columns.values(), default=-1) + 2
    blank = width - 1  # the padding cell, always ""
    indexes = [columns.get(name, blank) for name in FIELDS]
    return operator.itemgetter(*indexes), width


def normalise_row(ctx: Context, number: int, cells: list[str]) -> Line | None:
    """The line for one row, or None after recording every error the row has."""
    if len(cells) < ctx.width:
        cells = cells + [""] * (ctx.width - len(cells))
    (
        invoice_date_text,
        invoice_number,
        supplier_name,
        supplier_erp_id,
        category_code,
        item_sku,
        description,
        quantity_text,
        uom,
        unit_price_text,
        currency,
        amount_text,
        po_number,
        cost_center,
    ) = values = [v.strip() for v in ctx.get_cells(cells)]
    currency = currency.upper()

    before = ctx.error_count
    if not (invoice_date_text and invoice_number and supplier_name and quantity_text and unit_price_text and currency):
        for name in REQUIRED:
            if not values[FIELDS.index(name)]:
                ctx.error(number, name, _("This field is required."))
    for index, name, limit in _CHECKED_LENGTHS:
        if len(values[index]) > limit:
            ctx.error(number, name, _("Longer than %(n)s characters.") % {"n": limit}, values[index])

    day = ctx.parse_date(invoice_date_text) if invoice_date_text else None
    if day is None and invoice_date_text:
        expected = ctx.date_format or "YYYY-MM-DD"
        message = _("Not a date (expected %(format)s).") % {"format": expected}
        ctx.error(number, "invoice_date", message, invoice_date_text)

    quantity = _decimal(ctx, number, "quantity", quantity_text) if quantity_text else None
    unit_price = _decimal(ctx, number, "unit_price", unit_price_text) if unit_price_text else None
    amount = _decimal(ctx, number, "amount", amount_text) if amount_text else None

    if currency and currency not in ctx.currencies:
        ctx.error(number, "currency", _("Not an ISO 4217 currency code."), currency)

    if quantity is not None and unit_price is not None:
        product = quantity * unit_price
        if amount is None and not amount_text:
            amount = product.quantize(CENT, ROUND_HALF_UP)
        elif amount is not None:
            allowed = max(CENT, abs(amount) * ctx.tolerance)
            if abs(product - amount) > allowed:
                ctx.error(
                    number,
                    "amount",
                    _("Differs from quantity × unit price (%(product)s) by more than %(pct)s%%.")
                    % {"product": product.quantize(CENT, ROUND_HALF_UP), "pct": ctx.tolerance_pct.normalize()},
                    amount_text,
                )

    rate: Decimal | None = None
    if day is not None and currency in ctx.currencies:
        rate = ctx.fx.rate(currency, day)
        if rate is None:
            latest = ctx.fx.latest_before(currency, day)
            message = _(
                "No %(currency)s rate in force on %(date)s (rates count for %(days)s days; the latest before it is "
                "%(latest)s). Add one on the FX rates page."
            ) % {
                "currency": currency,
                "date": day.isoformat(),
                "days": ctx.fx.max_age_days,
                "latest": latest.isoformat() if latest else _("none"),
            }
            ctx.error(number, "currency", message, currency)

    category_id: str | None = None
    if category_code:
        found = ctx.categories.get(category_code)
        if found is None:
            ctx.error(number, "category_code", _("No category has this code."), category_code)
        else:
            category_id = found[0]

    if ctx.error_count != before:
        return None
    assert day is not None and quantity is not None and unit_price is not None and amount is not None
    assert rate is not None

    if category_id is None:
        category_id = ctx.category_by_rule(cost_center, description, supplier_name)
    vendor = ctx.vendor_for(supplier_erp_id, supplier_name)
    quantity_s = str(quantity.quantize(Q4, ROUND_HALF_UP))
    unit_price_s = str(unit_price.quantize(Q6, ROUND_HALF_UP))
    amount_q = amount.quantize(CENT, ROUND_HALF_UP)
    amount_s = str(amount_q)
    day_s = day.isoformat()
    line_id = ctx.line_id(
        "\x1f".join(
            (
                vendor.key,
                invoice_number,
                day_s,
                item_sku,
                description,
                quantity_s,
                uom,
                unit_price_s,
                currency,
                amount_s,
                po_number,
                cost_center,
            )
        ),
        day,
    )
    return Line(
        line_id,
        vendor.id,
        category_id,
        day,
        invoice_number,
        item_sku,
        description,
        quantity_s,
        uom,
        unit_price_s,
        currency,
        amount_s,
        ctx.fx.rate_text(rate),
        str((amount_q * rate).quantize(CENT, ROUND_HALF_UP)),
        po_number,
        cost_center,
        ctx.category_classes.get(category_id, "indirect") if category_id else "indirect",
    )


def _decimal(ctx: Context, number: int, column: str, text: str) -> Decimal | None:
    value = ctx.parse_decimal(text)
    if value is None:
        ctx.error(number, column, _("Not a number."), text)
        return None
    if abs(value) >= LIMITS[column]:
        ctx.error(number, column, _("Too large."), text)
        return None
    return value
