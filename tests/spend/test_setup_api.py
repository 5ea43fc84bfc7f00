"""Spend set-up endpoints: scopes per method, the one error format with fields named, all-or-nothing bulk
rates, other tenants' ids answered as missing ones, and constant query counts on the lists."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.response import Response
from rest_framework.test import APIClient

from sourcing.categories.models import Category
from sourcing.models import AuditEvent, Tenant
from sourcing.spend.models import CategoryRule, ColumnMapping, FxRate
from sourcing.tenancy import tenant_scope

MakeClient = Callable[..., APIClient]
ERROR_KEYS = {"status", "code", "message", "fields"}
COLUMNS = {
    "invoice_date": "Date",
    "invoice_number": "Invoice",
    "supplier_name": "Vendor",
    "quantity": "Qty",
    "unit_price": "Price",
    "currency": "Cur",
    "amount": "Total",
}


def _error(response: Response, status: int) -> dict[str, Any]:
    """Assert the one error format and return its inner object."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]


def _post(client: APIClient, path: str, data: Any) -> Response:
    return client.post(path, data, format="json")


def _audit(tenant: Tenant, prefix: str = "") -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.filter(action__startswith=prefix).count()


def _category(tenant: Tenant, code: str = "FAST") -> Category:
    with tenant_scope(tenant):
        return Category.objects.create(tenant=tenant, code=code, name=f"Category {code}")


def _rate(tenant: Tenant, currency: str = "CNY", day: int = 2, rate: str = "0.1381") -> FxRate:
    with tenant_scope(tenant):
        return FxRate.objects.create(
            tenant=tenant, currency=currency, rate_date=datetime.date(2026, 3, day), rate=Decimal(rate)
        )


# Scopes per method


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/fx-rates/", {"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.1381"}),
        ("/api/v1/fx-rates/bulk/", {"rates": [{"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.1381"}]}),
        ("/api/v1/column-mappings/", {"name": "SAP", "columns": COLUMNS}),
    ],
)
def test_a_read_key_lists_but_cannot_write(tenant: Tenant, api_client: MakeClient, path: str, body: Any) -> None:
    # given a read-only key
    client = api_client(scopes=("read",))
    before = _audit(tenant)
    # when it lists and writes
    listed = client.get(path if "bulk" not in path else "/api/v1/fx-rates/")
    written = _post(client, path, body)
    # then the list answers and the write is refused, with nothing written
    assert listed.status_code == 200
    _error(written, 403)
    assert _audit(tenant) == before


@pytest.mark.parametrize("path", ["/api/v1/fx-rates/", "/api/v1/category-rules/", "/api/v1/column-mappings/"])
def test_a_write_only_key_cannot_list(api_client: MakeClient, path: str) -> None:
    _error(api_client(scopes=("write",)).get(path), 403)


def test_a_write_key_changes_rules_and_deletes(tenant: Tenant, api_client: MakeClient) -> None:
    # given a key that can write, and a category
    client = api_client(scopes=("read", "write"))
    category = _category(tenant)
    # when it creates, changes and deletes a rule
    created = _post(
        client, "/api/v1/category-rules/", {"field": "description", "pattern": "bolt", "category": str(category.pk)}
    )
    assert created.status_code == 201
    rule = created.json()
    assert rule["priority"] == 100
    assert rule["category"] == {"id": str(category.pk), "code": "FAST", "name": "Category FAST"}
    path = f"/api/v1/category-rules/{rule['id']}/"
    patched = client.patch(path, {"priority": 5}, format="json")
    assert (patched.status_code, patched.json()["priority"], patched.json()["pattern"]) == (200, 5, "bolt")
    put = client.put(path, {"field": "supplier_name", "pattern": "Ningbo", "category": str(category.pk)}, format="json")
    assert (put.json()["field"], put.json()["priority"]) == ("supplier_name", 100)  # PUT replaces: default priority
    assert client.get(path).json()["pattern"] == "Ningbo"
    deleted = client.delete(path)
    # then each step answered as expected and was audited
    assert deleted.status_code == 204
    assert client.get(path).status_code == 404
    assert _audit(tenant, "category_rule.") == 4


# FX rates


def test_rate_upsert_answers_201_then_200(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client()
    body = {"currency": "cny", "rate_date": "2026-03-02", "rate": "0.1381", "source": "PBOC"}
    first = _post(client, "/api/v1/fx-rates/", body)
    second = _post(client, "/api/v1/fx-rates/", {**body, "rate": "0.1382"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["rate"] == "0.1382000000"
    assert second.json()["currency"] == "CNY"
    assert _audit(tenant, "fx_rate.") == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rate": 0.1381}, "rate"),  # a JSON number: refused, it may have lost digits
        ({"rate": "-1"}, "rate"),
        ({"rate": "0"}, "rate"),
        ({"currency": "USD"}, "currency"),  # the base currency
        ({"currency": "ABC"}, "currency"),
        ({"rate_date": "03/02/2026"}, "rate_date"),
        ({"source": "x" * 101}, "source"),
        ({"note": "x"}, "note"),
    ],
)
def test_rate_errors_name_the_field(tenant: Tenant, api_client: MakeClient, body: dict[str, Any], field: str) -> None:
    response = _post(
        api_client(), "/api/v1/fx-rates/", {"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.1381", **body}
    )
    assert set(_error(response, 400)["fields"]) == {field}
    with tenant_scope(tenant):
        assert not FxRate.objects.exists()


def test_rate_body_must_be_an_object(api_client: MakeClient) -> None:
    _error(_post(api_client(), "/api/v1/fx-rates/", [{"currency": "CNY"}]), 400)


def test_bulk_is_all_or_nothing_with_errors_by_index_and_field(tenant: Tenant, api_client: MakeClient) -> None:
    # given a stored rate, and a list with a good item, a changed one, and three bad ones
    _rate(tenant, "EUR", rate="1.08")
    client = api_client()
    rates = [
        {"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.1381"},
        {"currency": "EUR", "rate_date": "2026-03-02", "rate": "1.09"},
        {"currency": "JPY", "rate_date": "2026-02-30", "rate": "0.0067"},
        {"currency": "GBP", "rate_date": "2026-03-02", "rate": "-1.27"},
        {"currency": "cny", "rate_date": "2026-03-02", "rate": "0.1382"},
    ]
    before = _audit(tenant)
    # when it is sent
    response = _post(client, "/api/v1/fx-rates/bulk/", {"rates": rates})
    # then every bad item is named by index and field, and nothing is stored
    error = _error(response, 400)
    assert set(error["fields"]) == {"rates[2].rate_date", "rates[3].rate", "rates[4].rate_date"}
    assert "rates[0]" in error["fields"]["rates[4].rate_date"][0]
    with tenant_scope(tenant):
        assert list(FxRate.objects.values_list("currency", "rate")) == [("EUR", Decimal("1.08"))]
    assert _audit(tenant) == before
    # and the good items alone are stored, with one audit event
    response = _post(client, "/api/v1/fx-rates/bulk/", {"rates": rates[:2]})
    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0}
    assert _audit(tenant, "fx_rate.import") == 1


@pytest.mark.parametrize("body", [{}, {"rates": []}, {"rates": "CNY"}, {"rates": [], "extra": 1}])
def test_bulk_needs_a_list_of_rates(api_client: MakeClient, body: dict[str, Any]) -> None:
    error = _error(_post(api_client(), "/api/v1/fx-rates/bulk/", body), 400)
    assert set(error["fields"]) & {"rates", "extra"}


def test_bulk_replays_with_the_same_idempotency_key(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client()
    body = {"rates": [{"currency": "CNY", "rate_date": "2026-03-02", "rate": "0.1381"}]}
    first = client.post("/api/v1/fx-rates/bulk/", body, format="json", HTTP_IDEMPOTENCY_KEY="rates-2026-03-02")
    again = client.post("/api/v1/fx-rates/bulk/", body, format="json", HTTP_IDEMPOTENCY_KEY="rates-2026-03-02")
    assert first.json() == again.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert again["Idempotent-Replayed"] == "true"
    assert _audit(tenant, "fx_rate.import") == 1


def test_rate_filters(tenant: Tenant, api_client: MakeClient) -> None:
    for currency, day in [("CNY", 1), ("CNY", 10), ("CNY", 20), ("EUR", 10)]:
        _rate(tenant, currency, day)
    client = api_client()

    def dates(query: str) -> list[tuple[str, str]]:
        return sorted(
            (r["currency"], r["rate_date"]) for r in client.get(f"/api/v1/fx-rates/?{query}").json()["results"]
        )

    assert dates("currency=cny") == [("CNY", "2026-03-01"), ("CNY", "2026-03-10"), ("CNY", "2026-03-20")]
    assert dates("date_from=2026-03-10&date_to=2026-03-19") == [("CNY", "2026-03-10"), ("EUR", "2026-03-10")]
    assert dates("currency=EUR&date_from=2026-03-11") == []
    assert set(_error(client.get("/api/v1/fx-rates/?date_to=soon"), 400)["fields"]) == {"date_to"}


def test_rate_delete(tenant: Tenant, api_client: MakeClient) -> None:
    rate = _rate(tenant)
    client = api_client()
    assert client.delete(f"/api/v1/fx-rates/{rate.pk}/").status_code == 204
    with tenant_scope(tenant):
        assert not FxRate.objects.exists()
    assert _audit(tenant, "fx_rate.delete") == 1


# Category rules and column mappings


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pattern": " "}, "pattern"),
        ({"priority": -1}, "priority"),
        ({"field": "po_number"}, "field"),
        ({"category": "not-an-id"}, "category"),
        ({"category": str(uuid.uuid4())}, "category"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_rule_errors_name_the_field(tenant: Tenant, api_client: MakeClient, body: dict[str, Any], field: str) -> None:
    category = _category(tenant)
    data = {"field": "description", "pattern": "bolt", "category": str(category.pk), **body}
    assert set(_error(_post(api_client(), "/api/v1/category-rules/", data), 400)["fields"]) == {field}
    with tenant_scope(tenant):
        assert not CategoryRule.objects.exists()


def test_rule_put_needs_every_field(tenant: Tenant, api_client: MakeClient) -> None:
    category = _category(tenant)
    with tenant_scope(tenant):
        rule = CategoryRule.objects.create(tenant=tenant, field="description", pattern="bolt", category=category)
    error = _error(api_client().put(f"/api/v1/category-rules/{rule.pk}/", {"pattern": "nut"}, format="json"), 400)
    assert set(error["fields"]) == {"field", "category"}


def test_a_rule_with_another_tenants_category_is_refused_like_a_missing_one(
    tenant: Tenant, other_tenant: Tenant, api_client: MakeClient
) -> None:
    theirs = _category(other_tenant, "GLOBEX-ONLY")
    client = api_client()
    answers = [
        _post(client, "/api/v1/category-rules/", {"field": "description", "pattern": "x", "category": str(cid)})
        for cid in (theirs.pk, uuid.uuid4())
    ]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()
    assert "GLOBEX-ONLY" not in answers[0].content.decode()


def test_mapping_create_and_errors_by_column(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client()
    missing = _post(client, "/api/v1/column-mappings/", {"name": "SAP", "columns": {**COLUMNS, "amount": ""}})
    assert set(_error(missing, 400)["fields"]) == {"columns.amount"}
    bad_format = _post(client, "/api/v1/column-mappings/", {"name": "SAP", "columns": COLUMNS, "date_format": "%d/%m"})
    assert set(_error(bad_format, 400)["fields"]) == {"date_format"}
    not_bool = _post(client, "/api/v1/column-mappings/", {"name": "SAP", "columns": COLUMNS, "decimal_comma": "yes"})
    assert set(_error(not_bool, 400)["fields"]) == {"decimal_comma"}
    created = _post(client, "/api/v1/column-mappings/", {"name": "SAP", "columns": COLUMNS, "date_format": "%d.%m.%Y"})
    assert created.status_code == 201
    body = created.json()
    assert (body["columns"], body["date_format"], body["decimal_comma"]) == (COLUMNS, "%d.%m.%Y", False)
    path = f"/api/v1/column-mappings/{body['id']}/"
    assert client.patch(path, {"decimal_comma": True}, format="json").json()["decimal_comma"] is True
    put = client.put(path, {"name": "SAP v2", "columns": COLUMNS}, format="json").json()
    assert (put["name"], put["date_format"], put["decimal_comma"]) == ("SAP v2", "", False)
    assert client.delete(path).status_code == 204
    assert _audit(tenant, "column_mapping.") == 4


# Another tenant's ids are missing ids


@pytest.mark.parametrize("kind", ["fx-rates", "category-rules", "column-mappings"])
@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_tenants_id_answers_like_a_missing_id(
    tenant: Tenant, other_tenant: Tenant, api_client: MakeClient, kind: str, method: str
) -> None:
    # given an object of globex
    if kind == "fx-rates":
        theirs: Any = _rate(other_tenant)
    elif kind == "category-rules":
        with tenant_scope(other_tenant):
            theirs = CategoryRule.objects.create(
                tenant=other_tenant, field="description", pattern="x", category=_category(other_tenant)
            )
    else:
        with tenant_scope(other_tenant):
            theirs = ColumnMapping.objects.create(tenant=other_tenant, name="Theirs", columns=COLUMNS)
    client = api_client()
    before = _audit(other_tenant)
    # when acme's key reads, changes or deletes it, or an id that does not exist
    answers = [
        client.generic(method.upper(), f"/api/v1/{kind}/{object_id}/", "{}", content_type="application/json")
        for object_id in (theirs.pk, uuid.uuid4())
    ]
    # then both answers are the same (404, or 405 where the method is not offered), and nothing changed
    expected = 405 if kind == "fx-rates" and method in {"patch", "put"} else 404
    assert answers[0].status_code == answers[1].status_code == expected
    assert answers[0].content == answers[1].content
    assert _audit(other_tenant) == before
    with tenant_scope(other_tenant):
        assert type(theirs).objects.filter(pk=theirs.pk).exists()


# Query counts: constant whatever the number of rows

N = 5


def _grow(tenant: Tenant, start: int, stop: int) -> None:
    with tenant_scope(tenant):
        for i in range(start, stop):
            category = Category.objects.create(tenant=tenant, code=f"C{i}", name=f"Category {i}")
            FxRate.objects.create(
                tenant=tenant,
                currency="CNY",
                rate_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
                rate=Decimal("0.14"),
            )
            CategoryRule.objects.create(tenant=tenant, field="description", pattern=f"p{i}", category=category)
            ColumnMapping.objects.create(tenant=tenant, name=f"Mapping {i}", columns=COLUMNS)


@pytest.mark.parametrize("path", ["/api/v1/fx-rates/", "/api/v1/category-rules/", "/api/v1/column-mappings/"])
def test_list_query_count_is_constant(
    tenant: Tenant, api_client: MakeClient, django_assert_num_queries: Any, path: str
) -> None:
    client = api_client()
    _grow(tenant, 0, N)
    client.get(path)  # warm: the first call of a key records its use; measure steady-state calls
    with django_assert_num_queries(_EXPECTED_LIST_QUERIES):
        assert len(client.get(path).json()["results"]) == N
    _grow(tenant, N, 2 * N)
    with django_assert_num_queries(_EXPECTED_LIST_QUERIES):
        assert len(client.get(path).json()["results"]) == 2 * N


# The key, the tenant scope's settings and savepoints, and one query for the rows.
_EXPECTED_LIST_QUERIES = 10
