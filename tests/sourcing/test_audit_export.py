"""The audit log as CSV and XLSX: the page's filters, events read as sentences, times in the viewer's zone,
the export itself recorded, and only for those who may read the log."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from django.test import Client
from django.urls import reverse

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope


def _client(make_member: Any, tenant: Tenant, role: str) -> Client:
    client = Client()
    client.force_login(make_member(tenant, role).user)
    return client


def test_the_audit_log_exports_as_filtered(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    with tenant_scope(tenant):
        audit_record(tenant=tenant, by=Actor.system("importer"), action="supplier.export", after={"q": "宁波"})
        audit_record(tenant=tenant, by=Actor.system("worker"), action="system.heartbeat")
    with tenant_scope(other_tenant):
        audit_record(tenant=other_tenant, by=Actor.system("globex"), action="supplier.export")
    client = _client(make_member, tenant, Role.ADMIN)
    url = reverse("audit_export", kwargs={"tenant_slug": tenant.slug})
    assert url in client.get(reverse("audit_list", kwargs={"tenant_slug": tenant.slug})).content.decode()

    response = client.get(url, {"action": "supplier.", "format": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["When", "Who", "Action", "Action code"]
    assert [r[3] for r in rows[1:]] == ["supplier.export"]
    assert rows[1][1] == "system:importer" and rows[1][2] == "Exported suppliers" and rows[1][9] == '{"q": "宁波"}'
    assert len(rows[1][0]) == 19  # ISO, to the second
    xlsx = client.get(url, {"format": "xlsx"})
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.max_row >= 4
    with tenant_scope(tenant):
        recorded = list(AuditEvent.objects.filter(action="audit_event.export").order_by("id"))
    assert [e.after for e in recorded] == [{"format": "csv", "action": "supplier."}, {"format": "xlsx"}]


def test_only_those_who_read_the_log_export_it(tenant: Tenant, make_member: Any) -> None:
    buyer = _client(make_member, tenant, Role.BUYER)
    assert buyer.get(reverse("audit_export", kwargs={"tenant_slug": tenant.slug})).status_code == 403
    with tenant_scope(tenant):
        assert not AuditEvent.objects.filter(action="audit_event.export").exists()
