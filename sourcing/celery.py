"""Celery, configured from Django settings (CELERY_*). On the embedded default tasks run in-process
(CELERY_TASK_ALWAYS_EAGER); in production the broker is Redis and worker and beat run as their own
processes. The beat schedule lives here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcing.settings")

app = Celery("sourcing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "purge-idempotency-records": {
        "task": "sourcing.tasks.purge_idempotency_records",
        "schedule": 60 * 60 * 6,
    },
    # Export files are kept for a week (sourcing/export_job_services.py RETENTION), each tenant in its own task.
    "purge-export-jobs": {
        "task": "sourcing.tasks.purge_export_jobs_all",
        "schedule": 60 * 60 * 6,
    },
    # Early morning in the Americas, evening in China: each tenant's run works in its own date.
    "certification-daily": {
        "task": "suppliers.tasks.certification_daily_all",
        "schedule": crontab(hour=11, minute=0),
    },
    # Daily, each tenant in its own task: conditional approvals past their expiry are suspended.
    "qualification-daily": {
        "task": "suppliers.tasks.qualification_daily_all",
        "schedule": crontab(hour=11, minute=15),
    },
    # Daily, each tenant in its own task: single-source dependencies from the last twelve months of spend.
    "risk-dependency-daily": {
        "task": "sourcing.spend.tasks.risk_dependency_refresh_all",
        "schedule": crontab(hour=10, minute=30),
    },
    # Webhook retries wait in the broker (countdown); a worker restart loses them, so overdue ones are re-queued.
    "webhooks-sweep": {
        "task": "sourcing.webhooks.tasks.sweep_webhooks_all",
        "schedule": 60 * 5,
    },
}
