"""Writes of the spend baseline: imports (file and API lines), and what follows from them."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import IO, Any

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.background import enqueue_on_commit
from sourcing.errors import DomainError, NotFoundError
from sourcing.models import Tenant
from sourcing.rls import refresh_statistics
from sourcing.roles import Scope
from sourcing.spend.columns import CANONICAL_COLUMNS
from sourcing.spend.models import ColumnMapping, ImportSource, ImportStatus, SpendImport, SpendLine, Vendor
from sourcing.spend.reader import FileReadError, open_frame
from sourcing.spend.services import importer
from sourcing.spend.services.access import access_column_mapping, access_spend_import
from sourcing.uploads import SPREADSHEETS, accept_upload, store_upload

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 24 * 3600
MAX_BULK_LINES = 10_000
# An import adding more lines than this refreshes the planner's statistics of the line and vendor tables.
STATISTICS_AFTER_LINES = 10_000


def progress_key(import_id: Any) -> str:
    return f"spend-import:{import_id}:progress"


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _mapping(mapping_id: Any, *, by: Actor) -> ColumnMapping | None:
    if not mapping_id:
        return None
    try:
        return access_column_mapping(by=by, id=mapping_id, need=Scope.SPEND_IMPORT)
    except NotFoundError as exc:  # not an id at all reads as a missing mapping too
        message = _("No such column mapping.")
        raise DomainError(message, fields={"mapping": [message]}) from exc


@transaction.atomic
def spend_import_create(
    *,
    tenant: Tenant,
    by: Actor,
    upload: IO[bytes],
    file_name: str,
    source: str = ImportSource.UPLOAD,
    mapping_id: Any = None,
) -> SpendImport:
    """Record an uploaded spend file, checked by its bytes, ready for ``spend_import_run``."""
    by.require(Scope.SPEND_IMPORT)
    accepted = accept_upload(upload, allowed=SPREADSHEETS, file_name=file_name, fallback="spend")
    mapping = _mapping(mapping_id, by=by)
    spend_import = SpendImport(
        tenant=tenant,
        source=source,
        file_name=file_name[:255],
        file_sha256=_sha256(upload),
        mapping=mapping,
        created_by=by.user,
        created_by_label=by.label[:200],
    )
    store_upload(spend_import.file, accepted)
    spend_import.save()
    audit_record(
        tenant=tenant,
        by=by,
        action="spend_import.create",
        target=spend_import,
        after={"file_name": spend_import.file_name, "sha256": spend_import.file_sha256, "source": source},
    )
    return spend_import


class _Rejected(Exception):
    def __init__(self, result: importer.LoadResult) -> None:
        self.result = result


def spend_import_run(*, tenant: Tenant, by: Actor, import_id: Any) -> SpendImport:
    """Run a recorded import: every row validated, then all lines written, or none (the import then holds
    every error). A file already imported adds nothing. Safe to run again: a finished import is left as is.
    Should the run itself fail, its partial work is rolled back and the import ends as failed, with the reason."""
    by.require(Scope.SPEND_IMPORT)
    try:
        spend_import = _run(tenant=tenant, by=by, import_id=import_id)
    except NotFoundError:
        raise
    except Exception as exc:
        logger.exception("spend import %s failed", import_id)
        return _finish_failed(tenant=tenant, by=by, import_id=import_id, exc=exc)
    if spend_import.status == ImportStatus.SUCCEEDED and spend_import.lines_created > STATISTICS_AFTER_LINES:
        # the planner still plans for the tables as they were before this many lines arrived; the lines are in
        # by now, so a refresh that fails is logged and the import stays as it ended
        try:
            refresh_statistics(connection, [SpendLine._meta.db_table, Vendor._meta.db_table])
        except DatabaseError:
            logger.exception("planner statistics not refreshed after spend import %s", import_id)
    return spend_import


def _run(*, tenant: Tenant, by: Actor, import_id: Any) -> SpendImport:
    with transaction.atomic():
        spend_import = access_spend_import(by=by, id=import_id, need=Scope.SPEND_IMPORT, lock=True)
        if spend_import.is_finished:
            return spend_import
        earlier = (
            SpendImport.objects.filter(file_sha256=spend_import.file_sha256, status=ImportStatus.SUCCEEDED)
            .exclude(pk=spend_import.pk)
            .order_by("created_at")
            .first()
        )
        if earlier is not None:
            return _finish_duplicate_file(tenant=tenant, by=by, spend_import=spend_import, earlier=earlier)
        cache.set(progress_key(spend_import.pk), 0, PROGRESS_SECONDS)
        with spend_import.file.open("rb") as stream:
            return _run_file(tenant=tenant, by=by, spend_import=spend_import, stream=stream)


def _finish_duplicate_file(
    *, tenant: Tenant, by: Actor, spend_import: SpendImport, earlier: SpendImport
) -> SpendImport:
    spend_import.status = ImportStatus.SUCCEEDED
    spend_import.duplicate_of = earlier
    spend_import.rows_total = spend_import.rows_done = earlier.rows_total
    spend_import.lines_duplicate = earlier.rows_total
    spend_import.finished_at = timezone.now()
    spend_import.save()
    audit_record(
        tenant=tenant,
        by=by,
        action="spend_import.duplicate_file",
        target=spend_import,
        after={"duplicate_of": str(earlier.pk), "lines_created": 0},
    )
    return spend_import


def _progress_reporter(spend_import: SpendImport, total: int) -> Callable[[int], None]:
    """Progress as the share of lines checked and written."""
    key = progress_key(spend_import.pk)

    def report(rows: int) -> None:
        percent = min(99, 5 + int(94 * rows / max(total, 1)))
        cache.set(key, {"percent": percent, "rows": rows, "total": total}, PROGRESS_SECONDS)

    return report


def _run_file(*, tenant: Tenant, by: Actor, spend_import: SpendImport, stream: IO[bytes]) -> SpendImport:
    try:
        spend_frame = open_frame(stream)
    except FileReadError as exc:
        result = importer.LoadResult(errors=[importer.RowError(exc.row or 1, "", exc.message)], error_count=1)
        return _finish_rejected(tenant=tenant, by=by, spend_import=spend_import, result=result)
    spend_import.encoding = spend_frame.encoding
    columns, header_errors = importer.column_indexes(spend_frame.header, spend_import.mapping)
    if header_errors:
        result = importer.LoadResult(errors=header_errors, error_count=len(header_errors))
        return _finish_rejected(tenant=tenant, by=by, spend_import=spend_import, result=result)
    progress = _progress_reporter(spend_import, spend_frame.frame.height)
    frame = spend_frame.take()
    try:
        with transaction.atomic():
            result = importer.load_frame(
                tenant=tenant,
                import_id=spend_import.pk,
                columns=columns,
                frame=frame,
                mapping=spend_import.mapping,
                progress=progress,
                file_errors=spend_frame.decode_errors,
            )
            del frame
            if not result.ok:
                raise _Rejected(result)
            importer.reclassify_one_off(vendor_ids=result.one_off_vendor_ids)
            return _finish_succeeded(tenant=tenant, by=by, spend_import=spend_import, result=result)
    except _Rejected as rejected:
        return _finish_rejected(tenant=tenant, by=by, spend_import=spend_import, result=rejected.result)


def _finish_succeeded(
    *, tenant: Tenant, by: Actor, spend_import: SpendImport, result: importer.LoadResult
) -> SpendImport:
    spend_import.status = ImportStatus.SUCCEEDED
    spend_import.rows_total = spend_import.rows_done = result.rows
    spend_import.lines_created = result.created
    spend_import.lines_duplicate = result.duplicates
    spend_import.error_count = 0
    spend_import.errors = []
    spend_import.finished_at = timezone.now()
    spend_import.save()
    cache.set(progress_key(spend_import.pk), 100, PROGRESS_SECONDS)
    audit_record(
        tenant=tenant,
        by=by,
        action="spend_import.succeeded",
        target=spend_import,
        after={
            "rows": result.rows,
            "lines_created": result.created,
            "lines_duplicate": result.duplicates,
            "vendors_created": result.vendors_created,
        },
    )
    return spend_import


def _finish_rejected(
    *, tenant: Tenant, by: Actor, spend_import: SpendImport, result: importer.LoadResult
) -> SpendImport:
    spend_import.status = ImportStatus.FAILED
    spend_import.rows_total = spend_import.rows_done = result.rows
    spend_import.lines_created = spend_import.lines_duplicate = 0
    spend_import.error_count = result.error_count
    spend_import.errors = [e.as_dict() for e in result.errors]
    spend_import.finished_at = timezone.now()
    spend_import.save()
    cache.set(progress_key(spend_import.pk), 100, PROGRESS_SECONDS)
    audit_record(
        tenant=tenant,
        by=by,
        action="spend_import.rejected",
        target=spend_import,
        after={"rows": result.rows, "error_count": result.error_count},
    )
    return spend_import


def _finish_failed(*, tenant: Tenant, by: Actor, import_id: Any, exc: Exception) -> SpendImport:
    """Record, in a transaction of its own (the run's has been rolled back), that the import stopped on an error."""
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    message = _("The import stopped on an unexpected error; nothing was written: %(reason)s") % {"reason": reason}
    with transaction.atomic():
        spend_import = SpendImport.objects.select_for_update().get(pk=import_id)
        if spend_import.is_finished:
            return spend_import
        spend_import.status = ImportStatus.FAILED
        spend_import.rows_done = spend_import.lines_created = spend_import.lines_duplicate = 0
        spend_import.error_count = 1
        spend_import.errors = [importer.RowError(0, "", message).as_dict()]
        spend_import.finished_at = timezone.now()
        spend_import.save()
        audit_record(
            tenant=tenant,
            by=by,
            action="spend_import.failed",
            target=spend_import,
            after={"error": type(exc).__name__, "reason": reason},
        )
    cache.set(progress_key(spend_import.pk), 100, PROGRESS_SECONDS)
    return spend_import


def spend_import_progress(*, spend_import: SpendImport) -> int:
    if spend_import.is_finished:
        return 100
    value = cache.get(progress_key(spend_import.pk))
    if isinstance(value, dict):
        return int(value["percent"])
    return int(value) if value is not None else 0


def spend_import_rows_done(*, spend_import: SpendImport) -> tuple[int, int] | None:
    """Rows checked and written so far and the file's rows, while the import runs (None before it has read
    the file)."""
    value = cache.get(progress_key(spend_import.pk))
    if isinstance(value, dict):
        return int(value["rows"]), int(value["total"])
    return None


@transaction.atomic
def spend_lines_bulk(*, tenant: Tenant, by: Actor, lines: list[dict[str, Any]], source_name: str = "") -> SpendImport:
    """Lines pushed by the ERP as JSON, in canonical columns: all written, or none and every error named
    ``lines[<index>].<column>``. Lines already here are skipped."""
    by.require(Scope.SPEND_IMPORT)
    if not isinstance(lines, list) or not lines:
        raise DomainError(_("Send at least one line."), fields={"lines": [_("Send at least one line.")]})
    if len(lines) > MAX_BULK_LINES:
        message = _("At most %(n)s lines per request.") % {"n": MAX_BULK_LINES}
        raise DomainError(message, fields={"lines": [message]})
    errors: dict[str, list[str]] = {}
    rows: list[tuple[int, list[str]]] = []
    for index, item in enumerate(lines):
        if not isinstance(item, dict):
            errors[f"lines[{index}]"] = [_("Each line is an object of canonical columns.")]
            continue
        unknown = sorted(set(item) - set(CANONICAL_COLUMNS))
        for name in unknown:
            errors[f"lines[{index}].{name}"] = [_("Unknown field.")]
        rows.append((index, ["" if item.get(c) is None else str(item.get(c)) for c in CANONICAL_COLUMNS]))
    spend_import = SpendImport.objects.create(
        tenant=tenant,
        source=ImportSource.API_LINES,
        file_name=source_name[:255],
        created_by=by.user,
        created_by_label=by.label[:200],
    )
    columns = {c: i for i, c in enumerate(CANONICAL_COLUMNS)}
    frame = importer.frame_of_rows(rows, len(CANONICAL_COLUMNS))
    result = importer.load_frame(tenant=tenant, import_id=spend_import.pk, columns=columns, frame=frame)
    for error in result.errors:
        errors.setdefault(f"lines[{error.row}].{error.column}" if error.column else "lines", []).append(error.message)
    if errors:
        count = max(result.error_count, len(errors))
        raise DomainError(
            _("%(n)s errors; nothing was written.") % {"n": count},
            fields=errors,
        )
    importer.reclassify_one_off(vendor_ids=result.one_off_vendor_ids)
    return _finish_succeeded(tenant=tenant, by=by, spend_import=spend_import, result=result)


def spend_import_submit(
    *, tenant: Tenant, by: Actor, upload: IO[bytes], file_name: str, mapping_id: Any = None
) -> SpendImport:
    """Record an uploaded file and queue its import on a worker once the record is committed (on the embedded
    default, on the web process's background pool: the page follows its progress either way)."""
    spend_import = spend_import_create(
        tenant=tenant, by=by, upload=upload, file_name=file_name, source=ImportSource.UPLOAD, mapping_id=mapping_id
    )
    enqueue_on_commit("sourcing.spend.tasks.run_spend_import", str(tenant.pk), str(spend_import.pk), by.label)
    return spend_import
