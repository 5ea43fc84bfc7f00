"""The embedded default runs an import (and an export job) on the web process's background pool: the page
answers at once, the job's page shows its progress while it runs, then the outcome. On SQLite, as `make run`
does."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sourcing import export_job_services
from sourcing.background import background_wait
from sourcing.celery import app as celery_app
from sourcing.models import ExportJob, ExportStatus, Tenant
from sourcing.roles import Role
from sourcing.spend.models import ImportStatus, SpendImport, SpendLine
from sourcing.spend.selectors.exports import SPEND_LINES
from sourcing.spend.services import importer
from sourcing.tenancy import tenant_scope
from tests.spend.conftest import csv_bytes, row

# The embedded default's background thread on SQLite: `make test` runs these in its SQLite step (tests/conftest.py).
pytestmark = pytest.mark.embedded


@pytest.fixture
def background(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKGROUND_THREADS = 1
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        background_wait()
        celery_app.conf.task_always_eager = before


@pytest.fixture
def buyer(
    transactional_db: Any, tenant: Tenant, spend_world: dict[str, Any], make_member: Any, background: None
) -> Client:
    client = Client()
    client.force_login(make_member(tenant, Role.BUYER).user)
    return client


class Gate:
    """Holds the import inside its load until the test opens it, having reported half of the rows."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: str = "") -> None:
        self.started = threading.Event()
        self.open = threading.Event()
        load_frame = importer.load_frame

        def held(**kwargs: Any) -> Any:
            kwargs["progress"](kwargs["frame"].height // 2)
            self.started.set()
            assert self.open.wait(30)
            if fail:
                raise RuntimeError(fail)
            return load_frame(**kwargs)

        monkeypatch.setattr(importer, "load_frame", held)


def _upload(client: Client, tenant: Tenant, rows: int) -> Any:
    content = csv_bytes([row(invoice_number=f"INV-{i}") for i in range(rows)])
    url = reverse("spend_import_upload", kwargs={"tenant_slug": tenant.slug})
    return client.post(url, {"file": SimpleUploadedFile("march.csv", content, "text/csv")})


def test_the_upload_answers_before_the_import_ends_and_the_page_follows_it(
    buyer: Client, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    client = buyer

    response = _upload(client, tenant, 40)

    assert response.status_code == 302
    assert gate.started.wait(30)
    with tenant_scope(tenant):
        spend_import = SpendImport.objects.get()
        assert spend_import.status == ImportStatus.QUEUED and SpendLine.objects.count() == 0
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-progress"' in partial
    assert "52% done: 20 of 40 rows" in partial
    gate.open.set()
    background_wait()
    page = client.get(response["Location"]).content.decode()
    assert "Imported." in page and 'id="import-progress"' not in page
    with tenant_scope(tenant):
        assert SpendLine.objects.count() == 40


def test_an_import_failing_in_the_background_ends_failed_with_its_reason(
    buyer: Client, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch, fail="the disk is full")
    gate.open.set()
    client = buyer

    response = _upload(client, tenant, 3)
    background_wait()

    with tenant_scope(tenant):
        spend_import = SpendImport.objects.get()
        assert spend_import.status == ImportStatus.FAILED and SpendLine.objects.count() == 0
    assert "the disk is full" in client.get(response["Location"]).content.decode()


def test_an_export_job_answers_at_once_and_its_page_shows_the_rows_written(
    buyer: Client, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, gate = threading.Event(), threading.Event()

    def rows(filters: dict[str, str]) -> Any:
        for i in range(3000):
            if i == 1000:
                started.set()
                assert gate.wait(30)
            yield [f"L-{i}", Decimal("1.5")]

    kind = dataclasses.replace(SPEND_LINES, count=lambda filters: 3000, rows=rows, header=lambda: ["Line", "Amount"])
    monkeypatch.setattr(export_job_services, "export_kinds", lambda: {"spend.lines": kind})
    url = reverse("spend_lines_export", kwargs={"tenant_slug": tenant.slug})

    response = buyer.post(url, {"format": "csv", "query": ""})

    assert response.status_code == 302
    assert started.wait(30)
    partial = buyer.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="export-progress"' in partial and "33% done: 1,000 of 3,000 rows" in partial
    gate.set()
    background_wait()
    page = buyer.get(response["Location"]).content.decode()
    assert "Ready: 3,000 rows." in page
    with tenant_scope(tenant):
        assert ExportJob.objects.get().status == ExportStatus.SUCCEEDED
