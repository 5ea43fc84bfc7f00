"""The landed-cost API: the preview reproduces the reference's worked example on the demo tables and names
each bad field in a 400; the tables' CRUD is scoped per method, audited, answers another tenant's id as a
missing one, and lists them in a constant number of queries."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.response import Response
from rest_framework.test import APIClient

from rfq.models import DutyRate, LaneRate
from sourcing.models import AuditEvent, Tenant
from sourcing.tenancy import tenant_scope
from tests.rfq.conftest import EXAMPLE_BODY, seed

MakeClient = Callable[..., APIClient]


def _error(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error: dict[str, Any] = response.json()["error"]
    assert error["status"] == status and error["message"]
    return error


def _post(client: APIClient, path: str, body: Any) -> Response:
    return client.post(path, body, format="json")


def _audits(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.count()


def test_preview_reproduces_the_worked_example(seeded: Tenant, api_client: MakeClient) -> None:
    client = api_client(scopes=("read",))
    before = _audits(seeded)
    response = _post(client, "/api/v1/landed-cost/", EXAMPLE_BODY)
    assert response.status_code == 200, response.content
    body = response.json()
    amounts = {(c["code"], c["program"]): (c["amount"], c["basis"]) for c in body["components"]}
    assert amounts == {
        ("goods", ""): ("50000.00", "USD 10.00 × 5000"),
        ("freight", ""): ("3000.00", "1 × 40 @ USD 3000.00"),
        ("insurance", ""): ("174.90", "0.3 % × 110 % × CFR"),
        ("duty_mfn", ""): ("2000.00", "4 % × 50000.00"),
        ("duty_additional", "Section 301 List 3 (9903.88.03)"): ("12500.00", "25 % × 50000.00"),
        ("duty_additional", "Section 122 (9903.03.01)"): ("5000.00", "10 % × 50000.00"),
        ("mpf", ""): ("173.20", "0.3464 %, FY2026 USD 33.58–651.50 × 1"),
        ("hmf", ""): ("62.50", "0.125 % × 50000.00"),
        ("broker", ""): ("150.00", "150.00 × 1"),
        ("inland", ""): ("800.00", "800.00 × 1"),
        ("financing", ""): ("476.72", "8 % × (30 % × 75/365, 70 % × 30/365)"),
    }
    labels = [c["label"] for c in body["components"] if c["code"] == "duty_additional"]
    assert labels == ["Additional duty: Section 301 List 3 (9903.88.03)", "Additional duty: Section 122 (9903.03.01)"]
    assert (body["total"], body["per_unit"], body["currency"]) == ("74337.32", "14.8675", "USD")
    assert (body["cartons"], body["cbm"], body["freight_basis"]) == (500, "48.000", "40")
    assert body["duty_rate"]["hts_prefix"] == "8481"
    assert body["ready_date"] is None
    assert _audits(seeded) == before  # a preview writes nothing


def test_preview_counts_the_ready_date_on_the_factory_calendar(seeded: Tenant, api_client: MakeClient) -> None:
    body = EXAMPLE_BODY | {"order_date": "2026-01-30", "lead_time_days": 5}
    response = _post(api_client(), "/api/v1/landed-cost/", body)
    assert response.json()["ready_date"] == "2026-03-16"  # 2 Feb, then after the shutdown 11–13 and 16 Mar


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"unit_price": 10.5}, "unit_price"),
        ({"incoterm": "FAS"}, "incoterm"),
        ({"hts_code": "9999.99"}, "hts_code"),  # no duty row
        ({"destination_port": "USNYC"}, "origin_port"),  # no rate on this lane
        ({"currency": "CNY"}, "currency"),  # no exchange rate on the entry date
        ({"entry_date": "2025-06-01"}, "hts_code"),  # no duty row that day
        ({"payments": [{"percent": "130", "days_before_receipt": 10}]}, "payments[0].percent"),
        ({"order_date": "2026-01-30"}, "lead_time_days"),
        ({"order_date": "9999-12-31", "lead_time_days": 30}, "order_date"),  # outside the calendar's years
        ({"entry_date": "1850-01-01"}, "entry_date"),
        ({"discount": "5"}, "discount"),
    ],
)
def test_preview_names_each_bad_field(
    seeded: Tenant, api_client: MakeClient, change: dict[str, Any], field: str
) -> None:
    error = _error(_post(api_client(), "/api/v1/landed-cost/", EXAMPLE_BODY | change), 400)
    assert field in error["fields"]


def test_preview_requires_its_fields(seeded: Tenant, api_client: MakeClient) -> None:
    error = _error(_post(api_client(), "/api/v1/landed-cost/", {"unit_price": "1"}), 400)
    assert {"currency", "incoterm", "quantity", "hts_code", "origin_port"} <= set(error["fields"])


def test_read_key_reads_the_tables_but_cannot_change_them(seeded: Tenant, api_client: MakeClient) -> None:
    client = api_client(scopes=("read",))
    before = _audits(seeded)
    assert client.get("/api/v1/duty-rates/").status_code == 200
    assert client.get("/api/v1/landed-cost/settings/").json()["cny_days_before"] == 14
    body = {"hts_prefix": "61", "mfn_rate_pct": "10", "effective_from": "2026-01-01"}
    _error(_post(client, "/api/v1/duty-rates/", body), 403)
    _error(client.patch("/api/v1/landed-cost/settings/", {"cny_days_after": 10}, format="json"), 403)
    assert _audits(seeded) == before


def test_duty_rate_crud(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client()
    body = {
        "hts_prefix": "8505.11",
        "description": "Permanent magnets",
        "mfn_rate_pct": "2.1",
        "additional_duties": [{"program": "Section 301 (1 Jan 2026)", "rate_pct": "25"}],
        "effective_from": "2026-01-01",
    }
    created = _post(client, "/api/v1/duty-rates/", body)
    assert created.status_code == 201, created.content
    row = created.json()
    assert (row["hts_prefix"], row["effective_to"]) == ("850511", None)
    path = f"/api/v1/duty-rates/{row['id']}/"
    changed = client.patch(path, {"effective_to": "2026-12-31"}, format="json")
    assert changed.json()["effective_to"] == "2026-12-31"
    error = _error(client.patch(path, {"additional_duties": [{"program": "x", "rate_pct": "-1"}]}, format="json"), 400)
    assert "additional_duties[0].rate_pct" in error["fields"]
    error = _error(client.put(path, {"hts_prefix": "850511"}, format="json"), 400)
    assert {"mfn_rate_pct", "effective_from"} <= set(error["fields"])
    assert client.get("/api/v1/duty-rates/?hts=8505.11.0070").json()["results"][0]["id"] == row["id"]
    assert client.delete(path).status_code == 204
    with tenant_scope(tenant):
        assert [
            e.action for e in AuditEvent.objects.filter(action__startswith="duty_rate.").order_by("created_at")
        ] == [
            "duty_rate.create",
            "duty_rate.update",
            "duty_rate.delete",
        ]


def test_lane_rate_crud_and_settings(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client()
    body = {"origin_port": "CNNGB", "destination_port": "USLAX", "mode": "ocean", "currency": "USD"}
    error = _error(_post(client, "/api/v1/lane-rates/", body | {"effective_from": "2026-01-01"}), 400)
    assert "per_cbm" in error["fields"]
    created = _post(client, "/api/v1/lane-rates/", body | {"effective_from": "2026-01-01", "per_40": "3000"})
    assert created.status_code == 201, created.content
    assert created.json()["per_40"] == "3000.00"
    limits = {"2026": {"minimum": "33.58", "maximum": "651.50"}}
    settings = client.patch("/api/v1/landed-cost/settings/", {"mpf_limits": limits, "broker_fee": "200"}, format="json")
    assert settings.status_code == 200, settings.content
    assert (settings.json()["broker_fee"], settings.json()["mpf_limits"]) == ("200.00", limits)


@pytest.mark.parametrize("prefix", ["duty-rates", "lane-rates"])
def test_another_tenants_row_answers_like_a_missing_one(
    tenant: Tenant, other_tenant: Tenant, api_client: MakeClient, prefix: str
) -> None:
    seed(other_tenant)
    with tenant_scope(other_tenant):
        model = DutyRate if prefix == "duty-rates" else LaneRate
        foreign = model.objects.order_by("created_at").first()
        assert foreign is not None
    client = api_client()
    missing = client.get(f"/api/v1/{prefix}/{uuid.uuid4()}/")
    theirs = client.get(f"/api/v1/{prefix}/{foreign.pk}/")
    assert (missing.status_code, theirs.status_code) == (404, 404)
    assert missing.content == theirs.content
    assert client.delete(f"/api/v1/{prefix}/{foreign.pk}/").status_code == 404
    with tenant_scope(other_tenant):
        assert model.objects.filter(pk=foreign.pk).exists()


def _grow(tenant: Tenant, start: int, stop: int) -> None:
    with tenant_scope(tenant):
        for i in range(start, stop):
            day = datetime.date(2026, 1, 1)
            DutyRate.objects.create(tenant=tenant, hts_prefix=f"{10 + i}", mfn_rate_pct="1", effective_from=day)
            LaneRate.objects.create(
                tenant=tenant,
                origin_port=f"CNA{i:02d}",
                destination_port="USLAX",
                mode="ocean",
                currency="USD",
                per_cbm="90",
                effective_from=day,
            )


N = 5
# The key, the tenant scope's settings and savepoints, and one query for the rows.
_EXPECTED_LIST_QUERIES = 10


@pytest.mark.parametrize("path", ["/api/v1/duty-rates/", "/api/v1/lane-rates/"])
def test_list_query_count_is_constant(
    tenant: Tenant, api_client: MakeClient, django_assert_num_queries: Any, path: str
) -> None:
    client = api_client()
    _grow(tenant, 0, N)
    client.get(path)  # warm: the first call of a key records its use
    with django_assert_num_queries(_EXPECTED_LIST_QUERIES):
        assert len(client.get(path).json()["results"]) == N
    _grow(tenant, N, 2 * N)
    with django_assert_num_queries(_EXPECTED_LIST_QUERIES):
        assert len(client.get(path).json()["results"]) == 2 * N


def test_schema_documents_the_preview(api_client: MakeClient) -> None:
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    post = schema["paths"]["/api/v1/landed-cost/"]["post"]
    assert {"200", "400", "401", "403"} <= set(post["responses"])
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("LandedCostInputRequest")
