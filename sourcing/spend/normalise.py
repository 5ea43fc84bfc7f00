"""The rules a spend line is held to, as data: the columns in the order they are checked, which are required,
how long and how large their values may be; and the FX look-up and error types the checks (``frame.py``) and
the loader share. No ORM here."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
ONE = Decimal(1)
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

    def rate(self, currency: str, on: date) -> Decimal | None:
        if currency == self.base_currency:
            return ONE
        days = self._days.get(currency)
        if days:
            day = on.toordinal()
            i = bisect.bisect_right(days, day) - 1
            if i >= 0 and day - days[i] <= self.max_age_days:
                return self._rates[currency][i]
        return None

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


# The canonical columns, in the order a row's errors are listed.
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
# Text columns and whether they are multi-line (tab and line breaks allowed); the other columns are parsed as
# dates, numbers or codes, which refuse control characters anyway.
TEXT_COLUMNS = {
    "invoice_number": False,
    "supplier_name": False,
    "supplier_erp_id": False,
    "category_code": False,
    "item_sku": False,
    "description": True,
    "uom": False,
    "po_number": False,
    "cost_center": False,
}
REQUIRED = ("invoice_date", "invoice_number", "supplier_name", "quantity", "unit_price", "currency")
_CHECKED_LENGTHS = tuple((FIELDS.index(name), name, limit) for name, limit in MAX_LENGTHS.items())
