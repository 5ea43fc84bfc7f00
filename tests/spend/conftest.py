"""Spend fixtures: acme with a small category tree, FX rates and suppliers, and a canonical-file builder."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sourcing.categories.models import Category
from sourcing.models import Tenant
from sourcing.spend.columns import CANONICAL_COLUMNS
from sourcing.spend.models import FxRate
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier

HEADER = list(CANONICAL_COLUMNS)


def row(**values: Any) -> dict[str, str]:
    """A valid canonical row; keyword arguments override its cells."""
    base = {
        "invoice_date": "2026-03-05",
        "invoice_number": "INV-1001",
        "supplier_name": "Ningbo Everbright Housewares Co., Ltd.",
        "supplier_erp_id": "V-100",
        "category_code": "111",
        "item_sku": "POT-24",
        "description": "Stainless steel pot 24cm",
        "quantity": "100",
        "uom": "pcs",
        "unit_price": "12.50",
        "currency": "USD",
        "amount": "1250.00",
        "po_number": "PO-77",
        "cost_center": "CC-KITCHEN",
    }
    base.update({k: str(v) for k, v in values.items()})
    return base


def csv_bytes(
    rows: list[dict[str, str]], *, encoding: str = "utf-8", delimiter: str = ",", header: list[str] | None = None
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    header = header or HEADER
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


@pytest.fixture
def spend_world(tenant: Tenant) -> dict[str, Any]:
    with tenant_scope(tenant):
        kitchen = Category.objects.create(tenant=tenant, code="100", name="Kitchenware", is_production_material=True)
        cookware = Category.objects.create(tenant=tenant, code="110", name="Cookware", parent=kitchen)
        pots = Category.objects.create(tenant=tenant, code="111", name="Stainless steel pots", parent=cookware)
        freight = Category.objects.create(tenant=tenant, code="510", name="Freight")
        FxRate.objects.create(tenant=tenant, currency="CNY", rate_date=date(2026, 3, 1), rate=Decimal("0.1380"))
        FxRate.objects.create(tenant=tenant, currency="CNY", rate_date=date(2026, 4, 1), rate=Decimal("0.1400"))
        FxRate.objects.create(tenant=tenant, currency="EUR", rate_date=date(2026, 3, 1), rate=Decimal("1.0800"))
        everbright = Supplier.objects.create(
            tenant=tenant, legal_name="Ningbo Everbright Housewares", external_id="V-100"
        )
        peakline = Supplier.objects.create(tenant=tenant, legal_name="Xiamen Peakline Trading Co., Ltd.")
    return {
        "kitchen": kitchen,
        "cookware": cookware,
        "pots": pots,
        "freight": freight,
        "everbright": everbright,
        "peakline": peakline,
    }


@pytest.fixture
def make_csv() -> Callable[..., bytes]:
    return csv_bytes
