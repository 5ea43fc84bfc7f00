"""The landed cost of arbitrary quote-line inputs, on the tenant's tables: the preview behind
``POST /api/v1/landed-cost/`` and the calculator page. Reads only, writes nothing.

The inputs are checked field by field (each error names its field, as sent); then the duty row for the HTS
number and the lane rate in force on the entry date, the settings and the dated FX rates are read, and the
pure module ``rfq.landed_cost`` computes every component. With a production lead time and an order date, the
ready date is counted on the factory calendar (``rfq.factory_calendar``) with the tenant's New Year shutdown.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from rfq import factory_calendar, freight, landed_cost, rate_checks
from rfq.incoterms import Incoterm
from rfq.models import DutyRate, LaneRate
from rfq.selectors import landed_cost as selectors
from rfq.selectors.tables import duty_rate_in_force, lane_rate_in_force
from sourcing.actors import Actor
from sourcing.errors import DomainError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.spend.models import FxRate

INPUT_FIELDS = [
    "unit_price",
    "currency",
    "incoterm",
    "named_place",
    "quantity",
    "units_per_carton",
    "carton_length_cm",
    "carton_width_cm",
    "carton_height_cm",
    "carton_gross_weight_kg",
    "hts_code",
    "mode",
    "origin_port",
    "destination_port",
    "entry_date",
    "payments",
    "tooling_cost",
    "tooling_quantity",
    "itemised_freight",
    "itemised_insurance",
    "itemised_inland",
    "entry_customs_value",
    "lead_time_days",
    "order_date",
]
REQUIRED = [
    "unit_price",
    "currency",
    "incoterm",
    "quantity",
    "units_per_carton",
    "carton_length_cm",
    "carton_width_cm",
    "carton_height_cm",
    "carton_gross_weight_kg",
    "hts_code",
    "mode",
    "origin_port",
    "destination_port",
]
_BIG = Decimal("999999999999")
MAX_DAYS = factory_calendar.MAX_WORKING_DAYS


@dataclass(frozen=True)
class Preview:
    result: landed_cost.Result
    incoterm: str
    named_place: str
    entry_date: datetime.date
    duty_rate: DutyRate
    lane_rate: LaneRate
    fx: dict[str, FxRate] = field(default_factory=dict)
    ready_date: datetime.date | None = None


def _whole(value: Any, *, low: int, high: int) -> tuple[int | None, str | None]:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value, None
    return None, _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}


def _amount(value: Any, *, places: int = 4) -> tuple[Decimal | None, str | None]:
    return rate_checks.number(value, high=_BIG, places=places)


class _Reader:
    """Reads the body's fields one by one, collecting an error per bad field."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.errors: dict[str, list[str]] = {}

    def get(self, name: str, parse: Any, default: Any = None) -> Any:
        value = self.values.get(name)
        if value in (None, ""):
            if name in REQUIRED:
                self.errors[name] = [_("This field is required.")]
            return default
        parsed, error = parse(value)
        if error:
            self.errors[name] = [error]
        return parsed

    def payments(self) -> tuple[landed_cost.Payment, ...]:
        value = self.values.get("payments") or []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.errors["payments"] = [_('Send a list of {"percent": …, "days_before_receipt": …}.')]
            return ()
        found = []
        for i, item in enumerate(value):
            percent, error = rate_checks.number(item.get("percent"), high=Decimal(100), places=4)
            if error:
                self.errors[f"payments[{i}].percent"] = [error]
            days, days_error = _whole(item.get("days_before_receipt"), low=-3650, high=3650)
            if days_error:
                self.errors[f"payments[{i}].days_before_receipt"] = [days_error]
            if percent is not None and days is not None:
                found.append(landed_cost.Payment(percent, days))
        return tuple(found)


def _choice(options: list[str], message: str) -> Any:
    def parse(value: Any) -> tuple[str | None, str | None]:
        code = value.strip().upper() if isinstance(value, str) else ""
        return (code, None) if code in options else (None, message)

    return parse


def _parse(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    read = _Reader(values)
    got: dict[str, Any] = {
        "unit_price": read.get("unit_price", _amount),
        "currency": read.get("currency", rate_checks.clean_lane_currency),
        "incoterm": read.get("incoterm", _choice([t.value for t in Incoterm], _("Choose an Incoterm 2020 rule."))),
        "named_place": read.get("named_place", lambda v: rate_checks.text(v, limit=100, required=False), ""),
        "quantity": read.get("quantity", lambda v: _whole(v, low=1, high=10**9)),
        "units_per_carton": read.get("units_per_carton", lambda v: _whole(v, low=1, high=10**6)),
        "hts_code": read.get("hts_code", rate_checks.clean_hts),
        "mode": read.get("mode", lambda v: (v, None) if v in freight.MODES else (None, _("Choose ocean or air."))),
        "origin_port": read.get("origin_port", rate_checks.clean_port),
        "destination_port": read.get("destination_port", rate_checks.clean_port),
        "entry_date": read.get("entry_date", rate_checks.day, timezone.localdate()),
        "order_date": read.get("order_date", rate_checks.day),
        "lead_time_days": read.get(
            "lead_time_days", lambda v: _whole(v, low=0, high=factory_calendar.MAX_WORKING_DAYS)
        ),
        "tooling_cost": read.get("tooling_cost", _amount, Decimal(0)),
        "tooling_quantity": read.get("tooling_quantity", lambda v: _whole(v, low=1, high=10**9)),
        "entry_customs_value": read.get("entry_customs_value", lambda v: _amount(v, places=2)),
        "payments": read.payments(),
    }
    for name in ("carton_length_cm", "carton_width_cm", "carton_height_cm", "carton_gross_weight_kg"):
        got[name] = read.get(name, lambda v: _amount(v, places=3))
    for name in ("itemised_freight", "itemised_insurance", "itemised_inland"):
        got[name] = read.get(name, _amount)
    if (got["lead_time_days"] is None) != (got["order_date"] is None) and not read.errors:
        missing = "order_date" if got["order_date"] is None else "lead_time_days"
        read.errors[missing] = [_("Give the order date and the lead time together.")]
    return got, read.errors


def _fail(errors: dict[str, list[str]]) -> DomainError:
    return DomainError(next(iter(errors.values()))[0], fields=errors)


def _tables(got: dict[str, Any]) -> tuple[DutyRate, LaneRate]:
    on = got["entry_date"]
    duty = duty_rate_in_force(hts_code=got["hts_code"], on=on)
    lane = lane_rate_in_force(origin=got["origin_port"], destination=got["destination_port"], mode=got["mode"], on=on)
    errors = {}
    if duty is None:
        errors["hts_code"] = [_("The duty table has no rate for this HTS number on %(day)s.") % {"day": on}]
    if lane is None:
        errors["origin_port"] = [_("No freight rate for this lane and mode on %(day)s.") % {"day": on}]
    if errors:
        raise _fail(errors)
    assert duty is not None and lane is not None
    return duty, lane


def landed_cost_preview(*, tenant: Tenant, by: Actor, values: Mapping[str, Any]) -> Preview:
    """Every component of the landed cost of the line ``values`` describes (``INPUT_FIELDS``), in the
    tenant's base currency, on the tenant's tables as they stand on the entry date (today if not given)."""
    by.require(Scope.RFQ_READ)
    unknown = sorted(set(values) - set(INPUT_FIELDS))
    if unknown:
        raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in unknown})
    got, errors = _parse(values)
    if errors:
        raise _fail(errors)
    duty, lane = _tables(got)
    settings = selectors.settings_in_force()
    on = got["entry_date"]
    rates = selectors.fx_on([got["currency"], lane.currency, settings.charges_currency, "USD"], on=on)
    fx = {currency: Decimal(rate.rate) for currency, rate in rates.items()}
    costs = selectors.costs_of(settings)
    if settings.charges_currency != tenant.base_currency:
        if settings.charges_currency not in fx:
            raise _fail(
                {"entry_date": [_("No exchange rate for %(c)s on this day.") % {"c": settings.charges_currency}]}
            )
        costs = selectors.charges_in_base(costs, rate=fx[settings.charges_currency])
    line = landed_cost.LineInput(
        unit_price=got["unit_price"],
        currency=got["currency"],
        incoterm=got["incoterm"],
        named_place=got["named_place"],
        quantity=got["quantity"],
        cartons=freight.Cartons(
            got["units_per_carton"],
            got["carton_length_cm"],
            got["carton_width_cm"],
            got["carton_height_cm"],
            got["carton_gross_weight_kg"],
        ),
        mode=got["mode"],
        lane=selectors.lane_of(lane),
        duty=selectors.duty_of(duty),
        entry_date=on,
        payments=got["payments"],
        tooling_cost=got["tooling_cost"],
        tooling_quantity=got["tooling_quantity"],
        itemised=landed_cost.Itemised(got["itemised_freight"], got["itemised_insurance"], got["itemised_inland"]),
        entry_customs_value=got["entry_customs_value"],
    )
    try:
        result = landed_cost.compute(line, costs=costs, base_currency=tenant.base_currency, fx=fx)
    except landed_cost.LandedCostError as exc:
        # The lane is named by its ports in the body.
        raise _fail({"origin_port" if exc.field == "lane" else exc.field: [exc.message]}) from None
    ready = None
    if got["order_date"] is not None:
        window = selectors.shutdown_window(settings)
        ready = factory_calendar.ready_date(got["order_date"], got["lead_time_days"], window)
    used = {c: r for c, r in rates.items() if c != tenant.base_currency}
    return Preview(result, got["incoterm"], got["named_place"], on, duty, lane, used, ready)


def component_labels() -> dict[str, str]:
    return {
        "goods": _("Goods at the quoted price"),
        "origin": _("Origin charges"),
        "freight": _("Freight"),
        "insurance": _("Insurance"),
        "duty_mfn": _("Duty (MFN)"),
        "duty_additional": _("Additional duty"),
        "mpf": _("Merchandise processing fee"),
        "hmf": _("Harbor maintenance fee"),
        "broker": _("Customs broker"),
        "inland": _("Inland delivery"),
        "tooling": _("Tooling (amortised)"),
        "financing": _("Payment-term financing"),
    }


def preview_as_data(preview: Preview) -> dict[str, Any]:
    """The preview as the API answers it and the calculator page shows it: amounts as decimal strings."""
    result = preview.result
    labels = component_labels()
    components = [
        {
            "code": c.code,
            "label": f"{labels[c.code]}: {c.program}" if c.program else labels[c.code],
            "amount": str(c.amount),
            "paid_by": c.paid_by,
            "basis": c.basis,
            "program": c.program,
        }
        for c in result.components
    ]
    duty, lane = preview.duty_rate, preview.lane_rate
    return {
        "currency": result.currency,
        "incoterm": preview.incoterm,
        "named_place": preview.named_place,
        "quantity": result.quantity,
        "entry_date": preview.entry_date.isoformat(),
        "goods": str(result.goods),
        "fob_equivalent": str(result.fob_equivalent),
        "customs_value": str(result.customs_value),
        "total": str(result.total),
        "per_unit": str(result.per_unit),
        "cartons": result.load.cartons,
        "cbm": str(result.load.cbm),
        "gross_weight_kg": str(result.load.gross_kg),
        "freight_basis": result.freight.basis,
        "freight_units": str(result.freight.units),
        "components": components,
        "duty_rate": {
            "id": str(duty.pk),
            "hts_prefix": duty.hts_prefix,
            "effective_from": duty.effective_from.isoformat(),
            "effective_to": duty.effective_to.isoformat() if duty.effective_to else None,
        },
        "lane_rate": {
            "id": str(lane.pk),
            "origin_port": lane.origin_port,
            "destination_port": lane.destination_port,
            "mode": lane.mode,
            "currency": lane.currency,
            "effective_from": lane.effective_from.isoformat(),
        },
        "fx_rates": [
            {"currency": c, "rate_date": r.rate_date.isoformat(), "rate": str(r.rate)} for c, r in preview.fx.items()
        ],
        "ready_date": preview.ready_date.isoformat() if preview.ready_date else None,
    }
