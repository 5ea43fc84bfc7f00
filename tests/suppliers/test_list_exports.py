"""The factory audits and the risk flags as CSV and XLSX: the list's filters, one formatting, formulas made
inert, internal notes left out, each export in the audit log, and the list's scope to ask for it."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import RiskFlag, Supplier
from tests.suppliers.builders import make_template, plan


def _client(make_member: Any, tenant: Tenant, role: str) -> Client:
    client = Client()
    client.force_login(make_member(tenant, role).user)
    return client


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _exports(tenant: Tenant, action: str) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action=action).order_by("created_at", "id"))


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name="=Ningbo Everbright", internal_notes="NOTE-SECRET")


def test_factory_audits_export_with_the_lists_filters(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    quality = make_member(tenant, Role.QUALITY, full_name="Grace Quality")
    template = make_template(tenant)
    plan(tenant, supplier, template, quality, planned_on=datetime.date(2026, 5, 4))
    with tenant_scope(tenant):
        other = Supplier.objects.create(tenant=tenant, legal_name="Xiamen Peakline")
    plan(tenant, other, template, quality)
    client = _client(make_member, tenant, Role.BUYER)
    url = reverse("factory_audit_export", kwargs={"tenant_slug": tenant.slug})
    assert url in client.get(reverse("factory_audit_list", kwargs={"tenant_slug": tenant.slug})).content.decode()

    rows = _csv(client.get(url, {"supplier": str(supplier.pk), "format": "csv"}))

    assert rows[0][:3] == ["Supplier", "Site", "Audit type"] and len(rows) == 2
    assert rows[1][0] == "'=Ningbo Everbright" and rows[1][4] == "Grace Quality" and rows[1][5] == "2026-05-04"
    assert rows[1][10] == "No" and "NOTE-SECRET" not in str(rows)
    xlsx = client.get(url, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 3
    events = _exports(tenant, "audit.export")
    supplier_filter = (events[0].after or {})["supplier"]
    assert [(e.after or {})["format"] for e in events] == ["csv", "xlsx"] and supplier_filter == str(supplier.pk)


def test_risk_flags_export_with_the_lists_filters(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    with tenant_scope(tenant):
        RiskFlag.objects.create(tenant=tenant, supplier=supplier, kind="manual", severity="critical", title="+Watch")
        RiskFlag.objects.create(tenant=tenant, supplier=supplier, kind="manual", title="Closed", is_open=False)
    client = _client(make_member, tenant, Role.EXECUTIVE)
    url = reverse("risk_flag_export", kwargs={"tenant_slug": tenant.slug})

    rows = _csv(client.get(url, {"format": "csv"}))  # the list's default: open flags

    assert rows[0] == ["Supplier", "Flag", "Kind", "Severity", "Owner", "Source", "Raised", "Open", "Closed"]
    assert [r[1] for r in rows[1:]] == ["'+Watch"] and rows[1][3] == "Critical" and rows[1][7] == "Yes"
    assert len(_csv(client.get(url, {"state": "all", "format": "csv"}))) == 3
    assert len(_exports(tenant, "risk_flag.export")) == 2


@pytest.mark.parametrize("name", ["factory_audit_export", "risk_flag_export"])
def test_an_agent_cannot_export_supplier_lists(tenant: Tenant, make_member: Any, name: str) -> None:
    agent = _client(make_member, tenant, Role.AGENT)
    assert agent.get(reverse(name, kwargs={"tenant_slug": tenant.slug}), {"format": "csv"}).status_code == 403
    assert _exports(tenant, "audit.export") == [] and _exports(tenant, "risk_flag.export") == []
