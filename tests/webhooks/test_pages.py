"""Webhook pages: administrators only; the secret shown once on create and on rotate; edit, delete, the delivery
log with redeliver and a test event; another tenant's ids are missing ones; constant query counts."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import INTERNAL_ROLES, Role
from sourcing.tenancy import tenant_scope
from sourcing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from sourcing.webhooks.signing import message_id_new, secret_new

MakeMember = Callable[..., Membership]
LOCAL = override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True)


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content))


def _url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def _endpoint(tenant: Tenant, url: str = "http://127.0.0.1:9/hooks") -> WebhookEndpoint:
    with tenant_scope(tenant):
        return WebhookEndpoint.objects.create(
            tenant=tenant, url=url, event_types=["supplier.blocked"], secret=secret_new()
        )


def _deliveries(tenant: Tenant, endpoint: WebhookEndpoint, n: int) -> None:
    with tenant_scope(tenant):
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                tenant=tenant,
                endpoint=endpoint,
                event_type="supplier.blocked",
                message_id=message_id_new(),
                payload={"type": "supplier.blocked", "data": {"i": i}},
                status=DeliveryStatus.FAILED,
                attempts=2,
                last_status_code=503,
            )
            for i in range(n)
        )


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    form = client.get(_url("webhook_endpoint_create", tenant))
    assert "supplier.blocked" in form.content.decode() and "award.published" in form.content.decode()
    with LOCAL:
        response = client.post(
            _url("webhook_endpoint_create", tenant),
            {"url": "http://127.0.0.1:8001/hooks", "description": "ERP", "event_types": ["supplier.blocked"]},
        )
    assert response.status_code == 200
    secret = re.search(r"whsec_[A-Za-z0-9+/=]+", response.content.decode())
    assert secret is not None
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    with tenant_scope(tenant):
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.secret == secret.group(0)
        assert AuditEvent.objects.filter(action="webhook_endpoint.create").count() == 1
    # never again: not on the list, the detail or the edit page
    for page in (
        _url("webhook_endpoint_list", tenant),
        _url("webhook_endpoint_detail", tenant, endpoint_id=endpoint.pk),
        _url("webhook_endpoint_edit", tenant, endpoint_id=endpoint.pk),
    ):
        assert "whsec_" not in client.get(page).content.decode()


def test_the_form_names_a_bad_url_and_writes_nothing(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    with override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False):
        response = client.post(
            _url("webhook_endpoint_create", tenant),
            {"url": "http://10.0.0.8/hooks", "event_types": ["supplier.blocked"]},
        )
    assert response.status_code == 200
    assert "private" in response.content.decode()
    response = client.post(_url("webhook_endpoint_create", tenant), {"url": "ftp://x.example/", "event_types": []})
    assert "http://" in response.content.decode()
    with tenant_scope(tenant):
        assert not WebhookEndpoint.objects.exists()


def test_edit_disables_and_rotate_shows_a_new_secret(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    endpoint = _endpoint(tenant)
    with LOCAL:
        response = client.post(
            _url("webhook_endpoint_edit", tenant, endpoint_id=endpoint.pk),
            {"url": endpoint.url, "description": "Off for now", "event_types": ["award.published"]},
        )
    assert response.status_code == 302
    with tenant_scope(tenant):
        endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.event_types, endpoint.description) == (
        False,
        ["award.published"],
        "Off for now",
    )
    old = endpoint.secret
    response = client.post(_url("webhook_endpoint_rotate", tenant, endpoint_id=endpoint.pk))
    with tenant_scope(tenant):
        endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()


def test_the_delivery_log_redeliver_test_and_delete(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    endpoint = _endpoint(tenant)
    _deliveries(tenant, endpoint, 3)
    page = client.get(_url("webhook_endpoint_detail", tenant, endpoint_id=endpoint.pk))
    with tenant_scope(tenant):
        first = WebhookDelivery.objects.order_by("created_at").first()
        assert first is not None
    assert page.status_code == 200 and first.message_id in page.content.decode()
    response = client.post(_url("webhook_delivery_redeliver", tenant, delivery_id=first.pk))
    assert response.status_code == 302
    response = client.post(_url("webhook_endpoint_test", tenant, endpoint_id=endpoint.pk))
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert WebhookDelivery.objects.filter(message_id=first.message_id).count() == 2
        assert WebhookDelivery.objects.filter(event_type="webhook.test").count() == 1
    response = client.post(_url("webhook_endpoint_delete", tenant, endpoint_id=endpoint.pk))
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("role", [*sorted(INTERNAL_ROLES - {Role.ADMIN}), Role.AGENT])
def test_only_administrators_reach_webhooks(tenant: Tenant, make_member: MakeMember, role: str) -> None:
    endpoint = _endpoint(tenant)
    client = _client(make_member(tenant, role))
    assert client.get(_url("webhook_endpoint_list", tenant)).status_code == 403
    assert client.post(_url("webhook_endpoint_rotate", tenant, endpoint_id=endpoint.pk)).status_code == 403
    with tenant_scope(tenant):
        assert WebhookEndpoint.objects.get().secret == endpoint.secret


def test_another_tenants_endpoint_is_a_missing_one(
    tenant: Tenant, other_tenant: Tenant, make_member: MakeMember
) -> None:
    theirs = _endpoint(other_tenant)
    client = _client(make_member(tenant, Role.ADMIN))
    for name in ("webhook_endpoint_detail", "webhook_endpoint_edit"):
        foreign = client.get(_url(name, tenant, endpoint_id=theirs.pk))
        missing = client.get(_url(name, tenant, endpoint_id=uuid.uuid4()))
        assert foreign.status_code == missing.status_code == 404
        assert _without_csrf(foreign.content) == _without_csrf(missing.content)
    assert client.post(_url("webhook_endpoint_delete", tenant, endpoint_id=theirs.pk)).status_code == 404
    with tenant_scope(other_tenant):
        assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()


# List pages: constant queries at N and 2N rows.
# The session, membership, tenant scope (and on PostgreSQL its row-level security settings) and the rows.
_PG = 4 if connection.vendor == "postgresql" else 0
_LIST_QUERIES = {"webhook_endpoint_list": 10 + _PG, "webhook_endpoint_detail": 12 + _PG}


@pytest.mark.parametrize("name", sorted(_LIST_QUERIES))
def test_list_pages_query_count_is_constant(
    tenant: Tenant, make_member: MakeMember, django_assert_num_queries: Any, name: str
) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    endpoint = _endpoint(tenant)

    def grow(n: int) -> None:
        for _ in range(n):
            _endpoint(tenant)
        _deliveries(tenant, endpoint, n)

    def url() -> str:
        if name == "webhook_endpoint_list":
            return _url(name, tenant)
        return _url(name, tenant, endpoint_id=endpoint.pk)

    grow(5)
    client.get(url())  # warm the session
    with django_assert_num_queries(_LIST_QUERIES[name]):
        assert client.get(url()).status_code == 200
    grow(5)
    with django_assert_num_queries(_LIST_QUERIES[name]):
        assert client.get(url()).status_code == 200


def test_the_pages_speak_chinese_to_a_chinese_administrator(tenant: Tenant, make_member: MakeMember) -> None:
    endpoint = _endpoint(tenant)
    _deliveries(tenant, endpoint, 1)
    client = _client(make_member(tenant, Role.ADMIN, language="zh-hans"))
    listing = client.get(_url("webhook_endpoint_list", tenant)).content.decode()
    assert "添加端点" in listing and "供应商被封禁" in listing
    detail = client.get(_url("webhook_endpoint_detail", tenant, endpoint_id=endpoint.pk)).content.decode()
    assert "重新投递" in detail and "失败，将重试" in detail  # noqa: RUF001 - Chinese punctuation
