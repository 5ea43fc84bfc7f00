"""The landed-cost tables (duty rates, lane rates, settings) and the calculator in the isolation harness."""

from __future__ import annotations

import datetime
from typing import Any

from rfq.services.tables import duty_rate_create, lane_rate_create
from sourcing.models import Membership, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from tests.conftest import SYSTEM

POST_ONLY: set[str] = {"duty_rate_delete", "lane_rate_delete"}
BODY_ID_ROUTES: set[str] = set()  # the forms name no other object
API_PK_OBJECT: dict[str, str] = {"dutyrate": "duty_rate_id", "lanerate": "lane_rate_id"}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    return None


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """A duty row and an ocean lane rate."""
    day = datetime.date(2026, 1, 1)
    with tenant_scope(tenant):
        duty = duty_rate_create(
            tenant=tenant,
            by=SYSTEM,
            hts_prefix="8481",
            description=f"{tenant.name} valves",
            mfn_rate_pct="4",
            additional_duties=[{"program": "Section 301 List 3", "rate_pct": "25"}],
            effective_from=day,
        )
        lane = lane_rate_create(
            tenant=tenant,
            by=SYSTEM,
            origin_port="CNNGB",
            destination_port="USLAX",
            mode="ocean",
            currency="USD",
            per_40="3000",
            effective_from=day,
        )
    return {"duty_rate_id": str(duty.pk), "lane_rate_id": str(lane.pk)}
