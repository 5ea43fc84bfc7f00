"""Webhook jobs: one attempt of a delivery (sent on commit, and again on the retry schedule), and the sweep
that queues again whatever attempt is overdue, one task per tenant."""

from __future__ import annotations

from celery import shared_task

from sourcing.actors import Actor
from sourcing.models import Tenant
from sourcing.tasks import for_each_active_tenant, tenant_task
from sourcing.webhooks.services.deliveries import webhook_deliveries_sweep, webhook_delivery_attempt


# An attempt ends within transport.ATTEMPT_TIMEOUTS × WEBHOOKS_TIMEOUT_SECONDS; the time limit is the backstop.
# It runs in the background on the embedded default, without taking SQLite's write lock before its first write.
@tenant_task(
    name="sourcing.webhooks.tasks.deliver_webhook",
    acks_late=True,
    long_running=True,
    write_lock_first=False,
    soft_time_limit=60,
    time_limit=90,
)
def deliver_webhook(tenant: Tenant, delivery_id: str) -> str:
    """Attempt one delivery if it is due; a duplicate or early task changes nothing."""
    delivery = webhook_delivery_attempt(tenant=tenant, by=Actor.system("webhooks"), delivery_id=delivery_id)
    return str(delivery.status)


@tenant_task(name="sourcing.webhooks.tasks.sweep_webhooks_tenant")
def sweep_webhooks_tenant(tenant: Tenant) -> int:
    """Queue again one tenant's overdue deliveries."""
    return webhook_deliveries_sweep(tenant=tenant, by=Actor.system("webhooks"))


@shared_task(name="sourcing.webhooks.tasks.sweep_webhooks_all")
def sweep_webhooks_all() -> int:
    """Queue the sweep of every active tenant (beat runs this every few minutes); returns how many."""
    return for_each_active_tenant(sweep_webhooks_tenant)
