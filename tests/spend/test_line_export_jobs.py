"""Spend lines are exported as a job: the lines page posts the export, the job's page follows it, and its
requester alone downloads the file; failures end the job failed with the reason; old files are purged."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sourcing import export_job_services
from sourcing.celery import app as celery_app
from sourcing.errors import DomainError
from sourcing.models import AuditEvent, ExportJob, ExportStatus, Membership, Tenant
from sourcing.roles import Role
from sourcing.spend.selectors import exports as spend_exports
from sourcing.spend.services import imports as services
from sourcing.tasks import purge_export_jobs_tenant
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import row


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Files in a folder of the test's own; tasks in-process (the test database is not visible to a worker)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before


def _client(make_member: Any, tenant: Tenant, role: str) -> Client:
    client = Client()
    client.force_login(make_member(tenant, role).user)
    return client


def _url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def _book(tenant: Tenant) -> None:
    lines = [
        row(invoice_number="L-1", unit_price="12.3456", amount="1234.5", quantity="100", item_sku="POT-24"),
        row(invoice_number="L-2", supplier_name='=HYPERLINK("http://x")', supplier_erp_id="", item_sku="LID-9"),
    ]
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)


def _export(client: Client, tenant: Tenant, capture: Any, fmt: str = "csv", query: str = "") -> Any:
    with capture(execute=True):
        return client.post(_url("spend_lines_export", tenant), {"format": fmt, "query": query})


def _job(tenant: Tenant) -> ExportJob:
    with tenant_scope(tenant):
        return ExportJob.objects.get()


def test_a_lines_export_runs_as_a_job_and_its_requester_downloads_it(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(tenant)
    client = _client(make_member, tenant, Role.FINANCE)
    assert _url("spend_lines_export", tenant) in client.get(_url("spend_lines", tenant)).content.decode()

    response = _export(client, tenant, django_capture_on_commit_callbacks)

    job = _job(tenant)
    assert response.status_code == 302 and response["Location"].endswith(f"/exports/{job.pk}/")
    assert job.status == ExportStatus.SUCCEEDED and job.rows_total == 2 and job.finished_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Ready: 2 rows." in page and _url("export_job_download", tenant, export_job_id=job.pk) in page
    download = client.get(_url("export_job_download", tenant, export_job_id=job.pk))
    assert download["Content-Disposition"].startswith('attachment; filename="spend-lines-')
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Invoice date", "Invoice number", "Vendor"] and rows[0][12] == "Amount (USD)"
    by_number = {r[1]: r for r in rows[1:]}
    assert by_number["L-1"][7:13] == ["100.00", "pcs", "12.3456", "USD", "1234.50", "1234.50"]
    assert by_number["L-1"][3:5] == ["Ningbo Everbright Housewares", "111"] and by_number["L-1"][15] == "One-off"
    assert by_number["L-2"][2] == '\'=HYPERLINK("http://x")' and by_number["L-2"][9] == "12.50"
    with tenant_scope(tenant):
        actions = set(AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True))
    assert actions == {"export_job.create", "export_job.succeeded"}


def test_the_export_keeps_the_pages_filters_and_writes_xlsx_numbers(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(tenant)
    client = _client(make_member, tenant, Role.BUYER)

    _export(client, tenant, django_capture_on_commit_callbacks, fmt="xlsx", query="sku=POT-24&format=csv")

    job = _job(tenant)
    assert job.filters == {"sku": "POT-24"} and job.rows_total == 1
    download = client.get(_url("export_job_download", tenant, export_job_id=job.pk))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert len(values) == 2 and values[1][1] == "L-1" and float(values[1][11]) == 1234.5


def test_only_the_requester_reaches_the_job_and_its_file(
    tenant: Tenant,
    other_tenant: Tenant,
    spend_world: dict[str, Any],
    make_member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _book(tenant)
    _export(_client(make_member, tenant, Role.FINANCE), tenant, django_capture_on_commit_callbacks)
    job = _job(tenant)
    colleague = _client(make_member, tenant, Role.ADMIN)
    stranger = _client(make_member, other_tenant, Role.FINANCE)
    for client, on in ((colleague, tenant), (stranger, other_tenant)):
        for name in ("export_job_detail", "export_job_download"):
            assert client.get(_url(name, on, export_job_id=job.pk)).status_code == 404
    assert stranger.get(_url("export_job_download", tenant, export_job_id=job.pk)).status_code == 404


def test_a_requester_who_no_longer_sees_the_list_no_longer_reaches_its_export(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(tenant)
    member = make_member(tenant, Role.FINANCE)
    client = Client()
    client.force_login(member.user)
    _export(client, tenant, django_capture_on_commit_callbacks)
    job = _job(tenant)
    assert client.get(_url("export_job_download", tenant, export_job_id=job.pk)).status_code == 200
    with tenant_scope(tenant):
        Membership.objects.filter(pk=member.pk).update(role=Role.QUALITY)
    for name in ("export_job_detail", "export_job_download"):
        assert client.get(_url(name, tenant, export_job_id=job.pk)).status_code == 404


def test_an_export_needs_the_lists_scope_and_a_known_kind(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    quality = _client(make_member, tenant, Role.QUALITY)
    assert _export(quality, tenant, django_capture_on_commit_callbacks).status_code == 403
    finance = _client(make_member, tenant, Role.FINANCE)
    assert finance.get(_url("spend_lines_export", tenant)).status_code == 405
    assert _export(finance, tenant, django_capture_on_commit_callbacks, fmt="pdf").status_code == 400
    with tenant_scope(tenant), pytest.raises(DomainError):
        export_job_services.export_job_start(tenant=tenant, by=SYSTEM, kind="spend.everything", fmt="csv", filters={})
    with tenant_scope(tenant):
        assert not ExportJob.objects.exists()


def test_an_export_that_fails_ends_failed_with_its_reason(
    tenant: Tenant,
    spend_world: dict[str, Any],
    make_member: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _book(tenant)

    def broken(filters: dict[str, str]) -> Any:
        yield ["2026-03-05"]
        raise OSError("No space left on device")

    kinds = {"spend.lines": dataclasses.replace(spend_exports.SPEND_LINES, rows=broken)}
    monkeypatch.setattr(export_job_services, "export_kinds", lambda: kinds)
    client = _client(make_member, tenant, Role.FINANCE)

    response = _export(client, tenant, django_capture_on_commit_callbacks)

    job = _job(tenant)
    assert job.status == ExportStatus.FAILED and "No space left on device" in job.error and not job.file
    assert "No space left on device" in client.get(response["Location"]).content.decode()
    assert client.get(_url("export_job_download", tenant, export_job_id=job.pk)).status_code == 404


def test_old_export_files_are_purged(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(tenant)
    client = _client(make_member, tenant, Role.FINANCE)
    _export(client, tenant, django_capture_on_commit_callbacks)
    _export(client, tenant, django_capture_on_commit_callbacks)
    with tenant_scope(tenant):
        old, new = ExportJob.objects.order_by("created_at")
        ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    path = Path(old.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_export_jobs_tenant.apply(args=[str(tenant.pk)]).get() == 1

    assert not path.exists() and Path(new.file.path).exists()
    with tenant_scope(tenant):
        assert list(ExportJob.objects.values_list("pk", flat=True)) == [new.pk]
    assert datetime.timedelta(days=7) == export_job_services.RETENTION


def test_the_file_speaks_the_requesters_language_whoever_runs_it(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(tenant)
    member = make_member(tenant, Role.FINANCE)
    user = member.user
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)

    _export(client, tenant, django_capture_on_commit_callbacks)

    job = _job(tenant)
    download = client.get(_url("export_job_download", tenant, export_job_id=job.pk))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert job.language == "zh-hans" and rows[0][0] == "发票日期"


def test_the_files_name_reads_the_time_in_the_requesters_zone(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a requester fourteen hours ahead of UTC, so the day and hour differ from the server's
    _book(tenant)
    user = make_member(tenant, Role.FINANCE).user
    user.time_zone = "Pacific/Kiritimati"
    user.save(update_fields=["time_zone"])
    client = Client()
    client.force_login(user)
    # when the lines are exported
    _export(client, tenant, django_capture_on_commit_callbacks)
    # then the name's stamp is the requester's wall-clock time, between the job's start and end
    job = _job(tenant)
    zone = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    stamp = datetime.datetime.strptime(
        job.file_name.rsplit("-", 2)[-2] + job.file_name.rsplit("-", 1)[-1][:4], "%Y%m%d%H%M"
    )
    start = job.created_at.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    assert job.finished_at is not None
    assert start <= stamp <= job.finished_at.astimezone(zone).replace(tzinfo=None)
