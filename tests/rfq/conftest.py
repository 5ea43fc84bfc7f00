"""Landed-cost tables for the rfq tests: the demo seed (duty rows, lanes, settings), the way seed_demo
writes it."""

from __future__ import annotations

from typing import Any

import pytest

from rfq.demo.tables import seed_landed_cost
from sourcing.models import Tenant
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM

# The domain reference's worked example (§1.6) as a preview body: FOB Ningbo $10.00 × 5,000, ocean, entered
# between 24 Feb and 24 Jul 2026, on an HTS line with MFN 4 % and Section 301 List 3.
EXAMPLE_BODY: dict[str, Any] = {
    "unit_price": "10.00",
    "currency": "USD",
    "incoterm": "FOB",
    "named_place": "Ningbo",
    "quantity": 5000,
    "units_per_carton": 10,  # 500 cartons, 48 m³: one 40' is the cheapest way the demo lane ships them
    "carton_length_cm": "60",
    "carton_width_cm": "40",
    "carton_height_cm": "40",
    "carton_gross_weight_kg": "10",
    "hts_code": "8481.80.5090",
    "mode": "ocean",
    "origin_port": "CNNGB",
    "destination_port": "USLAX",
    "entry_date": "2026-03-16",
    "payments": [{"percent": "30", "days_before_receipt": 75}, {"percent": "70", "days_before_receipt": 30}],
}


def seed(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return seed_landed_cost(tenant=tenant, by=SYSTEM)


@pytest.fixture
def seeded(tenant: Tenant) -> Tenant:
    seed(tenant)
    return tenant
