"""Risk jobs: the daily refresh of dependency flags from the spend, one task per tenant."""

from __future__ import annotations

from celery import shared_task

from sourcing.actors import Actor
from sourcing.models import Tenant
from sourcing.tasks import for_each_active_tenant, tenant_task
from suppliers.services.risk import risk_dependency_refresh


@tenant_task(name="suppliers.tasks_risk.risk_dependency_refresh_tenant", acks_late=True)
def risk_dependency_refresh_tenant(tenant: Tenant) -> tuple[int, int]:
    """Raise and close one tenant's dependency flags; running it twice leaves the same flags."""
    return risk_dependency_refresh(tenant=tenant, by=Actor.system("dependency flags"))


@shared_task(name="suppliers.tasks_risk.risk_dependency_refresh_all")
def risk_dependency_refresh_all() -> int:
    """Queue the refresh of every active tenant (beat runs this daily); returns how many were queued."""
    return for_each_active_tenant(risk_dependency_refresh_tenant)
