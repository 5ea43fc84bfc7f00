"""How an amount of money reads on a page: the one rule every page follows.

``USD 1,234.56``: the ISO 4217 code, a no-break space, the amount grouped by the viewer's locale and rounded
(half up) to the currency's minor units (JPY and KRW have none, BHD and KWD three). A unit price keeps up to
four decimals, and never fewer than the currency's own. A negative amount starts with a minus sign
(U+2212) before the code: ``−USD 1,234.56``. No amount reads ``—``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# ISO 4217 (List One, the minor unit column): the currencies whose minor unit is not 2.
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
UNIT_PRICE_DECIMALS = 4
MINUS = "\u2212"
NBSP = "\u00a0"
NO_AMOUNT = "—"


@dataclass(frozen=True)
class NumberStyle:
    """The viewer's locale's separators (Django's ``DECIMAL_SEPARATOR``, ``THOUSAND_SEPARATOR``,
    ``NUMBER_GROUPING``)."""

    decimal: str = "."
    thousands: str = ","
    grouping: int = 3


def minor_units(currency: str) -> int:
    """The digits after the decimal point the currency is counted in (ISO 4217); 2 for any other code."""
    return MINOR_UNITS.get((currency or "").upper(), 2)


def _as_decimal(amount: Any) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return value if value.is_finite() else None


def _grouped(digits: str, style: NumberStyle) -> str:
    if not style.thousands or style.grouping <= 0 or len(digits) <= style.grouping:
        return digits
    groups: list[str] = []
    while len(digits) > style.grouping:
        groups.insert(0, digits[-style.grouping :])
        digits = digits[: -style.grouping]
    return style.thousands.join([digits, *groups])


def figure(amount: Any, currency: str, style: NumberStyle = NumberStyle(), *, unit_price: bool = False) -> str:
    """The amount without its code (for a column whose header names the currency), by the rule above."""
    value = _as_decimal(amount)
    if value is None:
        return NO_AMOUNT
    places = minor_units(currency)
    if unit_price:
        places = max(places, UNIT_PRICE_DECIMALS)
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):f}"
    whole, _, fraction = text.partition(".")
    if unit_price:
        fraction = fraction.rstrip("0").ljust(minor_units(currency), "0")
    body = _grouped(whole, style) + (style.decimal + fraction if fraction else "")
    return (MINUS if rounded < 0 else "") + body


def money(amount: Any, currency: str, style: NumberStyle = NumberStyle(), *, unit_price: bool = False) -> str:
    """``USD 1,234.56``: the code and the figure; ``−USD 1,234.56`` when negative."""
    shown = figure(amount, currency, style, unit_price=unit_price)
    if shown == NO_AMOUNT or not currency:
        return shown
    if shown.startswith(MINUS):
        return f"{MINUS}{currency.upper()}{NBSP}{shown[1:]}"
    return f"{currency.upper()}{NBSP}{shown}"
