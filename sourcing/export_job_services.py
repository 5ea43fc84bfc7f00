"""Export jobs: a large list written to a file in the background, with its progress in the cache for the page
to poll, then downloaded by the person who asked for it, and purged after the retention.

The core owns the job; the apps supply what is exported: every installed app may answer ``export_kinds()``
from its ``AppConfig`` with ``sourcing.export_formats.ExportKind`` entries (asked by name, never imported, so
imports still run one way).
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import zoneinfo
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.background import enqueue_on_commit
from sourcing.errors import DomainError
from sourcing.export_formats import ExportKind, write_csv, write_xlsx
from sourcing.models import ExportFormat, ExportJob, ExportStatus, Tenant
from sourcing.uploads import delete_files_on_commit

logger = logging.getLogger(__name__)

RETENTION = datetime.timedelta(days=7)
PROGRESS_SECONDS = 24 * 3600
MAX_FILTERS = 40


def export_kinds() -> dict[str, ExportKind]:
    """Every export kind the installed apps offer, by name."""
    kinds: dict[str, ExportKind] = {}
    for config in apps.get_app_configs():
        offer = getattr(config, "export_kinds", None)
        if offer is not None:
            kinds.update({kind.name: kind for kind in offer()})
    return kinds


def progress_key(job_id: Any) -> str:
    return f"export-job:{job_id}:progress"


def _clean_filters(filters: dict[str, Any]) -> dict[str, str]:
    return {str(k)[:60]: str(v)[:200] for k, v in list(filters.items())[:MAX_FILTERS] if k != "format"}


@transaction.atomic
def export_job_start(*, tenant: Tenant, by: Actor, kind: str, fmt: str, filters: dict[str, Any]) -> ExportJob:
    """Record an export of the list ``kind`` as filtered, in the caller's language, and queue it once the
    record is committed (on the embedded default, on the web process's background pool)."""
    offered = export_kinds().get(kind)
    if offered is None:
        raise DomainError(_("No such export."), fields={"kind": [_("No such export.")]})
    by.require(offered.scope)
    if by.user is None:
        raise DomainError(_("Exports are downloaded by a person."), fields={"kind": [_("No such export.")]})
    if fmt not in ExportFormat.values:
        raise DomainError(_("Choose CSV or XLSX."), fields={"format": [_("Choose CSV or XLSX.")]})
    job = ExportJob.objects.create(
        tenant=tenant,
        kind=kind,
        format=fmt,
        filters=_clean_filters(filters),
        language=translation.get_language() or "",
        requested_by=by.user,
    )
    audit_record(
        tenant=tenant,
        by=by,
        action="export_job.create",
        target=job,
        after={"kind": kind, "format": fmt, "filters": job.filters},
    )
    enqueue_on_commit("sourcing.tasks.run_export_job", str(tenant.pk), str(job.pk))
    return job


def _zone_of(job: ExportJob) -> zoneinfo.ZoneInfo | None:
    """The requester's time zone: the file's dates, times and name read as on the requester's pages."""
    try:
        return zoneinfo.ZoneInfo(job.requested_by.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def export_job_run(*, tenant: Tenant, by: Actor, job_id: Any) -> ExportJob | None:
    """Write the job's file, row by row, reporting progress; a finished job is left as is. Should writing fail,
    nothing is kept and the job ends failed with the reason."""
    job = ExportJob.objects.filter(pk=job_id).select_related("requested_by").first()
    if job is None or job.is_finished:
        return job
    kind = export_kinds().get(job.kind)
    try:
        with transaction.atomic(), translation.override(job.language or None), timezone.override(_zone_of(job)):
            if kind is None:
                raise DomainError(_("This export is no longer offered."))
            return _write(tenant=tenant, by=by, job=job, kind=kind)
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        return _finish_failed(tenant=tenant, by=by, job=job, exc=exc)


def _write(*, tenant: Tenant, by: Actor, job: ExportJob, kind: ExportKind) -> ExportJob:
    key = progress_key(job.pk)
    total = kind.count(job.filters)
    cache.set(key, {"rows": 0, "total": total}, PROGRESS_SECONDS)

    def on_rows(done: int) -> None:
        cache.set(key, {"rows": done, "total": total}, PROGRESS_SECONDS)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    with tempfile.TemporaryFile() as out:
        if job.format == ExportFormat.XLSX:
            rows = write_xlsx(out, kind.header(), kind.rows(job.filters), on_rows)
        else:
            with open(out.fileno(), "w", encoding="utf-8", newline="", closefd=False) as text:
                rows = write_csv(text, kind.header(), kind.rows(job.filters), on_rows)
        out.seek(0)
        job.file_name = f"{kind.basename}-{stamp}.{job.format}"
        job.file.save(f"{job.pk}.{job.format}", File(out), save=False)
    job.status = ExportStatus.SUCCEEDED
    job.rows_done = job.rows_total = rows
    job.finished_at = timezone.now()
    job.save()
    cache.set(key, {"rows": rows, "total": rows}, PROGRESS_SECONDS)
    audit_record(tenant=tenant, by=by, action="export_job.succeeded", target=job, after={"rows": rows})
    return job


def _finish_failed(*, tenant: Tenant, by: Actor, job: ExportJob, exc: Exception) -> ExportJob:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:250]
    with transaction.atomic():
        job.status = ExportStatus.FAILED
        job.error = _("The export stopped on an error: %(reason)s") % {"reason": reason}
        job.file = None  # type: ignore[assignment]
        job.finished_at = timezone.now()
        job.save()
        audit_record(tenant=tenant, by=by, action="export_job.failed", target=job, after={"reason": reason})
    return job


def export_job_progress(*, job: ExportJob) -> tuple[int, int, int | None]:
    """Percent done, rows written and rows to write (None until the job has counted them)."""
    if job.is_finished:
        return 100, job.rows_done, job.rows_total
    value = cache.get(progress_key(job.pk)) or {}
    done, total = int(value.get("rows", 0)), value.get("total")
    percent = min(99, int(100 * done / total)) if total else 0
    return percent, done, total


@transaction.atomic
def export_job_purge(*, tenant: Tenant, by: Actor, retention: datetime.timedelta = RETENTION) -> int:
    """Delete the tenant's export jobs older than the retention, and their files once that commits."""
    old = list(ExportJob.objects.filter(created_at__lt=timezone.now() - retention))
    delete_files_on_commit(job.file for job in old)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
