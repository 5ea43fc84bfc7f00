"""Concurrent creates of one company: the duplicate check is serialised per tenant and company key, so of many
simultaneous requests exactly one creates the supplier and the others get the duplicate answer. Every create
path takes the lock before it checks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.models import ApiKey, Tenant
from sourcing.roles import Role
from sourcing.spend.models import Vendor
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from suppliers.names import name_key
from suppliers.selectors.duplicates import Probe
from suppliers.services import duplicate_locks
from suppliers.services import master as master_services
from suppliers.services.supplier_fields import ProposalFields, SupplierFields
from tests.conftest import SYSTEM

NAME = "Ningbo Everbright Housewares Co., Ltd."
THREADS = 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
def test_simultaneous_api_creates_of_one_company_create_it_once(
    transactional_db: Any,
    tenant: Tenant,
    make_api_key: Callable[..., tuple[ApiKey, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a check that, once it has found nothing, waits until every request has checked (or half a second):
    # without the lock all of them find nothing before any inserts, every time
    real_candidates = master_services.duplicate_candidates
    found_nothing = threading.Condition()
    empty_checks = [0]

    def slow_candidates(*args: Any, **kwargs: Any) -> Any:
        found = real_candidates(*args, **kwargs)
        if not found:
            with found_nothing:
                empty_checks[0] += 1
                found_nothing.notify_all()
                found_nothing.wait_for(lambda: empty_checks[0] >= THREADS, timeout=0.5)
        return found

    monkeypatch.setattr(master_services, "duplicate_candidates", slow_candidates)
    _key, raw = make_api_key(tenant)
    start = threading.Barrier(THREADS)
    answers: list[tuple[int, str]] = []

    def create() -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
            start.wait(timeout=10)
            response = client.post("/api/v1/suppliers/", {"legal_name": NAME}, format="json")
            body = response.json()
            answers.append((response.status_code, body["error"]["code"] if "error" in body else body["id"]))
        finally:
            connections.close_all()  # this thread's own connection

    # when the same company is posted by several requests at once, each on its own connection
    threads = [threading.Thread(target=create) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then exactly one supplier exists, one request created it and every other got the duplicate answer
    with tenant_scope(tenant):
        suppliers = list(Supplier.objects.values_list("pk", flat=True))
    assert len(suppliers) == 1
    assert sorted(status for status, _ in answers) == [201] + [409] * (THREADS - 1)
    assert [value for status, value in answers if status == 201] == [str(suppliers[0])]
    assert {value for status, value in answers if status == 409} == {"possible_duplicate"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_a_held_key_makes_another_check_of_that_key_wait(transactional_db: Any, tenant: Tenant) -> None:
    # given another connection holds the lock of the company's name key in an open transaction
    holder = connections.create_connection("default")
    probe = Probe.of(legal_name=NAME)
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [duplicate_locks._lock_id(tenant.pk, "name", probe.name)]
            )
        # when a create of that company runs with a short lock timeout, then it cannot pass the check
        with tenant_scope(tenant):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(OperationalError, match="lock timeout"):
                master_services.supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name=NAME))
        # and another company, or the same name in another tenant, does not wait
        with tenant_scope(tenant), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
            master_services.supplier_create(
                tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Xiamen Peakline Trading")
            )
    finally:
        holder.close()
    with tenant_scope(tenant):
        assert list(Supplier.objects.values_list("legal_name", flat=True)) == ["Xiamen Peakline Trading"]


def test_the_lock_is_one_query_per_key_on_postgresql_and_none_on_sqlite(
    tenant: Tenant, django_assert_num_queries: Any
) -> None:
    """SQLite serialises writes, so there is nothing to lock there."""
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 0):
        duplicate_locks.duplicate_check_lock(tenant_id=tenant.pk, probe=Probe.of(legal_name=NAME))


def test_keys_are_locked_in_one_order_per_tenant() -> None:
    probe = Probe.of(legal_name=NAME, local_name="宁波永亮家居用品有限公司", website="everbright.cn", phone="+86 574 1")
    ids = {
        duplicate_locks._lock_id("t1", kind, value)
        for kind, value in [("name", probe.name), ("website", probe.website)]
    }
    assert len(ids) == 2
    assert duplicate_locks._lock_id("t1", "name", probe.name) != duplicate_locks._lock_id("t2", "name", probe.name)


# Every create path takes the lock of the new company's keys before its check


@pytest.fixture
def locked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, str]]:
    calls: list[tuple[Any, str]] = []
    real = duplicate_locks.duplicate_check_lock

    def spy(*, tenant_id: Any, probe: Probe) -> None:
        calls.append((tenant_id, probe.name))
        real(tenant_id=tenant_id, probe=probe)

    monkeypatch.setattr(master_services, "duplicate_check_lock", spy)
    return calls


Path = Callable[[Tenant, Callable[..., Any], Callable[..., tuple[ApiKey, str]]], None]


def _form(tenant: Tenant, make_member: Callable[..., Any], make_api_key: Any) -> None:
    client = Client()
    client.force_login(make_member(tenant, Role.BUYER).user)
    response = client.post(
        reverse("supplier_create", kwargs={"tenant_slug": "acme"}),
        {"legal_name": NAME, "supplier_type": "manufacturer", "tier": "core", "country": "CN"},
    )
    assert response.status_code == 302, response.context["form"].errors


def _vendor(tenant: Tenant, make_member: Callable[..., Any], make_api_key: Any) -> None:
    with tenant_scope(tenant):
        vendor = Vendor.objects.create(tenant=tenant, name=NAME, name_key=name_key(NAME))
    client = Client()
    client.force_login(make_member(tenant, Role.ADMIN).user)
    url = reverse("vendor_create_supplier", kwargs={"tenant_slug": "acme", "vendor_id": vendor.pk})
    assert client.post(url).status_code == 302
    with tenant_scope(tenant):
        assert Vendor.objects.get(pk=vendor.pk).supplier_id is not None


def _proposal(tenant: Tenant, make_member: Callable[..., Any], make_api_key: Any) -> None:
    agent = Actor.for_membership(make_member(tenant, Role.AGENT))
    with tenant_scope(tenant):
        master_services.supplier_propose(tenant=tenant, by=agent, fields=ProposalFields(legal_name=NAME))


def _post(tenant: Tenant, make_api_key: Any, body: dict[str, Any]) -> None:
    _key, raw = make_api_key(tenant)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = client.post("/api/v1/suppliers/", body, format="json")
    assert response.status_code == 201, response.content


def _api(tenant: Tenant, make_member: Callable[..., Any], make_api_key: Any) -> None:
    _post(tenant, make_api_key, {"legal_name": NAME})


def _erp_upsert(tenant: Tenant, make_member: Callable[..., Any], make_api_key: Any) -> None:
    _post(tenant, make_api_key, {"legal_name": NAME, "external_id": "V-100"})


@pytest.mark.parametrize("path", [_form, _vendor, _proposal, _api, _erp_upsert], ids=lambda p: p.__name__[1:])
def test_every_create_path_locks_the_company_key(
    tenant: Tenant,
    make_member: Callable[..., Any],
    make_api_key: Callable[..., tuple[ApiKey, str]],
    locked: list[tuple[Any, str]],
    path: Path,
) -> None:
    path(tenant, make_member, make_api_key)
    assert locked == [(tenant.pk, name_key(NAME))]
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 1
