"""Demo landed-cost tables, from the domain reference (§1.3 duty layers, §1.4 fees, §1.6 worked example):
duty rows for a few HTS lines bought from China in the three periods of 2026 (IEEPA duties until 23 Feb,
the Section 122 surcharge from 24 Feb to 23 Jul, neither after), freight lanes from Ningbo, Shenzhen and
Shanghai to Los Angeles, and the settings (MPF limits for FY2025 and FY2026). Written through the services,
inside the tenant scope ``seed_demo`` entered; idempotent: a tenant that already has duty rows is left alone."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from rfq.models import DutyRate
from rfq.services import tables as services
from sourcing.actors import Actor
from sourcing.models import Tenant

d = datetime.date
IEEPA = [
    {"program": "IEEPA fentanyl (9903.01.24)", "rate_pct": "10"},
    {"program": "IEEPA reciprocal", "rate_pct": "10"},
]
SECTION_122 = [{"program": "Section 122 (9903.03.01)", "rate_pct": "10"}]
# (first day, last day, surcharges of the period)
PERIODS = [
    (d(2026, 1, 1), d(2026, 2, 23), IEEPA),  # IEEPA collection ended 24 Feb 2026 (CSMS #67834313)
    (d(2026, 2, 24), d(2026, 7, 23), SECTION_122),  # 150 days from 24 Feb 2026 (CSMS #67844987)
    (d(2026, 7, 24), None, []),
]


@dataclass(frozen=True)
class DemoDuty:
    hts: str
    description: str
    mfn: str
    section_301: list[dict[str, str]]


DUTIES = [
    DemoDuty(
        "6109.10.00",
        "T-shirts, knitted, of cotton",
        "16.5",
        [{"program": "Section 301 List 4A (9903.88.15)", "rate_pct": "7.5"}],
    ),
    DemoDuty(
        "8507.60.00",
        "Lithium-ion batteries, non-EV",
        "3.4",
        [{"program": "Section 301 four-year review (1 Jan 2026)", "rate_pct": "25"}],
    ),
    DemoDuty(
        "8481",
        "Taps, cocks and valves: the reference's worked example (MFN 4 %, List 3)",
        "4",
        [{"program": "Section 301 List 3 (9903.88.03)", "rate_pct": "25"}],
    ),
]
LANES = [
    {"origin_port": "CNNGB", "destination_port": "USLAX", "mode": "ocean", "currency": "USD", "per_20": "1800",
     "per_40": "3000", "per_40hc": "3200", "per_cbm": "95"},
    {"origin_port": "CNSHA", "destination_port": "USLAX", "mode": "ocean", "currency": "USD", "per_20": "1750",
     "per_40": "2900", "per_40hc": "3100", "per_cbm": "90"},
    {"origin_port": "CNSZX", "destination_port": "USLAX", "mode": "ocean", "currency": "USD", "per_20": "1700",
     "per_40": "2850", "per_40hc": "3050", "per_cbm": "92"},
    {"origin_port": "CNSZX", "destination_port": "USLAX", "mode": "air", "currency": "USD", "per_kg": "5.20"},
]  # fmt: skip


def seed_landed_cost(*, tenant: Tenant, by: Actor) -> int:
    """Seed the tables of ``tenant``; returns the number of duty rows added (0 when it had some)."""
    if DutyRate.objects.exists():
        return 0
    added = 0
    for duty in DUTIES:
        for start, end, surcharges in PERIODS:
            services.duty_rate_create(
                tenant=tenant,
                by=by,
                hts_prefix=duty.hts,
                description=duty.description,
                mfn_rate_pct=duty.mfn,
                additional_duties=duty.section_301 + surcharges,
                effective_from=start,
                effective_to=end,
            )
            added += 1
    for lane in LANES:
        services.lane_rate_create(tenant=tenant, by=by, effective_from=d(2026, 1, 1), **lane)
    services.landed_cost_settings_update(tenant=tenant, by=by, cost_of_capital_pct="8", broker_fee="150")
    return added
