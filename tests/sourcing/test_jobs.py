"""Jobs: a real task through a real worker on Redis, and the tenant task wrapper."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from sourcing.celery import app
from sourcing.models import AuditEvent, Tenant
from sourcing.tasks import record_heartbeat
from sourcing.tenancy import tenant_scope

ROOT = Path(__file__).resolve().parents[2]


def test_tenant_task_runs_inside_the_tenant_scope(tenant: Tenant, other_tenant: Tenant) -> None:
    event_id = record_heartbeat.apply(args=[str(tenant.pk), "eager"]).get()
    with tenant_scope(tenant):
        assert AuditEvent.objects.get(pk=event_id).action == "system.heartbeat"
    with tenant_scope(other_tenant):
        assert not AuditEvent.objects.filter(pk=event_id).exists()


def test_tenant_task_for_a_missing_tenant_does_nothing(db: Any) -> None:
    assert record_heartbeat.apply(args=[str(uuid.uuid4()), "nobody"]).get() is None


def test_beat_schedule_is_in_code() -> None:
    schedule = app.conf.beat_schedule
    assert "purge-idempotency-records" in schedule
    assert schedule["purge-idempotency-records"]["task"] in app.tasks


def _worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DATABASE_APP_PASSWORD": db.get("PASSWORD") or "",
        }
    )
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = url.replace(f"//{db['USER']}@", f"//{db['USER']}:{db['PASSWORD']}@")
    return env


@pytest.mark.worker
@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL or connection.vendor != "postgresql",
    reason="needs Redis and PostgreSQL, which `make test` always provides",
)
def test_real_worker_on_redis_runs_a_tenant_task(transactional_db: Any, tenant: Tenant) -> None:
    queue = f"test-{uuid.uuid4().hex}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "sourcing",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=_worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        record_heartbeat.apply_async(args=[str(tenant.pk), "through redis"], queue=queue)
        deadline = time.monotonic() + 60
        found = False
        while time.monotonic() < deadline and not found:
            with tenant_scope(tenant):
                found = AuditEvent.objects.filter(action="system.heartbeat", after__note="through redis").exists()
            if not found:
                assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else "worker died"
                time.sleep(0.5)
        assert found, "the worker did not run the task within 60 s"
        with tenant_scope(tenant):
            event = AuditEvent.objects.get(action="system.heartbeat")
        assert event.actor_label == "system:worker"
        assert event.tenant_id == tenant.pk
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_purge_covers_every_tenant_closed_ones_included(tenant: Tenant, other_tenant: Tenant) -> None:
    import datetime

    from django.utils import timezone

    from sourcing.models import IdempotencyRecord
    from sourcing.tasks import purge_idempotency_records

    old = timezone.now() - datetime.timedelta(days=30)
    for t in (tenant, other_tenant):
        with tenant_scope(t):
            IdempotencyRecord.objects.create(
                tenant=t, key="k", request_hash="h", response_status=201, response_body={}, created_at=old
            )
    tenant.is_active = False
    tenant.save()
    assert purge_idempotency_records.apply().get() == 2
    for t in (tenant, other_tenant):
        with tenant_scope(t):
            assert not IdempotencyRecord.objects.exists()
