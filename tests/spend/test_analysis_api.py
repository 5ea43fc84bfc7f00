"""The analyses through the API: the same numbers as the pages, for a key that may read spend."""

from __future__ import annotations

from typing import Any

import pytest

from sourcing.models import Tenant
from tests.spend.test_analysis import five_lines  # noqa: F401 - the fixture


def test_cube_by_category_and_quarter(tenant: Tenant, five_lines: dict[str, Any], api_client: Any) -> None:  # noqa: F811
    body = api_client(scopes=("read",)).get("/api/v1/spend/analysis/cube/?rows=category&columns=period").json()
    assert body["currency"] == "USD" and body["total"] == "3750.00" and body["lines"] == 5
    assert [c["label"] for c in body["columns"]] == ["2026-Q1", "2026-Q2"]
    pots = next(r for r in body["rows"] if r["label"].startswith("111"))
    assert pots["total"] == "2750.00" and sorted(pots["cells"].values()) == ["2200.00", "550.00"]


def test_suppliers_concentration_prices_maverick_duplicates(
    tenant: Tenant,
    five_lines: dict[str, Any],  # noqa: F811
    api_client: Any,
) -> None:
    client = api_client(scopes=("read",))
    pareto = client.get("/api/v1/spend/analysis/suppliers/").json()
    assert pareto["suppliers_for_80_pct"] == 3 and pareto["rows"][0]["amount"] == "1550.00"
    concentration = client.get("/api/v1/spend/analysis/concentration/").json()["rows"]
    assert {r["label"]: r["hhi"] for r in concentration}["111 Stainless steel pots"] == 5081
    prices = client.get("/api/v1/spend/analysis/price-variance/").json()["rows"]
    assert [(p["item_sku"], p["saving_at_best_price"]) for p in prices] == [("POT-24", "250.00")]
    maverick = client.get("/api/v1/spend/analysis/maverick/?by=cost_center").json()
    assert maverick["total"]["maverick"] == "2000.00"
    assert {r["key"]: r["maverick"] for r in maverick["rows"]} == {"CC-A": "1200.00", "CC-B": "800.00"}
    duplicates = client.get("/api/v1/spend/analysis/duplicates/").json()["clusters"]
    assert [len(c["vendors"]) for c in duplicates] == [2]


def test_filters_apply(tenant: Tenant, five_lines: dict[str, Any], api_client: Any) -> None:  # noqa: F811
    body = (
        api_client().get(f"/api/v1/spend/analysis/cube/?category={five_lines['freight'].pk}&columns=cost_center").json()
    )
    assert body["total"] == "1000.00"


@pytest.mark.parametrize("name", ["cube", "suppliers", "concentration", "price-variance", "maverick", "duplicates"])
def test_another_tenant_sees_none_of_it(
    tenant: Tenant,
    other_tenant: Tenant,
    five_lines: dict[str, Any],  # noqa: F811
    api_client: Any,
    name: str,
) -> None:
    body = api_client(for_tenant=other_tenant).get(f"/api/v1/spend/analysis/{name}/").json()
    assert "Everbright" not in str(body) and "Sunrise" not in str(body)
    assert not body.get("rows") and not body.get("clusters")
