"""The ERP API: key authentication, scopes, tenant isolation, the one error format, pagination,
idempotency, query counts, throttling and the documentation."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.api.throttling import ApiKeyRateThrottle
from sourcing.models import ApiKey, AuditEvent, IdempotencyRecord, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import api_key_revoke
from suppliers.models import Supplier

MakeKey = Callable[..., tuple[ApiKey, str]]
MakeClient = Callable[..., APIClient]
MakeMember = Callable[..., Membership]
AsTenant = Callable[[Tenant], Any]

SYSTEM = Actor.system("tests")
ERROR_KEYS = {"status", "code", "message", "fields"}


def _client(raw: str | None = None) -> APIClient:
    client = APIClient()
    if raw is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def _error(response: Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert the one error format and return its inner object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == ERROR_KEYS
    assert error["status"] == status
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code
    return error


def _ids(response: Response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


# Authentication: /me/


def test_me_names_the_keys_tenant_and_principal(tenant: Tenant, make_api_key: MakeKey) -> None:
    # given an acme key that can read and write
    key, raw = make_api_key(tenant, ("read", "write"), name="Acme ERP")
    # when it asks who it is
    response = _client(raw).get("/api/v1/me/")
    # then it is told its tenant, itself and its scopes
    assert response.status_code == 200
    body = response.json()
    assert body["tenant"]["slug"] == "acme"
    assert body["tenant"]["name"] == "Acme Home Goods"
    assert body["tenant"]["id"] == str(tenant.pk)
    assert body["principal"]["type"] == "api_key"
    assert body["principal"]["name"] == "Acme ERP"
    assert body["principal"]["id"] == str(key.pk)
    assert body["scopes"] == [
        "audit:read",
        "category:read",
        "category:write",
        "fx:write",
        "member:read",
        "rfq:configure",
        "rfq:read",
        "spend:import",
        "spend:read",
        "spend:write",
        "supplier:evidence",
        "supplier:qualify",
        "supplier:read",
        "supplier:write",
        "tenant:read",
        "tenant:write",
    ]


def test_me_of_a_read_key_lists_only_read_scopes(tenant: Tenant, make_api_key: MakeKey) -> None:
    # given a read-only key
    _key, raw = make_api_key(tenant, ("read",))
    # when it asks who it is
    body = _client(raw).get("/api/v1/me/").json()
    # then it holds no write scope
    assert body["scopes"] == [
        "audit:read",
        "category:read",
        "member:read",
        "rfq:read",
        "spend:read",
        "supplier:read",
        "tenant:read",
    ]


def test_no_credentials_is_401_with_challenge(db: Any) -> None:
    # given / when a request carries no Authorization header
    response = _client().get("/api/v1/me/")
    # then it is refused in the error format, with the scheme to use
    _error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize(
    "raw",
    ["garbage", "sw_", "sw__secret", "sw_abc_", "xx_abcdef123456_secret", ""],
    ids=["garbage", "empty-parts", "no-prefix", "no-secret", "wrong-marker", "empty"],
)
def test_malformed_key_is_401(tenant: Tenant, make_api_key: MakeKey, raw: str) -> None:
    # given a real key exists, when a malformed one is presented
    make_api_key(tenant)
    response = _client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    # then it is refused
    _error(response, 401)
    assert response["WWW-Authenticate"] == "Api-Key"


def test_wrong_secret_with_a_valid_prefix_is_401(tenant: Tenant, make_api_key: MakeKey) -> None:
    # given a key
    key, raw = make_api_key(tenant)
    secret = raw.split("_", 2)[2]
    forged = f"sw_{key.prefix}_{'A' * len(secret)}"
    assert forged != raw
    # when its prefix is presented with another secret
    response = _client(forged).get("/api/v1/me/")
    # then it is refused
    _error(response, 401, "authentication_failed")


def test_revoked_key_is_401(tenant: Tenant, make_api_key: MakeKey, as_tenant: AsTenant) -> None:
    # given a key that worked and was then revoked
    key, raw = make_api_key(tenant)
    assert _client(raw).get("/api/v1/me/").status_code == 200
    with as_tenant(tenant):
        api_key_revoke(tenant=tenant, by=SYSTEM, api_key_id=key.pk)
    # when it is used
    response = _client(raw).get("/api/v1/me/")
    # then it is refused
    _error(response, 401, "authentication_failed")


def test_key_of_an_inactive_tenant_is_401(tenant: Tenant, make_api_key: MakeKey) -> None:
    # given a key of a tenant that was then deactivated
    _key, raw = make_api_key(tenant)
    assert _client(raw).get("/api/v1/me/").status_code == 200
    Tenant.objects.filter(pk=tenant.pk).update(is_active=False)
    # when it is used
    response = _client(raw).get("/api/v1/me/")
    # then it is refused
    _error(response, 401, "authentication_failed")


def test_last_used_at_is_set_after_a_call(tenant: Tenant, make_api_key: MakeKey, as_tenant: AsTenant) -> None:
    # given a key never used
    key, raw = make_api_key(tenant)
    assert key.last_used_at is None
    before = timezone.now()
    # when it is used
    assert _client(raw).get("/api/v1/me/").status_code == 200
    # then its last use is recorded
    with as_tenant(tenant):
        used = ApiKey.objects.get(pk=key.pk).last_used_at
    assert used is not None
    assert before <= used <= timezone.now()


# Tenant settings


def test_read_key_can_get_tenant_settings(tenant: Tenant, api_client: MakeClient) -> None:
    # given a read-only key, when it reads the settings
    response = api_client(scopes=("read",)).get("/api/v1/tenant/")
    # then it sees them
    assert response.status_code == 200
    assert response.json() == {
        "id": str(tenant.pk),
        "slug": "acme",
        "name": "Acme Home Goods",
        "base_currency": "USD",
        "time_zone": "America/Chicago",
        "default_language": "en",
    }


def test_read_key_cannot_patch_tenant_settings(tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant) -> None:
    # given a read-only key
    client = api_client(scopes=("read",))
    # when it tries to change the time zone
    response = client.patch("/api/v1/tenant/", {"time_zone": "Europe/Berlin"}, format="json")
    # then it is forbidden and nothing changed
    _error(response, 403, "permission_denied")
    tenant.refresh_from_db()
    assert tenant.time_zone == "America/Chicago"
    with as_tenant(tenant):
        assert not AuditEvent.objects.filter(action="tenant.update").exists()


def test_patch_with_a_bad_time_zone_names_the_field(
    tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant
) -> None:
    # given a write key
    client = api_client()
    # when it sets an unknown time zone
    response = client.patch("/api/v1/tenant/", {"time_zone": "Mars/Olympus_Mons"}, format="json")
    # then the error names time_zone and nothing was written
    error = _error(response, 400)
    assert list(error["fields"]) == ["time_zone"]
    tenant.refresh_from_db()
    assert tenant.time_zone == "America/Chicago"
    with as_tenant(tenant):
        assert not AuditEvent.objects.filter(action="tenant.update").exists()


def test_patch_changes_the_setting_and_audits_it(tenant: Tenant, make_api_key: MakeKey, as_tenant: AsTenant) -> None:
    # given a write key
    key, raw = make_api_key(tenant, ("read", "write"))
    # when it changes the time zone
    response = _client(raw).patch("/api/v1/tenant/", {"time_zone": "Europe/Berlin"}, format="json")
    # then the change is returned and stored
    assert response.status_code == 200
    assert response.json()["time_zone"] == "Europe/Berlin"
    tenant.refresh_from_db()
    assert tenant.time_zone == "Europe/Berlin"
    # and audited with the state before and after, attributed to the key
    with as_tenant(tenant):
        [event] = AuditEvent.objects.filter(action="tenant.update")
    assert event.object_id == str(tenant.pk)
    assert event.api_key_id == key.pk
    assert event.actor_id is None
    assert event.before is not None
    assert event.after is not None
    assert event.before["time_zone"] == "America/Chicago"
    assert event.after["time_zone"] == "Europe/Berlin"
    assert event.before["name"] == event.after["name"] == "Acme Home Goods"


# Memberships


@pytest.fixture
def acme_members(tenant: Tenant, make_member: MakeMember) -> list[Membership]:
    return [
        make_member(tenant, Role.ADMIN),
        make_member(tenant, Role.BUYER),
        make_member(tenant, Role.BUYER, email="buyer2@acme.test"),
        make_member(tenant, Role.AGENT),
    ]


def test_membership_list_fields(acme_members: list[Membership], api_client: MakeClient) -> None:
    # given four acme members, when the list is read
    response = api_client().get("/api/v1/memberships/")
    # then every member is there, with the documented fields
    assert response.status_code == 200
    rows = response.json()["results"]
    assert sorted(r["id"] for r in rows) == sorted(str(m.pk) for m in acme_members)
    assert all(set(r) == {"id", "email", "full_name", "role", "agency", "is_active", "created_at"} for r in rows)
    agent = next(r for r in rows if r["role"] == Role.AGENT)
    assert agent["email"] == "agent@acme.test"
    assert agent["agency"] == {"id": str(acme_members[3].agency_id), "name": "Shenzhen Bridge Sourcing"}
    assert all(r["agency"] is None for r in rows if r["role"] != Role.AGENT)


def test_membership_list_filters_by_role(acme_members: list[Membership], api_client: MakeClient) -> None:
    # given / when the list is filtered to buyers
    response = api_client().get("/api/v1/memberships/", {"role": Role.BUYER})
    # then only the two buyers come back
    assert response.status_code == 200
    assert sorted(r["email"] for r in response.json()["results"]) == ["buyer2@acme.test", "buyer@acme.test"]


def test_membership_list_is_cursor_paginated(acme_members: list[Membership], api_client: MakeClient) -> None:
    # given four members and a client
    client = api_client()
    # when pages of one are followed to the end
    seen: list[str] = []
    response = client.get("/api/v1/memberships/", {"page_size": 1})
    first = response.json()
    assert first["next"]
    assert first["previous"] is None
    while True:
        assert response.status_code == 200
        page = response.json()
        assert len(page["results"]) == 1
        seen.extend(_ids(response))
        if not page["next"]:
            break
        response = client.get(page["next"])
    # then every member was seen exactly once, newest first
    assert len(seen) == len(set(seen)) == 4
    assert seen == sorted((str(m.pk) for m in acme_members), reverse=True)


def test_membership_detail(acme_members: list[Membership], api_client: MakeClient) -> None:
    # given a buyer
    buyer = acme_members[1]
    # when it is read by id
    response = api_client().get(f"/api/v1/memberships/{buyer.pk}/")
    # then it is returned
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(buyer.pk)
    assert body["email"] == "buyer@acme.test"
    assert body["role"] == Role.BUYER
    assert body["is_active"] is True


def test_other_tenants_membership_is_indistinguishable_from_missing(
    tenant: Tenant, other_tenant: Tenant, make_member: MakeMember, api_client: MakeClient
) -> None:
    # given a globex member
    theirs = make_member(other_tenant, Role.BUYER)
    client = api_client()
    # when an acme key asks for it, and for an id that does not exist
    response = client.get(f"/api/v1/memberships/{theirs.pk}/")
    missing = client.get(f"/api/v1/memberships/{uuid.uuid4()}/")
    # then both are the same 404
    _error(response, 404, "not_found")
    assert response.content == missing.content
    assert response.status_code == missing.status_code


def test_globex_list_contains_no_acme_members(
    acme_members: list[Membership], other_tenant: Tenant, make_member: MakeMember, api_client: MakeClient
) -> None:
    # given members in both tenants
    theirs = make_member(other_tenant, Role.FINANCE)
    # when globex lists its members
    response = api_client(for_tenant=other_tenant).get("/api/v1/memberships/")
    # then only globex's member is there
    assert response.status_code == 200
    ids = _ids(response)
    assert ids == [str(theirs.pk)]
    assert not set(ids) & {str(m.pk) for m in acme_members}


# Audit events


def test_audit_event_list_filters_and_detail(
    tenant: Tenant, acme_members: list[Membership], api_client: MakeClient, as_tenant: AsTenant
) -> None:
    # given four member invitations and an agency creation in acme's log
    client = api_client()
    with as_tenant(tenant):
        invites = {str(e.pk) for e in AuditEvent.objects.filter(action="member.invite")}
        agency_event = AuditEvent.objects.get(action="agency.create")
    assert len(invites) == 4
    # when the log is listed
    everything = client.get("/api/v1/audit-events/")
    # then it holds every event
    assert everything.status_code == 200
    assert invites | {str(agency_event.pk)} <= set(_ids(everything))
    # and filtering by an action prefix or an object type narrows it
    by_prefix = client.get("/api/v1/audit-events/", {"action": "member."})
    assert set(_ids(by_prefix)) == invites
    by_type = client.get("/api/v1/audit-events/", {"object_type": "sourcing.agency"})
    assert _ids(by_type) == [str(agency_event.pk)]
    # and one event can be read by id
    detail = client.get(f"/api/v1/audit-events/{agency_event.pk}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["id"] == str(agency_event.pk)
    assert body["action"] == "agency.create"
    assert body["object_type"] == "sourcing.agency"
    assert body["after"]["name"] == "Shenzhen Bridge Sourcing"


def test_globex_cannot_see_acme_audit_events(
    tenant: Tenant,
    other_tenant: Tenant,
    acme_members: list[Membership],
    api_client: MakeClient,
    as_tenant: AsTenant,
) -> None:
    # given acme's log
    with as_tenant(tenant):
        acme_event = AuditEvent.objects.filter(action="member.invite").first()
    assert acme_event is not None
    client = api_client(for_tenant=other_tenant)
    # when globex reads an acme event by id, and a random id
    response = client.get(f"/api/v1/audit-events/{acme_event.pk}/")
    missing = client.get(f"/api/v1/audit-events/{uuid.uuid4()}/")
    # then both are the same 404, and globex's list holds no acme event
    _error(response, 404, "not_found")
    assert response.content == missing.content
    listed = client.get("/api/v1/audit-events/")
    assert listed.status_code == 200
    assert str(acme_event.pk) not in _ids(listed)


# Suppliers


SUPPLIER = {"legal_name": "Ningbo Kitchenware Co., Ltd.", "city": "Ningbo", "external_id": "ERP-1001"}


def test_supplier_post_creates_then_updates_by_external_id(
    tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant
) -> None:
    # given a write key
    client = api_client()
    # when a supplier is posted
    created = client.post("/api/v1/suppliers/", SUPPLIER, format="json")
    # then it is created
    assert created.status_code == 201, created.content
    supplier_id = created.json()["id"]
    assert created.json()["legal_name"] == SUPPLIER["legal_name"]
    # when the same ERP id is posted again with changes
    updated = client.post("/api/v1/suppliers/", {**SUPPLIER, "city": "Yuyao"}, format="json")
    # then the same supplier is updated
    assert updated.status_code == 200, updated.content
    assert updated.json()["id"] == supplier_id
    assert updated.json()["city"] == "Yuyao"
    with as_tenant(tenant):
        assert list(Supplier.objects.values_list("id", "city")) == [(uuid.UUID(supplier_id), "Yuyao")]
        events = list(AuditEvent.objects.filter(object_id=supplier_id).order_by("id"))
    # and both writes are audited
    assert [e.action for e in events] == ["supplier.create", "supplier.update"]
    assert events[1].before is not None
    assert events[1].after is not None
    assert events[1].before["city"] == "Ningbo"
    assert events[1].after["city"] == "Yuyao"


def test_supplier_list_and_detail(tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant) -> None:
    # given a supplier
    with as_tenant(tenant):
        supplier = Supplier.objects.create(tenant=tenant, legal_name="Yiwu Textiles", external_id="ERP-7")
    client = api_client(scopes=("read",))
    # when it is listed, filtered, and read
    listed = client.get("/api/v1/suppliers/")
    filtered = client.get("/api/v1/suppliers/", {"external_id": "ERP-8"})
    detail = client.get(f"/api/v1/suppliers/{supplier.pk}/")
    # then it is there
    assert _ids(listed) == [str(supplier.pk)]
    assert _ids(filtered) == []
    assert detail.json()["legal_name"] == "Yiwu Textiles"


def test_supplier_post_without_legal_name_names_it(tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant) -> None:
    # given a write key
    client = api_client()
    # when a supplier without a legal name is posted
    response = client.post("/api/v1/suppliers/", {"city": "Ningbo", "external_id": "ERP-2"}, format="json")
    # then the error names legal_name and nothing was written
    error = _error(response, 400)
    assert "legal_name" in error["fields"]
    with as_tenant(tenant):
        assert not Supplier.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="supplier.").exists()


def test_read_key_cannot_post_suppliers(tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant) -> None:
    # given a read-only key
    client = api_client(scopes=("read",))
    # when it posts a supplier
    response = client.post("/api/v1/suppliers/", SUPPLIER, format="json")
    # then it is forbidden and nothing was written
    _error(response, 403, "permission_denied")
    with as_tenant(tenant):
        assert not Supplier.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="supplier.").exists()


# Idempotency-Key

NO_ERP_ID = {"legal_name": "Dongguan Plastics", "city": "Dongguan"}


def test_idempotent_replay_returns_the_first_response(
    tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant
) -> None:
    # given a write key and a body with no ERP id (a second run would create a second supplier)
    client = api_client()
    # when the same body is posted twice with the same key
    first = client.post("/api/v1/suppliers/", NO_ERP_ID, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/suppliers/", NO_ERP_ID, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # then the second gets the first's status and body, marked as a replay
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    # and only one supplier and one creation event exist
    with as_tenant(tenant):
        assert Supplier.objects.count() == 1
        assert AuditEvent.objects.filter(action="supplier.create").count() == 1
        assert IdempotencyRecord.objects.count() == 1


def test_reused_idempotency_key_with_another_body_is_422(
    tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant
) -> None:
    # given a request made with a key
    client = api_client()
    first = client.post("/api/v1/suppliers/", NO_ERP_ID, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert first.status_code == 201
    # when the key is used again with a different body
    response = client.post(
        "/api/v1/suppliers/", {**NO_ERP_ID, "city": "Shenzhen"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    # then it is refused and nothing more was written
    error = _error(response, 422, "idempotency_key_reused")
    assert "Idempotency-Key" in error["fields"]
    with as_tenant(tenant):
        assert list(Supplier.objects.values_list("city", flat=True)) == ["Dongguan"]
        assert AuditEvent.objects.filter(action__startswith="supplier.").count() == 1


def test_idempotency_key_in_progress_is_409(tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant) -> None:
    # given a first request with this key still running (its lock is held)
    client = api_client()
    key = f"k-{uuid.uuid4()}"
    stored = f"erp:{hashlib.sha256(key.encode()).hexdigest()}"  # the ERP's keys, namespaced and hashed
    lock = f"idempotency:{tenant.pk}:{hashlib.sha256(stored.encode()).hexdigest()}"
    assert cache.add(lock, "1", timeout=60)
    try:
        # when a duplicate arrives
        response = client.post("/api/v1/suppliers/", NO_ERP_ID, format="json", HTTP_IDEMPOTENCY_KEY=key)
        # then it is told to wait, and nothing was written
        _error(response, 409, "idempotency_in_progress")
        with as_tenant(tenant):
            assert not Supplier.objects.exists()
            assert not IdempotencyRecord.objects.exists()
        # and the other request's lock is left alone
        assert cache.get(lock) == "1"
    finally:
        cache.delete(lock)


def test_same_idempotency_key_in_two_tenants_does_not_collide(
    tenant: Tenant, other_tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant
) -> None:
    # given acme used a key
    acme = api_client()
    globex = api_client(for_tenant=other_tenant)
    first = acme.post("/api/v1/suppliers/", NO_ERP_ID, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert first.status_code == 201
    # when globex uses the same key, with the same and then another body
    same = globex.post("/api/v1/suppliers/", NO_ERP_ID, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    # then globex's request runs on its own
    assert same.status_code == 201
    assert "Idempotent-Replayed" not in same
    assert same.json()["id"] != first.json()["id"]
    with as_tenant(tenant):
        assert list(Supplier.objects.values_list("id", flat=True)) == [uuid.UUID(first.json()["id"])]
    with as_tenant(other_tenant):
        assert list(Supplier.objects.values_list("id", flat=True)) == [uuid.UUID(same.json()["id"])]


# Query counts: a list costs the same at N and at 2N rows.

N = 3


def _warm(client: APIClient, url: str) -> None:
    # The first call of a key records its use; measure steady-state calls.
    assert client.get(url).status_code == 200


def test_membership_list_query_count_is_constant(
    tenant: Tenant, make_member: MakeMember, api_client: MakeClient, django_assert_num_queries: Any
) -> None:
    client = api_client()
    for i in range(N):
        make_member(tenant, Role.AGENT if i % 2 else Role.BUYER, email=f"m{i}@acme.test")
    _warm(client, "/api/v1/memberships/")
    with django_assert_num_queries(10):
        assert len(client.get("/api/v1/memberships/").json()["results"]) == N
    for i in range(N, 2 * N):
        make_member(tenant, Role.AGENT if i % 2 else Role.BUYER, email=f"m{i}@acme.test")
    with django_assert_num_queries(10):
        assert len(client.get("/api/v1/memberships/").json()["results"]) == 2 * N


def test_audit_event_list_query_count_is_constant(
    tenant: Tenant,
    make_member: MakeMember,
    api_client: MakeClient,
    as_tenant: AsTenant,
    django_assert_num_queries: Any,
) -> None:
    client = api_client()
    with as_tenant(tenant):
        baseline = AuditEvent.objects.count()
    for i in range(N):
        make_member(tenant, Role.BUYER, email=f"m{i}@acme.test")
    _warm(client, "/api/v1/audit-events/")
    with django_assert_num_queries(10):
        assert len(client.get("/api/v1/audit-events/").json()["results"]) == baseline + N
    for i in range(N, 2 * N):
        make_member(tenant, Role.BUYER, email=f"m{i}@acme.test")
    with django_assert_num_queries(10):
        assert len(client.get("/api/v1/audit-events/").json()["results"]) == baseline + 2 * N


def test_supplier_list_query_count_is_constant(
    tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant, django_assert_num_queries: Any
) -> None:
    client = api_client()

    def add(start: int, stop: int) -> None:
        with as_tenant(tenant):
            for i in range(start, stop):
                Supplier.objects.create(tenant=tenant, legal_name=f"Supplier {i}", external_id=f"ERP-{i}")

    add(0, N)
    _warm(client, "/api/v1/suppliers/")
    with django_assert_num_queries(10):  # the page: flags, certificates and categories are on its rows
        assert len(client.get("/api/v1/suppliers/").json()["results"]) == N
    add(N, 2 * N)
    with django_assert_num_queries(10):
        assert len(client.get("/api/v1/suppliers/").json()["results"]) == 2 * N


# Throttling


def test_throttled_after_the_rate_per_key(
    tenant: Tenant, make_api_key: MakeKey, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a rate of three calls a minute per key
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "3/min"}}
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "3/min"})
    # (no cache flush needed: counters are per key id, and these keys are new)
    _key, raw = make_api_key(tenant, ("read",), name="busy")
    _other, other_raw = make_api_key(tenant, ("read",), name="quiet")
    busy = _client(raw)
    # when one key makes four calls
    statuses = [busy.get("/api/v1/me/").status_code for _ in range(3)]
    fourth = busy.get("/api/v1/me/")
    # then the fourth is refused in the error format
    assert statuses == [200, 200, 200]
    _error(fourth, 429, "throttled")
    assert int(fourth["Retry-After"]) > 0
    # and another key is not throttled
    assert _client(other_raw).get("/api/v1/me/").status_code == 200


def test_the_erps_idempotency_keys_are_kept_apart_from_agents(
    tenant: Tenant, api_client: MakeClient, as_tenant: AsTenant
) -> None:
    client = api_client()
    forged = "partner:00000000-0000-0000-0000-000000000000:" + "0" * 64
    body = {"external_id": "V-9", "legal_name": "Keyed Co."}
    assert client.post("/api/v1/suppliers/", body, format="json", HTTP_IDEMPOTENCY_KEY=forged).status_code == 201
    with as_tenant(tenant):
        (record,) = IdempotencyRecord.objects.all()
        assert record.key.startswith("erp:") and forged not in record.key


# Errors and documentation


def test_unknown_api_url_is_json_404(db: Any) -> None:
    # given / when an unknown API path is requested
    response = _client().get("/api/v1/nope/")
    # then it is a 404 in the error format
    _error(response, 404, "not_found")


def test_schema_lists_the_endpoints(db: Any) -> None:
    # given / when the schema is requested without a key
    response = _client().get("/api/v1/schema/")
    # then it is served and documents the endpoints
    assert response.status_code == 200
    content = response.content.decode()
    for path in ("/api/v1/me/", "/api/v1/tenant/", "/api/v1/memberships/", "/api/v1/suppliers/"):
        assert path in content


def test_docs_use_only_local_assets(db: Any) -> None:
    # given / when the interactive docs are requested
    response = _client().get("/api/v1/docs/")
    # then they are served and load no script or style from another host
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" in html
    assert 'src="http' not in html
    assert "src='http" not in html
    assert 'href="http' not in html
    assert "href='http" not in html
    assert "/static/" in html


def test_endpoints_cannot_replace_the_tenant_plumbing() -> None:
    from rest_framework.permissions import AllowAny

    from sourcing.api.base import TenantAPIView, TenantViewSet

    class Sneaky:
        def get_permissions(self) -> list[Any]:
            return [AllowAny()]

    with pytest.raises(TypeError, match="get_permissions"):
        type("ThroughAMixin", (Sneaky, TenantAPIView), {"__module__": "elsewhere"})
    with pytest.raises(TypeError, match="permission_classes"):
        type("ByAttribute", (TenantAPIView,), {"__module__": "elsewhere", "permission_classes": [AllowAny]})
    for name in ("check_permissions", "initialize_request", "perform_authentication", "check_throttles"):
        with pytest.raises(TypeError, match=name):
            type("ByHook", (TenantAPIView,), {"__module__": "elsewhere", name: lambda self, *a, **k: None})
    with pytest.raises(TypeError, match="get_queryset"):
        type("ByQueryset", (TenantViewSet,), {"__module__": "elsewhere", "get_queryset": lambda self: None})
    with pytest.raises(TypeError, match="scoped_queryset"):
        type("NoRows", (TenantViewSet,), {"__module__": "elsewhere"})
    # nor through an action's arguments or as_view's, which DRF sets on the view
    from rest_framework.decorators import action

    def loose(self: Any, request: Any) -> Response:
        return Response({})

    with pytest.raises(TypeError, match="permission_classes"):
        type(
            "ByAction",
            (TenantViewSet,),
            {
                "__module__": "elsewhere",
                "scoped_queryset": lambda self: None,
                "loose": action(detail=False, permission_classes=[AllowAny])(loose),
            },
        )
    with pytest.raises(TypeError, match="authentication_classes"):
        TenantAPIView.as_view(authentication_classes=[])
    fine = type(
        "Fine",
        (TenantViewSet,),
        {"__module__": "elsewhere", "required_scopes": {"GET": "x"}, "scoped_queryset": lambda self: None},
    )
    assert fine.required_scopes == {"GET": "x"}


@pytest.mark.django_db(transaction=True)
def test_idempotency_lock_is_held_until_the_work_has_committed(tenant: Tenant) -> None:
    import hashlib

    from django.core.cache import cache
    from django.db import transaction
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory

    from sourcing.api.idempotency import run_idempotent

    key = f"commit-{uuid.uuid4()}"
    lock = f"idempotency:{tenant.pk}:{hashlib.sha256(key.encode()).hexdigest()}"
    raw = APIRequestFactory().post("/api/v1/suppliers/", {"legal_name": "X"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    request = Request(raw, parsers=[__import__("rest_framework.parsers", fromlist=["JSONParser"]).JSONParser()])
    held_at_commit: list[bool] = []

    def work() -> Response:
        transaction.on_commit(lambda: held_at_commit.append(cache.get(lock) is not None))
        return Response({"ok": True}, status=201)

    response = run_idempotent(request=request, tenant=tenant, call=work)
    assert response.status_code == 201
    assert held_at_commit == [True]
    assert cache.get(lock) is None


def test_head_needs_what_get_needs(tenant: Tenant, make_api_key: MakeKey) -> None:
    _key, read = make_api_key(tenant, ("read",), name="reader")
    _key, write = make_api_key(tenant, ("write",), name="writer")
    assert _client(read).head("/api/v1/suppliers/").status_code == 200
    assert _client(write).head("/api/v1/suppliers/").status_code == 403
