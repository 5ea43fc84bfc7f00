"""Spend lines have no per-row foreign keys; these are the walls that stand in for them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from sourcing.models import Tenant
from sourcing.spend.models import ImportStatus, SpendLine, Vendor
from sourcing.spend.services import importer, line_writers
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import csv_bytes, row

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger and RLS are PostgreSQL's")


def _other_tenants_vendor(other_tenant: Tenant) -> Vendor:
    with tenant_scope(other_tenant):
        services.spend_lines_bulk(tenant=other_tenant, by=SYSTEM, lines=[row(currency="USD", category_code="")])
        return Vendor.objects.get()


@postgres_only
def test_an_update_pointing_a_line_at_another_tenants_vendor_is_refused(
    tenant: Tenant, other_tenant: Tenant, spend_world: dict[str, Any]
) -> None:
    theirs = _other_tenants_vendor(other_tenant)
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=[row()])
        with pytest.raises(DatabaseError, match="outside its tenant"), transaction.atomic():
            SpendLine.objects.update(vendor_id=theirs.pk)
        assert SpendLine.objects.get().vendor_id != theirs.pk


@postgres_only
def test_the_loader_refuses_a_batch_naming_another_tenants_vendor(
    tenant: Tenant, other_tenant: Tenant, spend_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = _other_tenants_vendor(other_tenant)
    original = importer.VendorBook.__call__

    def foreign(self: importer.VendorBook, erp_id: str, name: str) -> Any:
        ref = original(self, erp_id, name)
        if ref in self.new:
            self.new.remove(ref)
        ref.id = str(theirs.pk)  # a bug that resolved the vendor outside the tenant
        ref.is_new = False
        return ref

    monkeypatch.setattr(importer.VendorBook, "__call__", foreign)
    with tenant_scope(tenant):
        imp = services.spend_import_create(
            tenant=tenant, by=SYSTEM, upload=io.BytesIO(csv_bytes([row()])), file_name="x.csv"
        )
    with tenant_scope(tenant):
        result = services.spend_import_run(tenant=tenant, by=SYSTEM, import_id=imp.pk)
    # the loader's refusal ends the import as failed, with its reason, and nothing is written
    assert result.status == ImportStatus.FAILED
    assert "outside the tenant" in result.errors[0]["message"]
    with tenant_scope(tenant):
        assert SpendLine.objects.count() == 0


@postgres_only
def test_row_level_security_pins_a_new_lines_tenant(
    tenant: Tenant, other_tenant: Tenant, spend_world: dict[str, Any]
) -> None:
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=[row()])
        with (
            pytest.raises(DatabaseError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"INSERT INTO spend_spendline (id, tenant_id, spend_import_id, {line_writers._LINE_COLUMNS[4:]}) "
                f"SELECT gen_random_uuid(), %s, spend_import_id, {line_writers._LINE_COLUMNS[4:]} FROM spend_spendline",
                [other_tenant.pk],
            )
