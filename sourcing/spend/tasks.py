"""Spend jobs: a queued import runs on a worker, with its progress in the cache for the page to poll; the daily
refresh of the suppliers' dependency flags from the spend, one task per tenant."""

from __future__ import annotations

from celery import shared_task

from sourcing.actors import Actor
from sourcing.models import Tenant
from sourcing.spend.services import imports as services
from sourcing.spend.services.dependency import risk_dependency_refresh
from sourcing.tasks import for_each_active_tenant, tenant_task


@tenant_task(name="sourcing.spend.tasks.run_spend_import", acks_late=True, long_running=True)
def run_spend_import(tenant: Tenant, import_id: str, actor_label: str = "") -> str:
    """Run a recorded import; running it again once it has finished changes nothing."""
    result = services.spend_import_run(
        tenant=tenant, by=Actor.system(f"spend import for {actor_label}".strip()), import_id=import_id
    )
    return str(result.status)


@tenant_task(name="sourcing.spend.tasks.risk_dependency_refresh_tenant", acks_late=True)
def risk_dependency_refresh_tenant(tenant: Tenant) -> tuple[int, int]:
    """Raise and close one tenant's dependency flags; running it twice leaves the same flags."""
    return risk_dependency_refresh(tenant=tenant, by=Actor.system("dependency flags"))


@shared_task(name="sourcing.spend.tasks.risk_dependency_refresh_all")
def risk_dependency_refresh_all() -> int:
    """Queue the refresh of every active tenant (beat runs this daily); returns how many were queued."""
    return for_each_active_tenant(risk_dependency_refresh_tenant)
