"""Webhook endpoints and their delivery log in the isolation harness (administrators only)."""

from __future__ import annotations

from typing import Any

from sourcing.models import Membership, Tenant
from sourcing.tenancy import tenant_scope
from sourcing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from sourcing.webhooks.signing import message_id_new, secret_new
from suppliers.models import Supplier

POST_ONLY: set[str] = {
    "webhook_endpoint_rotate",
    "webhook_endpoint_delete",
    "webhook_endpoint_test",
    "webhook_delivery_redeliver",
}
BODY_ID_ROUTES: set[str] = set()
API_PK_OBJECT: dict[str, str] = {"webhookendpoint": "endpoint_id", "webhookdelivery": "delivery_id"}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    return None


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """An endpoint (written directly: the service would resolve its host) with one failed delivery."""
    with tenant_scope(tenant):
        endpoint = WebhookEndpoint.objects.create(
            tenant=tenant,
            url=f"https://hooks.{tenant.slug}.example/sourcewise",
            description=f"{tenant.name} ERP",
            event_types=["supplier.blocked"],
            secret=secret_new(),
        )
        delivery = WebhookDelivery.objects.create(
            tenant=tenant,
            endpoint=endpoint,
            event_type="supplier.blocked",
            message_id=message_id_new(),
            payload={"type": "supplier.blocked", "timestamp": "2026-03-02T08:00:00Z", "data": {"name": tenant.name}},
            status=DeliveryStatus.FAILED,
            attempts=1,
            last_status_code=500,
        )
    return {"endpoint_id": str(endpoint.pk), "delivery_id": str(delivery.pk)}
