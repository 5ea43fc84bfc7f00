"""Emitting events and delivering them: ``webhook_emit`` is the one way an app sends an event; each enabled
endpoint subscribed to it gets a delivery, attempted by ``sourcing.webhooks.tasks.deliver_webhook`` once the
transaction commits, and retried on the specification's schedule (``sourcing.webhooks.schedule``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.background import enqueue_on_commit
from sourcing.errors import DomainError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.webhooks import schedule, transport
from sourcing.webhooks.models import ERROR_MAX, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from sourcing.webhooks.selectors.webhooks import TEST_EVENT, deliveries_due, endpoints_subscribed, event_types
from sourcing.webhooks.services.access import access_webhook_delivery, access_webhook_endpoint
from sourcing.webhooks.services.endpoints import webhook_endpoint_disable_gone
from sourcing.webhooks.signing import body_bytes, message_id_new, signed_headers
from sourcing.webhooks.targets import target_check

DELIVER_TASK = "sourcing.webhooks.tasks.deliver_webhook"
SWEEP_BATCH = 500
EARLY_SLACK = datetime.timedelta(seconds=1)  # a retry's task may arrive a moment before its time


def _envelope(event_type: str, data: dict[str, Any], at: datetime.datetime) -> dict[str, Any]:
    return {"type": event_type, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data}


def _queue(
    tenant: Tenant, endpoint: WebhookEndpoint, event_type: str, payload: dict[str, Any], message_id: str
) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        tenant=tenant,
        endpoint=endpoint,
        event_type=event_type,
        message_id=message_id,
        payload=payload,
        next_attempt_at=timezone.now(),
    )
    enqueue_on_commit(DELIVER_TASK, str(tenant.pk), str(delivery.pk))
    return delivery


@transaction.atomic
def webhook_emit(*, tenant: Tenant, event_type: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Send event ``event_type`` with ``payload`` (its ``data``) to every enabled endpoint subscribed to it, once
    the caller's transaction commits. The caller has already checked who may do what caused the event."""
    if event_type not in event_types():
        raise ValueError(f"Unknown webhook event type {event_type!r}; declare it in the app's webhook_event_types().")
    endpoints = endpoints_subscribed(event_type)
    if not endpoints:
        return []
    envelope = _envelope(event_type, payload, timezone.now())
    return [_queue(tenant, endpoint, event_type, envelope, message_id_new()) for endpoint in endpoints]


@transaction.atomic
def webhook_send_test(*, tenant: Tenant, by: Actor, endpoint_id: Any) -> WebhookDelivery:
    """Send the test event to one endpoint (enabled or not: it tells whether the receiver is there)."""
    endpoint = access_webhook_endpoint(by=by, id=endpoint_id, need=Scope.WEBHOOK_MANAGE)
    now = timezone.now()
    data = {"endpoint_id": str(endpoint.pk), "organisation": tenant.slug, "sent_by": by.label[:200]}
    delivery = _queue(tenant, endpoint, TEST_EVENT, _envelope(TEST_EVENT, data, now), message_id_new())
    audit_record(
        tenant=tenant, by=by, action="webhook_endpoint.test", target=endpoint, after={"message_id": delivery.message_id}
    )
    return delivery


@transaction.atomic
def webhook_redeliver(*, tenant: Tenant, by: Actor, delivery_id: Any) -> WebhookDelivery:
    """Send a delivery's message again: a new delivery of the same message id and payload, with attempts of its
    own (the receiver deduplicates by ``webhook-id``)."""
    original = access_webhook_delivery(by=by, id=delivery_id, need=Scope.WEBHOOK_MANAGE)
    if not original.endpoint.is_enabled and original.event_type != TEST_EVENT:
        raise DomainError(
            _("The endpoint is disabled (%(reason)s); enable it before sending it messages again.")
            % {"reason": original.endpoint.disabled_reason or _("by an administrator")}
        ).with_status(409)
    delivery = _queue(tenant, original.endpoint, original.event_type, original.payload, original.message_id)
    audit_record(
        tenant=tenant,
        by=by,
        action="webhook_delivery.redeliver",
        target=delivery,
        after={"message_id": delivery.message_id, "redelivery_of": str(original.pk)},
    )
    return delivery


def _sent(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime.datetime) -> transport.Answer:
    problem, addresses = target_check(endpoint.url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)
    if problem:  # checked again at every attempt: the name may point elsewhere since it was saved
        return transport.Answer(None, problem)
    body = body_bytes(delivery.payload)
    headers = signed_headers(secret=endpoint.secret, message_id=delivery.message_id, at=now, body=body)
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    # sent to the address just checked, not to whatever the name resolves to next (DNS rebinding)
    return transport.post(endpoint.url, body, headers, timeout=timeout, address=addresses[0] if addresses else None)


@transaction.atomic
def webhook_delivery_attempt(
    *, tenant: Tenant, by: Actor, delivery_id: Any, now: datetime.datetime | None = None
) -> WebhookDelivery:
    """Make the delivery's next attempt if it is due: 2xx succeeds, 410 disables the endpoint, anything else is
    tried again on the schedule until it gives up. A duplicate or early task changes nothing."""
    delivery = access_webhook_delivery(by=by, id=delivery_id, need=Scope.WEBHOOK_MANAGE, lock=True)
    now = now or timezone.now()
    if delivery.status not in {DeliveryStatus.PENDING, DeliveryStatus.FAILED}:
        return delivery
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + EARLY_SLACK:
        return delivery
    endpoint = delivery.endpoint
    if not endpoint.is_enabled and delivery.event_type != TEST_EVENT:
        answer = transport.Answer(None, "The endpoint is disabled.")
        delivery.attempts = max(delivery.attempts, schedule.MAX_ATTEMPTS - 1)  # nothing more will be tried
    else:
        answer = _sent(endpoint, delivery, now)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = answer.status
    delivery.last_error = answer.error[:ERROR_MAX]
    delivery.next_attempt_at = None
    if answer.status is not None and schedule.is_success(answer.status):
        delivery.status = DeliveryStatus.SUCCEEDED
    elif answer.status == schedule.GONE:
        delivery.status = DeliveryStatus.GAVE_UP
        webhook_endpoint_disable_gone(tenant=tenant, by=by, endpoint=endpoint)
    else:
        delay = schedule.delay_for(delivery.attempts, answer.retry_after)
        if delay is None:
            delivery.status = DeliveryStatus.GAVE_UP
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = now + delay
            enqueue_on_commit(DELIVER_TASK, str(tenant.pk), str(delivery.pk), countdown=delay.total_seconds())
    delivery.save()
    return delivery


@transaction.atomic
def webhook_deliveries_sweep(*, tenant: Tenant, by: Actor, now: datetime.datetime | None = None) -> int:
    """Queue again the deliveries whose next attempt is overdue (their waiting task was lost, e.g. when a worker
    restarted); returns how many. A delivery whose task does arrive after all is attempted once: the attempt
    moves its next time on."""
    by.require(Scope.WEBHOOK_MANAGE)
    late = now or timezone.now()
    ids = [
        str(pk)
        for pk in deliveries_due(late - datetime.timedelta(minutes=1)).values_list("pk", flat=True)[:SWEEP_BATCH]
    ]
    for delivery_id in ids:
        enqueue_on_commit(DELIVER_TASK, str(tenant.pk), delivery_id)
    return len(ids)
