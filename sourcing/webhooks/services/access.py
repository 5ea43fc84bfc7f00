"""The one way from an id that arrives from outside to a webhook endpoint or delivery:
``access_<entity>(by=, id=, need=, lock=)``. The scope first, then the look-up in the current tenant; a
missing, malformed or another tenant's id is the same ``NotFoundError``."""

from __future__ import annotations

from typing import Any

from sourcing.access import access_in
from sourcing.actors import Actor
from sourcing.webhooks.models import WebhookDelivery, WebhookEndpoint


def access_webhook_endpoint(*, by: Actor, id: Any, need: str, lock: bool = False) -> WebhookEndpoint:
    """One of this tenant's webhook endpoints."""
    return access_in(WebhookEndpoint.objects.all(), by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_webhook_delivery(*, by: Actor, id: Any, need: str, lock: bool = False) -> WebhookDelivery:
    """One delivery of this tenant's webhooks, with its endpoint."""
    queryset = WebhookDelivery.objects.select_related("endpoint")
    return access_in(queryset, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]
