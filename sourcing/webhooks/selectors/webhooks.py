"""Reads of the webhooks app: the event types every app declares, endpoints and their delivery log."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from sourcing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

TEST_EVENT = "webhook.test"


def event_types() -> dict[str, Any]:
    """Event type → what it means, from every installed app's ``webhook_event_types()`` (apps declare the
    events they emit; this app imports none of them)."""
    found: dict[str, Any] = {}
    for config in apps.get_app_configs():
        declare = getattr(config, "webhook_event_types", None)
        if declare is not None:
            found.update(dict(declare()))
    return dict(sorted(found.items()))


def subscribable_event_types() -> dict[str, Any]:
    """The events an endpoint may subscribe to (the test event is sent on demand, not subscribed to)."""
    return {name: label for name, label in event_types().items() if name != TEST_EVENT}


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("created_by").order_by("-created_at", "-id")


def endpoints_subscribed(event_type: str) -> list[WebhookEndpoint]:
    """The enabled endpoints that subscribe to ``event_type`` (a JSON list; read in Python, the same on every
    database, and a tenant has a handful of endpoints)."""
    return [e for e in WebhookEndpoint.objects.filter(is_enabled=True).order_by("id") if event_type in e.event_types]


def delivery_list(
    *, endpoint_id: Any = None, status: str = "", event_type: str = "", message_id: str = ""
) -> QuerySet[WebhookDelivery]:
    """Deliveries, newest first, optionally of one endpoint, status, event type or message."""
    rows = WebhookDelivery.objects.order_by("-created_at", "-id")
    if endpoint_id is not None:
        rows = rows.filter(endpoint_id=endpoint_id)
    if status:
        rows = rows.filter(status=status)
    if event_type:
        rows = rows.filter(event_type=event_type)
    if message_id:
        rows = rows.filter(message_id=message_id)
    return rows


def deliveries_due(now: Any) -> QuerySet[WebhookDelivery]:
    """Deliveries whose next attempt is overdue (a worker restart loses the tasks that were waiting)."""
    return WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")
