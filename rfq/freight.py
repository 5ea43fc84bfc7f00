"""Freight for a quote line from its carton data and a lane's rates. No ORM: frozen dataclasses in and out,
``Decimal`` throughout.

- Cartons: the quantity divided by the units per carton, rounded up (a part carton ships as a carton).
- Volume: cartons × length × width × height, centimetres to cubic metres (÷ 1,000,000), kept to 0.001 m³.
- Gross weight: cartons × the carton's gross weight (kg).
- Ocean: each priced option is costed and the cheapest wins: per CBM (LCL, the volume as measured), or whole
  20', 40' or 40'HC containers, as many as the volume and the weight need. Loadable volume and payload per
  container are the usual planning figures for dry containers (20' 28 m³ / 28,000 kg, 40' 58 m³ /
  26,500 kg, 40'HC 68 m³ / 26,500 kg): less than the internal volume, since cartons never fill it.
- Air: the chargeable weight is the greater of the gross weight and the volumetric weight (IATA: 6,000 cm³
  per kg, i.e. 166.67 kg per m³), times the rate per kg.

Amounts are in the lane's currency; the landed cost converts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

OCEAN = "ocean"
AIR = "air"
MODES = (OCEAN, AIR)

LCL = "cbm"
CONTAINER_20 = "20"
CONTAINER_40 = "40"
CONTAINER_40HC = "40hc"


@dataclass(frozen=True)
class Container:
    code: str
    cbm: Decimal  # loadable volume
    kg: Decimal  # payload


CONTAINERS = (
    Container(CONTAINER_20, Decimal(28), Decimal(28000)),
    Container(CONTAINER_40, Decimal(58), Decimal(26500)),
    Container(CONTAINER_40HC, Decimal(68), Decimal(26500)),
)
AIR_KG_PER_CBM = Decimal(1_000_000) / Decimal(6000)
_CBM = Decimal("0.001")
_KG = Decimal("0.01")


@dataclass(frozen=True)
class Cartons:
    units_per_carton: int
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal
    gross_weight_kg: Decimal  # one carton, packed


@dataclass(frozen=True)
class LaneRates:
    """A lane's prices, any of which may be missing (None): per container, per CBM, per kg (air)."""

    currency: str
    per_20: Decimal | None = None
    per_40: Decimal | None = None
    per_40hc: Decimal | None = None
    per_cbm: Decimal | None = None
    per_kg: Decimal | None = None

    def per_container(self, code: str) -> Decimal | None:
        return {CONTAINER_20: self.per_20, CONTAINER_40: self.per_40, CONTAINER_40HC: self.per_40hc}[code]


@dataclass(frozen=True)
class Load:
    cartons: int
    cbm: Decimal
    gross_kg: Decimal


@dataclass(frozen=True)
class Freight:
    load: Load
    basis: str  # "cbm", "20", "40", "40hc" or "kg"
    units: Decimal  # CBM, containers or chargeable kg
    rate: Decimal
    amount: Decimal  # in the lane's currency, unrounded
    currency: str


class NoRate(ValueError):
    """The lane has no price that fits the mode."""


def load_of(quantity: int, cartons: Cartons) -> Load:
    """Cartons, CBM and gross weight of ``quantity`` units packed in ``cartons``."""
    count = -(-quantity // cartons.units_per_carton)
    one = cartons.length_cm * cartons.width_cm * cartons.height_cm / Decimal(1_000_000)
    cbm = (one * count).quantize(_CBM, rounding=ROUND_HALF_UP)
    return Load(cartons=count, cbm=cbm, gross_kg=(cartons.gross_weight_kg * count).quantize(_KG))


def containers_needed(load: Load, container: Container) -> int:
    """Whole containers for the load's volume and weight, whichever needs more (at least one)."""
    by_volume = (load.cbm / container.cbm).to_integral_value(rounding=ROUND_CEILING)
    by_weight = (load.gross_kg / container.kg).to_integral_value(rounding=ROUND_CEILING)
    return max(1, int(by_volume), int(by_weight))


def freight_for(load: Load, *, mode: str, rates: LaneRates) -> Freight:
    """The cheapest way the lane prices the load (see the module's rule); ``NoRate`` when it prices none."""
    if mode == AIR:
        if rates.per_kg is None:
            raise NoRate(mode)
        chargeable = max(load.gross_kg, (load.cbm * AIR_KG_PER_CBM).quantize(_KG, rounding=ROUND_CEILING))
        return Freight(load, "kg", chargeable, rates.per_kg, chargeable * rates.per_kg, rates.currency)
    options: list[Freight] = []
    if rates.per_cbm is not None:
        options.append(Freight(load, LCL, load.cbm, rates.per_cbm, load.cbm * rates.per_cbm, rates.currency))
    for container in CONTAINERS:
        price = rates.per_container(container.code)
        if price is not None:
            count = Decimal(containers_needed(load, container))
            options.append(Freight(load, container.code, count, price, count * price, rates.currency))
    if not options:
        raise NoRate(mode)
    return min(options, key=lambda option: option.amount)
