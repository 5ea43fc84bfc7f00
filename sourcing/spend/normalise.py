"""Validating and normalising spend rows: pure Python, no ORM, so every rule can be tested on its own.

A row arrives as text cells under a known column layout and leaves as a normalised line (decimals, ISO date,
base-currency amount, vendor, category, classification, line key) or as errors naming its row and column.
This loop runs a million times per large import, so it works on plain tuples and caches what repeats (dates,
FX look-ups, vendor keys); each check is still one clear line.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

Q2 = Decimal("0.01")
Q4 = Decimal("0.0001")
Q6 = Decimal("0.000001")
Q10 = Decimal("0.0000000001")
CENT = Q2
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


@dataclass(frozen=True)
class Line:
    """A valid line, ready to write. Decimals are kept as text in their column's precision."""

    vendor_id: str
    category_id: str | None
    line_key: str  # 32 hex digits
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
        self._cache: dict[tuple[str, int], Decimal | None] = {}

    def rate(self, currency: str, on: date) -> Decimal | None:
        if currency == self.base_currency:
            return Decimal(1)
        key = (currency, on.toordinal())
        try:
            return self._cache[key]
        except KeyError:
            pass
        found: Decimal | None = None
        days = self._days.get(currency)
        if days:
            i = bisect.bisect_right(days, key[1]) - 1
            if i >= 0 and key[1] - days[i] <= self.max_age_days:
                found = self._rates[currency][i]
        self._cache[key] = found
        return found

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
    _dates: dict[str, date | None] = field(default_factory=dict)
    _seen_keys: set[bytes] = field(default_factory=set)

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
        text = text.replace(" ", "").replace("\u00a0", "")
        text = text.replace(".", "").replace(",", ".") if self.decimal_comma else text.replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        return value if value.is_finite() else None

    def line_key(self, parts: tuple[str, ...], day: date) -> str:
        """Same invoice line, same key, in any file: the line's content and its occurrence among identical
        lines of this file (two identical lines on one invoice are two lines). The invoice day leads, so
        the unique index is written in date order."""
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).digest()
        n = 1
        while digest in self._seen_keys:
            n += 1
            digest = hashlib.blake2b(digest + n.to_bytes(4, "big"), digest_size=12).digest()
        self._seen_keys.add(digest)
        return f"{day.toordinal():08x}{digest.hex()}"


def normalise_row(ctx: Context, number: int, cells: list[str]) -> Line | None:
    """The line for one row, or None after recording every error the row has."""
    col = ctx.columns
    width = len(cells)

    def cell(name: str) -> str:
        i = col.get(name)
        return cells[i].strip() if i is not None and i < width else ""

    before = ctx.error_count
    invoice_date_text = cell("invoice_date")
    invoice_number = cell("invoice_number")
    supplier_name = cell("supplier_name")
    supplier_erp_id = cell("supplier_erp_id")
    category_code = cell("category_code")
    item_sku = cell("item_sku")
    description = cell("description")
    quantity_text = cell("quantity")
    uom = cell("uom")
    unit_price_text = cell("unit_price")
    currency = cell("currency").upper()
    amount_text = cell("amount")
    po_number = cell("po_number")
    cost_center = cell("cost_center")

    for name, value in (
        ("invoice_date", invoice_date_text),
        ("invoice_number", invoice_number),
        ("supplier_name", supplier_name),
        ("quantity", quantity_text),
        ("unit_price", unit_price_text),
        ("currency", currency),
    ):
        if not value:
            ctx.error(number, name, _("This field is required."))
    for name, value in (
        ("invoice_number", invoice_number),
        ("supplier_name", supplier_name),
        ("supplier_erp_id", supplier_erp_id),
        ("item_sku", item_sku),
        ("description", description),
        ("uom", uom),
        ("po_number", po_number),
        ("cost_center", cost_center),
    ):
        if len(value) > MAX_LENGTHS[name]:
            ctx.error(number, name, _("Longer than %(n)s characters.") % {"n": MAX_LENGTHS[name]}, value)

    day = ctx.parse_date(invoice_date_text) if invoice_date_text else None
    if invoice_date_text and day is None:
        expected = ctx.date_format or "YYYY-MM-DD"
        ctx.error(
            number, "invoice_date", _("Not a date (expected %(format)s).") % {"format": expected}, invoice_date_text
        )

    quantity = _decimal(ctx, number, "quantity", quantity_text)
    unit_price = _decimal(ctx, number, "unit_price", unit_price_text)
    amount = _decimal(ctx, number, "amount", amount_text) if amount_text else None

    if currency and currency not in ctx.currencies:
        ctx.error(number, "currency", _("Not an ISO 4217 currency code."), currency)

    if quantity is not None and unit_price is not None:
        product = quantity * unit_price
        if amount is None and not amount_text:
            amount = product.quantize(CENT, ROUND_HALF_UP)
        elif amount is not None:
            allowed = max(CENT, abs(amount) * ctx.tolerance_pct / HUNDRED)
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
    key = ctx.line_key(
        (
            vendor.key,
            invoice_number,
            day.isoformat(),
            item_sku,
            description,
            quantity_s,
            uom,
            unit_price_s,
            currency,
            amount_s,
            po_number,
            cost_center,
        ),
        day,
    )
    return Line(
        vendor_id=vendor.id,
        category_id=category_id,
        line_key=key,
        invoice_date=day,
        invoice_number=invoice_number,
        item_sku=item_sku,
        description=description,
        quantity=quantity_s,
        uom=uom,
        unit_price=unit_price_s,
        currency=currency,
        amount=amount_s,
        fx_rate=str(rate.quantize(Q10)),
        amount_base=str((amount_q * rate).quantize(CENT, ROUND_HALF_UP)),
        po_number=po_number,
        cost_center=cost_center,
        classification=ctx.category_classes.get(category_id, "indirect") if category_id else "indirect",
    )


def _decimal(ctx: Context, number: int, column: str, text: str) -> Decimal | None:
    if not text:
        return None
    value = ctx.parse_decimal(text)
    if value is None:
        ctx.error(number, column, _("Not a number."), text)
        return None
    if abs(value) >= LIMITS[column]:
        ctx.error(number, column, _("Too large."), text)
        return None
    return value
