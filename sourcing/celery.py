"""Celery, configured from Django settings (CELERY_*). On the embedded default tasks run in-process
(CELERY_TASK_ALWAYS_EAGER); in production the broker is Redis and worker and beat run as their own
processes. The beat schedule lives here, in code."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcing.settings")

app = Celery("sourcing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "purge-idempotency-records": {
        "task": "sourcing.tasks.purge_idempotency_records",
        "schedule": 60 * 60 * 6,
    },
}
