"""Spend set-up (FX rates, category rules, column mappings), imports, vendors, findings and baselines in the
isolation harness."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sourcing.categories.models import Category
from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from sourcing.spend.models import CategoryRule, ColumnMapping, FxRate, SpendImport, SpendLine
from sourcing.spend.services.findings import baseline_freeze, finding_assign, finding_create
from sourcing.spend.services.imports import spend_lines_bulk
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from tests.conftest import SYSTEM

POST_ONLY: set[str] = {"fx_rate_delete", "category_rule_delete", "column_mapping_delete"}  # set-up
POST_ONLY |= {"finding_assign", "finding_set_status", "finding_note", "baseline_delete", "findings_raise"}
POST_ONLY |= {"spend_lines_export"}
POST_ONLY |= {"vendor_link", "vendor_create_supplier", "vendor_unmerge", "vendor_merge", "vendors_rematch"}
BODY_ID_ROUTES: set[str] = {"category_rule_create", "category_rule_edit"}  # a rule form posts a category id
BODY_ID_ROUTES |= {"finding_create"}  # the finding form posts a category id
BODY_ID_ROUTES |= {"vendor_merge"}  # vendor ids in the form (vendor_link's supplier id rides with a path id)
API_PK_OBJECT: dict[str, str] = {"spendimport": "import_id", "spendline": "line_id", "vendor": "vendor_id"}
API_PK_OBJECT |= {"fxrate": "fx_rate_id", "categoryrule": "rule_id", "columnmapping": "mapping_id"}
API_PK_OBJECT |= {"finding": "finding_id", "baseline": "baseline_id"}


def _rule_form(objects: dict[str, str]) -> dict[str, str]:
    return {"priority": "10", "field": "description", "pattern": "bolt", "category": objects["rule_category_id"]}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    forms: dict[str, dict[str, Any]] = {
        "spend_lines_export": {"format": "csv", "query": "sku=POT-24"},
        "vendor_link": {"supplier": objects["supplier_id"]},
        "vendor_merge": {"target": objects["vendor_id"], "vendors": [objects["vendor_id"], objects["other_vendor_id"]]},
        "category_rule_create": _rule_form(objects),
        "category_rule_edit": _rule_form(objects),
        "finding_create": {"kind": "other", "title": "Harness finding", "category": objects["category_id"]},
        "finding_assign": {"assignee": objects["membership_id"]},
        "finding_set_status": {"status": "in_progress"},
        "finding_note": {"note": "Harness note"},
    }
    return forms.get(name)


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    return {**_setup_objects(tenant), **_spend_objects(tenant), **_findings_objects(tenant, members[Role.BUYER])}


def _setup_objects(tenant: Tenant) -> dict[str, str]:
    """An FX rate, a category rule with its category, and a column mapping."""
    with tenant_scope(tenant):
        category = Category.objects.create(tenant=tenant, code="RULE-CAT", name="Fasteners")
        day = datetime.date(2026, 3, 2)
        rate = FxRate.objects.create(tenant=tenant, currency="CNY", rate_date=day, rate=Decimal("0.14"))
        rule = CategoryRule.objects.create(tenant=tenant, field="description", pattern="bolt", category=category)
        mapping = ColumnMapping.objects.create(tenant=tenant, name="ERP layout", columns={"amount": "Total"})
    return {
        "rule_category_id": str(category.pk),
        "fx_rate_id": str(rate.pk),
        "rule_id": str(rule.pk),
        "mapping_id": str(mapping.pk),
    }


def _spend_objects(tenant: Tenant) -> dict[str, str]:
    """An imported spend line (with its vendor and import) and a rejected import."""
    line = {
        "invoice_date": "2026-03-05",
        "invoice_number": f"{tenant.slug.upper()}-INV-1",
        "supplier_name": f"{tenant.name} Vendor Co., Ltd.",
        "quantity": "2",
        "unit_price": "5",
        "currency": tenant.base_currency,
    }
    alias = {**line, "supplier_name": f"{tenant.name} Vendor Company Limited", "invoice_number": "2"}
    with tenant_scope(tenant):
        imported = spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=[line, alias])
        spend_line, other_line = SpendLine.objects.filter(spend_import=imported).order_by("invoice_number")
        spend_import = SpendImport.objects.create(
            tenant=tenant,
            source="api_lines",
            file_name=f"{tenant.slug}-harness.csv",
            status="failed",
            error_count=1,
            errors=[{"row": 2, "column": "amount", "message": "Not a number.", "value": "=1+1"}],
        )
    return {
        "import_id": str(spend_import.pk),
        "line_id": str(spend_line.pk),
        "vendor_id": str(spend_line.vendor_id),
        "other_vendor_id": str(other_line.vendor_id),
        "imported_id": str(imported.pk),
    }


def _findings_objects(tenant: Tenant, assignee: Membership) -> dict[str, str]:
    """A finding held by ``assignee`` and a baseline of the spend ``_spend_objects`` imported."""
    with tenant_scope(tenant):
        finding = finding_create(
            tenant=tenant, by=SYSTEM, kind="maverick", title=f"{tenant.name} finding", estimated_saving="10"
        )
        finding_assign(tenant=tenant, by=SYSTEM, finding_id=finding.pk, assignee_id=assignee.pk)
        baseline = baseline_freeze(
            tenant=tenant, by=SYSTEM, name=f"{tenant.name} March", period_start="2026-03-01", period_end="2026-03-31"
        )
    return {"finding_id": str(finding.pk), "baseline_id": str(baseline.pk)}
