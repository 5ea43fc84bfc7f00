"""Celery entry points of the core, and ``tenant_task``: the wrapper every tenant task uses.

A tenant task takes the tenant id as its first argument (ids only, never model instances), enters that
tenant's scope, and runs the body inside it; it is safe to retry because the body is a service call.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from celery import shared_task
from django.utils import timezone

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.background import enqueue_on_commit as enqueue_on_commit  # where services send tasks from
from sourcing.export_job_services import export_job_purge, export_job_run
from sourcing.models import IdempotencyRecord, Tenant
from sourcing.tenancy import tenant_scope

F = TypeVar("F", bound=Callable[..., Any])

IDEMPOTENCY_RETENTION = datetime.timedelta(days=7)


def tenant_task(**task_options: Any) -> Callable[[F], Any]:
    """``@tenant_task()`` on ``def body(tenant, *args)``: callers send ``.delay(tenant_id, *args)``.
    ``long_running=True`` marks a task that runs on the background pool on the embedded default
    (``sourcing.background``) rather than inside the request that sent it."""

    def decorate(body: F) -> Any:
        @functools.wraps(body)
        def run(tenant_id: str, *args: Any, **kwargs: Any) -> Any:
            tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
            if tenant is None:
                return None  # the tenant is gone or closed: nothing to do, and nothing to retry
            with tenant_scope(tenant):
                return body(tenant, *args, **kwargs)

        return shared_task(**task_options)(run)

    return decorate


def for_each_active_tenant(task: Any) -> int:
    """Fan a beat entry point out: queue the tenant task ``task`` once for every active tenant, each in its own
    task (so one tenant's failure or retry never holds up another's); returns how many were queued."""
    tenant_ids = [str(pk) for pk in Tenant.objects.filter(is_active=True).values_list("pk", flat=True)]
    for tenant_id in tenant_ids:
        task.delay(tenant_id)
    return len(tenant_ids)


@tenant_task(name="sourcing.tasks.record_heartbeat")
def record_heartbeat(tenant: Tenant, note: str) -> str:
    """Write an audit event from a worker: proves the broker, the worker and the tenant scope end to end."""
    event = audit_record(tenant=tenant, by=Actor.system("worker"), action="system.heartbeat", after={"note": note})
    return str(event.pk)


@shared_task(name="sourcing.tasks.purge_idempotency_records")
def purge_idempotency_records() -> int:
    """Drop stored Idempotency-Key responses older than the retention, tenant by tenant (closed tenants too)."""
    cutoff = timezone.now() - IDEMPOTENCY_RETENTION
    removed = 0
    for tenant in Tenant.objects.all():
        with tenant_scope(tenant):
            removed += IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
    return removed


@tenant_task(name="sourcing.tasks.run_export_job", acks_late=True, long_running=True)
def run_export_job(tenant: Tenant, job_id: str) -> str:
    """Write a recorded export; running it again once it has finished changes nothing."""
    job = export_job_run(tenant=tenant, by=Actor.system("export"), job_id=job_id)
    return str(job.status) if job is not None else ""


@tenant_task(name="sourcing.tasks.purge_export_jobs_tenant")
def purge_export_jobs_tenant(tenant: Tenant) -> int:
    """Remove one tenant's export files past the retention."""
    return export_job_purge(tenant=tenant, by=Actor.system("export retention"))


@shared_task(name="sourcing.tasks.purge_export_jobs_all")
def purge_export_jobs_all() -> int:
    """Queue the purge of every active tenant (beat runs this daily); returns how many were queued."""
    return for_each_active_tenant(purge_export_jobs_tenant)
