"""A large import leaves the planner with statistics of the tables it filled."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from sourcing.models import Tenant
from sourcing.spend.models import ImportStatus, SpendImport, SpendLine, Vendor
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import csv_bytes, row


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _import(tenant: Tenant, content: bytes) -> SpendImport:
    with tenant_scope(tenant):
        created = services.spend_import_create(
            tenant=tenant, by=SYSTEM, upload=io.BytesIO(content), file_name="spend.csv"
        )
        return services.spend_import_run(tenant=tenant, by=SYSTEM, import_id=created.pk)


def _reltuples(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


def _three_lines() -> bytes:
    return csv_bytes([row(), row(invoice_number="INV-2"), row(invoice_number="INV-3", supplier_erp_id="V-200")])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_a_large_import_refreshes_the_planner_statistics(
    tenant: Tenant, spend_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given planner statistics that do not describe what the import will leave (never analysed, or left by an
    # earlier test: ANALYZE writes them in place, outside any transaction a test rolls back), and an import of
    # more lines than the threshold counts as large
    monkeypatch.setattr(services, "STATISTICS_AFTER_LINES", 2)
    lines, vendors = SpendLine._meta.db_table, Vendor._meta.db_table
    before = (_reltuples(lines), _reltuples(vendors))
    # when it succeeds
    result = _import(tenant, _three_lines())
    assert result.status == ImportStatus.SUCCEEDED and result.lines_created == 3
    # then the planner knows the lines and vendors it wrote
    with tenant_scope(tenant):
        vendor_count = Vendor.objects.count()
    assert before != (3, vendor_count)
    assert (_reltuples(lines), _reltuples(vendors)) == (3, vendor_count)


def test_statistics_are_refreshed_only_after_a_large_successful_import(
    tenant: Tenant, spend_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(services, "refresh_statistics", lambda conn, tables: calls.append(tables))
    monkeypatch.setattr(services, "STATISTICS_AFTER_LINES", 3)
    # three lines are not more than three; a rejected file adds nothing; four lines are
    assert _import(tenant, _three_lines()).status == ImportStatus.SUCCEEDED
    assert _import(tenant, csv_bytes([row(invoice_number="INV-9", quantity="x")] * 5)).status == ImportStatus.FAILED
    assert calls == []
    four = csv_bytes([row(invoice_number=f"INV-{i}") for i in range(10, 14)])
    assert _import(tenant, four).lines_created == 4
    assert calls == [[SpendLine._meta.db_table, Vendor._meta.db_table]]


def test_a_statistics_refresh_that_fails_leaves_the_import_as_it_ended(
    tenant: Tenant, spend_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DatabaseError

    def refused(conn: Any, tables: list[str]) -> None:
        raise DatabaseError("canceling statement due to statement timeout")

    monkeypatch.setattr(services, "refresh_statistics", refused)
    monkeypatch.setattr(services, "STATISTICS_AFTER_LINES", 2)
    # the lines are committed before the refresh: its failure is logged, not a failure of the import
    result = _import(tenant, _three_lines())
    assert result.status == ImportStatus.SUCCEEDED and result.lines_created == 3
    with tenant_scope(tenant):
        assert SpendLine.objects.count() == 3
        assert SpendImport.objects.get(pk=result.pk).status == ImportStatus.SUCCEEDED
