"""The webhooks API: an administrator's key scope, the secret in the create and rotate answers only, the one
error format naming fields, deliveries with filters and redelivery, another tenant's ids answered as missing
ones, and constant query counts on the lists."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from sourcing.models import AuditEvent, Tenant
from sourcing.tenancy import tenant_scope
from sourcing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from sourcing.webhooks.signing import message_id_new, secret_new

MakeClient = Callable[..., APIClient]
ADMIN = ("admin",)
LOCAL = override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True)


def _endpoint(tenant: Tenant, url: str = "http://127.0.0.1:9/hooks") -> WebhookEndpoint:
    with tenant_scope(tenant):
        return WebhookEndpoint.objects.create(
            tenant=tenant, url=url, event_types=["supplier.blocked"], secret=secret_new()
        )


def _delivery(tenant: Tenant, endpoint: WebhookEndpoint, status: str = DeliveryStatus.FAILED) -> WebhookDelivery:
    with tenant_scope(tenant):
        return WebhookDelivery.objects.create(
            tenant=tenant,
            endpoint=endpoint,
            event_type="supplier.blocked",
            message_id=message_id_new(),
            payload={"type": "supplier.blocked", "data": {}},
            status=status,
            attempts=1,
        )


def test_create_answers_the_secret_once(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client(ADMIN)
    with LOCAL:
        response = client.post(
            "/api/v1/webhook-endpoints/",
            {"url": "http://127.0.0.1:8001/hooks", "event_types": ["supplier.blocked", "award.published"]},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["award.published", "supplier.blocked"] and body["is_enabled"] is True
    read = client.get(f"/api/v1/webhook-endpoints/{body['id']}/").json()
    assert "secret" not in read and read["url"] == "http://127.0.0.1:8001/hooks"
    rotated = client.post(f"/api/v1/webhook-endpoints/{body['id']}/rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]


def test_bad_input_names_the_field_and_writes_nothing(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client(ADMIN)
    with override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False):
        response = client.post(
            "/api/v1/webhook-endpoints/",
            {"url": "http://192.168.0.10/hooks", "event_types": ["supplier.exploded"]},
            format="json",
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) == {"url", "event_types"}
    assert "supplier.exploded" in error["fields"]["event_types"][0]
    with tenant_scope(tenant):
        assert not WebhookEndpoint.objects.exists()


def test_change_and_delete(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client(ADMIN)
    endpoint = _endpoint(tenant)
    with override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False):
        moved = client.patch(f"/api/v1/webhook-endpoints/{endpoint.pk}/", {"url": "http://10.0.0.9/x"}, format="json")
        assert moved.status_code == 400 and set(moved.json()["error"]["fields"]) == {"url"}
        # the URL as it is stays (each attempt checks it again); other fields can change
        same = {"url": endpoint.url, "description": "ERP"}
        assert client.patch(f"/api/v1/webhook-endpoints/{endpoint.pk}/", same, format="json").status_code == 200
    response = client.patch(f"/api/v1/webhook-endpoints/{endpoint.pk}/", {"is_enabled": False}, format="json")
    assert response.status_code == 200 and response.json()["is_enabled"] is False
    assert response.json()["disabled_reason"]
    assert client.delete(f"/api/v1/webhook-endpoints/{endpoint.pk}/").status_code == 204
    with tenant_scope(tenant):
        assert not WebhookEndpoint.objects.exists()
        assert AuditEvent.objects.filter(action__startswith="webhook_endpoint.").count() == 3


def test_deliveries_filter_and_redeliver(tenant: Tenant, api_client: MakeClient) -> None:
    client = api_client(ADMIN)
    endpoint, other = _endpoint(tenant), _endpoint(tenant, "http://127.0.0.1:9/other")
    failed = _delivery(tenant, endpoint)
    _delivery(tenant, endpoint, DeliveryStatus.SUCCEEDED)
    _delivery(tenant, other)
    rows = client.get("/api/v1/webhook-deliveries/", {"endpoint": str(endpoint.pk), "status": "failed"}).json()
    assert [r["id"] for r in rows["results"]] == [str(failed.pk)]
    assert rows["results"][0]["message_id"] == failed.message_id
    response = client.post(f"/api/v1/webhook-deliveries/{failed.pk}/redeliver/")
    assert response.status_code == 201
    assert response.json()["message_id"] == failed.message_id and response.json()["id"] != str(failed.pk)
    by_message = client.get("/api/v1/webhook-deliveries/", {"message_id": failed.message_id}).json()
    assert len(by_message["results"]) == 2
    test = client.post(f"/api/v1/webhook-endpoints/{other.pk}/test/")
    assert test.status_code == 201 and test.json()["event_type"] == "webhook.test"


@pytest.mark.parametrize("scopes", [("read",), ("write",), ("read", "write")])
def test_keys_without_the_admin_scope_are_refused(
    tenant: Tenant, api_client: MakeClient, scopes: tuple[str, ...]
) -> None:
    client = api_client(scopes)
    endpoint = _endpoint(tenant)
    assert client.get("/api/v1/webhook-endpoints/").status_code == 403
    assert client.post(f"/api/v1/webhook-endpoints/{endpoint.pk}/rotate-secret/").status_code == 403
    assert client.get("/api/v1/webhook-deliveries/").status_code == 403
    with tenant_scope(tenant):
        assert WebhookEndpoint.objects.get().secret == endpoint.secret


def test_another_tenants_ids_are_missing_ones(tenant: Tenant, other_tenant: Tenant, api_client: MakeClient) -> None:
    theirs = _endpoint(other_tenant)
    their_delivery = _delivery(other_tenant, theirs)
    client = api_client(ADMIN)
    for path in (
        "/api/v1/webhook-endpoints/{}/",
        "/api/v1/webhook-deliveries/{}/",
    ):
        pk = theirs.pk if "endpoints" in path else their_delivery.pk
        foreign, missing = client.get(path.format(pk)), client.get(path.format(uuid.uuid4()))
        assert foreign.status_code == missing.status_code == 404
        assert foreign.content == missing.content
    assert client.post(f"/api/v1/webhook-deliveries/{their_delivery.pk}/redeliver/").status_code == 404
    assert client.get("/api/v1/webhook-deliveries/", {"endpoint": str(theirs.pk)}).json()["results"] == []
    with tenant_scope(other_tenant):
        assert WebhookDelivery.objects.count() == 1


# The key, the tenant scope (and on PostgreSQL its row-level security settings), the page count and its rows.
_LIST_QUERIES = 6 + (4 if connection.vendor == "postgresql" else 0)


@pytest.mark.parametrize("path", ["/api/v1/webhook-endpoints/", "/api/v1/webhook-deliveries/"])
def test_list_query_count_is_constant(
    tenant: Tenant, api_client: MakeClient, django_assert_num_queries: Any, path: str
) -> None:
    client = api_client(ADMIN)

    def grow(n: int) -> None:
        for _ in range(n):
            _delivery(tenant, _endpoint(tenant))

    grow(5)
    client.get(path)  # warm: the first call of a key records its use
    with django_assert_num_queries(_LIST_QUERIES):
        assert len(client.get(path).json()["results"]) == 5
    grow(5)
    with django_assert_num_queries(_LIST_QUERIES):
        assert len(client.get(path).json()["results"]) == 10
