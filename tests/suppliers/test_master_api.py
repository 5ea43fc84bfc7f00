"""The supplier API: upsert by external id, the duplicate answer, filters, transitions, approval, sites and
contacts, with query counts pinned and another tenant's ids answered as missing ones."""

from __future__ import annotations

from typing import Any

from sourcing.models import AuditEvent, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import Site, Supplier, SupplierCategory
from suppliers.services.master import supplier_create
from suppliers.services.row_facts import row_facts_refresh
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM


def _make(tenant: Tenant, n: int, *, start: int = 0) -> None:
    from sourcing.categories.models import Category

    with tenant_scope(tenant):
        category = Category.objects.get_or_create(tenant=tenant, code="110", defaults={"name": "Cookware"})[0]
        for i in range(start, start + n):
            s = Supplier.objects.create(tenant=tenant, legal_name=f"Supplier {i:03d}", external_id=f"V-{i}")
            SupplierCategory.objects.create(tenant=tenant, supplier=s, category=category)
            row_facts_refresh([s.pk])  # written here without the services, which keep them


def test_list_query_count_is_constant(tenant: Tenant, api_client: Any, django_assert_num_queries: Any) -> None:
    client = api_client()
    client.get("/api/v1/suppliers/")  # the key's first use records its last-used time
    for n in (4, 8):
        _make(tenant, 4, start=n - 4)
        with django_assert_num_queries(
            10
        ):  # key and tenant scope, the page (flags, certificates, categories on the row)
            response = client.get("/api/v1/suppliers/")
        rows = response.json()["results"]
        assert len(rows) == n and all(len(r["category_ids"]) == 1 for r in rows)


def test_upsert_creates_then_updates_by_external_id(tenant: Tenant, api_client: Any) -> None:
    client = api_client()
    created = client.post(
        "/api/v1/suppliers/",
        {"external_id": "V-100", "legal_name": "Yiwu Sunrise Crafts Co., Ltd.", "tier": "core"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "prospect"
    updated = client.post("/api/v1/suppliers/", {"external_id": "V-100", "city": "Yiwu"}, format="json")
    assert updated.status_code == 200
    assert (updated.json()["id"], updated.json()["city"]) == (created.json()["id"], "Yiwu")


def test_a_possible_duplicate_is_409_with_the_candidates(tenant: Tenant, api_client: Any) -> None:
    with tenant_scope(tenant):
        existing = supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright Housewares Co., Ltd.")
        )
    client = api_client()
    body = {"external_id": "V-9", "legal_name": "NINGBO EVERBRIGHT HOUSEWARES COMPANY LIMITED"}
    response = client.post("/api/v1/suppliers/", body, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "possible_duplicate"
    assert [c["id"] for c in error["details"]] == [str(existing.pk)]
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 1
    assert client.post("/api/v1/suppliers/", {**body, "allow_duplicates": True}, format="json").status_code == 201
    check = client.post(
        "/api/v1/suppliers/duplicate-check/", {"legal_name": "Ningbo Everbright Housewares"}, format="json"
    )
    assert check.status_code == 200 and len(check.json()["candidates"]) == 2


def test_bad_fields_are_named(tenant: Tenant, api_client: Any) -> None:
    client = api_client()
    response = client.post(
        "/api/v1/suppliers/",
        {"legal_name": "X", "country": "China", "credit_code": "1", "colour": "red"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"colour"}
    response = client.post(
        "/api/v1/suppliers/", {"legal_name": "X", "country": "China", "credit_code": "1"}, format="json"
    )
    assert set(response.json()["error"]["fields"]) == {"country", "credit_code"}
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 0


def test_filters(tenant: Tenant, api_client: Any) -> None:
    with tenant_scope(tenant):
        Supplier.objects.create(tenant=tenant, legal_name="A", status="approved", province="Fujian")
        Supplier.objects.create(tenant=tenant, legal_name="B", status="prospect", province="Zhejiang")
    client = api_client()
    assert [r["legal_name"] for r in client.get("/api/v1/suppliers/?status=approved").json()["results"]] == ["A"]
    assert [r["legal_name"] for r in client.get("/api/v1/suppliers/?province=zhejiang").json()["results"]] == ["B"]


def test_transition_and_approval(tenant: Tenant, api_client: Any) -> None:
    with tenant_scope(tenant):
        supplier = supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright"))
    client = api_client()
    url = f"/api/v1/suppliers/{supplier.pk}/"
    assert client.post(url + "transition/", {"action": "start"}, format="json").json()["status"] == "in_qualification"
    refused = client.post(url + "transition/", {"action": "suspend", "reason": "x"}, format="json")
    assert refused.status_code == 409
    approval = client.get(url + "approval/").json()
    assert approval["can_be_awarded"] is False and approval["award_blockers"]
    assert client.post(url + "transition/", {"action": "approve"}, format="json").json()["status"] == "approved"
    assert client.get(url + "approval/").json()["can_be_awarded"] is True


def test_a_read_key_cannot_write_and_nothing_is_written(tenant: Tenant, api_client: Any) -> None:
    client = api_client(scopes=("read",))
    with tenant_scope(tenant):
        events = AuditEvent.objects.count()
    response = client.post("/api/v1/suppliers/", {"legal_name": "X"}, format="json")
    assert response.status_code == 403
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 0
        assert AuditEvent.objects.count() == events


def test_sites_and_contacts(tenant: Tenant, api_client: Any) -> None:
    with tenant_scope(tenant):
        supplier = supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright"))
    client = api_client()
    site = client.post(
        "/api/v1/supplier-sites/",
        {"supplier": str(supplier.pk), "name": "Plant 1", "province": "Zhejiang"},
        format="json",
    )
    assert site.status_code == 201, site.json()
    changed = client.patch(f"/api/v1/supplier-sites/{site.json()['id']}/", {"capacity": "40k pcs/month"}, format="json")
    assert changed.json()["capacity"] == "40k pcs/month"
    listed = client.get(f"/api/v1/supplier-sites/?supplier={supplier.pk}").json()["results"]
    assert [s["name"] for s in listed] == ["Plant 1"]
    bad = client.post("/api/v1/supplier-contacts/", {"supplier": str(supplier.pk), "name": "Li"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()["error"]["fields"]
    assert client.delete(f"/api/v1/supplier-sites/{site.json()['id']}/").status_code == 204
    with tenant_scope(tenant):
        assert Site.objects.count() == 0


def test_another_tenants_supplier_is_a_missing_one(tenant: Tenant, other_tenant: Tenant, api_client: Any) -> None:
    with tenant_scope(other_tenant):
        theirs = supplier_create(tenant=other_tenant, by=SYSTEM, fields=SupplierFields(legal_name="Globex Supplier"))
    client = api_client()
    missing = client.get("/api/v1/suppliers/00000000-0000-7000-8000-000000000000/")
    theirs_response = client.get(f"/api/v1/suppliers/{theirs.pk}/")
    assert theirs_response.status_code == missing.status_code == 404
    assert theirs_response.content == missing.content
    site = client.post("/api/v1/supplier-sites/", {"supplier": str(theirs.pk), "name": "Plant"}, format="json")
    assert site.status_code == 404
    with tenant_scope(other_tenant):
        assert Site.objects.count() == 0
