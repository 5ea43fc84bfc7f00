"""Total landed cost of a quote line, in the tenant's base currency, every component shown. No ORM: frozen
dataclasses in and out, ``Decimal`` throughout; the services pass the tenant's rates, fees and FX as data.

The rule (domain reference §1, with its sources):

- **Goods**: unit price × quantity, at the quoted Incoterm, converted at the tenant's dated FX rate
  (units of the base currency per unit of the foreign currency).
- **Legs the Incoterm leaves to the buyer** (``rfq.incoterms``): origin charges (EXW only), freight from the
  lane's rates and the carton data (``rfq.freight``), insurance (rate × cover, usually 110 %, × the CFR
  value: goods plus freight), and U.S. inland delivery (not for DAP and DDP). A leg the seller's price covers
  is still shown, as paid by the seller, at the amount the quote itemises or else at our own estimate.
- **FOB-equivalent goods value**: the goods less what the price covers beyond FOB (freight, insurance,
  inland delivery, and for DDP the duties and fees).
- **Customs value** (19 U.S.C. 1401a(b)(4)(A); 19 CFR 152.103): the price actually paid, less international
  freight, insurance and U.S. inland delivery *only where the quote itemises them*, plus the amortised
  tooling paid to the seller for these goods (part of the price actually paid).
- **Duty**: the HTS line's MFN rate plus every additional duty (Section 301 lists, Section 122, …), each ad
  valorem on the customs value; programs stack (§1.3).
- **MPF**: the rate (0.3464 %) of the entry's customs value, held between the fiscal year's minimum and
  maximum (the U.S. fiscal year starts 1 October), per entry; a line that is part of a larger entry carries
  its share. A fiscal year whose limits are not entered yet uses the latest earlier year's, and says so.
  **HMF**: 0.125 % of the customs value, ocean only, no limits (§1.4).
- **Broker and inland charges**: per entry, the line's share.
- **Tooling**: the one-off cost × quantity ÷ the quantity it is amortised over (the awarded quantity).
- **Financing** (§1.5): Σ payment × days paid before receipt × annual cost of capital ÷ 365; a payment after
  receipt gives a negative cost (a benefit).
- Each component is rounded half up to the cent; the total is the sum of what the buyer pays, rounded.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from rfq import freight as freight_rules
from rfq.incoterms import split_for

BUYER = "buyer"
SELLER = "seller"

_CENT = Decimal("0.01")
_UNIT = Decimal("0.0001")
_HUNDRED = Decimal(100)
_YEAR_DAYS = Decimal(365)

USD = "USD"  # U.S. customs fees are set in dollars


class LandedCostError(ValueError):
    """An input the computation cannot use; ``field`` names it as the caller sent it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class AdditionalDuty:
    program: str  # e.g. "Section 301 List 3"
    rate_pct: Decimal


@dataclass(frozen=True)
class DutyRate:
    hts_prefix: str
    mfn_rate_pct: Decimal
    additional: tuple[AdditionalDuty, ...] = ()


@dataclass(frozen=True)
class MpfLimits:
    minimum: Decimal  # USD per entry
    maximum: Decimal


@dataclass(frozen=True)
class Payment:
    percent: Decimal  # of the line's goods value
    days_before_receipt: int  # negative when paid after receipt


@dataclass(frozen=True)
class Costs:
    """The tenant's landed-cost settings, as data. Per-entry charges are in the base currency."""

    cost_of_capital_pct: Decimal
    insurance_rate_pct: Decimal
    insurance_cover_pct: Decimal
    broker_fee: Decimal
    inland_charge: Decimal
    origin_charge: Decimal  # EXW: loading, export clearance, origin inland
    mpf_rate_pct: Decimal
    hmf_rate_pct: Decimal
    mpf_limits: Mapping[int, MpfLimits]  # by U.S. fiscal year


@dataclass(frozen=True)
class Itemised:
    """What the quote itemises inside its price (line totals in the quote's currency), None when not."""

    freight: Decimal | None = None
    insurance: Decimal | None = None
    inland: Decimal | None = None


@dataclass(frozen=True)
class LineInput:
    unit_price: Decimal
    currency: str
    incoterm: str
    quantity: int
    cartons: freight_rules.Cartons
    mode: str  # ocean or air
    lane: freight_rules.LaneRates
    duty: DutyRate
    entry_date: datetime.date
    named_place: str = ""
    payments: tuple[Payment, ...] = ()
    tooling_cost: Decimal = Decimal(0)  # one-off, in the quote's currency
    tooling_quantity: int | None = None  # amortised over; the line's quantity when None
    itemised: Itemised = field(default_factory=Itemised)
    entry_customs_value: Decimal | None = None  # the whole entry's, in the base currency; this line alone if None


@dataclass(frozen=True)
class Component:
    code: str
    amount: Decimal  # base currency, to the cent
    paid_by: str  # BUYER or SELLER (inside the quoted price)
    basis: str = ""  # how it was reached, in figures
    program: str = ""  # an additional duty's program or list


@dataclass(frozen=True)
class Result:
    currency: str
    quantity: int
    goods: Decimal
    fob_equivalent: Decimal
    customs_value: Decimal
    load: freight_rules.Load
    freight: freight_rules.Freight
    components: tuple[Component, ...]
    total: Decimal
    per_unit: Decimal


def fiscal_year(day: datetime.date) -> int:
    """The U.S. federal fiscal year of ``day``: FY2026 runs from 1 October 2025 to 30 September 2026."""
    return day.year + 1 if day.month >= 10 else day.year


def cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _pct(value: Decimal, pct: Decimal) -> Decimal:
    return value * pct / _HUNDRED


def _to_base(amount: Decimal, currency: str, *, base: str, fx: Mapping[str, Decimal], name: str) -> Decimal:
    if currency == base:
        return amount
    if currency not in fx:
        raise LandedCostError(
            name,
            _("No exchange rate from %(currency)s to %(base)s on the entry date.")
            % {"currency": currency, "base": base},
        )
    return amount * fx[currency]


def _check(line: LineInput) -> None:
    if line.quantity <= 0:
        raise LandedCostError("quantity", _("The quantity must be more than 0."))
    if line.unit_price < 0:
        raise LandedCostError("unit_price", _("The unit price cannot be negative."))
    if line.cartons.units_per_carton <= 0:
        raise LandedCostError("units_per_carton", _("Units per carton must be more than 0."))
    if line.tooling_quantity is not None and line.tooling_quantity <= 0:
        raise LandedCostError("tooling_quantity", _("The quantity tooling is amortised over must be more than 0."))
    if line.mode not in freight_rules.MODES:
        raise LandedCostError("mode", _("Choose ocean or air."))
    if sum((p.percent for p in line.payments), Decimal(0)) > _HUNDRED:
        raise LandedCostError("payments", _("The payments add up to more than the whole value."))


def mpf_for(customs_value: Decimal, *, rate_pct: Decimal, limits: MpfLimits) -> Decimal:
    """The entry's MPF in USD: the rate of its customs value, at least the minimum, at most the maximum."""
    return min(max(_pct(customs_value, rate_pct), limits.minimum), limits.maximum)


@dataclass(frozen=True)
class _Legs:
    goods: Decimal
    freight: Decimal
    insurance: Decimal
    inland: Decimal  # the line's share when not itemised
    tooling: Decimal
    customs: Decimal


def _legs(line: LineInput, shipped: freight_rules.Freight, *, costs: Costs, base: Callable[..., Decimal]) -> _Legs:
    """Goods, freight, insurance, inland and tooling in the base currency, and the customs value: the price
    less the legs the quote itemises (only those the price covers), plus the amortised tooling."""
    split = split_for(line.incoterm)
    itemised = line.itemised
    goods = base(line.unit_price * line.quantity, line.currency, "currency")
    freight = base(shipped.amount, shipped.currency, "lane")
    customs = goods
    if split.main_carriage and itemised.freight is not None:
        freight = base(itemised.freight, line.currency, "currency")
        customs -= freight
    insured = goods if split.main_carriage else goods + freight  # the CFR value
    insurance = _pct(_pct(insured, costs.insurance_cover_pct), costs.insurance_rate_pct)
    if split.insurance and itemised.insurance is not None:
        insurance = base(itemised.insurance, line.currency, "currency")
        customs -= insurance
    inland = costs.inland_charge
    if split.destination_inland and itemised.inland is not None:
        inland = base(itemised.inland, line.currency, "currency")
        customs -= inland
    tooling = base(line.tooling_cost, line.currency, "tooling_cost") * line.quantity
    tooling /= line.tooling_quantity or line.quantity
    return _Legs(goods, freight, insurance, inland, tooling, customs + tooling)


def _financing(goods: Decimal, payments: tuple[Payment, ...], rate_pct: Decimal) -> Decimal:
    """Σ payment × days before receipt × annual rate ÷ 365, each payment rounded to the cent (§1.5)."""
    return sum(
        (cents(_pct(_pct(goods, p.percent), rate_pct) * p.days_before_receipt / _YEAR_DAYS) for p in payments),
        Decimal(0),
    )


def compute(line: LineInput, *, costs: Costs, base_currency: str, fx: Mapping[str, Decimal]) -> Result:
    """The landed cost of one quote line (see the module's rule). ``fx`` holds, per foreign currency, the
    units of ``base_currency`` it buys on the entry date; ``LandedCostError`` names any input it cannot use."""
    _check(line)
    try:
        split_for(line.incoterm)
    except ValueError:
        raise LandedCostError("incoterm", _("Choose one of EXW, FCA, FOB, CFR, CIF, CPT, CIP, DAP, DDP.")) from None
    fy = fiscal_year(line.entry_date)
    limits_year = max((year for year in costs.mpf_limits if year <= fy), default=None)
    if limits_year is None:
        raise LandedCostError("entry_date", _("No MPF minimum and maximum for fiscal year %(year)s.") % {"year": fy})

    def base(amount: Decimal, currency: str, name: str) -> Decimal:
        return _to_base(amount, currency, base=base_currency, fx=fx, name=name)

    load = freight_rules.load_of(line.quantity, line.cartons)
    try:
        shipped = freight_rules.freight_for(load, mode=line.mode, rates=line.lane)
    except freight_rules.NoRate:
        raise LandedCostError("lane", _("The lane has no rate for this mode.")) from None
    legs = _legs(line, shipped, costs=costs, base=base)
    customs = legs.customs
    entry_value = line.entry_customs_value if line.entry_customs_value is not None else customs
    if entry_value < customs:
        raise LandedCostError("entry_customs_value", _("The entry's customs value cannot be less than this line's."))
    share = customs / entry_value if entry_value > 0 else Decimal(1)
    parts = _components(line, legs, shipped, costs=costs, share=share, entry_value=entry_value, base=base)
    included = sum((p.amount for p in parts if p.paid_by == SELLER), Decimal(0))
    total = sum((p.amount for p in parts if p.paid_by == BUYER), Decimal(0))
    return Result(
        currency=base_currency,
        quantity=line.quantity,
        goods=cents(legs.goods),
        fob_equivalent=cents(legs.goods) - included,
        customs_value=cents(customs),
        load=load,
        freight=shipped,
        components=tuple(parts),
        total=total,
        per_unit=(total / line.quantity).quantize(_UNIT, rounding=ROUND_HALF_UP),
    )


def _components(
    line: LineInput,
    legs: _Legs,
    shipped: freight_rules.Freight,
    *,
    costs: Costs,
    share: Decimal,
    entry_value: Decimal,
    base: Callable[..., Decimal],
) -> list[Component]:
    """Every component, each with its basis in figures (no words, so it reads the same in every language)."""
    split = split_for(line.incoterm)
    customs = legs.customs
    fy = fiscal_year(line.entry_date)
    limits_year = max(year for year in costs.mpf_limits if year <= fy)
    limits = costs.mpf_limits[limits_year]
    usd = base(Decimal(1), USD, "currency")  # 1 when the base currency is the dollar
    mpf = mpf_for(entry_value / usd, rate_pct=costs.mpf_rate_pct, limits=limits) * usd * share
    hmf = _pct(customs, costs.hmf_rate_pct) if line.mode == freight_rules.OCEAN else Decimal(0)
    value = str(cents(customs))

    def who(seller_pays: bool) -> str:
        return SELLER if seller_pays else BUYER

    duty_by = who(split.import_clearance)
    per_entry = f"× {_n(share.quantize(_UNIT, rounding=ROUND_HALF_UP))}"
    parts = [Component("goods", cents(legs.goods), BUYER, f"{line.currency} {line.unit_price} × {line.quantity}")]
    if not split.origin:
        parts.append(
            Component("origin", cents(costs.origin_charge * share), BUYER, f"{costs.origin_charge} {per_entry}")
        )
    freight_basis = f"{_n(shipped.units)} × {shipped.basis} @ {shipped.currency} {shipped.rate}"
    parts.append(Component("freight", cents(legs.freight), who(split.main_carriage), freight_basis))
    insured = f"{_n(costs.insurance_rate_pct)} % × {_n(costs.insurance_cover_pct)} % × CFR"
    parts.append(Component("insurance", cents(legs.insurance), who(split.insurance), insured))
    mfn = line.duty.mfn_rate_pct
    parts.append(Component("duty_mfn", cents(_pct(customs, mfn)), duty_by, f"{_n(mfn)} % × {value}"))
    for extra in line.duty.additional:
        amount = cents(_pct(customs, extra.rate_pct))
        parts.append(Component("duty_additional", amount, duty_by, f"{_n(extra.rate_pct)} % × {value}", extra.program))
    fiscal = f"FY{fy}" if limits_year == fy else f"FY{fy} ← FY{limits_year}"
    mpf_basis = f"{_n(costs.mpf_rate_pct)} %, {fiscal} USD {limits.minimum}–{limits.maximum} {per_entry}"
    parts.append(Component("mpf", cents(mpf), duty_by, mpf_basis))
    hmf_basis = f"{_n(costs.hmf_rate_pct)} % × {value}" if hmf else "—"
    parts.append(Component("hmf", cents(hmf), duty_by, hmf_basis))
    parts.append(Component("broker", cents(costs.broker_fee * share), duty_by, f"{costs.broker_fee} {per_entry}"))
    if split.destination_inland and line.itemised.inland is not None:
        parts.append(Component("inland", cents(legs.inland), SELLER, ""))  # as the quote itemises it
    else:
        inland = cents(legs.inland * share)
        parts.append(Component("inland", inland, who(split.destination_inland), f"{cents(legs.inland)} {per_entry}"))
    if legs.tooling:
        amortised = f"{line.currency} {line.tooling_cost} × {line.quantity} ÷ {line.tooling_quantity or line.quantity}"
        parts.append(Component("tooling", cents(legs.tooling), BUYER, amortised))
    financing = _financing(legs.goods, line.payments, costs.cost_of_capital_pct)
    paid = ", ".join(f"{_n(p.percent)} % × {p.days_before_receipt}/365" for p in line.payments)
    financed = f"{_n(costs.cost_of_capital_pct)} % × ({paid})" if paid else "—"  # nothing paid before receipt
    parts.append(Component("financing", financing, BUYER, financed))
    return parts


def _n(value: Decimal) -> str:
    """A decimal as people write it: 0.3 for 0.3000, 3000 for 3000.00 (no exponent)."""
    return format(value.normalize(), "f")
