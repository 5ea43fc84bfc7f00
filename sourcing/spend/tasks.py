"""Spend jobs: a queued import runs on a worker, with its progress in the cache for the page to poll."""

from __future__ import annotations

from sourcing.actors import Actor
from sourcing.models import Tenant
from sourcing.spend.services import imports as services
from sourcing.tasks import tenant_task


@tenant_task(name="sourcing.spend.tasks.run_spend_import", acks_late=True)
def run_spend_import(tenant: Tenant, import_id: str, actor_label: str = "") -> str:
    """Run a recorded import; running it again once it has finished changes nothing."""
    result = services.spend_import_run(
        tenant=tenant, by=Actor.system(f"spend import for {actor_label}".strip()), import_id=import_id
    )
    return str(result.status)
