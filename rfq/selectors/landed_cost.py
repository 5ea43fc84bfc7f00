"""What the landed cost of a line reads from the tenant's tables: the settings as the pure module's ``Costs``,
the duty and lane rows in force, and the dated FX rates (spend's FX table, with its maximum age)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from rfq import freight, landed_cost
from rfq.factory_calendar import ShutdownWindow
from rfq.models import DutyRate, LandedCostSettings, LaneRate
from rfq.selectors.tables import landed_cost_settings_find
from sourcing.spend.models import FxRate
from sourcing.spend.selectors.setup import fx_rate_in_force


def costs_of(row: LandedCostSettings) -> landed_cost.Costs:
    """The settings row as the pure module reads it: per-entry charges still in ``charges_currency`` are
    converted by the caller (``charges_in_base``)."""
    limits = {
        int(year): landed_cost.MpfLimits(Decimal(pair["minimum"]), Decimal(pair["maximum"]))
        for year, pair in row.mpf_limits.items()
    }
    return landed_cost.Costs(
        cost_of_capital_pct=Decimal(row.cost_of_capital_pct),
        insurance_rate_pct=Decimal(row.insurance_rate_pct),
        insurance_cover_pct=Decimal(row.insurance_cover_pct),
        broker_fee=Decimal(row.broker_fee),
        inland_charge=Decimal(row.inland_charge),
        origin_charge=Decimal(row.origin_charge),
        mpf_rate_pct=Decimal(row.mpf_rate_pct),
        hmf_rate_pct=Decimal(row.hmf_rate_pct),
        mpf_limits=limits,
    )


def charges_in_base(costs: landed_cost.Costs, *, rate: Decimal) -> landed_cost.Costs:
    """The per-entry charges times ``rate`` (units of the base currency per unit of the charges' currency)."""
    return landed_cost.Costs(
        **{
            **costs.__dict__,
            "broker_fee": costs.broker_fee * rate,
            "inland_charge": costs.inland_charge * rate,
            "origin_charge": costs.origin_charge * rate,
        }
    )


def settings_in_force() -> LandedCostSettings:
    return landed_cost_settings_find()


def shutdown_window(row: LandedCostSettings) -> ShutdownWindow:
    return ShutdownWindow(before=row.cny_days_before, after=row.cny_days_after)


def duty_of(row: DutyRate) -> landed_cost.DutyRate:
    additional = tuple(
        landed_cost.AdditionalDuty(item["program"], Decimal(item["rate_pct"])) for item in row.additional_duties
    )
    return landed_cost.DutyRate(row.hts_prefix, Decimal(row.mfn_rate_pct), additional)


def lane_of(row: LaneRate) -> freight.LaneRates:
    return freight.LaneRates(
        currency=row.currency,
        per_20=row.per_20,
        per_40=row.per_40,
        per_40hc=row.per_40hc,
        per_cbm=row.per_cbm,
        per_kg=row.per_kg,
    )


def fx_on(currencies: Iterable[str], *, on: datetime.date) -> dict[str, FxRate]:
    """The rate in force on ``on`` for each currency that has one (the base currency converts at 1)."""
    found = {}
    for currency in sorted(set(currencies)):
        rate = fx_rate_in_force(currency=currency, on=on)
        if rate is not None:
            found[currency] = rate
    return found
